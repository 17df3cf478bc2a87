// Numeric guard: finite parameters for any finite input, untouched results on ordinary data.
//
//   input cap      x ← x · min(1, R / ‖x‖₂)                   ‖x‖ computed without overflow
//   pre-activation a_i ← clamp(a_i, ±A)                        every dense layer, before f and softmax
//   bounded step   u_i = g_i hᵀ,  g_i ← clamp(η δ_i, ±C / √(‖h‖² + 1))     ‖u_i‖ ≤ C, |Δb_i| ≤ C
//   max-norm       W_i ← W_i · min(1, C / ‖W_i‖₂),   b_i ← clamp(b_i, ±C)   after every update
//
//   R = 1e9 (MAX_INPUT_NORM), A = 1e15 (MAX_PREACTIVATION), C = 1e6 (MAX_NORM)
//
// Symbols: x the sample (its scratch copy, never the caller's array), a_i = W_i h + b_i a
// pre-activation, h a layer's input, δ_i the unit's error signal, η the learning rate, W_i the
// incoming weights (row i) and b_i the bias of unit i. Used by every dense layer of
// ../learners/feedbackAlignment.ts and ./perturbation.ts, and by the policy of
// ../learners/rewardModulated.ts (whose step is η (r − r̄) E_i: it bounds ‖·‖ by C the same way).
//
// Why these bounds make overflow impossible, and why the max-norm check may skip rows: the
// derivation is in docs/numerics.md ("The dense guard").
//
// see: Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov 2014, "Dropout: a simple way to
//      prevent neural networks from overfitting", JMLR 15:1929 (the max-norm constraint);
//      Pascanu, Mikolov & Bengio 2013, "On the difficulty of training recurrent neural networks",
//      ICML (norm clipping of the update); Blue 1978, "A portable Fortran program to find the
//      Euclidean norm of a vector", ACM TOMS 4:15 (scaling by max |x_i| against overflow).

import { dot, dotRef, scale, scaleRef } from "../kernels/linalg";
import { expf, logf } from "../kernels/math";
import { SIMD } from "../kernels/simd";

/** R: inputs are scaled into the ball ‖x‖₂ ≤ R before a learner sees them. */
export const MAX_INPUT_NORM: f32 = 1e9;
/** A: every pre-activation (and softmax logit) is clamped to ±A. */
export const MAX_PREACTIVATION: f32 = 1e15;
/** C: bound on ‖W_i‖₂ of each weight row, on |b_i|, and on the norm of one step's row update. */
export const MAX_NORM: f32 = 1e6;

/** F: the largest finite f32 (caps Krotov's and SoftHebb's step factor η/m; overflow tests). */
export const F32_MAX: f32 = 3.4028234663852886e38;
// below this Σx² may have lost squares to underflow: take the scaled path
const TINY_SQUARES: f32 = 1e-30;

// ---------------------------------------------------------------- clamp

/** y_i = min(max(alpha x_i, −lim), lim). x, y have n elements; y may alias x. lim ≥ 0 (may be +∞). */
export function scaleClamp(y: usize, x: usize, n: i32, alpha: f32, lim: f32): void {
  if (!SIMD) return scaleClampRef(y, x, n, alpha, lim);
  const al = f32x4.splat(alpha),
    hi = f32x4.splat(lim),
    lo = f32x4.splat(-lim);
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f32x4.min(f32x4.max(f32x4.mul(al, v128.load(x + o)), lo), hi));
  for (; o < end; o += 4) store<f32>(y + o, Mathf.min(Mathf.max(alpha * load<f32>(x + o), -lim), lim));
}

export function scaleClampRef(y: usize, x: usize, n: i32, alpha: f32, lim: f32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, Mathf.min(Mathf.max(alpha * load<f32>(x + o), -lim), lim));
  }
}

// ---------------------------------------------------------------- overflow-safe norm

// max |x_i| (order-independent)
function maxAbs(x: usize, n: i32): f32 {
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let m4 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < end4; o += 16) m4 = f32x4.max(m4, f32x4.abs(v128.load(x + o)));
  let m = Mathf.max(
    Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
    Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)),
  );
  for (; o < end; o += 4) m = Mathf.max(m, Mathf.abs(load<f32>(x + o)));
  return m;
}

