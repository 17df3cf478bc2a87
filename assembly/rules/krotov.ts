// Krotov & Hopfield's competitive rule ("unsupervised learning by competing hidden units").
//
//   I_i = Σ_j sgn(w_ij) |w_ij|^{p−1} x_j                 (the p-norm current of unit i)
//   g_i = 1 for the unit with the largest I, −Δ for the k-th largest, 0 otherwise
//   Δw_i = η g_i (x − I_i w_i) / m,   m = max_{i, j} |g_i (x_j − I_i w_ij)|
//
// Symbols: x input (n), W weights (K × n), p the norm, k the rank of the unit pushed
// away, Δ its strength, η the learning rate: the largest change of any weight per sample.
// The decay term drives ‖w_i‖_p → 1. The two rows' steps share one normaliser m (as the
// reference code normalises the whole update matrix by its largest entry).
// see: Krotov & Hopfield 2019, "Unsupervised learning by competing hidden units",
//      PNAS 116:7723 (eq. 3 and the reference code's normalisation).
// Deviation: units are ranked by the current I_i; the paper ranks by I_i / ‖w_i‖_p^{p−1}
//      (equal at the fixed point ‖w_i‖_p = 1): docs/deviations.md.
// Numerics: docs/numerics.md (the step factor η/m is capped at the f32 maximum).

import { F32_MAX } from "./guard";
import { hebbRow, hebbRowMaxAbs } from "./hebbian";

/**
 * One step given the currents I (K): the post factors of this step into a (K, zero for
 * untouched rows; the row update is w_i += a_i (x − I_i w_i)); top (k i32) is scratch for the
 * ranking. Returns whether any row moved.
 */
export function krotovStep(
  W: usize,
  x: usize,
  I: usize,
  a: usize,
  top: usize,
  K: i32,
  n: i32,
  k: i32,
  delta: f32,
  eta: f32,
): bool {
  const row = (<usize>n) << 2;
  memory.fill(a, 0, (<usize>K) << 2);
  const cnt = rankTop(I, top, K, k);
  store<f32>(at(a, load<i32>(top)), 1);
  if (cnt == k && k > 1 && delta != 0) store<f32>(at(a, load<i32>(at(top, k - 1))), -delta);
  // the joint normaliser: the largest |g_i (x_j − I_i w_ij)| over both rows
  let m: f32 = 0;
  for (let i = 0; i < K; i++) {
    const g = load<f32>(at(a, i));
    if (g != 0) m = Mathf.max(m, Mathf.abs(g) * hebbRowMaxAbs(W + <usize>i * row, x, n, load<f32>(at(I, i))));
  }
  if (!(m > 0)) {
    memory.fill(a, 0, (<usize>K) << 2);
    return false;
  }
  for (let i = 0; i < K; i++) {
    const g = load<f32>(at(a, i));
    if (g == 0) continue;
    // η/m overflows only for m < η/F (denormal inputs): capped at F the step is still ≤ η
    const s = Mathf.min(Mathf.max((g * eta) / m, -F32_MAX), F32_MAX);
    store<f32>(at(a, i), s);
    hebbRow(W + <usize>i * row, x, n, s, load<f32>(at(I, i)));
  }
  return true;
}

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** Indices of the k largest I (ties: lower index first) into top; returns how many (min(k, K)). */
function rankTop(I: usize, top: usize, K: i32, k: i32): i32 {
  let cnt = 0;
  for (let i = 0; i < K; i++) {
    const v = load<f32>(at(I, i));
    let j: i32;
    if (cnt < k) j = cnt++;
    else if (v > load<f32>(at(I, load<i32>(at(top, k - 1))))) j = k - 1;
    else continue;
    while (j > 0 && load<f32>(at(I, load<i32>(at(top, j - 1)))) < v) {
      store<i32>(at(top, j), load<i32>(at(top, j - 1)));
      j--;
    }
    store<i32>(at(top, j), i);
  }
  return cnt;
}
