// Dense linear algebra on raw f32 memory: byte offsets in, nothing allocated.
//
// Summation order (every reduction in kernels/ uses it, so SIMD == Ref bitwise):
//   elements are consumed in blocks of 16 by four f32x4 accumulators A0..A3
//   (element i of a block goes to accumulator (i % 16) / 4, lane i % 4);
//   after the last full block, leftover groups of 4 go into A0; then
//   A = (A0 + A1) + (A2 + A3) lane-wise, s = (A.l0 + A.l1) + (A.l2 + A.l3),
//   then the last n % 4 elements are added to s one by one, in index order.
// The Ref twins reproduce this order with scalar arithmetic (see `lanePartial`).
// Elementwise kernels do the same operations per element in both versions.

import { SIMD } from "./simd";

// ---------------------------------------------------------------- helpers

// @ts-ignore: decorator
@inline
function hsum(a0: v128, a1: v128, a2: v128, a3: v128): f32 {
  return hsum2(f32x4.add(a0, a1), f32x4.add(a2, a3));
}

// The same with (A0 + A1) and (A2 + A3) already formed.
// @ts-ignore: decorator
@inline
function hsum2(p: v128, q: v128): f32 {
  const a = f32x4.add(p, q);
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

// Sum over element indices j, j+16, j+32, ... of a[i]*b[i] inside the full
// 16-blocks; for j < 4 also the leftover 4-groups (they land in A0).
function lanePartial(a: usize, b: usize, n: i32, j: i32): f32 {
  const n16 = n & ~15;
  const n4 = n & ~3;
  let s: f32 = 0;
  let i = j;
  for (; i < n16; i += 16) s += load<f32>(a + ((<usize>i) << 2)) * load<f32>(b + ((<usize>i) << 2));
  if (j < 4) {
    for (i = n16 + j; i < n4; i += 4) s += load<f32>(a + ((<usize>i) << 2)) * load<f32>(b + ((<usize>i) << 2));
  }
  return s;
}

// @ts-ignore: decorator
@inline
function laneSum(a: usize, b: usize, n: i32, l: i32): f32 {
  return (
    lanePartial(a, b, n, l) + lanePartial(a, b, n, l + 4) + (lanePartial(a, b, n, l + 8) + lanePartial(a, b, n, l + 12))
  );
}

// ---------------------------------------------------------------- dot

/** Σ a_i b_i. a, b have n elements. */
export function dot(a: usize, b: usize, n: i32): f32 {
  if (!SIMD) return dotRef(a, b, n);
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  const end16 = a + ((<usize>(n & ~15)) << 2);
  const end4 = a + ((<usize>(n & ~3)) << 2);
  const end = a + ((<usize>n) << 2);
  const d = b - a;
  let p = a;
  for (; p < end16; p += 64) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p), v128.load(p + d)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), v128.load(p + d, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), v128.load(p + d, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), v128.load(p + d, 48)));
  }
  for (; p < end4; p += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load(p), v128.load(p + d)));
  let s = hsum(a0, a1, a2, a3);
  for (; p < end; p += 4) s += load<f32>(p) * load<f32>(p + d);
  return s;
}

export function dotRef(a: usize, b: usize, n: i32): f32 {
  let s = laneSum(a, b, n, 0) + laneSum(a, b, n, 1) + (laneSum(a, b, n, 2) + laneSum(a, b, n, 3));
  for (let i = n & ~3; i < n; i++) s += load<f32>(a + ((<usize>i) << 2)) * load<f32>(b + ((<usize>i) << 2));
  return s;
}

// ---------------------------------------------------------------- axpy, scale