function maxAbsRef(x: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) m = Mathf.max(m, Mathf.abs(load<f32>(x + ((<usize>i) << 2))));
  return m;
}

// Σ (x_i / m)², lane j of one accumulator takes i ≡ j (mod 4), combined (l0 + l1) + (l2 + l3),
// then the n % 4 tail in order. Every term is ≤ 1: no overflow, and underflow only drops terms
// under 2⁻¹²⁶ of the largest.
function scaledSquares(x: usize, n: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let a = f32x4.splat(0);
  let o: usize = 0;
  for (; o < end4; o += 16) {
    const q = f32x4.div(v128.load(x + o), mv);
    a = f32x4.add(a, f32x4.mul(q, q));
  }
  let s = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
  for (; o < end; o += 4) {
    const q = load<f32>(x + o) / m;
    s += q * q;
  }
  return s;
}

function scaledSquaresRef(x: usize, n: i32, m: f32): f32 {
  const l: StaticArray<f32> = [0, 0, 0, 0];
  const n4 = n & ~3;
  for (let i = 0; i < n4; i++) {
    const q = load<f32>(x + ((<usize>i) << 2)) / m;
    l[i & 3] += q * q;
  }
  let s = l[0] + l[1] + (l[2] + l[3]);
  for (let i = n4; i < n; i++) {
    const q = load<f32>(x + ((<usize>i) << 2)) / m;
    s += q * q;
  }
  return s;
}

/**
 * ‖x‖₂ without spurious overflow or underflow. Fast path √(Σ x²) in the dot order when that
 * sum is finite and ≥ 1e-30; otherwise m √(Σ (x_i/m)²) with m = max |x_i| (+∞ only when the
 * norm itself exceeds the f32 range). x has n elements.
 */
export function norm2(x: usize, n: i32): f32 {
  if (!SIMD) return norm2Ref(x, n);
  const q = dot(x, x, n);
  if (q >= TINY_SQUARES && q <= F32_MAX) return Mathf.sqrt(q);
  const m = maxAbs(x, n);
  return m == 0 ? 0 : m * Mathf.sqrt(scaledSquares(x, n, m));
}

export function norm2Ref(x: usize, n: i32): f32 {
  const q = dotRef(x, x, n);
  if (q >= TINY_SQUARES && q <= F32_MAX) return Mathf.sqrt(q);
  const m = maxAbsRef(x, n);
  return m == 0 ? 0 : m * Mathf.sqrt(scaledSquaresRef(x, n, m));
}

/**
 * Scales x in place into the ball ‖x‖₂ ≤ r: x ← x · r/‖x‖ when ‖x‖ > r (the factor is formed
 * as (r/m)/√Σ(x_i/m)², so even ‖x‖ > 3.4e38 works). Returns norm2(x) afterwards (≈ r when
 * scaled), reusing the fast path's Σ x² when untouched.
 */
export function capNorm(x: usize, n: i32, r: f32): f32 {
  if (!SIMD) return capNormRef(x, n, r);
  const q = dot(x, x, n);
  if (q <= r * r) {
    // also every vector whose squares underflow
    if (q >= TINY_SQUARES) return Mathf.sqrt(q);
    const m = maxAbs(x, n);
    return m == 0 ? 0 : m * Mathf.sqrt(scaledSquares(x, n, m));
  }
  const m = maxAbs(x, n);
  scale(x, r / m / Mathf.sqrt(scaledSquares(x, n, m)), n);
  return norm2(x, n);
}

export function capNormRef(x: usize, n: i32, r: f32): f32 {
  const q = dotRef(x, x, n);
  if (q <= r * r) {
    if (q >= TINY_SQUARES) return Mathf.sqrt(q);
    const m = maxAbsRef(x, n);
    return m == 0 ? 0 : m * Mathf.sqrt(scaledSquaresRef(x, n, m));
  }
  const m = maxAbsRef(x, n);
  scaleRef(x, r / m / Mathf.sqrt(scaledSquaresRef(x, n, m)), n);
  return norm2Ref(x, n);
}

// ---------------------------------------------------------------- guarded dense update

