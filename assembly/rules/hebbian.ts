// The Hebbian family: one row update with parameters, the rules are its variants.
//
//   Δw_i = η a_i (x − c_i w_i)                        (every rule, row i of W)
//
//   rule      post-synaptic factor a_i             decay c_i            paper
//   hebb      y_i, then ‖w_i‖₂ ← 1                 0                    Hebb 1949; von der Malsburg 1973
//   oja       y_i                                  y_i                  Oja 1982, J. Math. Biol. 15:267
//   sanger    y_i, x replaced by x − Σ_{k<i} y_k w_k  y_i               Sanger 1989, Neural Netw. 2:459
//   bcm       y_i (y_i − θ_i),  θ_i ← θ_i + ρ (y_i² − θ_i)   0         Bienenstock, Cooper, Munro 1982
//   krotov    g(rank_i) / m, m = max_{i,j}|g_i (x_j − I_i w_ij)| over both moving rows (one joint normaliser)
//                                                  I_i                  Krotov & Hopfield 2019, PNAS 116:7723
//   softhebb  ±softmax(u/τ)_i / m (+ winner, − others; m the largest |Δw| of the sample)
//                                                  u_i                  Journé et al. 2023, ICLR
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
// Each rule is one function in its own file (hebb.ts, oja.ts, sanger.ts, bcm.ts, krotov.ts,
// softhebb.ts); this file holds the row kernels they share.
// Numerics: the guard the learner applies around every rule, and why nothing can overflow,
// are in docs/numerics.md.

import { exp4, log4, expf, logf } from "../kernels/math";
import { SIMD } from "../kernels/simd";

// ---------------------------------------------------------------- the row update

/** w += a (x − c w), elementwise as w + a·(x − c·w). w, x have n elements. */
export function hebbRow(w: usize, x: usize, n: i32, a: f32, c: f32): void {
  if (!SIMD) return hebbRowRef(w, x, n, a, c);
  const av = f32x4.splat(a),
    cv = f32x4.splat(c);
  const end4 = (<usize>(n & ~3)) << 2,
    end = (<usize>n) << 2;
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
    const o = (<usize>j) << 2;
    const wv = load<f32>(w + o);
    store<f32>(w + o, wv + a * (load<f32>(x + o) - c * wv));
  }
}

/** max_j |x_j − c w_j| (order-free). */
export function hebbRowMaxAbs(w: usize, x: usize, n: i32, c: f32): f32 {
  if (!SIMD) return hebbRowMaxAbsRef(w, x, n, c);
  const cv = f32x4.splat(c);
  const end4 = (<usize>(n & ~3)) << 2,
    end = (<usize>n) << 2;
  let m4 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < end4; o += 16) m4 = f32x4.max(m4, f32x4.abs(f32x4.sub(v128.load(x + o), f32x4.mul(cv, v128.load(w + o)))));
  let m = Mathf.max(
    Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
    Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)),
  );
  for (; o < end; o += 4) m = Mathf.max(m, Mathf.abs(load<f32>(x + o) - c * load<f32>(w + o)));
  return m;
}

