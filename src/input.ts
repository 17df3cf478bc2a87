import { EngramError, describe, isEngramError } from "./errors.js";

/**
 * What a sample may be: float32 or float64 values, plain numbers, or bytes (a Uint8Array is
 * read as the numbers 0…255, unscaled: for pixel intensities in [0, 1] pass `engram.pixels(bytes)`).
 */
export type Vector = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray | readonly number[];

/** A label: an integer class index in [0, classes). */
export type Label = number;

// The boundary (docs/boundary.md): every input is read ONCE into an array the
// library owns, then validated on that copy. A genuine typed array is read through
// the %TypedArray% intrinsics captured here, at module load: they read the internal
// slots, so a redefined own `length`, a subclass or a tampered prototype cannot lie
// to them, and they run no user code. Anything else (plain arrays, proxies) is read
// as the plain object it pretends to be: `length` once, each index once.
const TypedArrayProto: object = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TypedArrayProto, key)!.get!;
const taTag = intrinsic(Symbol.toStringTag);
const taLength = intrinsic("length");
const taSet = (TypedArrayProto as { set: (src: ArrayLike<number>, at?: number) => void }).set;
const apply = Reflect.apply;
const isArray = Array.isArray;
const getPrototypeOf = Object.getPrototypeOf;
const fround = Math.fround;
const isInteger = Number.isInteger;

/** Typed-array constructors by the name their internal slot reports. */
const TYPED: Record<string, { new (n: number): ArrayLike<number> & { [i: number]: number }; prototype: object }> =
  Object.assign(Object.create(null), {
    Float32Array,
    Float64Array,
    Uint8Array,
    Uint8ClampedArray,
    Int8Array,
    Uint16Array,
    Int16Array,
    Uint32Array,
    Int32Array,
  });

/** @internal The typed-array kind of `x` ("Float32Array", ...) from its internal slot, or undefined. Runs no user code. */
export function typedKind(x: unknown): string | undefined {
  return typeof x === "object" && x !== null ? (apply(taTag, x, []) as string | undefined) : undefined;
}

/** @internal The length of a genuine typed array from its internal slot (ignores a redefined own `length`). */
export function typedLength(x: object): number {
  return apply(taLength, x, []) as number;
}

/** @internal A copy, owned by the library, of a genuine typed array of kind `kind` (its bytes copied once, through the intrinsic). */
export function copyTyped(x: object, kind: string): ArrayLike<number> & { [i: number]: number } {
  const len = typedLength(x);
  const own = new TYPED[kind]!(len);
  apply(taSet, own, [x]);
  return own;
}

/**
 * What a non-typed-array value pretends to be: "array" for arrays (and proxies of
 * them), a typed-array kind for proxies or objects whose prototype is a typed
 * array's, else undefined. May run a proxy's getPrototypeOf trap, once.
 */
function pretends(x: unknown): string | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  if (isArray(x)) return "array";
  const proto: unknown = getPrototypeOf(x);
  for (const k in TYPED) if (TYPED[k]!.prototype === proto) return k;
  return undefined;
}

/** @internal Runs `read` (which may run user code: getters, proxy traps); a foreign exception becomes EngramError `code` with the cause attached. */
export function readUserData<T>(what: string, code: "E_TYPE" | "E_CONFIG" | "E_SNAPSHOT", read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (isEngramError(e)) throw e;
    throw new EngramError(code, `${what} could not be read: reading it threw (see cause); it must be plain data`, {
      cause: e,
    });
  }
}

/** A length read from a plain object: must be a non-negative integer. */
function plainLength(x: object, what: string): number {
  const len: unknown = (x as { length?: unknown }).length;
  if (typeof len !== "number" || !isInteger(len) || len < 0 || len > 2 ** 32 - 1) {
    throw new EngramError("E_SHAPE", `${what} must have a length that is a non-negative integer, got ${describe(len)}`);
  }
  return len;
}

