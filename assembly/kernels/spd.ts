// Symmetric positive definite matrices on raw f32 memory: the symmetric rank-1
// update, the Cholesky factorisation and the triangular solves of a streaming
// LDA head (../rules/streamingLda.ts). Byte offsets in, nothing allocated.
//
// Storage: a (n, n) row-major matrix of which only the UPPER triangle (j ≥ i)
// holds the symmetric matrix; the factor L is written into the LOWER triangle
// and the diagonal of another buffer (cholesky works in place on a copy).
//
// Summation order: every reduction is `dot` (./linalg.ts: 16-blocks in four
// lane accumulators, a fixed combine, the tail in index order); every
// elementwise update is `axpy`. The Ref twins call dotRef / axpyRef in the
// same sequence, so SIMD == Ref bitwise.

import { axpy, axpyRef, dot, dotRef } from "./linalg";
import { SIMD } from "./simd";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** S += alpha v vᵀ on the upper triangle. s is (n, n) row-major, v has n elements. Row i: S_ij += (alpha v_i) v_j, j ≥ i. */
export function symRank1(s: usize, v: usize, n: i32, alpha: f32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    axpy(s + <usize>i * row + ((<usize>i) << 2), alpha * load<f32>(at(v, i)), at(v, i), n - i);
  }
}

export function symRank1Ref(s: usize, v: usize, n: i32, alpha: f32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    axpyRef(s + <usize>i * row + ((<usize>i) << 2), alpha * load<f32>(at(v, i)), at(v, i), n - i);
  }
}

// A pivot s ≤ floor (or NaN) is replaced by floor: rounding can make a barely
// definite matrix look singular; floor > 0 keeps the factor finite.
// @ts-ignore: decorator
@inline
function pivot(s: f32, floor: f32): f32 {
  return Mathf.sqrt(s > floor ? s : floor);
}

/**
 * In-place Cholesky–Banachiewicz: reads the symmetric matrix from the upper
 * triangle of `a` (n, n), writes L (A = L Lᵀ) into its strictly lower triangle
 * and L's diagonal into `diag` (n). Row by row: L_ij = (A_ji − L_i,:j · L_j,:j) / L_jj,
 * L_ii = √(A_ii − ‖L_i,:i‖²). A pivot under `floor` is taken as `floor`. O(n³/6).
 */
export function cholesky(a: usize, diag: usize, n: i32, floor: f32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    const ri = a + <usize>i * row;
    for (let j = 0; j < i; j++) {
      const rj = a + <usize>j * row;
      store<f32>(at(ri, j), (load<f32>(at(rj, i)) - dot(ri, rj, j)) / load<f32>(at(diag, j)));
    }
    store<f32>(at(diag, i), pivot(load<f32>(at(ri, i)) - dot(ri, ri, i), floor));
  }
}

export function choleskyRef(a: usize, diag: usize, n: i32, floor: f32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    const ri = a + <usize>i * row;
    for (let j = 0; j < i; j++) {
      const rj = a + <usize>j * row;
      store<f32>(at(ri, j), (load<f32>(at(rj, i)) - dotRef(ri, rj, j)) / load<f32>(at(diag, j)));
    }
    store<f32>(at(diag, i), pivot(load<f32>(at(ri, i)) - dotRef(ri, ri, i), floor));
  }
}

/**
 * Solves L Lᵀ x = b in place (x overwrites b, n elements) with the factor of `cholesky`.
 * Forward: y_i = (b_i − L_i,:i · y_:i) / L_ii. Backward, by columns of Lᵀ (rows of L):
 * x_i = y_i / L_ii, then y_:i −= x_i L_i,:i, for i = n−1 … 0.
 */
export function cholSolve(a: usize, diag: usize, b: usize, n: i32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++)
    store<f32>(at(b, i), (load<f32>(at(b, i)) - dot(a + <usize>i * row, b, i)) / load<f32>(at(diag, i)));
  for (let i = n - 1; i >= 0; i--) {
    const xi = load<f32>(at(b, i)) / load<f32>(at(diag, i));
    store<f32>(at(b, i), xi);
    axpy(b, -xi, a + <usize>i * row, i);
  }
}

export function cholSolveRef(a: usize, diag: usize, b: usize, n: i32): void {
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++)
    store<f32>(at(b, i), (load<f32>(at(b, i)) - dotRef(a + <usize>i * row, b, i)) / load<f32>(at(diag, i)));
  for (let i = n - 1; i >= 0; i--) {
    const xi = load<f32>(at(b, i)) / load<f32>(at(diag, i));
    store<f32>(at(b, i), xi);
    axpyRef(b, -xi, a + <usize>i * row, i);
  }
}

