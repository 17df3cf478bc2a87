/**
 * Stable error codes. Each names what went wrong in a way a program can act on;
 * the message says what was expected and what arrived.
 */
export type EngramErrorCode =
  | "E_SHAPE" // an input has the wrong length
  | "E_NONFINITE" // an input holds NaN or ±Infinity
  | "E_LABEL" // a label is not an integer in [0, classes)
  | "E_TYPE" // a value is of the wrong type (null, a string, ...)
  | "E_CONFIG" // an option is missing, out of range or unknown
  | "E_SNAPSHOT" // a snapshot is truncated, corrupted, of an unknown kind or a future version
  | "E_DISPOSED" // the learner was disposed
  | "E_MEMORY" // the host cannot give the memory the learner needs
  | "E_INIT" // the WebAssembly module could not be obtained or instantiated
  | "E_INTERNAL"; // a trap inside the module: a bug, please report it

// Every EngramError made by this library, so a catch can tell ours from a foreign
// value without `instanceof` (which runs a thrown Proxy's getPrototypeOf trap).
const made = new WeakSet<object>();

/** The one error type Engram throws. `code` is stable across versions. */
export class EngramError extends Error {
  /** Stable machine-readable code. */
  readonly code: EngramErrorCode;

  constructor(code: EngramErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = "EngramError";
    this.code = code;
    made.add(this);
  }
}

/** True for an EngramError this library made. Runs no user code, whatever `e` is. */
export function isEngramError(e: unknown): e is EngramError {
  return typeof e === "object" && e !== null && made.has(e);
}

const TypedArrayProto: object = Object.getPrototypeOf(Uint8Array.prototype);
const taTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag)!.get!;
const taLength = Object.getOwnPropertyDescriptor(TypedArrayProto, "length")!.get!;

/**
 * Short description of a value for error messages. Runs no user code: no getter,
 * no proxy trap, no toString (a typed array's kind and length come from its
 * internal slots; an array's length is not read, a proxy's could be a getter).
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value !== "object") return typeof value;
  const kind = Reflect.apply(taTag, value, []) as string | undefined;
  if (kind !== undefined) return `a ${kind} of length ${Reflect.apply(taLength, value, []) as number}`;
  try {
    return Array.isArray(value) ? "an array" : "an object";
  } catch {
    return "a revoked proxy";
  }
}