/**
 * g = clamp(eta δ, ±C/√(‖h‖² + 1)): the coefficients of a bounded step u_i = g_i hᵀ (weights)
 * and g_i (bias), so ‖(u_i, g_i)‖ ≤ C. Returns ‖h‖. g, δ have rows elements, h has cols.
 */
export function boundedCoefficients(g: usize, delta: usize, h: usize, rows: i32, cols: i32, eta: f32): f32 {
  const hn = norm2(h, cols);
  scaleClamp(g, delta, rows, eta, MAX_NORM / Mathf.sqrt(hn * hn + 1));
  return hn;
}

/**
 * The max-norm constraint after the step u_i = g_i hᵀ with ‖h‖ = hn (see the header):
 * W_i ← W_i · C/‖W_i‖ where ‖W_i‖ > C, b_i ← clamp(b_i, ±C). w is (rows, cols) row-major,
 * b, g and bound (β_i, scratch, +∞ = unknown) have rows elements.
 */
export function maxNormRows(w: usize, b: usize, bound: usize, g: usize, hn: f32, rows: i32, cols: i32): void {
  scaleClamp(b, b, rows, 1, MAX_NORM);
  // margin for the rounding of the exact norm (relative error ≤ cols · 2⁻²⁴) and of the bound
  const near = MAX_NORM / (1 + <f32>(cols + 4) * <f32>4.76837158203125e-7);
  const stride = (<usize>cols) << 2;
  for (let i = 0; i < rows; i++) {
    const at = bound + ((<usize>i) << 2);
    let beta = (load<f32>(at) + Mathf.abs(load<f32>(g + ((<usize>i) << 2))) * hn) * <f32>(1 + 9.5367431640625e-7);
    if (!(beta <= near)) {
      const row = w + <usize>i * stride;
      beta = norm2(row, cols);
      if (beta > MAX_NORM) {
        scale(row, MAX_NORM / beta, cols);
        beta = MAX_NORM;
      }
    }
    store<f32>(at, beta);
  }
}

/** β_i = +∞ for rows elements: the next maxNormRows computes every row's norm. */
export function unknownBounds(bound: usize, rows: i32): void {
  for (let i = 0; i < rows; i++) store<f32>(bound + ((<usize>i) << 2), Infinity);
}

// ---------------------------------------------------------------- Hebbian rows (docs/numerics.md)

/** G: bound on the step factor η y_i (Sanger) and η y_i (y_i − θ_i) (BCM). */
export const MAX_STEP_FACTOR: f32 = 1e9;
/** C_p: the max-norm of a row, C or, for Krotov's p-norm currents (p ≥ 3), min(C, 1e28^{1/(p−1)}). */
export function maxRowNorm(p: i32): f32 {
  return p <= 2 ? MAX_NORM : Mathf.min(MAX_NORM, expf(logf(1e28) / <f32>(p - 1)));
}

/**
 * The max-norm backstop for row w (n) after a step of norm ≤ `step`: β (the f32 at `bound`)
 * is an upper bound on ‖w‖ (+∞: unknown), advanced by the triangle inequality plus 2⁻²⁰ for
 * rounding. Only when it nears `max` is the exact (overflow-safe) norm computed; the row is
 * rescaled to `max` iff that norm exceeds it, so the decision never depends on β.
 */
export function maxNormRow(w: usize, n: i32, bound: usize, step: f32, max: f32): void {
  // margin for the rounding of the exact norm (relative error ≤ n · 2⁻²⁴) and of the bound
  const near = max / (1 + <f32>(n + 4) * <f32>4.76837158203125e-7);
  let beta = (load<f32>(bound) + step) * <f32>(1 + 9.5367431640625e-7);
  if (!(beta <= near)) {
    // also +∞ and NaN (∞ · 0 in a step bound)
    beta = norm2(w, n);
    if (beta > max) {
      scale(w, max / beta, n);
      beta = max;
    }
  }
  store<f32>(bound, beta);
}

/** ‖a (x − c w)‖ ≤ |a| (‖x‖ + |c| ‖w‖): the bound on one row step that β advances by (‖w‖ ≤ β). */
// @ts-ignore: decorator
@inline
export function stepBound(a: f32, c: f32, xn: f32, beta: f32): f32 {
  return Mathf.abs(a) * (xn + Mathf.abs(c) * beta);
}
