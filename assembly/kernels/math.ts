// Deterministic transcendental math, scalar and f32x4.
//
// Why not Mathf.exp & co: every host must produce the same bits, and the SIMD
// paths must agree with the scalar paths lane by lane. So each function below is
// written twice with the SAME sequence of IEEE operations (mul, add, div, sqrt,
// min/max, nearest, bit tricks; no FMA, no reassociation): lane i of `exp4(v)`
// is bitwise `expf(v[i])`, and so on. Branches in the scalar versions only pick
// between values that the SIMD versions compute and `bitselect`.
//
// tanh and sigmoid are one branch-free sequence for every input (clamp, one range
// reduction, one polynomial, one reconstruction, NaN blended back): docs/math.md.
//
// see: Cephes expf/tanhf (S. Moshier), FreeBSD/musl e_logf.c (Sun fdlibm).

// ---------------------------------------------------------------- constants

const LOG2E: f32 = 1.44269504088896341;
// ln2 split so that k * LN2_HI is exact for |k| < 2^15 (Cody-Waite)
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
// clamp before range reduction: exp(89) overflows and exp(-104) rounds to 0,
// so clamping changes no result but keeps k in [-150, 128]
const EXP_MIN: f32 = -104.0;
const EXP_MAX: f32 = 89.0;
// Cephes expf minimax polynomial for exp(r) - 1 - r on |r| <= ln2/2
const E0: f32 = 1.98756915e-4;
const E1: f32 = 1.3981999507e-3;
const E2: f32 = 8.3334519073e-3;
const E3: f32 = 4.1665795894e-2;
const E4: f32 = 1.6666665459e-1;
const E5: f32 = 5.0000001201e-1;

// fdlibm logf: log(1+f) = f - f²/2 + s(f²/2 + R(s²)), s = f/(2+f)
const LOG_LN2_HI: f32 = 6.9313812256e-1;
const LOG_LN2_LO: f32 = 9.0580006145e-6;
const LG1: f32 = 0.66666662693;
const LG2: f32 = 0.40000972152;
const LG3: f32 = 0.28498786688;
const LG4: f32 = 0.24279078841;
const SQRT_HALF_BITS: i32 = 0x3f3504f3;

// tanh and sigmoid share one branch-free exp core (docs/math.md): clamp the argument, one
// range reduction z = k ln2 + t by the "magic number" rounding (adding 1.5·2²³ rounds to an
// integer, the integer lands in the low mantissa bits, so 2^k is that word shifted left by
// 23: no nearest, no float→int conversion), the Cephes expm1 polynomial above on t, one
// reconstruction. Every lane runs the same operations; only NaN is blended back at the end.
const MAGIC: f32 = 12582912.0; // 1.5·2²³
// tanh: z = −2|x| with |x| clamped to 9.1 (tanh rounds to 1 from 9.011), so k ∈ [−26, 0]
const TANH_CLAMP: f32 = 9.1;
const TANH_MAGIC: f32 = 12583039.0; // 1.5·2²³ + 127: the exponent bias folded in, 2^k = bits << 23
// sigmoid: z = −|x| clamped to −104 (σ(−104) < 2⁻¹⁵⁰ rounds to 0), so k ∈ [−150, 0]; 2^k may be
// subnormal, so the core returns e^z·2⁶⁴ (2^(k+64) is normal) and the division scales back once
const SIG_CLAMP: f32 = -104.0;
const SIG_MAGIC: f32 = 12583103.0; // 1.5·2²³ + 127 + 64
const TWO64: f32 = 18446744073709551616.0;
const SIGN_BIT: i32 = 0x80000000;

// ---------------------------------------------------------------- scalar

/** e^x, ≤ 1 ulp on normal results; +Inf above 88.72, 0 below -103.97, NaN → NaN. */
export function expf(x: f32): f32 {
  const xc = Mathf.min(Mathf.max(x, EXP_MIN), EXP_MAX);
  const kf = f32.nearest(xc * LOG2E);
  const r = xc - kf * LN2_HI - kf * LN2_LO;
  const z = r * r;
  const p = (((((E0 * r + E1) * r + E2) * r + E3) * r + E4) * r + E5) * z + r + 1.0;
  // 2^k in two halves so that k = 128 (overflow) and k < -126 (subnormal) need no branch
  const k = <i32>kf; // i32.trunc_sat_f32_s (nontrapping-f2i): NaN → 0, like the SIMD lane
  const k1 = k >> 1;
  const k2 = k - k1;
  return p * reinterpret<f32>((k1 + 127) << 23) * reinterpret<f32>((k2 + 127) << 23);
}

