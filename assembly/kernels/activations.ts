// Elementwise activations y = f(x) and their derivatives, n elements; y may equal x.
// Every `Grad` is the derivative evaluated at the pre-activation x. Each kernel has
// a `Ref` twin doing the same f32 operations per element, so results match bitwise.
//
// Non-differentiable activations come with surrogate derivatives (documented per kernel),
// which is what local rules that need a slope (e-prop, feedback alignment) multiply by.

import { expf, exp4, tanh4, tanhf, sigmoid4, sigmoidf, softplus4, softplusf } from "./math";
import { SIMD } from "./simd";

// One loop shape for all of them: f32x4 body, scalar tail with the scalar twin.
// `op` is a compile-time constant at every call site; after inlining the switch
// folds away (function references would compile to call_indirect instead).
const RELU = 0,
  RELU_G = 1,
  LEAKY = 2,
  LEAKY_G = 3,
  TANH = 4,
  TANH_G = 5,
  SIG = 6,
  SIG_G = 7,
  SOFTPLUS = 8,
  STEP = 9,
  STEP_S = 10,
  SIGN = 11,
  SIGN_S = 12;

// @ts-ignore: decorator
@inline
function f4(op: i32, v: v128, p: f32): v128 {
  switch (op) {
    case RELU:
      return relu4(v);
    case RELU_G:
      return reluGrad4(v);
    case LEAKY:
      return leaky4(v, p);
    case LEAKY_G:
      return leakyGrad4(v, p);
    case TANH:
      return tanh4(v);
    case TANH_G:
      return tanhGrad4(v);
    case SIG:
      return sigmoid4(v);
    case SIG_G:
      return sigmoidGrad4(v);
    case SOFTPLUS:
      return softplus4(v);
    case STEP:
      return reluGrad4(v);
    case STEP_S:
      return stepSur4(v);
    case SIGN:
      return sign4(v);
    default:
      return ste4(v); // SIGN_S
  }
}

// @ts-ignore: decorator
@inline
function f1(op: i32, v: f32, p: f32): f32 {
  switch (op) {
    case RELU:
      return relu1(v);
    case RELU_G:
      return reluGrad1(v);
    case LEAKY:
      return leaky1(v, p);
    case LEAKY_G:
      return leakyGrad1(v, p);
    case TANH:
      return tanhf(v);
    case TANH_G:
      return tanhGrad1(v);
    case SIG:
      return sigmoidf(v);
    case SIG_G:
      return sigmoidGrad1(v);
    case SOFTPLUS:
      return softplusf(v);
    case STEP:
      return step1(v);
    case STEP_S:
      return stepSur1(v);
    case SIGN:
      return sign1(v);
    default:
      return ste1(v); // SIGN_S
  }
}

// @ts-ignore: decorator
@inline
function map4(y: usize, x: usize, n: i32, op: i32, p: f32): void {
  if (!SIMD) return map1(y, x, n, op, p);
  const end8 = (<usize>(n & ~7)) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  // two vectors an iteration for the polynomial activations: long dependent chains, and two
  // independent ones in flight run ~1.3× faster (tanh, sigmoid); both loads come before either
  // store, so y may still alias x. (Only the two forward activations: the module has a size budget.)
  const costly = op == TANH || op == SIG;
  if (costly)
    for (; o < end8; o += 32) {
      const a = f4(op, v128.load(x + o), p);
      const b = f4(op, v128.load(x + o, 16), p);
      v128.store(y + o, a);
      v128.store(y + o, b, 16);
    }
  for (; o < end4; o += 16) v128.store(y + o, f4(op, v128.load(x + o), p));
  for (; o < end; o += 4) store<f32>(y + o, f1(op, load<f32>(x + o), p));
}

// @ts-ignore: decorator
@inline
function map1(y: usize, x: usize, n: i32, op: i32, p: f32): void {
  const end = (<usize>n) << 2;
  for (let o: usize = 0; o < end; o += 4) store<f32>(y + o, f1(op, load<f32>(x + o), p));
}

// ---------------------------------------------------------------- element functions

// @ts-ignore: decorator
@inline
function gt0(v: v128): v128 {
  return f32x4.gt(v, f32x4.splat(0));
}

// @ts-ignore: decorator
@inline
function relu1(v: f32): f32 {
  return v > 0 ? v : <f32>0;
}
// @ts-ignore: decorator
@inline
function relu4(v: v128): v128 {
  return v128.and(v, gt0(v));
}
// @ts-ignore: decorator
@inline
function reluGrad1(v: f32): f32 {
  return v > 0 ? <f32>1 : <f32>0;
}
// @ts-ignore: decorator
@inline
function reluGrad4(v: v128): v128 {
  return v128.and(f32x4.splat(1), gt0(v));
}

// @ts-ignore: decorator
@inline
function leaky1(v: f32, s: f32): f32 {
  return v > 0 ? v : s * v;
}
// @ts-ignore: decorator
@inline
function leaky4(v: v128, s: f32): v128 {
  return v128.bitselect(v, f32x4.mul(f32x4.splat(s), v), gt0(v));
}
// @ts-ignore: decorator
@inline
function leakyGrad1(v: f32, s: f32): f32 {
  return v > 0 ? <f32>1 : s;
}
// @ts-ignore: decorator
@inline
function leakyGrad4(v: v128, s: f32): v128 {
  return v128.bitselect(f32x4.splat(1), f32x4.splat(s), gt0(v));
}

