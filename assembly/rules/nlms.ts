// The normalised step size (normalised LMS): the learning rate divided by the energy of the
// layer's input, so that one step moves the layer's pre-activation by a fixed fraction of
// its error signal, whatever the input's contrast or the layer's width.
//
//   η̃ = η / (1 + ‖h‖²)                       one rate per layer per step
//   W ← W − η̃ δ hᵀ,   b ← b − η̃ δ             the layer's rule with η̃ in place of η
//   ⇒ a′ − a = (W′ − W) h + (b′ − b) = −η̃ δ (‖h‖² + 1) = −η δ    (for this same h)
//
// Symbols: h the layer's input (the sample x for the first layer, the activity of the layer
// below otherwise), n its width, ‖h‖² = Σ_j h_j², δ the layer's error signal (whatever the
// learner's rule makes it), a = W h + b the pre-activation, η the base rate: the fraction of
// δ that one step removes from a (the a-posteriori error). The 1 is the bias's input (the
// constant 1 of the augmented input [h; 1]), so η̃ is finite for h = 0, and for ‖h‖² ≫ 1
// the step is invariant to the input's scale: h → c h gives W h ↦ the same a after the step
// (ΔW → ΔW / c), so a default η does not depend on the data's contrast nor on n. For the
// plain LMS/delta rule this is stable for 0 < η < 2 (Nagumo & Noda; Haykin §6).
//
// see: Nagumo & Noda 1967, "A learning method for system identification", IEEE Trans.
//      Autom. Control 12:282–287; Albert & Gardner 1967 (the same rule, independently);
//      Haykin, "Adaptive Filter Theory" (4th ed. 2002), ch. 6, "Normalized least-mean-square
//      adaptive filters" (η̃ = η / (δ + ‖u‖²)).

import { dot } from "../kernels/linalg";

/**
 * The normalised rate η / (1 + ‖h‖²) of a layer whose input h has n elements (‖h‖² in dot's
 * summation order: ../kernels/linalg.ts; its Ref twin is used in the scalar build).
 */
export function nlmsRate(eta: f32, h: usize, n: i32): f32 {
  return eta / (1 + dot(h, h, n));
}

/** The same rate from the input's norm hn = ‖h‖ when the caller has it: η / (1 + hn²). */
export function nlmsRateOfNorm(eta: f32, hn: f32): f32 {
  return eta / (1 + hn * hn);
}
