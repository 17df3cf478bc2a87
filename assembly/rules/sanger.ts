// Sanger's rule: the generalised Hebbian algorithm (GHA).
//
//   y = W x,   Δw_i = η y_i (x − Σ_{k≤i} y_k w_k)
//
// Symbols: x input (n), W weights (K × n, row-major), w_i row i, y outputs (K), η the
// learning rate. Row i learns Oja's rule on the input with the first i − 1 components
// removed, so row i → the i-th eigenvector of ⟨x xᵀ⟩ (the rows come out in order).
// see: Sanger 1989, "Optimal unsupervised learning in a single-layer linear feedforward
//      neural network", Neural Netw. 2:459.
// Numerics: docs/numerics.md.

import { sangerRows } from "./hebbian";

/**
 * Δw_i = η y_i (x − Σ_{k≤i} y_k w_k) for every row, all from the W before the step, given
 * y = W x. r (n) holds x on entry and is overwritten (it carries the running residual).
 */
export function sangerStep(W: usize, y: usize, r: usize, K: i32, n: i32, eta: f32): void {
  sangerRows(W, y, r, K, n, eta);
}