/** y += alpha x. x, y have n elements. */
export function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  if (!SIMD) return axpyRef(y, alpha, x, n);
  const al = f32x4.splat(alpha);
  const end16 = y + ((<usize>(n & ~15)) << 2);
  const end4 = y + ((<usize>(n & ~3)) << 2);
  const end = y + ((<usize>n) << 2);
  const d = x - y;
  let p = y;
  for (; p < end16; p += 64) {
    const q = p + d;
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(al, v128.load(q))));
    v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(al, v128.load(q, 16))), 16);
    v128.store(p, f32x4.add(v128.load(p, 32), f32x4.mul(al, v128.load(q, 32))), 32);
    v128.store(p, f32x4.add(v128.load(p, 48), f32x4.mul(al, v128.load(q, 48))), 48);
  }
  for (; p < end4; p += 16) v128.store(p, f32x4.add(v128.load(p), f32x4.mul(al, v128.load(p + d))));
  for (; p < end; p += 4) store<f32>(p, load<f32>(p) + alpha * load<f32>(p + d));
}

export function axpyRef(y: usize, alpha: f32, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y *= alpha. y has n elements. */
export function scale(y: usize, alpha: f32, n: i32): void {
  if (!SIMD) return scaleRef(y, alpha, n);
  const al = f32x4.splat(alpha);
  const end4 = y + ((<usize>(n & ~3)) << 2);
  const end = y + ((<usize>n) << 2);
  let p = y;
  for (; p < end4; p += 16) v128.store(p, f32x4.mul(v128.load(p), al));
  for (; p < end; p += 4) store<f32>(p, load<f32>(p) * alpha);
}

export function scaleRef(y: usize, alpha: f32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, load<f32>(y + o) * alpha);
  }
}

// ---------------------------------------------------------------- matvec

/** y = W x. w is (rows, cols) row-major, x has cols, y has rows. y_i == dot(W_i, x) bitwise. */
export function matvec(y: usize, w: usize, x: usize, rows: i32, cols: i32): void {
  if (!SIMD) return matvecRef(y, w, x, rows, cols);
  const stride = (<usize>cols) << 2;
  const c16 = (<usize>(cols & ~15)) << 2;
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  let i = 0;
  // Three rows per pass, in two sweeps: A0, A1 (the first 8 of every 16 elements, then
  // the leftover 4-groups), then A2, A3; the second sweep reads the rows from L1.
  // One row alone is bound by the latency of its four add chains; three rows give six.
  // V8's TurboFan issues all of an iteration's loads before its arithmetic, so every
  // loaded value is live at once: half blocks keep 6 accumulators + 8 loads in registers.
  for (; i + 3 <= rows; i += 3) {
    const r0 = w + <usize>i * stride;
    const r1 = r0 + stride,
      r2 = r1 + stride;
    let a0 = f32x4.splat(0),
      a1 = f32x4.splat(0),
      b0 = f32x4.splat(0),
      b1 = f32x4.splat(0);
    let d0 = f32x4.splat(0),
      d1 = f32x4.splat(0);
    let o: usize = 0;
    for (; o < c16; o += 64) {
      const x0 = v128.load(x + o),
        x1 = v128.load(x + o, 16);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(r0 + o), x0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(r1 + o), x0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load(r2 + o), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(r0 + o, 16), x1));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(r1 + o, 16), x1));
      d1 = f32x4.add(d1, f32x4.mul(v128.load(r2 + o, 16), x1));
    }
    for (; o < c4; o += 16) {
      const x0 = v128.load(x + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(r0 + o), x0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(r1 + o), x0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load(r2 + o), x0));
    }
    const pa = f32x4.add(a0, a1),
      pb = f32x4.add(b0, b1),
      pd = f32x4.add(d0, d1);
    a0 = f32x4.splat(0);
    a1 = f32x4.splat(0);
    b0 = f32x4.splat(0);
    b1 = f32x4.splat(0);
    d0 = f32x4.splat(0);
    d1 = f32x4.splat(0);
    for (o = 0; o < c16; o += 64) {
      const x2 = v128.load(x + o, 32),
        x3 = v128.load(x + o, 48);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(r0 + o, 32), x2));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(r1 + o, 32), x2));
      d0 = f32x4.add(d0, f32x4.mul(v128.load(r2 + o, 32), x2));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(r0 + o, 48), x3));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(r1 + o, 48), x3));
      d1 = f32x4.add(d1, f32x4.mul(v128.load(r2 + o, 48), x3));
    }
    let s0 = hsum2(pa, f32x4.add(a0, a1));
    let s1 = hsum2(pb, f32x4.add(b0, b1));
    let s2 = hsum2(pd, f32x4.add(d0, d1));
    for (o = c4; o < cn; o += 4) {
      const xs = load<f32>(x + o);
      s0 += load<f32>(r0 + o) * xs;
      s1 += load<f32>(r1 + o) * xs;
      s2 += load<f32>(r2 + o) * xs;
    }
    const yp = y + ((<usize>i) << 2);
    store<f32>(yp, s0);
    store<f32>(yp, s1, 4);
    store<f32>(yp, s2, 8);
  }
  for (; i < rows; i++) store<f32>(y + ((<usize>i) << 2), dot(w + <usize>i * stride, x, cols));
}

