// Elementwise activations y = f(x) and their derivatives, n elements; y may equal x.
// Every `Grad` is the derivative evaluated at the pre-activation x. Each kernel has
// a `Ref` twin doing the same f32 operations per element, so results match bitwise.
//
// Non-differentiable activations come with surrogate derivatives (documented per kernel),
// which is what local rules that need a slope (e-prop, feedback alignment) multiply by.

import { tanh4, tanhf, sigmoid4, sigmoidf, softplus4, softplusf } from "./math";

// One loop shape for all of them: f32x4 body, scalar tail with the scalar twin of `f4`.
// @ts-ignore: decorator
@inline function map4(y: usize, x: usize, n: i32, f4: (v: v128, p: f32) => v128, f1: (v: f32, p: f32) => f32, p: f32): void {
  const end4 = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f4(v128.load(x + o), p));
  for (; o < end; o += 4) store<f32>(y + o, f1(load<f32>(x + o), p));
}

// @ts-ignore: decorator
@inline function map1(y: usize, x: usize, n: i32, f1: (v: f32, p: f32) => f32, p: f32): void {
  const end = <usize>n << 2;
  for (let o: usize = 0; o < end; o += 4) store<f32>(y + o, f1(load<f32>(x + o), p));
}

// ---------------------------------------------------------------- element functions

// @ts-ignore: decorator
@inline function gt0(v: v128): v128 { return f32x4.gt(v, f32x4.splat(0)); }

function relu1(v: f32, _p: f32): f32 { return v > 0 ? v : <f32>0; }
function relu4(v: v128, _p: f32): v128 { return v128.and(v, gt0(v)); }
function reluGrad1(v: f32, _p: f32): f32 { return v > 0 ? <f32>1 : <f32>0; }
function reluGrad4(v: v128, _p: f32): v128 { return v128.and(f32x4.splat(1), gt0(v)); }

function leaky1(v: f32, s: f32): f32 { return v > 0 ? v : s * v; }
function leaky4(v: v128, s: f32): v128 { return v128.bitselect(v, f32x4.mul(f32x4.splat(s), v), gt0(v)); }
function leakyGrad1(v: f32, s: f32): f32 { return v > 0 ? <f32>1 : s; }
function leakyGrad4(v: v128, s: f32): v128 { return v128.bitselect(f32x4.splat(1), f32x4.splat(s), gt0(v)); }

function tanh1(v: f32, _p: f32): f32 { return tanhf(v); }
function tanhV(v: v128, _p: f32): v128 { return tanh4(v); }
// 1 − tanh²(x)
function tanhGrad1(v: f32, _p: f32): f32 { const t = tanhf(v); return 1.0 - t * t; }
function tanhGrad4(v: v128, _p: f32): v128 { const t = tanh4(v); return f32x4.sub(f32x4.splat(1), f32x4.mul(t, t)); }

function sigmoid1(v: f32, _p: f32): f32 { return sigmoidf(v); }
function sigmoidV(v: v128, _p: f32): v128 { return sigmoid4(v); }
// σ(x) (1 − σ(x))
function sigmoidGrad1(v: f32, _p: f32): f32 { const s = sigmoidf(v); return s * (1.0 - s); }
function sigmoidGrad4(v: v128, _p: f32): v128 { const s = sigmoid4(v); return f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)); }

function softplus1(v: f32, _p: f32): f32 { return softplusf(v); }
function softplusV(v: v128, _p: f32): v128 { return softplus4(v); }
// d/dx log(1 + e^x) = σ(x)

// Heaviside step: x > 0 → 1 else 0
function step1(v: f32, _p: f32): f32 { return v > 0 ? <f32>1 : <f32>0; }
// Surrogate: "fast sigmoid" (SuperSpike, Zenke & Ganguli 2018) 1 / (1 + K|x|)², K = 10;
// peak 1 at x = 0, width ~1/K.
const SURROGATE_K: f32 = 10.0;
function stepSur1(v: f32, _p: f32): f32 { const d: f32 = 1.0 + SURROGATE_K * Mathf.abs(v); return 1.0 / (d * d); }
function stepSur4(v: v128, _p: f32): v128 {
  const d = f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(SURROGATE_K), f32x4.abs(v)));
  return f32x4.div(f32x4.splat(1), f32x4.mul(d, d));
}

// sign: x > 0 → 1, x < 0 → −1, 0 (and NaN) → 0
function sign1(v: f32, _p: f32): f32 { return v > 0 ? <f32>1 : (v < 0 ? <f32>-1 : <f32>0); }
function sign4(v: v128, _p: f32): v128 {
  return v128.or(
    v128.and(f32x4.splat(1), gt0(v)),
    v128.and(f32x4.splat(-1), f32x4.lt(v, f32x4.splat(0))),
  );
}
// Surrogate: straight-through estimator, 1 for |x| ≤ 1 else 0 (hardtanh slope)
function ste1(v: f32, _p: f32): f32 { return Mathf.abs(v) <= 1 ? <f32>1 : <f32>0; }
function ste4(v: v128, _p: f32): v128 { return v128.and(f32x4.splat(1), f32x4.le(f32x4.abs(v), f32x4.splat(1))); }