// 1 − tanh²(x) = 4e / (1 + e)², e = exp(−2|x|): no cancellation, accurate in relative terms
// @ts-ignore: decorator
@inline
function tanhGrad1(v: f32): f32 {
  const a = Mathf.abs(v);
  const e = expf(-(a + a));
  const d = <f32>1.0 + e;
  return (<f32>4.0 * e) / (d * d);
}
// @ts-ignore: decorator
@inline
function tanhGrad4(v: v128): v128 {
  const a = f32x4.abs(v);
  const e = exp4(f32x4.neg(f32x4.add(a, a)));
  const d = f32x4.add(f32x4.splat(1), e);
  return f32x4.div(f32x4.mul(f32x4.splat(4), e), f32x4.mul(d, d));
}

// σ(x) (1 − σ(x)) = σ(|x|) σ(−|x|) = (e / d) / d, e = exp(−|x|), d = 1 + e
// @ts-ignore: decorator
@inline
function sigmoidGrad1(v: f32): f32 {
  const e = expf(-Mathf.abs(v));
  const d = <f32>1.0 + e;
  return e / d / d;
}
// @ts-ignore: decorator
@inline
function sigmoidGrad4(v: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(v)));
  const d = f32x4.add(f32x4.splat(1), e);
  return f32x4.div(f32x4.div(e, d), d);
}

// d/dx log(1 + e^x) = σ(x)

// Heaviside step: x > 0 → 1 else 0
// @ts-ignore: decorator
@inline
function step1(v: f32): f32 {
  return v > 0 ? <f32>1 : <f32>0;
}
// Surrogate: "fast sigmoid" (SuperSpike, Zenke & Ganguli 2018) 1 / (1 + K|x|)², K = 10;
// peak 1 at x = 0, width ~1/K.
const SURROGATE_K: f32 = 10.0;
// @ts-ignore: decorator
@inline
function stepSur1(v: f32): f32 {
  const d = <f32>1.0 + SURROGATE_K * Mathf.abs(v);
  return <f32>1.0 / (d * d);
}
// @ts-ignore: decorator
@inline
function stepSur4(v: v128): v128 {
  const d = f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(SURROGATE_K), f32x4.abs(v)));
  return f32x4.div(f32x4.splat(1), f32x4.mul(d, d));
}

// sign: x > 0 → 1, x < 0 → −1, 0 (and NaN) → 0
// @ts-ignore: decorator
@inline
function sign1(v: f32): f32 {
  return v > 0 ? <f32>1 : v < 0 ? <f32>-1 : <f32>0;
}
// @ts-ignore: decorator
@inline
function sign4(v: v128): v128 {
  return v128.or(v128.and(f32x4.splat(1), gt0(v)), v128.and(f32x4.splat(-1), f32x4.lt(v, f32x4.splat(0))));
}
// Surrogate: straight-through estimator, 1 for |x| ≤ 1 else 0 (hardtanh slope)
// @ts-ignore: decorator
@inline
function ste1(v: f32): f32 {
  return Mathf.abs(v) <= 1 ? <f32>1 : <f32>0;
}
// @ts-ignore: decorator
@inline
function ste4(v: v128): v128 {
  return v128.and(f32x4.splat(1), f32x4.le(f32x4.abs(v), f32x4.splat(1)));
}

// ---------------------------------------------------------------- exported kernels
// All: x, y have n elements; y may alias x.

export function actRelu(y: usize, x: usize, n: i32): void {
  map4(y, x, n, RELU, 0);
}
export function actReluRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, RELU, 0);
}
export function actReluGrad(y: usize, x: usize, n: i32): void {
  map4(y, x, n, RELU_G, 0);
}
export function actReluGradRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, RELU_G, 0);
}

export function actLeakyRelu(y: usize, x: usize, n: i32, slope: f32): void {
  map4(y, x, n, LEAKY, slope);
}
export function actLeakyReluRef(y: usize, x: usize, n: i32, slope: f32): void {
  map1(y, x, n, LEAKY, slope);
}
export function actLeakyReluGrad(y: usize, x: usize, n: i32, slope: f32): void {
  map4(y, x, n, LEAKY_G, slope);
}
export function actLeakyReluGradRef(y: usize, x: usize, n: i32, slope: f32): void {
  map1(y, x, n, LEAKY_G, slope);
}

export function actTanh(y: usize, x: usize, n: i32): void {
  map4(y, x, n, TANH, 0);
}
export function actTanhRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, TANH, 0);
}
export function actTanhGrad(y: usize, x: usize, n: i32): void {
  map4(y, x, n, TANH_G, 0);
}
export function actTanhGradRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, TANH_G, 0);
}

export function actSigmoid(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SIG, 0);
}
export function actSigmoidRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SIG, 0);
}
export function actSigmoidGrad(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SIG_G, 0);
}
export function actSigmoidGradRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SIG_G, 0);
}

export function actSoftplus(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SOFTPLUS, 0);
}
export function actSoftplusRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SOFTPLUS, 0);
}
export function actSoftplusGrad(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SIG, 0);
}
export function actSoftplusGradRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SIG, 0);
}

export function actStep(y: usize, x: usize, n: i32): void {
  map4(y, x, n, STEP, 0);
}
export function actStepRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, STEP, 0);
}
export function actStepSurrogate(y: usize, x: usize, n: i32): void {
  map4(y, x, n, STEP_S, 0);
}
export function actStepSurrogateRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, STEP_S, 0);
}

export function actSign(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SIGN, 0);
}
export function actSignRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SIGN, 0);
}
export function actSignSurrogate(y: usize, x: usize, n: i32): void {
  map4(y, x, n, SIGN_S, 0);
}
export function actSignSurrogateRef(y: usize, x: usize, n: i32): void {
  map1(y, x, n, SIGN_S, 0);
}