export function hebbRowMaxAbsRef(w: usize, x: usize, n: i32, c: f32): f32 {
  let m: f32 = 0;
  for (let j = 0; j < n; j++)
    m = Mathf.max(m, Mathf.abs(load<f32>(x + ((<usize>j) << 2)) - c * load<f32>(w + ((<usize>j) << 2))));
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
  const end4 = (<usize>(n & ~3)) << 2,
    end = (<usize>n) << 2;
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * end;
    const yi = load<f32>(y + ((<usize>i) << 2));
    const a = eta * yi;
    const yv = f32x4.splat(yi),
      av = f32x4.splat(a);
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
    const yi = load<f32>(y + ((<usize>i) << 2));
    const a = eta * yi;
    for (let j = 0; j < n; j++) {
      const p = w + ((<usize>i * <usize>n + <usize>j) << 2),
        q = r + ((<usize>j) << 2);
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
@inline
function signPow4(w: v128, p: i32): v128 {
  const a = f32x4.abs(w);
  if (p == 3) return f32x4.mul(w, a); // the paper's MNIST setting, kept branch-light
  let m = w;
  for (let k = 2; k < p; k++) m = f32x4.mul(m, a);
  return m;
}
// @ts-ignore: decorator
@inline
function signPow(w: f32, p: i32): f32 {
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
  const end16 = (<usize>(n & ~15)) << 2,
    end4 = (<usize>(n & ~3)) << 2,
    end = (<usize>n) << 2;
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * end;
    let a0 = f32x4.splat(0),
      a1 = f32x4.splat(0),
      a2 = f32x4.splat(0),
      a3 = f32x4.splat(0);
    let o: usize = 0;
    for (; o < end16; o += 64) {
      a0 = f32x4.add(a0, f32x4.mul(signPow4(v128.load(row + o), p), v128.load(x + o)));
      a1 = f32x4.add(a1, f32x4.mul(signPow4(v128.load(row + o, 16), p), v128.load(x + o, 16)));
      a2 = f32x4.add(a2, f32x4.mul(signPow4(v128.load(row + o, 32), p), v128.load(x + o, 32)));
      a3 = f32x4.add(a3, f32x4.mul(signPow4(v128.load(row + o, 48), p), v128.load(x + o, 48)));
    }
    for (; o < end4; o += 16) a0 = f32x4.add(a0, f32x4.mul(signPow4(v128.load(row + o), p), v128.load(x + o)));
    const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    let s = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
    for (; o < end; o += 4) s += signPow(load<f32>(row + o), p) * load<f32>(x + o);
    store<f32>(y + ((<usize>i) << 2), s);
  }
}

// the scalar sum one accumulator lane holds: j = l, l + 16, ... in full 16-blocks (+ leftover 4-groups for l < 4)
function pLane(row: usize, x: usize, n: i32, p: i32, l: i32): f32 {
  const n16 = n & ~15;
  let s: f32 = 0;
  let j = l;
  for (; j < n16; j += 16) s += signPow(load<f32>(row + ((<usize>j) << 2)), p) * load<f32>(x + ((<usize>j) << 2));
  if (l < 4)
    for (j = n16 + l; j < (n & ~3); j += 4)
      s += signPow(load<f32>(row + ((<usize>j) << 2)), p) * load<f32>(x + ((<usize>j) << 2));
  return s;
}

// lane l of (A0 + A1) + (A2 + A3)
// @ts-ignore: decorator
@inline
function pLaneSum(row: usize, x: usize, n: i32, p: i32, l: i32): f32 {
  return (
    pLane(row, x, n, p, l) + pLane(row, x, n, p, l + 4) + (pLane(row, x, n, p, l + 8) + pLane(row, x, n, p, l + 12))
  );
}

export function pCurrentsRef(y: usize, w: usize, x: usize, rows: i32, n: i32, p: i32): void {
  for (let i = 0; i < rows; i++) {
    const row = w + <usize>i * ((<usize>n) << 2);
    let s =
      pLaneSum(row, x, n, p, 0) + pLaneSum(row, x, n, p, 1) + (pLaneSum(row, x, n, p, 2) + pLaneSum(row, x, n, p, 3));
    for (let j = n & ~3; j < n; j++)
      s += signPow(load<f32>(row + ((<usize>j) << 2)), p) * load<f32>(x + ((<usize>j) << 2));
    store<f32>(y + ((<usize>i) << 2), s);
  }
}

// ---------------------------------------------------------------- features for the readout

/** y = max(u, 0)^power, as exp(power · log u) for u > 0 (power > 0). y may alias u. */
export function powerRelu(y: usize, u: usize, n: i32, power: f32): void {
  if (!SIMD) return powerReluRef(y, u, n, power);
  const pv = f32x4.splat(power),
    zero = f32x4.splat(0);
  const end4 = (<usize>(n & ~3)) << 2,
    end = (<usize>n) << 2;
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
    const v = load<f32>(u + ((<usize>i) << 2));
    store<f32>(y + ((<usize>i) << 2), v > 0 ? expf(power * logf(v)) : <f32>0);
  }
}