export function matvecRef(y: usize, w: usize, x: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    store<f32>(y + ((<usize>i) << 2), dotRef(w + <usize>i * ((<usize>cols) << 2), x, cols));
  }
}

/** y = Wᵀ x. w is (rows, cols) row-major, x has rows, y has cols. y_j = Σ_i x_i W_ij, i in order. */
export function matvecT(y: usize, w: usize, x: usize, rows: i32, cols: i32): void {
  if (!SIMD) return matvecTRef(y, w, x, rows, cols);
  const stride = (<usize>cols) << 2;
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  memory.fill(y, 0, cn);
  let i = 0;
  // four rows per pass: y is read and written once per four rows, same order per element
  for (; i + 4 <= rows; i += 4) {
    const r0 = w + <usize>i * stride;
    const r1 = r0 + stride,
      r2 = r1 + stride,
      r3 = r2 + stride;
    const xp = x + ((<usize>i) << 2);
    const s0 = load<f32>(xp),
      s1 = load<f32>(xp, 4),
      s2 = load<f32>(xp, 8),
      s3 = load<f32>(xp, 12);
    const v0 = f32x4.splat(s0),
      v1 = f32x4.splat(s1),
      v2 = f32x4.splat(s2),
      v3 = f32x4.splat(s3);
    let o: usize = 0;
    for (; o < c4; o += 16) {
      let t = v128.load(y + o);
      t = f32x4.add(t, f32x4.mul(v0, v128.load(r0 + o)));
      t = f32x4.add(t, f32x4.mul(v1, v128.load(r1 + o)));
      t = f32x4.add(t, f32x4.mul(v2, v128.load(r2 + o)));
      t = f32x4.add(t, f32x4.mul(v3, v128.load(r3 + o)));
      v128.store(y + o, t);
    }
    for (; o < cn; o += 4) {
      let t = load<f32>(y + o);
      t = t + s0 * load<f32>(r0 + o);
      t = t + s1 * load<f32>(r1 + o);
      t = t + s2 * load<f32>(r2 + o);
      t = t + s3 * load<f32>(r3 + o);
      store<f32>(y + o, t);
    }
  }
  for (; i < rows; i++) axpy(y, load<f32>(x + ((<usize>i) << 2)), w + <usize>i * stride, cols);
}

export function matvecTRef(y: usize, w: usize, x: usize, rows: i32, cols: i32): void {
  for (let j = 0; j < cols; j++) {
    let s: f32 = 0;
    for (let i = 0; i < rows; i++) {
      s = s + load<f32>(x + ((<usize>i) << 2)) * load<f32>(w + ((<usize>i * <usize>cols + <usize>j) << 2));
    }
    store<f32>(y + ((<usize>j) << 2), s);
  }
}

// ---------------------------------------------------------------- updates

