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

/** The one error type Engram throws. `code` is stable across versions. */
export class EngramError extends Error {
  /** Stable machine-readable code. */
  readonly code: EngramErrorCode;

  constructor(code: EngramErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = "EngramError";
    this.code = code;
  }
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value;
}
