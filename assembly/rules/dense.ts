// The dense layer every MLP learner shares (feedback alignment, DFA, node perturbation,
// the reward-modulated policy): forward pass, activations and their slopes, the softmax
// output with its cross-entropy error, and the guarded descent step.
//
//   forward   a = clamp(W h + b, ±A),   h′ = f(a)
//   output    p = softmax(a),   e = p − onehot(y),   loss −log p_y
//   descent   W ← W − g hᵀ,  b ← b − g,   g = clamp(η δ, ±C/√(‖h‖² + 1)), then the max-norm
//
// Symbols: W (rows × cols) weights, b biases, h the layer's input, a its pre-activation,
// f the activation (ACT_*), δ the layer's error signal (from the learner's rule), η the
// learning rate. Numerics (A, C, the max-norm): docs/numerics.md, "The dense guard".

import { axpy, matvec, rank1Update } from "../kernels/linalg";
import { MAX_PREACTIVATION, scaleClamp, boundedCoefficients, maxNormRows } from "./guard";
import {
  actRelu,
  actReluGrad,
  actTanh,
  actTanhGrad,
  actSigmoid,
  actSigmoidGrad,
  actStep,
  actStepSurrogate,
  actSign,
  actSignSurrogate,
} from "../kernels/activations";
import { softmax } from "../kernels/normalize";
import { logf } from "../kernels/math";
import { SIMD } from "../kernels/simd";

// Hidden activation codes (the TypeScript side uses the same order).
export const ACT_TANH = 0,
  ACT_RELU = 1,
  ACT_SIGMOID = 2,
  ACT_STEP = 3,
  ACT_SIGN = 4;

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
  if (!SIMD) return hadamardRef(y, a, b, n);
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
}

export function hadamardRef(y: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
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
export function denseDescend(
  w: usize,
  b: usize,
  delta: usize,
  x: usize,
  rows: i32,
  cols: i32,
  eta: f32,
  g: usize,
  bound: usize,
): void {
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
    memory.copy(e, p, (<usize>n) << 2);
    const at = e + ((<usize>label) << 2);
    store<f32>(at, load<f32>(at) - 1.0);
  }
  return -logf(Mathf.max(load<f32>(p + ((<usize>label) << 2)), 1e-30));
}

/** Index of the largest of n values (the first on ties). */
export function argmax(x: usize, n: i32): i32 {
  let best = 0;
  let v = load<f32>(x);
  for (let i = 1; i < n; i++) {
    const u = load<f32>(x + ((<usize>i) << 2));
    if (u > v) {
      v = u;
      best = i;
    }
  }
  return best;
}
