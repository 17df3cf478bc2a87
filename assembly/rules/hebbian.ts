// The Hebbian family: one row update with parameters, the rules are its variants.
//
//   Δw_i = η a_i (x − c_i w_i)                        (every rule, row i of W)
//
//   rule      post-synaptic factor a_i             decay c_i            paper
//   hebb      y_i, then ‖w_i‖₂ ← 1                 0                    Hebb 1949; von der Malsburg 1973
//   oja       y_i                                  y_i                  Oja 1982, J. Math. Biol. 15:267
//   sanger    y_i, x replaced by x − Σ_{k<i} y_k w_k  y_i               Sanger 1989, Neural Netw. 2:459
//   bcm       y_i (y_i − θ_i),  θ_i ← θ_i + ρ (y_i² − θ_i)   0         Bienenstock, Cooper, Munro 1982
//   krotov    g(rank_i) / max_j|x_j − I_i w_ij|    I_i                  Krotov & Hopfield 2019, PNAS 116:7723
//   softhebb  ±softmax(u/τ)_i / max|Δw| (+ winner, − others)  u_i       Journé et al. 2023, ICLR
//
// Symbols: x input (n), W weights (rows × n, row-major), y = u = W x,
// I_i = Σ_j sgn(w_ij)|w_ij|^{p−1} x_j the p-norm current (Krotov), g = 1 for the
// unit with the largest current, −Δ for the k-th, 0 otherwise; θ the BCM sliding
// threshold tracking ⟨y²⟩; τ the SoftHebb temperature. With c_i = I_i (or u_i)
// the decay term drives ‖w_i‖_p to 1: the fixed point of Oja, Krotov and SoftHebb.
//
// Kernels: w is (rows, n) row-major; every SIMD kernel has a scalar Ref twin
// computing the same IEEE operations in the same order (tested bitwise).
//
// Numeric safety: finite weights for any finite input, untouched results on ordinary data.
// The guard of ./guard.ts (R = 1e9, A = 1e15, C = 1e6, F = 3.4e38 the f32 max, n, K ≤ 2²⁰):
//
//   input cap     x ← x · min(1, R/‖x‖₂) in the scratch copy, ‖x‖ overflow-safe (capNorm)
//   outputs       u_i, I_i, the lateral sums and SoftHebb's u_i/τ clamped to ±A; BCM θ_i to ±A
//   bounded step  Krotov, SoftHebb: the step factor η/m (m the largest change) capped at F, so
//                 a tiny m (denormal inputs) cannot make it +∞: |Δw_ij| ≤ η whatever m is;
//                 Sanger: y_i clamped to ±min(A, G/η); BCM: the factor y_i (y_i − θ_i) to ±G/η;
//                 G = 1e9 (MAX_STEP_FACTOR)
//   max-norm      w_i ← w_i · min(1, C_p/‖w_i‖₂) after each step (hebb: ‖w_i‖ ← 1, overflow-safe);
//                 C_p = C, but min(C, 1e28^{1/(p−1)}) for Krotov's p-norm currents; lateral L_ik ∈ ±C
//
// Why nothing can overflow (‖w_i‖ ≤ C_p ≤ C before every step, ‖x‖ ≤ R, η ≤ 10, μ ≤ 10):
//   u = W x       |u_i| ≤ ‖w_i‖‖x‖ ≤ C R = A, and every partial sum too (Cauchy–Schwarz).
//   I (p ≥ 3)     |w_ij|^{p−1} ≤ ‖w_i‖^{p−1} and Σ_j |w_ij|^{2(p−1)} ≤ ‖w_i‖^{2(p−1)}, so
//                 |I_i| ≤ C_p^{p−1} R ≤ 1e37 < F, then clamped to A.
//   lateral       |Σ_k L_ik u_k| ≤ K C A ≈ 1e27 before the clamp to A; |μ y_i y_k| ≤ 1e31.
//   oja, lateral  w + η y (x − y w) (or c w + a x, c = 1 − η y²): ‖Δw‖ ≤ η|y| (R + |y| C)
//                 ≤ 1e16 · 1e21 = 1e37 < F, no clamp needed.
//   sanger        ‖x − Σ_{k≤i} y_k w_k‖ ≤ R + K A C ≈ 1.05e27, |η y_i| ≤ G: ‖Δw‖ ≤ 1.05e36.
//   bcm           |y (y − θ)| ≤ A (A + A) = 2e30, |η y (y − θ)| ≤ G: ‖Δw‖ ≤ G R = 1e18.
//   krotov, softhebb  |x_j − c w_ij| ≤ R + A C ≈ 1e21 (c = I_i or u_i), |Δw_ij| ≤ η.
//   hebb          ‖w + η y x‖ ≤ C + 10 A R ≈ 1e25: its square overflows Σ w², so the row is
//                 renormalised through capNorm (scaled norm) when a running bound says it may.
// So after every step ‖w_i‖ < 1e37, its overflow-safe norm is finite, and the max-norm brings
// it back to C_p. The readout's step is bounded by η_r √2 (unit-norm f̂, |p − t| ≤ 1).
// On ordinary data nothing binds, so the results are bit-identical to the unguarded rules:
// every clamp is a no-op below its bound, η/m reaches F only when the unguarded step was +∞,
// learned rows stay near ‖w‖ = 1 (‖w‖_p = 1: Krotov, SoftHebb) against C = 1e6, initial rows
// have ‖w‖ ≈ √n ≤ 1024 (Krotov's C_p binds only for p ≥ 11 with n ≈ 2²⁰), and the bounds
// G/η, A on y, θ are reached only by steps of η y² ≫ 2, which diverge anyway.
// The max-norm check needs ‖w_i‖, a pass over the row; it is skipped while the running bound
// β_i ≥ ‖w_i‖ (scratch, +∞ after construction or restore) stays under C_p (see maxNormRow), and
// the decision never depends on β: a restored learner makes the same decisions.

