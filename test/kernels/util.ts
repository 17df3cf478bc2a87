// Shared test helpers for kernel tests: deterministic test data and float comparisons.

export { rng } from "../helpers/rng.js";

/** n floats uniform in [lo, hi). */
export function randArray(r: () => number, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

/** Sizes covering 0, tails (n % 4, n % 16 != 0) and a few larger ones. */
export const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 257, 1000];

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
export function bitsOf(x: number): number {
  f32buf[0] = x;
  return u32buf[0];
}
export function fromBits(b: number): number {
  u32buf[0] = b >>> 0;
  return f32buf[0];
}

/** Index of the first element where a and b differ bitwise (NaN == NaN), or -1. */
export function firstBitDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (bitsOf(a[i]) !== bitsOf(b[i])) return i;
  }
  return -1;
}

/** Size of one f32 ulp at the magnitude of t (a float64 truth). */
export function ulpAt(t: number): number {
  const a = Math.abs(Math.fround(t));
  if (a < 2 ** -126) return 2 ** -149;
  if (!Number.isFinite(a)) return 2 ** 104; // at the overflow edge: ulp of FLT_MAX
  const e = Math.floor(Math.log2(a));
  // Math.log2 can be off by one at powers of two: correct it
  const ee = 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e;
  return 2 ** (ee - 23);
}

/** Error of f32 result r against float64 truth t, in f32 ulps of t. */
export function ulps(r: number, t: number): number {
  if (Number.isNaN(t)) return Number.isNaN(r) ? 0 : Infinity;
  if (r === t) return 0;
  if (!Number.isFinite(r) || !Number.isFinite(t)) {
    // both overflowed to the same infinity is exact; one infinite: compare against FLT_MAX
    return Math.fround(t) === r ? 0 : Infinity;
  }
  return Math.abs(r - t) / ulpAt(t);
}
