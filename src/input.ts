import { EngramError, describe } from "./errors.js";

/**
 * What a sample may be: float32 or float64 values, plain numbers, or bytes (a Uint8Array is
 * read as the numbers 0…255, unscaled: for pixel intensities in [0, 1] pass `engram.pixels(bytes)`).
 */
export type Vector = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray | readonly number[];

/** A label: an integer class index in [0, classes). */
export type Label = number;

function isVector(x: unknown): x is Vector {
  return Array.isArray(x) || x instanceof Float32Array || x instanceof Float64Array || x instanceof Uint8Array || x instanceof Uint8ClampedArray;
}

/**
 * Checks `x` holds exactly `n` finite values (times `rows`, for a batch) and
 * writes it as f32 into `dst` starting at index `at`. Throws E_TYPE, E_SHAPE or
 * E_NONFINITE naming `what`; `dst` may be partly written then, so callers
 * write into scratch, never into learner state.
 * @internal
 */
export function writeVector(dst: Float32Array, at: number, x: unknown, n: number, what: string): void {
  if (!isVector(x)) {
    throw new EngramError("E_TYPE", `${what} must be a Float32Array, Float64Array, Uint8Array or number[] of length ${n}, got ${describe(x)}`);
  }
  if (x.length !== n) {
    throw new EngramError("E_SHAPE", `${what} must have length ${n}, got length ${x.length}`);
  }
  if (x instanceof Uint8Array || x instanceof Uint8ClampedArray) {
    for (let i = 0; i < n; i++) dst[at + i] = x[i]!;
    return;
  }
  if (x instanceof Float32Array) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v - v !== 0) throw nonFinite(what, i, v);
    }
    dst.set(x, at);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== "number") throw new EngramError("E_TYPE", `${what}[${i}] must be a number, got ${describe(v)}`);
    // A finite float64 beyond f32 range becomes ±Infinity in f32: reject it too.
    const f = Math.fround(v);
    if (f - f !== 0) throw nonFinite(what, i, v);
    dst[at + i] = f;
  }
}

function nonFinite(what: string, i: number, v: number): EngramError {
  return new EngramError("E_NONFINITE", `${what}[${i}] must be finite (within float32 range), got ${v}`);
}

/** @internal Checks a label is an integer in [0, classes); returns it. */
export function checkLabel(label: unknown, classes: number, what = "label"): number {
  if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label >= classes) {
    throw new EngramError("E_LABEL", `${what} must be an integer in [0, ${classes}), got ${describe(label)}`);
  }
  return label;
}

/** @internal Checks a batch of labels: `count` integers in [0, classes). */
export function checkLabels(labels: unknown, count: number, classes: number): ArrayLike<number> {
  const ok = Array.isArray(labels) || labels instanceof Uint8Array || labels instanceof Int32Array || labels instanceof Uint32Array || labels instanceof Uint16Array || labels instanceof Float64Array || labels instanceof Float32Array;
  if (!ok) throw new EngramError("E_TYPE", `labels must be an array of ${count} integers, got ${describe(labels)}`);
  const ls = labels as ArrayLike<unknown>;
  if (ls.length !== count) throw new EngramError("E_SHAPE", `labels must have length ${count} (one per sample), got ${ls.length}`);
  for (let i = 0; i < count; i++) checkLabel(ls[i], classes, `labels[${i}]`);
  return ls as ArrayLike<number>;
}

/** @internal Number of rows in a row-major batch of `width`-wide samples; throws E_SHAPE if ragged. */
export function batchRows(xs: unknown, width: number): number {
  if (!isVector(xs)) throw new EngramError("E_TYPE", `xs must be a Float32Array, Uint8Array or number[] holding n*${width} values row-major, got ${describe(xs)}`);
  if (xs.length === 0 || xs.length % width !== 0) {
    throw new EngramError("E_SHAPE", `xs must hold a whole number (≥ 1) of samples of ${width} values, got ${xs.length} values`);
  }
  return xs.length / width;
}