/**
 * S += Σ_b alpha_b v_b v_bᵀ on the upper triangle, b = 0 … m−1 applied IN ORDER to each
 * element: the same bits as m calls of symRank1(s, v_b, n, alpha_b), with S read and written
 * once instead of m times. v is (m, n) row-major; alpha has m elements; a is m floats of scratch.
 */
export function symRankK(s: usize, v: usize, alpha: usize, a: usize, n: i32, m: i32): void {
  if (!SIMD) return symRankKRef(s, v, alpha, a, n, m);
  const row = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < m; b++)
      store<f32>(at(a, b), load<f32>(at(alpha, b)) * load<f32>(v + <usize>b * row + ((<usize>i) << 2)));
    const r = s + <usize>i * row;
    let j = i;
    if (m == 8) {
      // the full block, unrolled: coefficients in registers
      const c0 = f32x4.splat(load<f32>(a)),
        c1 = f32x4.splat(load<f32>(a, 4)),
        c2 = f32x4.splat(load<f32>(a, 8)),
        c3 = f32x4.splat(load<f32>(a, 12));
      const c4 = f32x4.splat(load<f32>(a, 16)),
        c5 = f32x4.splat(load<f32>(a, 20)),
        c6 = f32x4.splat(load<f32>(a, 24)),
        c7 = f32x4.splat(load<f32>(a, 28));
      for (; j + 4 <= n; j += 4) {
        const o = (<usize>j) << 2;
        let acc = v128.load(r + o);
        const p = v + o;
        acc = f32x4.add(acc, f32x4.mul(c0, v128.load(p)));
        acc = f32x4.add(acc, f32x4.mul(c1, v128.load(p + row)));
        acc = f32x4.add(acc, f32x4.mul(c2, v128.load(p + 2 * row)));
        acc = f32x4.add(acc, f32x4.mul(c3, v128.load(p + 3 * row)));
        acc = f32x4.add(acc, f32x4.mul(c4, v128.load(p + 4 * row)));
        acc = f32x4.add(acc, f32x4.mul(c5, v128.load(p + 5 * row)));
        acc = f32x4.add(acc, f32x4.mul(c6, v128.load(p + 6 * row)));
        acc = f32x4.add(acc, f32x4.mul(c7, v128.load(p + 7 * row)));
        v128.store(r + o, acc);
      }
    } else {
      for (; j + 4 <= n; j += 4) {
        const o = (<usize>j) << 2;
        let acc = v128.load(r + o);
        for (let b = 0; b < m; b++)
          acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(at(a, b))), v128.load(v + <usize>b * row + o)));
        v128.store(r + o, acc);
      }
    }
    for (; j < n; j++) {
      let acc = load<f32>(at(r, j));
      for (let b = 0; b < m; b++) acc += load<f32>(at(a, b)) * load<f32>(at(v + <usize>b * row, j));
      store<f32>(at(r, j), acc);
    }
  }
}

export function symRankKRef(s: usize, v: usize, alpha: usize, a: usize, n: i32, m: i32): void {
  for (let b = 0; b < m; b++) symRank1Ref(s, v + <usize>b * ((<usize>n) << 2), n, load<f32>(at(alpha, b)));
  void a;
}

/**
 * tr(A⁻¹) = ‖L⁻¹‖²_F from the factor of `cholesky`: column j of L⁻¹ by forward substitution
 * from row j (x_j = 1/L_jj, x_i = −(L_i,j:i · x_j:i) / L_ii), its squares summed in f64 in
 * index order, columns in order. x is n floats of scratch. O(n³/6).
 */
export function triInverseNorm2(a: usize, diag: usize, x: usize, n: i32): f64 {
  const row = (<usize>n) << 2;
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const xj = <f32>1 / load<f32>(at(diag, j));
    store<f32>(at(x, j), xj);
    sum += <f64>xj * <f64>xj;
    for (let i = j + 1; i < n; i++) {
      const xi = -dot(a + <usize>i * row + ((<usize>j) << 2), at(x, j), i - j) / load<f32>(at(diag, i));
      store<f32>(at(x, i), xi);
      sum += <f64>xi * <f64>xi;
    }
  }
  return sum;
}

export function triInverseNorm2Ref(a: usize, diag: usize, x: usize, n: i32): f64 {
  const row = (<usize>n) << 2;
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const xj = <f32>1 / load<f32>(at(diag, j));
    store<f32>(at(x, j), xj);
    sum += <f64>xj * <f64>xj;
    for (let i = j + 1; i < n; i++) {
      const xi = -dotRef(a + <usize>i * row + ((<usize>j) << 2), at(x, j), i - j) / load<f32>(at(diag, i));
      store<f32>(at(x, i), xi);
      sum += <f64>xi * <f64>xi;
    }
  }
  return sum;
}