/** @internal Largest number of values one call may pass (1 GiB of float32): more is E_MEMORY before anything is read. */
export const MAX_INPUT_VALUES = 2 ** 28;

/**
 * Reads `x` once into a Float32Array the library owns and validates it there:
 * a genuine Float32Array, Float64Array, Uint8Array or Uint8ClampedArray (bytes
 * read as 0…255, unscaled), a number[] or an object pretending to be one of these (read
 * as a plain object: `length` once, each index once). `checkLength(len)` runs on
 * the length before any value is read (so a lying or huge length costs nothing).
 * Throws E_TYPE, E_SHAPE, E_NONFINITE or E_MEMORY naming `what`.
 * @internal
 */
export function readVector(x: unknown, what: string, checkLength: (len: number) => void): Float32Array {
  const kind = typedKind(x);
  if (kind !== undefined) {
    if (kind !== "Float32Array" && kind !== "Float64Array" && kind !== "Uint8Array" && kind !== "Uint8ClampedArray")
      throw wrongType(x, what);
    const len = typedLength(x as object);
    checkLength(len);
    return toF32(
      readUserData(what, "E_TYPE", () => copyTyped(x as object, kind)),
      kind,
      what,
    );
  }
  return readUserData(what, "E_TYPE", () => {
    const as = pretends(x);
    if (
      as === undefined ||
      (as !== "array" &&
        as !== "Float32Array" &&
        as !== "Float64Array" &&
        as !== "Uint8Array" &&
        as !== "Uint8ClampedArray")
    )
      throw wrongType(x, what);
    const len = plainLength(x as object, what);
    checkLength(len);
    // each value is checked as it is read (a primitive: it cannot change afterwards), so a
    // hole or junk fails at once, before memory for a huge claimed length is committed
    const vals: number[] = [];
    for (let i = 0; i < len; i++) vals.push(checkValue((x as Record<number, unknown>)[i], i, as, what, true));
    const out = new Float32Array(len);
    for (let i = 0; i < len; i++) out[i] = vals[i]!;
    return out;
  });
}

/**
 * The fast path for a genuine typed array: takes its length once (the intrinsic),
 * checks it, then `place(len)` returns where the values go (an f32 view the library
 * owns, e.g. wasm memory, and an index), and the values are copied straight there and
 * validated there. No user code can run at any step: a genuine typed array has no
 * getters. Returns false (nothing read) when `x` is not a genuine typed array of an
 * accepted kind; then use `readVector`. The destination may hold partial values
 * after a throw: it must be scratch, never learner state.
 * @internal
 */
export function readTypedInto(
  x: unknown,
  what: string,
  checkLength: (len: number) => void,
  place: (len: number) => [Float32Array, number],
): boolean {
  const kind = typedKind(x);
  if (kind !== "Float32Array" && kind !== "Float64Array" && kind !== "Uint8Array" && kind !== "Uint8ClampedArray")
    return false;
  const len = typedLength(x as object);
  checkLength(len);
  const [dst, at] = place(len);
  if (kind === "Float32Array" || kind === "Float64Array") {
    readUserData(what, "E_TYPE", () => apply(taSet, dst, [x, at])); // f64 → f32 rounds as fround does
    const i = firstNonFinite(dst, at, len);
    if (i >= 0) throw nonFinite(what, i, (x as Float64Array)[i]!);
  } else if (kind === "Uint8Array") bytesInto(x as Uint8Array, dst, at);
  else clampedInto(x as Uint8ClampedArray, dst, at);
  return true;
}

/** Index (from `at`) of the first non-finite of `len` values, or −1. */
function firstNonFinite(f: Float32Array, at: number, len: number): number {
  let bad = 0;
  for (let i = at, end = at + len; i < end; i++) bad += f[i]! - f[i]! === 0 ? 0 : 1; // branch-free: the common case has none
  if (bad === 0) return -1;
  for (let i = 0; i < len; i++) if (f[at + i]! - f[at + i]! !== 0) return i;
  return -1;
}

