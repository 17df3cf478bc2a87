// Float64 helpers for the exact-step tests in test/rules/: each test writes the
// published equation of its rule with these, from the learner's own parameters
// before one step, and compares the learner's step with it. Nothing here comes
// from the library: state is read through the documented snapshot format
// (docs/snapshot-format.md) and random feedback is regenerated from the
// documented seed stream.
import { expect } from "vitest";
import { decodeSnapshot } from "../../src/snapshot.js";
import { Stream } from "../conformance/hash.js";

export type Mat = number[][];

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
export const matvec = (W: Mat, x: ArrayLike<number>): number[] => W.map((w) => dot(w, x));
/** Wᵀ d for W (rows × cols). */
export const matvecT = (W: Mat, d: ArrayLike<number>): number[] =>
  W[0]!.map((_, j) => W.reduce((s, w, i) => s + w[j]! * d[i]!, 0));
export const softmax = (z: number[]): number[] => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
export const argmax = (v: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
};
export const norm = (v: ArrayLike<number>): number => Math.sqrt(dot(v, v));

/** Rows × cols matrix from a row-major array. */
export function rows(a: ArrayLike<number>, r: number, c: number, at = 0): Mat {
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => a[at + i * c + j]!));
}

/** f32 words of a learner's persisted state (docs/snapshot-format.md). */
export function stateF32(snapshot: Uint8Array): Float32Array {
  const s = decodeSnapshot(snapshot).state;
  return new Float32Array(s.buffer.slice(s.byteOffset, s.byteOffset + (s.byteLength & ~3)));
}

/** Floats of a block of n floats padded to 16 bytes, as every state block is. */
export const pad4 = (n: number): number => (n + 3) & ~3;

/** n floats lo + (hi − lo)·u in f32 from the module's xoshiro128** (assembly/kernels/prng.ts rngFillUniform). */
export function uniformF32(s: Stream, n: number, lo: number, hi: number): number[] {
  const w = Math.fround(hi - lo);
  return Array.from({ length: n }, () => Math.fround(lo + Math.fround(w * ((s.u32() >>> 8) * 2 ** -24))));
}

/**
 * The largest difference between the step a learner took (after − before) and the reference
 * step, as a fraction of the reference step's largest entry: f32 rounding gives ~1e-6.
 */
export function stepError(before: ArrayLike<number>, after: ArrayLike<number>, ref: ArrayLike<number>): number {
  let err = 0,
    size = 0;
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i]! - before[i]!,
      got = after[i]! - before[i]!;
    err = Math.max(err, Math.abs(got - want));
    size = Math.max(size, Math.abs(want));
  }
  return size === 0 ? (err === 0 ? 0 : Infinity) : err / size;
}

/** Asserts the learner's step (before → after) is the reference step (before → ref) to f32 rounding. */
export function expectStep(
  what: string,
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  ref: ArrayLike<number>,
  tol = 1e-4,
): void {
  expect(before.length, what).toBe(ref.length);
  expect(stepError(before, after, ref), `${what}: step differs from the published equation`).toBeLessThan(tol);
}

export const flat = (m: Mat): number[] => m.flat();
export { Stream };