/** W += eta a bᵀ. w is (rows, cols) row-major, a has rows, b has cols. W_ij += (eta a_i) b_j. */
export function rank1Update(w: usize, a: usize, b: usize, rows: i32, cols: i32, eta: f32): void {
  if (!SIMD) return rank1UpdateRef(w, a, b, rows, cols, eta);
  const stride = (<usize>cols) << 2;
  const c16 = (<usize>(cols & ~15)) << 2;
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  let i = 0;
  // two rows per pass: each b load serves both
  for (; i + 2 <= rows; i += 2) {
    const r0 = w + <usize>i * stride;
    const r1 = r0 + stride;
    const s0 = eta * load<f32>(a + ((<usize>i) << 2)),
      s1 = eta * load<f32>(a + ((<usize>i) << 2), 4);
    const v0 = f32x4.splat(s0),
      v1 = f32x4.splat(s1);
    let o: usize = 0;
    for (; o < c16; o += 64) {
      const p = r0 + o,
        q = r1 + o,
        bo = b + o;
      let bv = v128.load(bo);
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(v0, bv)));
      v128.store(q, f32x4.add(v128.load(q), f32x4.mul(v1, bv)));
      bv = v128.load(bo, 16);
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(v0, bv)), 16);
      v128.store(q, f32x4.add(v128.load(q, 16), f32x4.mul(v1, bv)), 16);
      bv = v128.load(bo, 32);
      v128.store(p, f32x4.add(v128.load(p, 32), f32x4.mul(v0, bv)), 32);
      v128.store(q, f32x4.add(v128.load(q, 32), f32x4.mul(v1, bv)), 32);
      bv = v128.load(bo, 48);
      v128.store(p, f32x4.add(v128.load(p, 48), f32x4.mul(v0, bv)), 48);
      v128.store(q, f32x4.add(v128.load(q, 48), f32x4.mul(v1, bv)), 48);
    }
    for (; o < c4; o += 16) {
      const bv = v128.load(b + o);
      v128.store(r0 + o, f32x4.add(v128.load(r0 + o), f32x4.mul(v0, bv)));
      v128.store(r1 + o, f32x4.add(v128.load(r1 + o), f32x4.mul(v1, bv)));
    }
    for (; o < cn; o += 4) {
      const bs = load<f32>(b + o);
      store<f32>(r0 + o, load<f32>(r0 + o) + s0 * bs);
      store<f32>(r1 + o, load<f32>(r1 + o) + s1 * bs);
    }
  }
  if (i < rows) axpy(w + <usize>i * stride, eta * load<f32>(a + ((<usize>i) << 2)), b, cols);
}

export function rank1UpdateRef(w: usize, a: usize, b: usize, rows: i32, cols: i32, eta: f32): void {
  for (let i = 0; i < rows; i++) {
    const ea = eta * load<f32>(a + ((<usize>i) << 2));
    for (let j = 0; j < cols; j++) {
      const p = w + ((<usize>i * <usize>cols + <usize>j) << 2);
      store<f32>(p, load<f32>(p) + ea * load<f32>(b + ((<usize>j) << 2)));
    }
  }
}

/**
 * Fused forward + Hebbian/Oja update, one pass over W.
 * w is (rows, cols) row-major, x has cols (must not overlap w), y has rows (output).
 * For each row i: y_i = W_i · x (the dot order above), then
 *   W_i += eta y_i x − eta decay y_i² W_i, computed as W_ij = c W_ij + a x_j
 *   with a = eta y_i and c = 1 − (eta decay y_i) y_i  (decay = 0: c = 1 exactly, plain Hebb;
 *   decay = 1: Oja). Rows are pipelined: the loop that updates row i also computes
 *   y_(i+1) on the not yet updated row i + 1, so each x load serves both.
 */
export function denseStep(w: usize, y: usize, x: usize, rows: i32, cols: i32, eta: f32, decay: f32): void {
  if (!SIMD) return denseStepRef(w, y, x, rows, cols, eta, decay);
  const stride = (<usize>cols) << 2;
  let r = w;
  let yi = rows > 0 ? dot(r, x, cols) : 0;
  for (let i = 0; i < rows; i++, r += stride) {
    store<f32>(y + ((<usize>i) << 2), yi);
    const a = eta * yi;
    const c: f32 = 1.0 - eta * decay * yi * yi;
    if (i + 1 == rows) updateRow(r, x, cols, a, c);
    // c == 1 (always so for decay = 0): c W_ij == W_ij exactly, so skip the multiply
    else if (c == 1) yi = updateDot(r, r + stride, x, cols, a, c, true);
    else yi = updateDot(r, r + stride, x, cols, a, c, false);
  }
}