import { exp4, log4, expf, logf } from "../kernels/math";
import { scale } from "../kernels/linalg";
import { MAX_NORM, norm2 } from "./guard";
import { SIMD } from "../kernels/simd";

/** G: bound on the step factor η y_i (Sanger) and η y_i (y_i − θ_i) (BCM). */
export const MAX_STEP_FACTOR: f32 = 1e9;
/** The largest finite f32: caps the Krotov and SoftHebb step factor η/m. */
export const F32_MAX: f32 = 3.4028234663852886e38;

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
  if (!(beta <= near)) { // also +∞ and NaN (∞ · 0 in a step bound)
    beta = norm2(w, n);
    if (beta > max) {
      scale(w, max / beta, n);
      beta = max;
    }
  }
  store<f32>(bound, beta);
}

// ---------------------------------------------------------------- the row update

/** w += a (x − c w), elementwise as w + a·(x − c·w). w, x have n elements. */
export function hebbRow(w: usize, x: usize, n: i32, a: f32, c: f32): void {
  if (!SIMD) return hebbRowRef(w, x, n, a, c);
  const av = f32x4.splat(a), cv = f32x4.splat(c);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) {
    const wv = v128.load(w + o);
    v128.store(w + o, f32x4.add(wv, f32x4.mul(av, f32x4.sub(v128.load(x + o), f32x4.mul(cv, wv)))));
  }
  for (; o < end; o += 4) {
    const wv = load<f32>(w + o);
    store<f32>(w + o, wv + a * (load<f32>(x + o) - c * wv));
  }
}

export function hebbRowRef(w: usize, x: usize, n: i32, a: f32, c: f32): void {
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    const wv = load<f32>(w + o);
    store<f32>(w + o, wv + a * (load<f32>(x + o) - c * wv));
  }
}

