// Normalisation and competition across a vector. Sums use the dot order of linalg.ts.

import { dot, dotRef } from "./linalg";
import { expf, exp4 } from "./math";
import { SIMD } from "./simd";

/** y = x / (‖x‖₂ + eps); returns ‖x‖₂. x, y have n elements; y may alias x. */
export function normalize(y: usize, x: usize, n: i32, eps: f32): f32 {
  if (!SIMD) return normalizeRef(y, x, n, eps);
  const norm = Mathf.sqrt(dot(x, x, n));
  const d: f32 = norm + eps;
  const dv = f32x4.splat(d);
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f32x4.div(v128.load(x + o), dv));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(x + o) / d);
  return norm;
}

export function normalizeRef(y: usize, x: usize, n: i32, eps: f32): f32 {
  const norm = Mathf.sqrt(dotRef(x, x, n));
  const d: f32 = norm + eps;
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, load<f32>(x + o) / d);
  }
  return norm;
}

// max is order-independent (f32.max / f32x4.max agree, NaN propagates)
function maxOf(x: usize, n: i32): f32 {
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let m4 = f32x4.splat(-Infinity);
  let o: usize = 0;
  for (; o < end4; o += 16) m4 = f32x4.max(m4, v128.load(x + o));
  let m = Mathf.max(
    Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
    Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)),
  );
  for (; o < end; o += 4) m = Mathf.max(m, load<f32>(x + o));
  return m;
}

// Σ y_i in the dot order (dot with a vector of ones computes exactly that sum).
function sumOf(y: usize, n: i32): f32 {
  const end16 = (<usize>(n & ~15)) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < end16; o += 64) {
    a0 = f32x4.add(a0, v128.load(y + o));
    a1 = f32x4.add(a1, v128.load(y + o, 16));
    a2 = f32x4.add(a2, v128.load(y + o, 32));
    a3 = f32x4.add(a3, v128.load(y + o, 48));
  }
  for (; o < end4; o += 16) a0 = f32x4.add(a0, v128.load(y + o));
  const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  let s = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
  for (; o < end; o += 4) s += load<f32>(y + o);
  return s;
}

// Σ over indices j, j+16, ... in full 16-blocks (+ leftover 4-groups for j < 4): one lane of one accumulator
function sumPartialRef(y: usize, n: i32, j: i32): f32 {
  const n16 = n & ~15;
  let p: f32 = 0;
  let i = j;
  for (; i < n16; i += 16) p += load<f32>(y + ((<usize>i) << 2));
  if (j < 4) for (i = n16 + j; i < (n & ~3); i += 4) p += load<f32>(y + ((<usize>i) << 2));
  return p;
}

// @ts-ignore: decorator
@inline
function sumLaneRef(y: usize, n: i32, l: i32): f32 {
  return (
    sumPartialRef(y, n, l) + sumPartialRef(y, n, l + 4) + (sumPartialRef(y, n, l + 8) + sumPartialRef(y, n, l + 12))
  );
}

function sumOfRef(y: usize, n: i32): f32 {
  let s = sumLaneRef(y, n, 0) + sumLaneRef(y, n, 1) + (sumLaneRef(y, n, 2) + sumLaneRef(y, n, 3));
  for (let i = n & ~3; i < n; i++) s += load<f32>(y + ((<usize>i) << 2));
  return s;
}

/** y = softmax(x) = exp(x − max x) / Σ exp(x − max x). x, y have n elements; y may alias x. */
export function softmax(y: usize, x: usize, n: i32): void {
  if (!SIMD) return softmaxRef(y, x, n);
  if (n <= 0) return;
  const m = maxOf(x, n);
  const mv = f32x4.splat(m);
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, exp4(f32x4.sub(v128.load(x + o), mv)));
  for (; o < end; o += 4) store<f32>(y + o, expf(load<f32>(x + o) - m));
  const s = sumOf(y, n);
  const sv = f32x4.splat(s);
  for (o = 0; o < end4; o += 16) v128.store(y + o, f32x4.div(v128.load(y + o), sv));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(y + o) / s);
}

export function softmaxRef(y: usize, x: usize, n: i32): void {
  if (n <= 0) return;
  let m: f32 = -Infinity;
  for (let i = 0; i < n; i++) m = Mathf.max(m, load<f32>(x + ((<usize>i) << 2)));
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, expf(load<f32>(x + o) - m));
  }
  const s = sumOfRef(y, n);
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, load<f32>(y + o) / s);
  }
}

