// Hebb's rule with weight normalisation.
//
//   y = W x,   w_i ← (w_i + η y_i x) / ‖w_i + η y_i x‖₂
//
// Symbols: x input (n), W weights (K × n, row-major), w_i row i, y outputs (K), η the
// learning rate. Plain Hebbian growth is unstable; renormalising each row keeps ‖w_i‖ = 1.
// see: Hebb 1949, "The Organization of Behavior"; von der Malsburg 1973, "Self-organization
//      of orientation sensitive cells in the striate cortex", Kybernetik 14:85.
// Numerics: docs/numerics.md (the normalisation goes through the overflow-safe norm when
// the step may have overflowed Σ w²).

import { denseStep, dot } from "../kernels/linalg";
import { normalize } from "../kernels/normalize";
import { capNorm, F32_MAX } from "./guard";

/** w_i ← w_i + η y_i x for every row, y = W x written to y (one pass over W); then hebbNormalize each row. */
export function hebbStep(W: usize, y: usize, x: usize, K: i32, n: i32, eta: f32): void {
  denseStep(W, y, x, K, n, eta, 0);
}

/**
 * ‖w‖₂ ← 1 for a row whose norm is at most `bound`: under 1e18 Σ w² cannot overflow and the
 * plain normalisation is exact; above, an overflowing Σ w² (or an all-zero row) goes through
 * the overflow-safe capNorm.
 */
export function hebbNormalize(w: usize, n: i32, bound: f32): void {
  if (!(bound <= 1e18)) {
    const q = dot(w, w, n);
    if (!(q <= F32_MAX && q > 0)) {
      capNorm(w, n, 1);
      return;
    }
  }
  normalize(w, w, n, 0);
}