function bytesInto(a: Uint8Array, dst: Float32Array, at: number): void {
  const n = typedLength(a);
  for (let i = 0; i < n; i++) dst[at + i] = a[i]!;
}

function clampedInto(a: Uint8ClampedArray, dst: Float32Array, at: number): void {
  const n = typedLength(a);
  for (let i = 0; i < n; i++) dst[at + i] = a[i]!;
}

function wrongType(x: unknown, what: string): EngramError {
  return new EngramError(
    "E_TYPE",
    `${what} must be a Float32Array, Float64Array, Uint8Array or number[], got ${describe(x)}`,
  );
}

/** Validates an owned copy of a genuine typed array and converts it to f32 (bytes as 0…255, unscaled). */
function toF32(own: ArrayLike<number>, kind: string, what: string): Float32Array {
  // one monomorphic loop per element type: a shared loop over mixed types is several times slower
  if (kind === "Float32Array") return finiteF32(own as Float32Array, what);
  if (kind === "Float64Array") return fromF64(own as Float64Array, what);
  return kind === "Uint8Array" ? fromBytes(own as Uint8Array) : fromClamped(own as Uint8ClampedArray);
}

/** Our own copy of a Float32Array, validated in place and handed on as it is. */
function finiteF32(f: Float32Array, what: string): Float32Array {
  const n = f.length;
  for (let i = 0; i < n; i++) {
    const v = f[i]!;
    if (v - v !== 0) throw nonFinite(what, i, v);
  }
  return f;
}

function fromF64(a: Float64Array, what: string): Float32Array {
  const n = a.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // A finite float64 beyond f32 range becomes ±Infinity in f32: reject it too.
    const f = fround(a[i]!);
    if (f - f !== 0) throw nonFinite(what, i, a[i]!);
    out[i] = f;
  }
  return out;
}

// genuine bytes: integers in [0, 255], always finite
function fromBytes(a: Uint8Array): Float32Array {
  const n = a.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]!;
  return out;
}

function fromClamped(a: Uint8ClampedArray): Float32Array {
  const n = a.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]!;
  return out;
}

/** One value read from an input of kind `kind`, checked and as f32 (bytes as 0…255, unscaled). `plain`: it came from user code. */
function checkValue(v: unknown, i: number, kind: string, what: string, plain: boolean): number {
  if (typeof v !== "number") throw new EngramError("E_TYPE", `${what}[${i}] must be a number, got ${describe(v)}`);
  if (kind === "Uint8Array" || kind === "Uint8ClampedArray") {
    // a genuine byte array holds integers in [0, 255]; an object pretending to be one must too
    if (plain && !(isInteger(v) && v >= 0 && v <= 255)) {
      if (v - v !== 0) throw nonFinite(what, i, v);
      throw new EngramError("E_TYPE", `${what}[${i}] must be a byte (an integer in [0, 255]), got ${v}`);
    }
    return v; // a byte is exact in f32
  }
  // A finite float64 beyond f32 range becomes ±Infinity in f32: reject it too.
  const f = fround(v);
  if (f - f !== 0) throw nonFinite(what, i, v);
  return f;
}

function nonFinite(what: string, i: number, v: number): EngramError {
  return new EngramError("E_NONFINITE", `${what}[${i}] must be finite (within float32 range), got ${v}`);
}

/** @internal A length check for `readVector`: exactly `n` values. */
export function exactly(n: number, what: string): (len: number) => void {
  return (len) => {
    if (len !== n) throw new EngramError("E_SHAPE", `${what} must have length ${n}, got length ${len}`);
  };
}

/**
 * Reads `x` once, checks it holds exactly `n` finite values and writes it as f32
 * into `dst` from index `at`. Prefer `Learner.input`: `dst` must be a view taken
 * AFTER this returns' caller has no other user code to run (a getter in `x` may
 * grow memory and detach a view taken before). Kept for old callers.
 * @deprecated use the Learner base class's `input(x, n, what, rows)`.
 * @internal
 */