// Row r gets r_j = c r_j + a x_j (r_j + a x_j if `plain`, for c == 1); returns dot(n, x).
// @ts-ignore: decorator
@inline
function updateDot(r: usize, n: usize, x: usize, cols: i32, a: f32, c: f32, plain: bool): f32 {
  const c16 = (<usize>(cols & ~15)) << 2;
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  const av = f32x4.splat(a),
    cv = f32x4.splat(c);
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  let o: usize = 0;
  // the four updates first, then the dot: TurboFan sinks the dot's arithmetic to the loop
  // end, so loading row n last keeps the loop in registers (dot first spills)
  for (; o < c16; o += 64) {
    const p = r + o,
      q = x + o,
      m = n + o;
    const x0 = v128.load(q),
      x1 = v128.load(q, 16),
      x2 = v128.load(q, 32),
      x3 = v128.load(q, 48);
    v128.store(p, f32x4.add(plain ? v128.load(p) : f32x4.mul(cv, v128.load(p)), f32x4.mul(av, x0)));
    v128.store(p, f32x4.add(plain ? v128.load(p, 16) : f32x4.mul(cv, v128.load(p, 16)), f32x4.mul(av, x1)), 16);
    v128.store(p, f32x4.add(plain ? v128.load(p, 32) : f32x4.mul(cv, v128.load(p, 32)), f32x4.mul(av, x2)), 32);
    v128.store(p, f32x4.add(plain ? v128.load(p, 48) : f32x4.mul(cv, v128.load(p, 48)), f32x4.mul(av, x3)), 48);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(m), x0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(m, 16), x1));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(m, 32), x2));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(m, 48), x3));
  }
  for (; o < c4; o += 16) {
    const xv = v128.load(x + o);
    v128.store(r + o, f32x4.add(f32x4.mul(cv, v128.load(r + o)), f32x4.mul(av, xv)));
    a0 = f32x4.add(a0, f32x4.mul(v128.load(n + o), xv));
  }
  let s = hsum(a0, a1, a2, a3);
  for (; o < cn; o += 4) {
    const xs = load<f32>(x + o);
    store<f32>(r + o, c * load<f32>(r + o) + a * xs);
    s += load<f32>(n + o) * xs;
  }
  return s;
}

// r_j = c r_j + a x_j over one row of n elements.
function updateRow(r: usize, x: usize, n: i32, a: f32, c: f32): void {
  const av = f32x4.splat(a),
    cv = f32x4.splat(c);
  const end4 = r + ((<usize>(n & ~3)) << 2);
  const end = r + ((<usize>n) << 2);
  const d = x - r;
  let p = r;
  for (; p < end4; p += 16) v128.store(p, f32x4.add(f32x4.mul(cv, v128.load(p)), f32x4.mul(av, v128.load(p + d))));
  for (; p < end; p += 4) store<f32>(p, c * load<f32>(p) + a * load<f32>(p + d));
}

export function denseStepRef(w: usize, y: usize, x: usize, rows: i32, cols: i32, eta: f32, decay: f32): void {
  for (let i = 0; i < rows; i++) {
    const r = w + <usize>i * ((<usize>cols) << 2);
    const yi = dotRef(r, x, cols);
    store<f32>(y + ((<usize>i) << 2), yi);
    const a = eta * yi;
    const c: f32 = 1.0 - eta * decay * yi * yi;
    for (let j = 0; j < cols; j++) {
      const p = r + ((<usize>j) << 2);
      store<f32>(p, c * load<f32>(p) + a * load<f32>(x + ((<usize>j) << 2)));
    }
  }
}
