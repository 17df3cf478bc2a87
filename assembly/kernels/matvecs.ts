// Several products with one matrix in one pass over it: y_v = W x_v for v < k.
//
// Forward-Forward multiplies each layer's weights by several inputs that are all known
// before the first product is needed (the positive pass, the negative pass and the
// label-free pass of the readout; in `predict`, one input per label). One pass keeps each
// row of W in L1 while every input meets it, instead of streaming W from L2/L3 k times.
//
// Summation order: y_v[i] == dot(W_i, x_v) bitwise (kernels/linalg.ts: blocks of 16 into
// four f32x4 accumulators A0..A3, leftover 4-groups into A0, (A0 + A1) + (A2 + A3), the
// lanes as (l0 + l1) + (l2 + l3), then the tail in index order), exactly as `matvec`
// computes it, so replacing k calls of `matvec` by one `matvecs` changes no bit.
// Shapes: w (rows, cols) row-major; x_v at x + v·xs floats (cols each); y_v at y + v·ys
// floats (rows each).

import { dot, dotRef } from "./linalg";
import { SIMD } from "./simd";

// @ts-ignore: decorator
@inline
function hsum2(p: v128, q: v128): f32 {
  const a = f32x4.add(p, q);
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

/** y_v = W x_v for v < k (see the header for shapes and the summation order). */
export function matvecs(y: usize, ys: i32, w: usize, x: usize, xs: i32, rows: i32, cols: i32, k: i32): void {
  if (!SIMD) return matvecsRef(y, ys, w, x, xs, rows, cols, k);
  const stride = (<usize>cols) << 2,
    xb = (<usize>xs) << 2,
    yb = (<usize>ys) << 2;
  const c16 = (<usize>(cols & ~15)) << 2;
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  for (let i = 0; i < rows; i++) {
    const r = w + <usize>i * stride,
      yi = y + ((<usize>i) << 2);
    let v = 0;
    // Three inputs per sweep against one row (the row stays in registers/L1); two half
    // sweeps as in `matvec`: A0, A1 (first 8 of every 16, then the 4-groups), then A2, A3.
    for (; v + 3 <= k; v += 3) {
      const x0p = x + <usize>v * xb;
      const x1p = x0p + xb,
        x2p = x1p + xb;
      let a0 = f32x4.splat(0),
        a1 = f32x4.splat(0),
        b0 = f32x4.splat(0),
        b1 = f32x4.splat(0),
        d0 = f32x4.splat(0),
        d1 = f32x4.splat(0);
      let o: usize = 0;
      for (; o < c16; o += 64) {
        const w0 = v128.load(r + o),
          w1 = v128.load(r + o, 16);
        a0 = f32x4.add(a0, f32x4.mul(w0, v128.load(x0p + o)));
        b0 = f32x4.add(b0, f32x4.mul(w0, v128.load(x1p + o)));
        d0 = f32x4.add(d0, f32x4.mul(w0, v128.load(x2p + o)));
        a1 = f32x4.add(a1, f32x4.mul(w1, v128.load(x0p + o, 16)));
        b1 = f32x4.add(b1, f32x4.mul(w1, v128.load(x1p + o, 16)));
        d1 = f32x4.add(d1, f32x4.mul(w1, v128.load(x2p + o, 16)));
      }
      for (; o < c4; o += 16) {
        const w0 = v128.load(r + o);
        a0 = f32x4.add(a0, f32x4.mul(w0, v128.load(x0p + o)));
        b0 = f32x4.add(b0, f32x4.mul(w0, v128.load(x1p + o)));
        d0 = f32x4.add(d0, f32x4.mul(w0, v128.load(x2p + o)));
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
        const w2 = v128.load(r + o, 32),
          w3 = v128.load(r + o, 48);
        a0 = f32x4.add(a0, f32x4.mul(w2, v128.load(x0p + o, 32)));
        b0 = f32x4.add(b0, f32x4.mul(w2, v128.load(x1p + o, 32)));
        d0 = f32x4.add(d0, f32x4.mul(w2, v128.load(x2p + o, 32)));
        a1 = f32x4.add(a1, f32x4.mul(w3, v128.load(x0p + o, 48)));
        b1 = f32x4.add(b1, f32x4.mul(w3, v128.load(x1p + o, 48)));
        d1 = f32x4.add(d1, f32x4.mul(w3, v128.load(x2p + o, 48)));
      }
      let s0 = hsum2(pa, f32x4.add(a0, a1));
      let s1 = hsum2(pb, f32x4.add(b0, b1));
      let s2 = hsum2(pd, f32x4.add(d0, d1));
      for (o = c4; o < cn; o += 4) {
        const wj = load<f32>(r + o);
        s0 += wj * load<f32>(x0p + o);
        s1 += wj * load<f32>(x1p + o);
        s2 += wj * load<f32>(x2p + o);
      }
      store<f32>(yi + <usize>v * yb, s0);
      store<f32>(yi + <usize>(v + 1) * yb, s1);
      store<f32>(yi + <usize>(v + 2) * yb, s2);
    }
    for (; v < k; v++) store<f32>(yi + <usize>v * yb, dot(r, x + <usize>v * xb, cols));
  }
}

export function matvecsRef(y: usize, ys: i32, w: usize, x: usize, xs: i32, rows: i32, cols: i32, k: i32): void {
  for (let v = 0; v < k; v++)
    for (let i = 0; i < rows; i++)
      store<f32>(
        y + (<usize>v * <usize>ys + <usize>i) * 4,
        dotRef(w + <usize>i * ((<usize>cols) << 2), x + <usize>v * ((<usize>xs) << 2), cols),
      );
}