export function writeVector(dst: Float32Array, at: number, x: unknown, n: number, what: string): void {
  dst.set(readVector(x, what, exactly(n, what)), at);
}

/** @internal Checks a label is an integer in [0, classes); returns it. Runs no user code (typeof first). */
export function checkLabel(label: unknown, classes: number, what = "label"): number {
  if (typeof label !== "number" || !isInteger(label) || label < 0 || !(label < classes)) {
    throw new EngramError("E_LABEL", `${what} must be an integer in [0, ${classes}), got ${describe(label)}`);
  }
  return label;
}

const LABEL_KINDS = ["Uint8Array", "Int32Array", "Uint32Array", "Uint16Array", "Float64Array", "Float32Array"];

/**
 * Reads a batch of labels once into an array the library owns: `count`
 * integers in [0, classes). Returns that owned copy (a Uint32Array): pass it on,
 * never the caller's array. A genuine typed array is read through the intrinsics,
 * anything else as a plain object (`length` once, each index once).
 * @internal
 */
export function checkLabels(labels: unknown, count: number, classes: number): Uint32Array {
  const kind = typedKind(labels);
  const shape = (len: number) => {
    if (len !== count)
      throw new EngramError("E_SHAPE", `labels must have length ${count} (one per sample), got ${len}`);
  };
  const own: ArrayLike<unknown> = readUserData("labels", "E_TYPE", () => {
    if (kind !== undefined) {
      if (!LABEL_KINDS.includes(kind))
        throw new EngramError("E_TYPE", `labels must be an array of ${count} integers, got ${describe(labels)}`);
      shape(typedLength(labels as object));
      return copyTyped(labels as object, kind);
    }
    const as = pretends(labels);
    if (as === undefined || (as !== "array" && !LABEL_KINDS.includes(as)))
      throw new EngramError("E_TYPE", `labels must be an array of ${count} integers, got ${describe(labels)}`);
    const len = plainLength(labels as object, "labels");
    shape(len);
    const out = new Uint32Array(len);
    for (let i = 0; i < len; i++) out[i] = checkLabel((labels as Record<number, unknown>)[i], classes, `labels[${i}]`);
    return out;
  });
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = checkLabel(own[i], classes, `labels[${i}]`);
  return out;
}

// The batch read by the last `batchRows`, handed to the `Learner.input` call of the
// same method so the batch is read once. See `takeBatch`.
let pending: { src: object; data: Float32Array } | undefined;

/**
 * Number of rows in a row-major batch of `width`-wide samples; throws E_SHAPE if
 * ragged or empty, E_MEMORY if absurdly large. Reads `xs` once (into an owned
 * copy that the method's `Learner.input(xs, width, what, rows)` then uses).
 * @internal
 */
export function batchRows(xs: unknown, width: number, maxRows = Infinity, what = "xs"): number {
  pending = undefined;
  const data = readVector(xs, what, (len) => {
    if (len === 0 || len % width !== 0)
      throw new EngramError(
        "E_SHAPE",
        `${what} must hold a whole number (≥ 1) of rows of ${width} values, got ${len} values`,
      );
    if (len / width > maxRows)
      throw new EngramError(
        "E_SHAPE",
        `${what} holds ${len / width} rows of ${width} values; one call takes at most ${maxRows}`,
      );
    checkBudget(len, what);
  });
  pending = { src: xs as object, data };
  return data.length / width;
}

/** @internal Throws E_MEMORY when `values` floats are more than one call may pass. */
export function checkBudget(values: number, what: string): void {
  if (values > MAX_INPUT_VALUES) {
    throw new EngramError(
      "E_MEMORY",
      `${what} holds ${values} values; one call takes at most ${MAX_INPUT_VALUES} (1 GiB of float32)`,
    );
  }
}

/** @internal The copy `batchRows` just read of `src`, if it holds `values` floats; consumed once. */
export function takeBatch(src: unknown, values: number): Float32Array | undefined {
  const p = pending;
  pending = undefined;
  return p !== undefined && p.src === src && p.data.length === values ? p.data : undefined;
}