// Quantise: nearest(clamp(x, 0, 1) · m) / m with m = levels − 1 (levels ≥ 2; ties to even).
// NaN → NaN.
function quant1(v: f32, m: f32): f32 { return Mathf.nearest(Mathf.min(Mathf.max(v, 0), 1) * m) / m; }
function quant4(v: v128, m: f32): v128 {
  const mv = f32x4.splat(m);
  const c = f32x4.min(f32x4.max(v, f32x4.splat(0)), f32x4.splat(1));
  return f32x4.div(f32x4.nearest(f32x4.mul(c, mv)), mv);
}
// Surrogate: straight-through on [0, 1]: 1 for 0 ≤ x ≤ 1 else 0
function quantSur1(v: f32, _m: f32): f32 { return v >= 0 && v <= 1 ? <f32>1 : <f32>0; }
function quantSur4(v: v128, _m: f32): v128 {
  const inside = v128.and(f32x4.ge(v, f32x4.splat(0)), f32x4.le(v, f32x4.splat(1)));
  return v128.and(f32x4.splat(1), inside);
}

// levels < 2 would divide by zero: treated as 2 (binary)
// @ts-ignore: decorator
@inline function levelsScale(levels: i32): f32 { return <f32>(max(levels, 2) - 1); }

// ---------------------------------------------------------------- exported kernels
// All: x, y have n elements; y may alias x.

export function actRelu(y: usize, x: usize, n: i32): void { map4(y, x, n, relu4, relu1, 0); }
export function actReluRef(y: usize, x: usize, n: i32): void { map1(y, x, n, relu1, 0); }
export function actReluGrad(y: usize, x: usize, n: i32): void { map4(y, x, n, reluGrad4, reluGrad1, 0); }
export function actReluGradRef(y: usize, x: usize, n: i32): void { map1(y, x, n, reluGrad1, 0); }

export function actLeakyRelu(y: usize, x: usize, n: i32, slope: f32): void { map4(y, x, n, leaky4, leaky1, slope); }
export function actLeakyReluRef(y: usize, x: usize, n: i32, slope: f32): void { map1(y, x, n, leaky1, slope); }
export function actLeakyReluGrad(y: usize, x: usize, n: i32, slope: f32): void { map4(y, x, n, leakyGrad4, leakyGrad1, slope); }
export function actLeakyReluGradRef(y: usize, x: usize, n: i32, slope: f32): void { map1(y, x, n, leakyGrad1, slope); }

export function actTanh(y: usize, x: usize, n: i32): void { map4(y, x, n, tanhV, tanh1, 0); }
export function actTanhRef(y: usize, x: usize, n: i32): void { map1(y, x, n, tanh1, 0); }
export function actTanhGrad(y: usize, x: usize, n: i32): void { map4(y, x, n, tanhGrad4, tanhGrad1, 0); }
export function actTanhGradRef(y: usize, x: usize, n: i32): void { map1(y, x, n, tanhGrad1, 0); }

export function actSigmoid(y: usize, x: usize, n: i32): void { map4(y, x, n, sigmoidV, sigmoid1, 0); }
export function actSigmoidRef(y: usize, x: usize, n: i32): void { map1(y, x, n, sigmoid1, 0); }
export function actSigmoidGrad(y: usize, x: usize, n: i32): void { map4(y, x, n, sigmoidGrad4, sigmoidGrad1, 0); }
export function actSigmoidGradRef(y: usize, x: usize, n: i32): void { map1(y, x, n, sigmoidGrad1, 0); }

export function actSoftplus(y: usize, x: usize, n: i32): void { map4(y, x, n, softplusV, softplus1, 0); }
export function actSoftplusRef(y: usize, x: usize, n: i32): void { map1(y, x, n, softplus1, 0); }
export function actSoftplusGrad(y: usize, x: usize, n: i32): void { map4(y, x, n, sigmoidV, sigmoid1, 0); }
export function actSoftplusGradRef(y: usize, x: usize, n: i32): void { map1(y, x, n, sigmoid1, 0); }

export function actStep(y: usize, x: usize, n: i32): void { map4(y, x, n, reluGrad4, step1, 0); }
export function actStepRef(y: usize, x: usize, n: i32): void { map1(y, x, n, step1, 0); }
export function actStepSurrogate(y: usize, x: usize, n: i32): void { map4(y, x, n, stepSur4, stepSur1, 0); }
export function actStepSurrogateRef(y: usize, x: usize, n: i32): void { map1(y, x, n, stepSur1, 0); }

export function actSign(y: usize, x: usize, n: i32): void { map4(y, x, n, sign4, sign1, 0); }
export function actSignRef(y: usize, x: usize, n: i32): void { map1(y, x, n, sign1, 0); }
export function actSignSurrogate(y: usize, x: usize, n: i32): void { map4(y, x, n, ste4, ste1, 0); }
export function actSignSurrogateRef(y: usize, x: usize, n: i32): void { map1(y, x, n, ste1, 0); }

export function actQuantise(y: usize, x: usize, n: i32, levels: i32): void {
  map4(y, x, n, quant4, quant1, levelsScale(levels));
}
export function actQuantiseRef(y: usize, x: usize, n: i32, levels: i32): void {
  map1(y, x, n, quant1, levelsScale(levels));
}
export function actQuantiseSurrogate(y: usize, x: usize, n: i32, levels: i32): void {
  map4(y, x, n, quantSur4, quantSur1, levelsScale(levels));
}
export function actQuantiseSurrogateRef(y: usize, x: usize, n: i32, levels: i32): void {
  map1(y, x, n, quantSur1, levelsScale(levels));
}
