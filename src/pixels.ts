import { EngramError, describe } from "./errors.js";

/**
 * 8-bit pixel intensities as numbers in [0, 1]: a new Float32Array holding `bytes[i] / 255`.
 * Learners read a Uint8Array as the numbers 0…255 (counts, binary features); images whose
 * models expect [0, 1] go through this first, e.g. `ff.learn(engram.pixels(image), label)`.
 * Each value is the correctly rounded float32 of i / 255, the same on every host.
 */
export function pixels(bytes: Uint8Array | Uint8ClampedArray | readonly number[]): Float32Array {
  const ok = bytes instanceof Uint8Array || bytes instanceof Uint8ClampedArray || Array.isArray(bytes);
  if (!ok) throw new EngramError("E_TYPE", `pixels() takes a Uint8Array, Uint8ClampedArray or number[] of values in 0…255, got ${describe(bytes)}`);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) throw new EngramError("E_TYPE", `pixels()[${i}] must be an integer in 0…255, got ${describe(v)}`);
    out[i] = v / 255;
  }
  return out;
}
