// Feedback alignment (FA) and direct feedback alignment (DFA).
//
//   forward   a_l = W_l h_{l−1} + b_l,   h_l = f(a_l) for hidden l,   p = softmax(a_L),  h_0 = x
//   error     δ_L = e = p − onehot(y)                (softmax + cross-entropy, loss −log p_y)
//   FA        δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l)     B_{l+1} fixed random, the shape of W_{l+1}
//   DFA       δ_l = (D_lᵀ e) ⊙ f′(a_l)               D_l fixed random, (classes × n_l)
//   update    W_l ← W_l − η_t δ_l h_{l−1}ᵀ,   b_l ← b_l − η_t δ_l,   η_t = η / (1 + κ t)
//             (normalised step, the default: η_t / (1 + ‖h_{l−1}‖²) in place of η_t, ./nlms.ts)
//   dropout   (learning steps only, p > 0) h_l ← m_l ⊙ h_l and δ_l ← m_l ⊙ δ_l, m_li = 0 with
//             probability p, else 1/(1 − p), one fresh mask per step (inverted dropout)
//   guard     ‖x‖ ≤ R, a_l ∈ [−A, A], ‖η δ_i hᵀ‖ ≤ C, ‖W_i‖ ≤ C, |b_i| ≤ C   (./guard.ts; never
//             binds on ordinary data, keeps every parameter finite on any finite input)
//
// Symbols: W_l, b_l the weights and biases of layer l; h_l its activity; f the hidden
// activation and f′ its derivative (for step / sign a surrogate, see kernels/activations.ts:
// step → 1/(1 + 10|a|)², sign → 1 on |a| ≤ 1); e the output error; η the learning rate,
// κ its decay, t the number of samples seen. Backprop would use W_{l+1}ᵀ where FA uses
// B_{l+1}: no weight transport. DFA sends the output error straight to every layer: no
// layer waits for the one above. The forward weights come to align with the feedback.
//
// see: Lillicrap, Cownden, Tweed & Akerman 2016, "Random synaptic feedback weights support
//      error backpropagation for deep learning", Nat. Commun. 7:13276;
//      Nøkland 2016, "Direct feedback alignment provides learning in deep neural
//      networks", NeurIPS (DFA on MNIST with dropout);
//      Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov 2014, "Dropout: a simple way
//      to prevent neural networks from overfitting", JMLR 15:1929–1958.

import { matvecT } from "../kernels/linalg";
import { activateSlope, hadamard } from "./dense";

/**
 * Feedback alignment's error for hidden layer l: δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l).
 * B (above × n) is the fixed random feedback in place of W_{l+1}; δ_{l+1} has `above`
 * elements; δ_l, a_l and slope (scratch for f′(a_l)) have n.
 */
export function faHiddenStep(
  delta: usize,
  B: usize,
  deltaAbove: usize,
  a: usize,
  act: i32,
  above: i32,
  n: i32,
  slope: usize,
): void {
  matvecT(delta, B, deltaAbove, above, n);
  activateSlope(act, slope, a, n);
  hadamard(delta, delta, slope, n);
}

/**
 * Direct feedback alignment's error for hidden layer l: δ_l = (D_lᵀ e) ⊙ f′(a_l).
 * D (classes × n) is the fixed random feedback, e the output error (classes); δ_l, a_l and
 * slope (scratch for f′(a_l)) have n.
 */
export function dfaHiddenStep(
  delta: usize,
  D: usize,
  e: usize,
  a: usize,
  act: i32,
  classes: i32,
  n: i32,
  slope: usize,
): void {
  matvecT(delta, D, e, classes, n);
  activateSlope(act, slope, a, n);
  hadamard(delta, delta, slope, n);
}