/** max_j |x_j − c w_j| (order-free). */
export function hebbRowMaxAbs(w: usize, x: usize, n: i32, c: f32): f32 {
  if (!SIMD) return hebbRowMaxAbsRef(w, x, n, c);
  const cv = f32x4.splat(c);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let m4 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < end4; o += 16) m4 = f32x4.max(m4, f32x4.abs(f32x4.sub(v128.load(x + o), f32x4.mul(cv, v128.load(w + o)))));
  let m = Mathf.max(Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; o < end; o += 4) m = Mathf.max(m, Mathf.abs(load<f32>(x + o) - c * load<f32>(w + o)));
  return m;
}

export function hebbRowMaxAbsRef(w: usize, x: usize, n: i32, c: f32): f32 {
  let m: f32 = 0;
  for (let j = 0; j < n; j++) m = Mathf.max(m, Mathf.abs(load<f32>(x + (<usize>j << 2)) - c * load<f32>(w + (<usize>j << 2))));
  return m;
}

// ---------------------------------------------------------------- Sanger (GHA)

/**
 * Generalised Hebbian algorithm over all rows, given y = W x:
 *   r ← r − y_i w_i (old row), then w_i ← w_i + η y_i r, for i = 0, 1, ...
 * r (n) holds x on entry (it is overwritten): row i sees x − Σ_{k≤i} y_k w_k.
 */
export function sangerRows(w: usize, y: usize, r: usize, rows: i32, n: i32, eta: f32): void {
  if (!SIMD) return sangerRowsRef(w, y, r, rows, n, eta);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * end;
    const yi = load<f32>(y + (<usize>i << 2));
    const a = eta * yi;
    const yv = f32x4.splat(yi), av = f32x4.splat(a);
    let o: usize = 0;
    for (; o < end4; o += 16) {
      const wv = v128.load(row + o);
      const rv = f32x4.sub(v128.load(r + o), f32x4.mul(yv, wv));
      v128.store(r + o, rv);
      v128.store(row + o, f32x4.add(wv, f32x4.mul(av, rv)));
    }
    for (; o < end; o += 4) {
      const wv = load<f32>(row + o);
      const rv = load<f32>(r + o) - yi * wv;
      store<f32>(r + o, rv);
      store<f32>(row + o, wv + a * rv);
    }
  }
}

export function sangerRowsRef(w: usize, y: usize, r: usize, rows: i32, n: i32, eta: f32): void {
  for (let i = 0; i < rows; i++) {
    const yi = load<f32>(y + (<usize>i << 2));
    const a = eta * yi;
    for (let j = 0; j < n; j++) {
      const p = w + ((<usize>i * <usize>n + <usize>j) << 2), q = r + (<usize>j << 2);
      const wv = load<f32>(p);
      const rv = load<f32>(q) - yi * wv;
      store<f32>(q, rv);
      store<f32>(p, wv + a * rv);
    }
  }
}

// ---------------------------------------------------------------- Krotov p-norm currents

// sgn(w)|w|^{p−1} for integer p ≥ 2: w·|w|^{p−2}
// @ts-ignore: decorator
@inline function signPow4(w: v128, p: i32): v128 {
  const a = f32x4.abs(w);
  if (p == 3) return f32x4.mul(w, a); // the paper's MNIST setting, kept branch-light
  let m = w;
  for (let k = 2; k < p; k++) m = f32x4.mul(m, a);
  return m;
}
// @ts-ignore: decorator
@inline function signPow(w: f32, p: i32): f32 {
  const a = Mathf.abs(w);
  if (p == 3) return w * a;
  let m = w;
  for (let k = 2; k < p; k++) m = m * a;
  return m;
}

/**
 * I_i = Σ_j sgn(w_ij)|w_ij|^{p−1} x_j for every row (p = 2: y = W x), summed in the
 * dot order of kernels/linalg.ts (four f32x4 accumulators over 16-blocks, leftover
 * 4-groups into the first, (A0 + A1) + (A2 + A3), lanes (0 + 1) + (2 + 3), then the tail).
 */