/** Natural log, ≤ 1 ulp; log(0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN → NaN. */
export function logf(x: f32): f32 {
  let ix = reinterpret<i32>(x);
  // subnormals: scale by 2^25 first
  const sub = ix < 0x00800000;
  const xs = sub ? x * 33554432.0 : x;
  ix = reinterpret<i32>(xs);
  let k: i32 = sub ? -25 : 0;
  ix += 0x3f800000 - SQRT_HALF_BITS;
  k += (ix >> 23) - 0x7f;
  ix = (ix & 0x007fffff) + SQRT_HALF_BITS;
  const f = reinterpret<f32>(ix) - 1.0;
  const s = f / (<f32>2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * LG4);
  const t2 = z * (LG1 + w * LG3);
  const R = t2 + t1;
  const hfsq = <f32>0.5 * f * f;
  const dk = <f32>k;
  const y = s * (hfsq + R) + dk * LOG_LN2_LO - hfsq + f + dk * LOG_LN2_HI;
  // specials, in the same priority as log4
  if (x == 0) return <f32>-Infinity;
  if (x < 0) return <f32>NaN;
  if (!(x < Infinity)) return x; // +Inf and NaN
  return y;
}

// e^t − 1 on the reduced argument |t| ≤ ln2/2: t + t²·P(t), P the Cephes polynomial of expf
// @ts-ignore: decorator
@inline
function expm1Reduced(t: f32): f32 {
  const p = ((((E0 * t + E1) * t + E2) * t + E3) * t + E4) * t + E5;
  return p * (t * t) + t;
}

// t = z − k ln2 in two steps (Cody-Waite; k·LN2_HI is exact for |k| < 2¹⁵)
// @ts-ignore: decorator
@inline
function reduce(z: f32, kf: f32): f32 {
  return z - kf * LN2_HI - kf * LN2_LO;
}

/**
 * tanh(x) = −sign(x)·m/(m + 2), m = expm1(−2|x|): one branch-free sequence for every x.
 * ≤ 2 ulp over all f32 (test/kernels/math.test.ts); exactly ±1 for |x| ≥ 9.1 and ±Inf,
 * odd (tanh(−0) = −0), subnormal x → x, NaN → x itself.
 */
export function tanhf(x: f32): f32 {
  const ax = Mathf.abs(x);
  const a = TANH_CLAMP < ax ? TANH_CLAMP : ax; // f32x4.pmin(ax, clamp): NaN stays NaN
  const z = a * <f32>-2.0;
  const n = z * LOG2E + TANH_MAGIC;
  const s = reinterpret<f32>(reinterpret<i32>(n) << 23); // 2^k
  const kf = n - TANH_MAGIC;
  const q = expm1Reduced(reduce(z, kf));
  const m = s * q + (s - <f32>1.0); // e^z − 1 = 2^k (e^t − 1) + (2^k − 1); 2^k − 1 exact for k ≥ −24
  const y = m / (m + <f32>2.0); // −tanh|x| ≤ 0
  return x != x ? x : f32.copysign(y, x);
}

/**
 * σ(x) = 1/(1 + e^−x): with e = e^−|x|, σ(−|x|) = e/(1 + e) and σ(|x|) = 1/(1 + e).
 * One branch-free sequence for every x; ≤ 2 ulp over all f32 including subnormal results
 * (rounded, not flushed); σ(±0) = 0.5, σ(+Inf) = 1, σ(x ≤ −104) = 0, NaN → x itself.
 */
export function sigmoidf(x: f32): f32 {
  const z0 = reinterpret<f32>(reinterpret<i32>(x) | SIGN_BIT); // −|x|
  const z = z0 < SIG_CLAMP ? SIG_CLAMP : z0; // f32x4.pmax(z0, clamp): NaN stays NaN
  const n = z * LOG2E + SIG_MAGIC;
  const s = reinterpret<f32>(reinterpret<i32>(n) << 23); // 2^(k+64)
  const kf = n - SIG_MAGIC;
  const e = s * expm1Reduced(reduce(z, kf)) + s; // e^z·2⁶⁴, normal
  const d = e + TWO64; // (1 + e^z)·2⁶⁴
  // σ(−|x|) = e/d, one rounding even where subnormal; σ(|x|) = 2⁶⁴/d, not 1 − e/d, which
  // would step backwards by an ulp where k changes (docs/math.md)
  const y = reinterpret<i32>(x) < 0 ? e / d : TWO64 / d;
  return x != x ? x : y;
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|); exact limits x and e^x at the ends. */
export function softplusf(x: f32): f32 {
  const e = expf(-Mathf.abs(x));
  const u = <f32>1.0 + e;
  // log1p(e) = log(u) - ((u - 1) - e) / u corrects the rounding of 1 + e
  const l = logf(u) - (u - 1.0 - e) / u;
  return Mathf.max(x, 0) + l;
}

