// Oja's rule, and Oja with lateral anti-Hebbian decorrelation.
//
//   y = W x,                       Δw_i = η y_i (x − y_i w_i)
//   lateral: y_i = w_i · x + Σ_{k<i} L_ik y_k,   Δw_i = η y_i (x − y_i w_i),   ΔL_ik = −μ y_i y_k
//
// Symbols: x input (n), W weights (K × n, row-major), w_i row i, y outputs (K), η the
// learning rate, L lateral weights (K × K, strictly lower triangle used), μ their rate.
// The decay term drives ‖w_i‖₂ → 1 and w_i → the leading eigenvector of ⟨x xᵀ⟩; the lateral
// weights decorrelate the outputs, so the rows become the principal components in order.
// see: Oja 1982, "A simplified neuron model as a principal component analyzer",
//      J. Math. Biol. 15:267; Rubner & Tavan 1989, "A self-organizing network for
//      principal-component analysis", Europhys. Lett. 10:693.
// Numerics: docs/numerics.md (the guard the learner applies around these steps).

import { denseStep } from "../kernels/linalg";
import { hebbRow } from "./hebbian";

/** Δw_i = η y_i (x − y_i w_i) for every row, y = W x written to y (one pass over W). */
export function ojaStep(W: usize, y: usize, x: usize, K: i32, n: i32, eta: f32): void {
  denseStep(W, y, x, K, n, eta, 1);
}

/**
 * Oja's step on every row given the lateral outputs y (K), then ΔL_ik = −μ y_i y_k for k < i.
 * L is (K, K) row-major.
 */
export function ojaLateralStep(W: usize, L: usize, y: usize, x: usize, K: i32, n: i32, eta: f32, mu: f32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < K; i++) {
    const yi = load<f32>(y + ((<usize>i) << 2));
    hebbRow(W + <usize>i * row, x, n, eta * yi, yi);
    for (let k = 0; k < i; k++) {
      const p = L + ((<usize>i * <usize>K + <usize>k) << 2);
      store<f32>(p, load<f32>(p) - mu * yi * load<f32>(y + ((<usize>k) << 2)));
    }
  }
}
