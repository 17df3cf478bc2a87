// Feedback alignment (FA) and direct feedback alignment (DFA).
//
//   forward   a_l = W_l h_{l−1} + b_l,   h_l = f(a_l) for hidden l,   p = softmax(a_L),  h_0 = x
//   error     δ_L = e = p − onehot(y)                (softmax + cross-entropy, loss −log p_y)
//   FA        δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l)     B_{l+1} fixed random, the shape of W_{l+1}
//   DFA       δ_l = (D_lᵀ e) ⊙ f′(a_l)               D_l fixed random, (classes × n_l)
//   update    W_l ← W_l − η_t δ_l h_{l−1}ᵀ,   b_l ← b_l − η_t δ_l,   η_t = η / (1 + κ t)
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

import { axpy, matvec, matvecT, rank1Update } from "../kernels/linalg";
import { MAX_PREACTIVATION, scaleClamp, boundedCoefficients, maxNormRows } from "./guard";
import {
  actRelu, actReluGrad, actTanh, actTanhGrad, actSigmoid, actSigmoidGrad,
  actStep, actStepSurrogate, actSign, actSignSurrogate,
} from "../kernels/activations";
import { softmax } from "../kernels/normalize";
import { logf } from "../kernels/math";

// Hidden activation codes (the TypeScript side uses the same order).
export const ACT_TANH = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_STEP = 3, ACT_SIGN = 4;

/** y = f(x) for activation code `act`. x, y have n elements; y may alias x. */
export function activate(act: i32, y: usize, x: usize, n: i32): void {
  if (act == ACT_RELU) actRelu(y, x, n);
  else if (act == ACT_SIGMOID) actSigmoid(y, x, n);
  else if (act == ACT_STEP) actStep(y, x, n);
  else if (act == ACT_SIGN) actSign(y, x, n);
  else actTanh(y, x, n);
}

/** y = f′(x) (a surrogate for step and sign). */
export function activateSlope(act: i32, y: usize, x: usize, n: i32): void {
  if (act == ACT_RELU) actReluGrad(y, x, n);
  else if (act == ACT_SIGMOID) actSigmoidGrad(y, x, n);
  else if (act == ACT_STEP) actStepSurrogate(y, x, n);
  else if (act == ACT_SIGN) actSignSurrogate(y, x, n);
  else actTanhGrad(y, x, n);
}

/** y = a ⊙ b, elementwise. a, b, y have n elements; y may alias a or b. */
export function hadamard(y: usize, a: usize, b: usize, n: i32): void {
  const end4 = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
}

export function hadamardRef(y: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/** a = clamp(W x + b, ±A). w is (rows, cols) row-major, x has cols, a and b have rows. */
export function denseForward(a: usize, w: usize, b: usize, x: usize, rows: i32, cols: i32): void {
  matvec(a, w, x, rows, cols);
  axpy(a, 1.0, b, rows);
  scaleClamp(a, a, rows, 1, MAX_PREACTIVATION);
}

/**
 * The guarded step W −= g xᵀ, b −= g with g = clamp(eta δ, ±C/√(‖x‖² + 1)), then the
 * max-norm constraint (./guard.ts). Shapes as in denseForward; δ, g (scratch for the
 * coefficients) and bound (the rows' norm bounds β_i, scratch) have rows.
 */
export function denseDescend(w: usize, b: usize, delta: usize, x: usize, rows: i32, cols: i32, eta: f32, g: usize, bound: usize): void {
  const xn = boundedCoefficients(g, delta, x, rows, cols, eta);
  rank1Update(w, g, x, rows, cols, -1.0); // −1 · (η δ_i) has the bits of (−η) δ_i
  axpy(b, -1.0, g, rows);
  maxNormRows(w, b, bound, g, xn, rows, cols);
}

/**
 * p = softmax(a); when e ≠ 0 also e = p − onehot(label). Returns the cross-entropy
 * −log p_label (p floored at 1e-30 so a confident mistake costs 69, not Infinity).
 */
export function softmaxError(p: usize, e: usize, a: usize, n: i32, label: i32): f32 {
  softmax(p, a, n);
  if (e != 0) {
    memory.copy(e, p, <usize>n << 2);
    const at = e + (<usize>label << 2);
    store<f32>(at, load<f32>(at) - 1.0);
  }
  return -logf(Mathf.max(load<f32>(p + (<usize>label << 2)), 1e-30));
}

/** Index of the largest of n values (the first on ties). */
export function argmax(x: usize, n: i32): i32 {
  let best = 0;
  let v = load<f32>(x);
  for (let i = 1; i < n; i++) {
    const u = load<f32>(x + (<usize>i << 2));
    if (u > v) { v = u; best = i; }
  }
  return best;
}

/**
 * Feedback alignment's error for hidden layer l: δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l).
 * B (above × n) is the fixed random feedback in place of W_{l+1}; δ_{l+1} has `above`
 * elements; δ_l, a_l and slope (scratch for f′(a_l)) have n.
 */
export function faHiddenStep(delta: usize, B: usize, deltaAbove: usize, a: usize, act: i32, above: i32, n: i32, slope: usize): void {
  matvecT(delta, B, deltaAbove, above, n);
  activateSlope(act, slope, a, n);
  hadamard(delta, delta, slope, n);
}

/**
 * Direct feedback alignment's error for hidden layer l: δ_l = (D_lᵀ e) ⊙ f′(a_l).
 * D (classes × n) is the fixed random feedback, e the output error (classes); δ_l, a_l and
 * slope (scratch for f′(a_l)) have n.
 */
export function dfaHiddenStep(delta: usize, D: usize, e: usize, a: usize, act: i32, classes: i32, n: i32, slope: usize): void {
  matvecT(delta, D, e, classes, n);
  activateSlope(act, slope, a, n);
  hadamard(delta, delta, slope, n);
}
