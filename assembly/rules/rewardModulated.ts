// Three-factor, reward-modulated learning (REINFORCE with a running reward baseline).
//
//   policy       π = softmax(W x + b),   action a ~ π            (the stochastic perturbation)
//   eligibility  E ← λ E + (onehot(a) − π) xᵀ,   E_b ← λ E_b + (onehot(a) − π)
//   reward       W ← W + η (r − r̄) E,   b ← b + η (r − r̄) E_b
//   baseline     r̄ ← r̄ + α (r − r̄)                            (after the update)
//   normalised   (the default of new policies) the eligibility term is scaled by
//                ν = 1 / (1 + ‖x‖²):  E ← λ E + ν (onehot(a) − π) xᵀ,  E_b ← λ E_b + ν (onehot(a) − π)
//                (normalised LMS, ./nlms.ts: a reward then moves the logits of that x by
//                η (r − r̄)(onehot(a) − π) whatever the context's scale; ν = 1 is the plain rule)
//
// Symbols: ν the normalisation gain (1 when off), x the presynaptic activity (the context), onehot(a) − π the postsynaptic term:
// what the unit did minus what it was expected to do; E the per-synapse eligibility trace,
// λ its decay between actions (0: one action, one reward); r the reward, the third
// factor broadcast to every synapse; r̄ its running mean with rate α (α = 0: r̄ stays 0,
// the textbook REINFORCE update). E[(r − r̄) E] = E[r E] because E[E] = 0, so the baseline
// leaves the expected update unchanged and removes the variance r̄² E[‖E‖²] that a
// reward offset adds.
//
// see: Williams 1992, "Simple statistical gradient-following algorithms for connectionist
//      reinforcement learning", Mach. Learn. 8:229; Frémaux & Gerstner 2016, "Neuromodulated
//      spike-timing-dependent plasticity, and theory of three-factor learning rules",
//      Front. Neural Circuits 9:85; Nagumo & Noda 1967 (the normalised step, see ./nlms.ts).

import { axpy, rank1Update, scale } from "../kernels/linalg";

/**
 * E = λ E + ν post preᵀ (ν = 1: the plain trace, bit for bit). e is (rows, cols) row-major, post
 * has rows, pre has cols.
 */
export function eligibilityUpdate(
  e: usize,
  post: usize,
  pre: usize,
  rows: i32,
  cols: i32,
  lambda: f32,
  gain: f32,
): void {
  scale(e, lambda, rows * cols);
  rank1Update(e, post, pre, rows, cols, gain);
}

/** w += m e: the third factor m = η (r − r̄) gates the eligibility. w, e have n elements. */
export function threeFactorUpdate(w: usize, e: usize, m: f32, n: i32): void {
  axpy(w, m, e, n);
}