// ---------------------------------------------------------------- f32x4
// Lane i of each function below equals the scalar function of lane i, bitwise.

// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(EXP_MIN)), f32x4.splat(EXP_MAX));
  const kf = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(kf, f32x4.splat(LN2_HI))), f32x4.mul(kf, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(f32x4.splat(E0), r), f32x4.splat(E1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(E2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(E3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(E4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(E5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  const k = i32x4.trunc_sat_f32x4_s(kf);
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(k1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(k2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// @ts-ignore: decorator
@inline
export function log4(x: v128): v128 {
  const sub = i32x4.lt_s(x, i32x4.splat(0x00800000));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(33554432.0)), x, sub);
  let ix = i32x4.add(xs, i32x4.splat(0x3f800000 - SQRT_HALF_BITS));
  let k = v128.and(sub, i32x4.splat(-25));
  k = i32x4.add(k, i32x4.sub(i32x4.shr_s(ix, 23), i32x4.splat(0x7f)));
  ix = i32x4.add(v128.and(ix, i32x4.splat(0x007fffff)), i32x4.splat(SQRT_HALF_BITS));
  const one = f32x4.splat(1.0);
  const f = f32x4.sub(ix, one);
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  const w = f32x4.mul(z, z);
  const t1 = f32x4.mul(w, f32x4.add(f32x4.splat(LG2), f32x4.mul(w, f32x4.splat(LG4))));
  const t2 = f32x4.mul(z, f32x4.add(f32x4.splat(LG1), f32x4.mul(w, f32x4.splat(LG3))));
  const R = f32x4.add(t2, t1);
  const hfsq = f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f);
  const dk = f32x4.convert_i32x4_s(k);
  let y = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, R)), f32x4.mul(dk, f32x4.splat(LOG_LN2_LO)));
  y = f32x4.add(f32x4.sub(y, hfsq), f);
  y = f32x4.add(y, f32x4.mul(dk, f32x4.splat(LOG_LN2_HI)));
  // specials, lowest priority first (the scalar version tests them in reverse)
  const zero = f32x4.splat(0);
  y = v128.bitselect(x, y, v128.not(f32x4.lt(x, f32x4.splat(Infinity))));
  y = v128.bitselect(f32x4.splat(NaN), y, f32x4.lt(x, zero));
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, zero));
  return y;
}

// @ts-ignore: decorator
@inline
function expm1Reduced4(t: v128): v128 {
  let p = f32x4.add(f32x4.mul(f32x4.splat(E0), t), f32x4.splat(E1));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(E2));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(E3));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(E4));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(E5));
  return f32x4.add(f32x4.mul(p, f32x4.mul(t, t)), t);
}

// @ts-ignore: decorator
@inline
function reduce4(z: v128, kf: v128): v128 {
  return f32x4.sub(f32x4.sub(z, f32x4.mul(kf, f32x4.splat(LN2_HI))), f32x4.mul(kf, f32x4.splat(LN2_LO)));
}

// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(TANH_CLAMP));
  const z = f32x4.mul(a, f32x4.splat(-2.0));
  const n = f32x4.add(f32x4.mul(z, f32x4.splat(LOG2E)), f32x4.splat(TANH_MAGIC));
  const s = i32x4.shl(n, 23);
  const kf = f32x4.sub(n, f32x4.splat(TANH_MAGIC));
  const q = expm1Reduced4(reduce4(z, kf));
  const m = f32x4.add(f32x4.mul(s, q), f32x4.sub(s, f32x4.splat(1.0)));
  const y = f32x4.div(m, f32x4.add(m, f32x4.splat(2.0)));
  // sign bit from x, the rest from y; the whole of x where x is NaN
  return v128.bitselect(x, y, v128.or(f32x4.ne(x, x), i32x4.splat(SIGN_BIT)));
}

// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const z = f32x4.pmax(v128.or(x, i32x4.splat(SIGN_BIT)), f32x4.splat(SIG_CLAMP));
  const n = f32x4.add(f32x4.mul(z, f32x4.splat(LOG2E)), f32x4.splat(SIG_MAGIC));
  const s = i32x4.shl(n, 23);
  const kf = f32x4.sub(n, f32x4.splat(SIG_MAGIC));
  const e = f32x4.add(f32x4.mul(s, expm1Reduced4(reduce4(z, kf))), s);
  const d = f32x4.add(e, f32x4.splat(TWO64));
  const y = v128.bitselect(f32x4.div(e, d), f32x4.div(f32x4.splat(TWO64), d), i32x4.shr_s(x, 31));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function softplus4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const u = f32x4.add(one, e);
  const l = f32x4.sub(log4(u), f32x4.div(f32x4.sub(f32x4.sub(u, one), e), u));
  return f32x4.add(f32x4.max(x, f32x4.splat(0)), l);
}
