// SoftHebb: Hebbian learning with a soft winner-take-all and anti-Hebbian losers.
//
//   u = W x,   y = softmax(u / τ)
//   a_i = +y_i for the winner (largest u), −y_i for every other unit
//   Δw_i = η a_i (x − u_i w_i) / m,   m = max_{i, j} |a_i (x_j − u_i w_ij)|
//
// Symbols: x input (n), W weights (K × n), τ the softmax temperature, η the learning rate
// (the largest change of any weight per sample, as the reference code normalises the
// update by its largest entry). The decay term drives ‖w_i‖₂ → 1.
// see: Journé, Rodriguez, Guo & Moraitis 2023, "Hebbian deep learning without feedback",
//      ICLR (SoftHebb; the anti-Hebbian sign for non-winners and the normalised step
//      follow the reference implementation).
// Deviation: units below 10⁻⁴ of the softmax skip the step (their change would be < 10⁻⁴ η):
//      docs/deviations.md.
// Numerics: docs/numerics.md (u/τ is clamped before the softmax; η/m is capped).

import { softmax } from "../kernels/normalize";
import { F32_MAX } from "./guard";
import { hebbRow, hebbRowMaxAbs } from "./hebbian";

/** Softmax share under which a unit skips the step. */
export const SOFT_CUTOFF: f32 = 1e-4;

/**
 * One step given u = W x (K) and z = u/τ (K, overwritten with this step's post factors a_i,
 * 0 for units that skip; the row update is w_i += a_i (x − u_i w_i)). Returns whether any
 * row moved.
 */
export function softhebbStep(W: usize, x: usize, u: usize, z: usize, K: i32, n: i32, eta: f32): bool {
  const row = (<usize>n) << 2;
  let win = 0;
  for (let i = 1; i < K; i++) if (load<f32>(at(u, i)) > load<f32>(at(u, win))) win = i;
  softmax(z, z, K);
  let m: f32 = 0;
  for (let i = 0; i < K; i++) {
    const yi = load<f32>(at(z, i));
    const a: f32 = yi < SOFT_CUTOFF ? <f32>0 : i == win ? yi : -yi;
    store<f32>(at(z, i), a);
    if (a != 0) m = Mathf.max(m, Mathf.abs(a) * hebbRowMaxAbs(W + <usize>i * row, x, n, load<f32>(at(u, i))));
  }
  if (!(m > 0)) {
    memory.fill(z, 0, (<usize>K) << 2);
    return false;
  }
  const e = Mathf.min(eta / m, F32_MAX); // |Δw_ij| ≤ η even when η/m overflows
  for (let i = 0; i < K; i++) {
    const a = load<f32>(at(z, i));
    if (a == 0) continue;
    store<f32>(at(z, i), e * a);
    hebbRow(W + <usize>i * row, x, n, e * a, load<f32>(at(u, i)));
  }
  return true;
}

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}
