// The BCM rule (Bienenstock, Cooper, Munro) with a sliding threshold.
//
//   y = W x,   φ_i = y_i (y_i − θ_i),   Δw_i = η φ_i x,   θ_i ← θ_i + ρ (y_i² − θ_i)
//
// Symbols: x input (n), W weights (K × n), y outputs (K), θ the per-unit sliding threshold
// (a running mean of y², so activity above the recent average potentiates and below it
// depresses), ρ ∈ (0, 1] its rate, η the learning rate. Each unit becomes selective: it
// responds to few patterns.
// see: Bienenstock, Cooper & Munro 1982, "Theory for the development of neuron selectivity",
//      J. Neurosci. 2:32; Intrator & Cooper 1992, Neural Netw. 5:3 (θ as ⟨y²⟩).
// Numerics: docs/numerics.md (the learner bounds φ and θ between the two halves).

import { rank1Update } from "../kernels/linalg";

/**
 * The post-synaptic factors and the threshold: φ_i = y_i (y_i − θ_i) (into phi, with the θ
 * before this step), then θ_i ← θ_i + ρ (y_i² − θ_i). y, phi, theta have K elements.
 */
export function bcmStep(phi: usize, theta: usize, y: usize, K: i32, rho: f32): void {
  for (let i = 0; i < K; i++) {
    const o = (<usize>i) << 2;
    const yi = load<f32>(y + o),
      th = load<f32>(theta + o);
    store<f32>(phi + o, yi * (yi - th));
    store<f32>(theta + o, th + rho * (yi * yi - th));
  }
}

/** Δw_i = η φ_i x for every row (the weight half of the rule, after bcmStep). */
export function bcmWeights(W: usize, phi: usize, x: usize, K: i32, n: i32, eta: f32): void {
  rank1Update(W, phi, x, K, n, eta);
}
