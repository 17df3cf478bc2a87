// Node perturbation with antithetic sampling: a derivative-free gradient estimate.
//
//   ξ_l ~ N(0, I)                        one noise vector per hidden layer, all perturbed at once
//   L± = loss(x, y) with a_l → a_l ± σ ξ_l   two extra forward passes
//   ĝ_l = (L+ − L−) / (2σ) · ξ_l           ≈ ∂L/∂a_l:  E[ĝ_l] = ∂L/∂a_l + O(σ²)
//   W_l ← W_l − η_t ĝ_l h_{l−1}ᵀ,   b_l ← b_l − η_t ĝ_l    (h_{l−1}: clean presynaptic activity)
//   (normalised step, the default: η_t / (1 + ‖h_{l−1}‖²) in place of η_t, ./nlms.ts)
//   output layer: δ_L = p − onehot(y), the output units' own error
//   guard: |L±| ≤ 69 (p floored at 1e-30), the quotient is clamped to the f32 range (a tiny σ
//   cannot make it ∞ or NaN) and the step is bounded as in every dense layer (./guard.ts)
//
// Symbols: a_l the pre-activations of hidden layer l, σ the perturbation size, η_t the
// (decayed) learning rate. Nothing differentiates the hidden activation f: it only has
// to be evaluated, so f may be a step or a sign (any built-in activation). The antithetic pair
// (+ξ, −ξ) cancels the even terms of the loss's expansion, so the baseline L(x) is not
// needed and the estimate's variance drops against one-sided L+ − L (which keeps a
// σ² curvature term); the variance still grows with the number of perturbed units.
//
// see: Williams 1992, "Simple statistical gradient-following algorithms for connectionist
//      reinforcement learning", Mach. Learn. 8:229; Fiete & Seung 2006, "Gradient learning
//      in spiking neural networks by dynamic perturbation of conductances", PRL 97:048104;
//      Spall 1992 (simultaneous perturbation, IEEE TAC 37:332).

import { scale } from "../kernels/linalg";

/** d = ((lossPlus − lossMinus) / (2 sigma)) ξ, the quotient clamped to ±3.4e38 (0 if NaN). d and ξ have n elements. */
export function antitheticEstimate(d: usize, xi: usize, lossPlus: f32, lossMinus: f32, sigma: f32, n: i32): void {
  let k = (lossPlus - lossMinus) / (2.0 * sigma);
  if (!(Mathf.abs(k) <= F32_MAX)) k = k > 0 ? F32_MAX : k < 0 ? -F32_MAX : 0;
  memory.copy(d, xi, (<usize>n) << 2);
  scale(d, k, n);
}

const F32_MAX: f32 = 3.4028234663852886e38;
