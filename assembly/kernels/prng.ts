// xoshiro128** (Blackman & Vigna 2018), state = 4 u32 at `state` (16 bytes).
// The state alone determines the stream: nothing is cached between calls, so a
// snapshot of the 16 bytes resumes the stream exactly.
// see: https://prng.di.unimi.it/xoshiro128starstar.c
//
// Sequential by nature, so these have no f32x4 / Ref twins.

import { logf } from "./math";

/**
 * Seeds the state from one u32 with splitmix32 (z += 0x9e3779b9, then the murmur3
 * fmix32 finaliser). fmix32 is a bijection and the four inputs are distinct, so at
 * most one of the four words is 0: the state is never all-zero.
 */
export function rngSeed(state: usize, seed: u32): void {
  let z = seed;
  for (let i: usize = 0; i < 4; i++) {
    z += 0x9e3779b9;
    let h = z;
    h = (h ^ (h >>> 16)) * 0x85ebca6b;
    h = (h ^ (h >>> 13)) * 0xc2b2ae35;
    h ^= h >>> 16;
    store<u32>(state + (i << 2), h);
  }
}

/** Next u32 of the stream. */
export function rngNextU32(state: usize): u32 {
  const s0 = load<u32>(state),
    s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8),
    s3 = load<u32>(state, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  store<u32>(state, s0 ^ s3);
  store<u32>(state, s1 ^ s2, 4);
  store<u32>(state, s2 ^ t, 8);
  store<u32>(state, rotl<u32>(s3, 11), 12);
  return result;
}

/** Uniform in [0, 1) on the 2^-24 grid: (u >>> 8) · 2^-24 (exact). */
export function rngUniform(state: usize): f32 {
  return <f32>(rngNextU32(state) >>> 8) * 5.9604644775390625e-8;
}

/**
 * Standard normal, Marsaglia polar method with our logf and sqrt. Each call
 * consumes a variable (even, ≥ 2) number of u32s: pairs are redrawn until
 * 0 < s < 1 (accepted with probability π/4); the second value is discarded.
 */
export function rngNormal(state: usize): f32 {
  let u: f32, v: f32, s: f32;
  do {
    u = rngUniform(state) * 2.0 - 1.0;
    v = rngUniform(state) * 2.0 - 1.0;
    s = u * u + v * v;
    if (s >= 1.0 && rngIsZero(state)) abort("rng: all-zero state"); // it would redraw forever
  } while (s >= 1.0 || s == 0);
  return u * Mathf.sqrt((-2.0 * logf(s)) / s);
}

/**
 * True for xoshiro's fixed point, the all-zero state: it yields 0 forever, so a
 * rejection loop would never end. rngSeed never makes it and no step reaches it
 * from another state; only a forged snapshot can hold it (the host rejects those).
 */
export function rngIsZero(state: usize): bool {
  return (load<u32>(state) | load<u32>(state, 4) | load<u32>(state, 8) | load<u32>(state, 12)) == 0;
}

/** ptr[i] = lo + (hi − lo) · uniform, i < n, in order. */
export function rngFillUniform(state: usize, ptr: usize, n: i32, lo: f32, hi: f32): void {
  const w = hi - lo;
  for (let i = 0; i < n; i++) store<f32>(ptr + ((<usize>i) << 2), lo + w * rngUniform(state));
}

/** ptr[i] = mean + std · normal, i < n, in order. */
export function rngFillNormal(state: usize, ptr: usize, n: i32, mean: f32, std: f32): void {
  for (let i = 0; i < n; i++) store<f32>(ptr + ((<usize>i) << 2), mean + std * rngNormal(state));
}

/**
 * Unbiased integer in [0, n) (Lemire 2019, multiply-shift with rejection).
 * n = 0 returns 0 (and still consumes one u32).
 */
export function rngBelow(state: usize, n: u32): u32 {
  let m = <u64>rngNextU32(state) * <u64>n;
  let l = <u32>m;
  if (l < n) {
    const t = (<u32>0 - n) % n;
    while (l < t) {
      if (rngIsZero(state)) abort("rng: all-zero state"); // it would redraw forever
      m = <u64>rngNextU32(state) * <u64>n;
      l = <u32>m;
    }
  }
  return <u32>(m >>> 32);
}