export function pCurrents(y: usize, w: usize, x: usize, rows: i32, n: i32, p: i32): void {
  if (!SIMD) return pCurrentsRef(y, w, x, rows, n, p);
  const end16 = <usize>(n & ~15) << 2, end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * end;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let o: usize = 0;
    for (; o < end16; o += 64) {
      a0 = f32x4.add(a0, f32x4.mul(signPow4(v128.load(row + o), p), v128.load(x + o)));
      a1 = f32x4.add(a1, f32x4.mul(signPow4(v128.load(row + o, 16), p), v128.load(x + o, 16)));
      a2 = f32x4.add(a2, f32x4.mul(signPow4(v128.load(row + o, 32), p), v128.load(x + o, 32)));
      a3 = f32x4.add(a3, f32x4.mul(signPow4(v128.load(row + o, 48), p), v128.load(x + o, 48)));
    }
    for (; o < end4; o += 16) a0 = f32x4.add(a0, f32x4.mul(signPow4(v128.load(row + o), p), v128.load(x + o)));
    const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    let s = (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
    for (; o < end; o += 4) s += signPow(load<f32>(row + o), p) * load<f32>(x + o);
    store<f32>(y + (<usize>i << 2), s);
  }
}

// the scalar sum one accumulator lane holds: j = l, l + 16, ... in full 16-blocks (+ leftover 4-groups for l < 4)
function pLane(row: usize, x: usize, n: i32, p: i32, l: i32): f32 {
  const n16 = n & ~15;
  let s: f32 = 0;
  let j = l;
  for (; j < n16; j += 16) s += signPow(load<f32>(row + (<usize>j << 2)), p) * load<f32>(x + (<usize>j << 2));
  if (l < 4) for (j = n16 + l; j < (n & ~3); j += 4) s += signPow(load<f32>(row + (<usize>j << 2)), p) * load<f32>(x + (<usize>j << 2));
  return s;
}

// lane l of (A0 + A1) + (A2 + A3)
// @ts-ignore: decorator
@inline function pLaneSum(row: usize, x: usize, n: i32, p: i32, l: i32): f32 {
  return (pLane(row, x, n, p, l) + pLane(row, x, n, p, l + 4)) + (pLane(row, x, n, p, l + 8) + pLane(row, x, n, p, l + 12));
}

export function pCurrentsRef(y: usize, w: usize, x: usize, rows: i32, n: i32, p: i32): void {
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * (<usize>n << 2);
    let s = (pLaneSum(row, x, n, p, 0) + pLaneSum(row, x, n, p, 1)) + (pLaneSum(row, x, n, p, 2) + pLaneSum(row, x, n, p, 3));
    for (let j = n & ~3; j < n; j++) s += signPow(load<f32>(row + (<usize>j << 2)), p) * load<f32>(x + (<usize>j << 2));
    store<f32>(y + (<usize>i << 2), s);
  }
}

// ---------------------------------------------------------------- features for the readout

/** y = max(u, 0)^power, as exp(power · log u) for u > 0 (power > 0). y may alias u. */
export function powerRelu(y: usize, u: usize, n: i32, power: f32): void {
  if (!SIMD) return powerReluRef(y, u, n, power);
  const pv = f32x4.splat(power), zero = f32x4.splat(0);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) {
    const v = v128.load(u + o);
    const pos = f32x4.gt(v, zero);
    const safe = v128.bitselect(v, f32x4.splat(1), pos);
    v128.store(y + o, v128.and(exp4(f32x4.mul(pv, log4(safe))), pos));
  }
  for (; o < end; o += 4) {
    const v = load<f32>(u + o);
    store<f32>(y + o, v > 0 ? expf(power * logf(v)) : <f32>0);
  }
}

export function powerReluRef(y: usize, u: usize, n: i32, power: f32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(u + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 ? expf(power * logf(v)) : <f32>0);
  }
}