// ---------------------------------------------------------------- k winners take all
// Order: a beats b if a.value > b.value, or equal values and a has the lower index.
// The k winners are the first k in that order. Inputs must be finite (NaN never wins).

/**
 * Keep the k largest x, zero the rest; ties broken by lower index. x, y have n
 * elements; y may alias x. O(n · distinct values visited) ≤ O(n k), no allocation.
 */
export function kWinnersTakeAll(y: usize, x: usize, n: i32, k: i32): void {
  if (!SIMD) return kWinnersTakeAllRef(y, x, n, k);
  if (n <= 0) return;
  if (k >= n) {
    memory.copy(y, x, (<usize>n) << 2);
    return;
  }
  if (k <= 0) {
    memory.fill(y, 0, (<usize>n) << 2);
    return;
  }
  const end4 = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  // walk the distinct values downwards until k elements are at or above t
  let t: f32 = Infinity;
  let above = 0; // elements with value > t
  let prev: f32 = Infinity;
  let first = true;
  while (true) {
    // m = max { x : x < prev } (the first pass includes +Inf itself)
    let m4 = f32x4.splat(-Infinity);
    const pv = f32x4.splat(prev);
    let o: usize = 0;
    for (; o < end4; o += 16) {
      const v = v128.load(x + o);
      const ok = first ? f32x4.le(v, pv) : f32x4.lt(v, pv);
      m4 = f32x4.max(m4, v128.bitselect(v, f32x4.splat(-Infinity), ok));
    }
    let m = Mathf.max(
      Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
      Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)),
    );
    for (; o < end; o += 4) {
      const v = load<f32>(x + o);
      if (first ? v <= prev : v < prev) m = Mathf.max(m, v);
    }
    // count = #{x == m}
    let c4 = i32x4.splat(0);
    const mv = f32x4.splat(m);
    for (o = 0; o < end4; o += 16) c4 = i32x4.sub(c4, f32x4.eq(v128.load(x + o), mv));
    let count =
      i32x4.extract_lane(c4, 0) + i32x4.extract_lane(c4, 1) + i32x4.extract_lane(c4, 2) + i32x4.extract_lane(c4, 3);
    for (; o < end; o += 4) if (load<f32>(x + o) == m) count++;
    first = false;
    if (count == 0) break; // only NaN left
    t = m;
    if (above + count >= k) break;
    above += count;
    prev = m;
  }
  // keep x > t, and the first (k − above) elements equal to t: find the last kept index c
  let quota = k - above;
  let c = -1;
  for (let i = 0; i < n && quota > 0; i++) {
    if (load<f32>(x + ((<usize>i) << 2)) == t) {
      quota--;
      c = i;
    }
  }
  const tv = f32x4.splat(t);
  const cv = i32x4.splat(c);
  let idx = i32x4(0, 1, 2, 3);
  let o: usize = 0;
  for (; o < end4; o += 16) {
    const v = v128.load(x + o);
    const keep = v128.or(f32x4.gt(v, tv), v128.and(f32x4.eq(v, tv), i32x4.le_s(idx, cv)));
    v128.store(y + o, v128.and(v, keep));
    idx = i32x4.add(idx, i32x4.splat(4));
  }
  for (let i = n & ~3; i < n; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    store<f32>(y + ((<usize>i) << 2), v > t || (v == t && i <= c) ? v : <f32>0);
  }
}

/** Same contract as kWinnersTakeAll, from the definition: find the element of rank k − 1. O(n²). */
export function kWinnersTakeAllRef(y: usize, x: usize, n: i32, k: i32): void {
  if (n <= 0) return;
  if (k >= n) {
    memory.copy(y, x, (<usize>n) << 2);
    return;
  }
  if (k <= 0) {
    memory.fill(y, 0, (<usize>n) << 2);
    return;
  }
  let t: f32 = Infinity;
  let c = -1;
  for (let p = 0; p < n; p++) {
    const v = load<f32>(x + ((<usize>p) << 2));
    let rank = 0; // how many elements beat p
    for (let j = 0; j < n; j++) {
      const u = load<f32>(x + ((<usize>j) << 2));
      if (u > v || (u == v && j < p)) rank++;
    }
    if (rank == k - 1) {
      t = v;
      c = p;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    store<f32>(y + ((<usize>i) << 2), v > t || (v == t && i <= c) ? v : <f32>0);
  }
}
