// Machine ceilings, measured by the benchmarks in the same run as the kernels
// they judge: the f32x4 multiply-add peak and streaming bandwidth. engram.scalar.wasm
// (see kernels/simd.ts) measures the same flops and bytes with scalar f32 instructions.

import { SIMD } from "../kernels/simd";

/**
 * f32x4 mul+add peak: `iters` rounds of 12 independent chains acc = acc·m + c
 * (enough chains to hide the mul and add latencies). 12 × 8 flops a round.
 * Returns a value depending on every chain so nothing is optimised away.
 */
export function ceilingMulAdd(iters: i32): f32 {
  if (!SIMD) return ceilingMulAddScalar(iters);
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(0.1),
    a1 = f32x4.splat(0.2),
    a2 = f32x4.splat(0.3),
    a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5),
    a5 = f32x4.splat(0.6),
    a6 = f32x4.splat(0.7),
    a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9),
    a9 = f32x4.splat(1.0),
    a10 = f32x4.splat(1.1),
    a11 = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c);
    a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c);
    a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c);
    a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c);
    a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c);
    a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c);
    a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/**
 * Read-modify-write streaming bandwidth: `reps` passes of y = y·m + c over
 * `n` floats (n % 16 == 0), 8 bytes moved per float per pass.
 */
export function ceilingStream(y: usize, n: i32, reps: i32): void {
  if (!SIMD) return ceilingStreamScalar(y, n, reps);
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  const end = y + ((<usize>n) << 2);
  for (let r = 0; r < reps; r++) {
    for (let p = y; p < end; p += 64) {
      v128.store(p, f32x4.add(f32x4.mul(v128.load(p), m), c));
      v128.store(p, f32x4.add(f32x4.mul(v128.load(p, 16), m), c), 16);
      v128.store(p, f32x4.add(f32x4.mul(v128.load(p, 32), m), c), 32);
      v128.store(p, f32x4.add(f32x4.mul(v128.load(p, 48), m), c), 48);
    }
  }
}

/**
 * Read streaming bandwidth: `reps` passes summing `n` floats (n % 16 == 0), 4 bytes read per
 * float per pass, nothing written (one f32x4 add per 16 bytes: never compute-bound). Returns
 * the sum so the loads are not optimised away.
 */
export function ceilingRead(y: usize, n: i32, reps: i32): f32 {
  if (!SIMD) return ceilingReadScalar(y, n, reps);
  const end = y + ((<usize>n) << 2);
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  for (let r = 0; r < reps; r++) {
    for (let p = y; p < end; p += 64) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
  }
  const s = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// The scalar build's ceilings: 12 chains stepped 4 times a round (the same 12 × 8 flops),
// and the same read-modify-write pass one float at a time.
function ceilingMulAddScalar(iters: i32): f32 {
  const m: f32 = 0.999,
    c: f32 = 0.001;
  let a0: f32 = 0.1,
    a1: f32 = 0.2,
    a2: f32 = 0.3,
    a3: f32 = 0.4,
    a4: f32 = 0.5,
    a5: f32 = 0.6;
  let a6: f32 = 0.7,
    a7: f32 = 0.8,
    a8: f32 = 0.9,
    a9: f32 = 1.0,
    a10: f32 = 1.1,
    a11: f32 = 1.2;
  for (let i = 0; i < iters; i++) {
    for (let k = 0; k < 4; k++) {
      a0 = a0 * m + c;
      a1 = a1 * m + c;
      a2 = a2 * m + c;
      a3 = a3 * m + c;
      a4 = a4 * m + c;
      a5 = a5 * m + c;
      a6 = a6 * m + c;
      a7 = a7 * m + c;
      a8 = a8 * m + c;
      a9 = a9 * m + c;
      a10 = a10 * m + c;
      a11 = a11 * m + c;
    }
  }
  return a0 + a1 + (a2 + a3) + (a4 + a5 + (a6 + a7)) + (a8 + a9 + (a10 + a11));
}

function ceilingStreamScalar(y: usize, n: i32, reps: i32): void {
  const m: f32 = 0.999,
    c: f32 = 0.001;
  const end = y + ((<usize>n) << 2);
  for (let r = 0; r < reps; r++) {
    for (let p = y; p < end; p += 4) store<f32>(p, load<f32>(p) * m + c);
  }
}

function ceilingReadScalar(y: usize, n: i32, reps: i32): f32 {
  const end = y + ((<usize>n) << 2);
  let a0: f32 = 0,
    a1: f32 = 0;
  for (let r = 0; r < reps; r++) {
    for (let p = y; p < end; p += 8) {
      a0 += load<f32>(p);
      a1 += load<f32>(p, 4);
    }
  }
  return a0 + a1;
}
