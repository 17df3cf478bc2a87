import { EngramError, describe } from "./errors.js";
import { copyTyped, readUserData, typedKind } from "./input.js";

const isArray = Array.isArray;
const isInteger = Number.isInteger;

/**
 * 8-bit pixel intensities as numbers in [0, 1]: a new Float32Array holding `bytes[i] / 255`.
 * Learners read a Uint8Array as the numbers 0…255 (counts, binary features); images whose
 * models expect [0, 1] go through this first, e.g. `ff.learn(engram.pixels(image), label)`.
 * Each value is the correctly rounded float32 of i / 255, the same on every host.
 * `bytes` is read once (a typed array through the intrinsics, an array index by index).
 */
export function pixels(bytes: Uint8Array | Uint8ClampedArray | readonly number[]): Float32Array {
  const kind = typedKind(bytes);
  const bad = () =>
    new EngramError(
      "E_TYPE",
      `pixels() takes a Uint8Array, Uint8ClampedArray or number[] of values in 0…255, got ${describe(bytes)}`,
    );
  if (kind !== undefined) {
    if (kind !== "Uint8Array" && kind !== "Uint8ClampedArray") throw bad();
    const own = copyTyped(bytes as object, kind);
    const n = own.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = own[i]! / 255;
    return out;
  }
  if (!isArray(bytes)) throw bad();
  return readUserData("pixels()", "E_TYPE", () => {
    const len: unknown = (bytes as { length?: unknown }).length;
    if (typeof len !== "number" || !isInteger(len) || len < 0) throw bad();
    const out = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const v: unknown = (bytes as Record<number, unknown>)[i];
      if (typeof v !== "number" || !isInteger(v) || v < 0 || v > 255)
        throw new EngramError("E_TYPE", `pixels()[${i}] must be an integer in 0…255, got ${describe(v)}`);
      out[i] = v / 255;
    }
    return out;
  });
}
