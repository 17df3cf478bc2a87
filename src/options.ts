import { EngramError, describe } from "./errors.js";
import { readUserData, typedKind } from "./input.js";

/** Most keys an options object may have (a typo list longer than this is not a config). */
const MAX_KEYS = 64;
/** @internal Most entries of a `sizes` list: deeper is surely a mistake, and it bounds every per-layer sum. */
export const MAX_LAYERS = 1024;

/**
 * Option validation. The constructor reads the user's options object ONCE: its own
 * enumerable properties (never inherited ones, never a literal `__proto__` key
 * silently), each read once into a record the library owns; a getter or proxy that
 * throws is E_CONFIG. Each reader then validates one key of that copy and returns
 * the value or throws E_CONFIG naming the option. `null` is never "the default".
 * @internal
 */
export class Options {
  private readonly seen = new Set<string>();
  private readonly own: Record<string, unknown> = Object.create(null);

  constructor(
    private readonly learner: string,
    opts: unknown,
  ) {
    if (opts === undefined) return;
    readUserData(`${learner} options`, "E_CONFIG", () => {
      if (opts === null || typeof opts !== "object" || Array.isArray(opts) || typedKind(opts) !== undefined) {
        throw new EngramError("E_CONFIG", `${learner} options must be an object, got ${describe(opts)}`);
      }
      const keys = Object.keys(opts);
      if (keys.length > MAX_KEYS)
        throw new EngramError("E_CONFIG", `${learner}: options must have at most ${MAX_KEYS} keys, got ${keys.length}`);
      for (const k of keys) this.own[k] = (opts as Record<string, unknown>)[k];
    });
  }

  private raw(key: string): unknown {
    this.seen.add(key);
    return this.own[key];
  }

  private fail(key: string, want: string, got: unknown): never {
    throw new EngramError("E_CONFIG", `${this.learner}: option '${key}' must be ${want}, got ${describe(got)}`);
  }

  private value<T>(key: string, dflt: T | undefined): unknown {
    const v = this.raw(key);
    return v === undefined ? dflt : v;
  }

  /** An integer in [min, max]. */
  int(key: string, dflt: number | undefined, min: number, max: number): number {
    const v = this.value(key, dflt);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
      this.fail(key, `an integer in [${min}, ${max}]`, v);
    return v;
  }

  /** A finite number in [min, max] (strictly above `min` when `openMin`). */
  num(key: string, dflt: number | undefined, min: number, max: number, openMin = false, openMax = false): number {
    const v = this.value(key, dflt);
    if (
      typeof v !== "number" ||
      !Number.isFinite(v) ||
      (openMax ? v >= max : v > max) ||
      (openMin ? v <= min : v < min)
    ) {
      this.fail(key, `a number in ${openMin ? "(" : "["}${min}, ${max}${openMax ? ")" : "]"}`, v);
    }
    return v;
  }

  /** One of the listed strings. */
  oneOf<T extends string>(key: string, dflt: T | undefined, allowed: readonly T[]): T {
    const v = this.value(key, dflt);
    if (typeof v !== "string" || !allowed.includes(v as T))
      this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, v);
    return v as T;
  }

  /** A boolean. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.value(key, dflt);
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
    return v;
  }

  /**
   * A list of `minLen` to `maxLen` integers, each in [1, maxEach], read once (`length`
   * once, each index once) into an owned array. A hole, a non-integer or a lying
   * length is E_CONFIG.
   */
  sizes(
    key: string,
    dflt: readonly number[] | undefined,
    minLen: number,
    maxEach: number,
    maxLen = MAX_LAYERS,
  ): number[] {
    const v = this.value(key, dflt);
    const want = `an array of ${minLen} to ${maxLen} integers in [1, ${maxEach}]`;
    return readUserData(`${this.learner}: option '${key}'`, "E_CONFIG", () => {
      if (typeof v !== "object" || v === null || !Array.isArray(v)) this.fail(key, want, v);
      const len: unknown = v.length;
      if (typeof len !== "number" || !Number.isInteger(len) || len < minLen || len > maxLen)
        this.fail(key, `${want} (got length ${describe(len)})`, v);
      const out: number[] = [];
      for (let i = 0; i < len; i++) {
        const s: unknown = v[i];
        if (typeof s !== "number" || !Number.isInteger(s) || s < 1 || s > maxEach)
          this.fail(key, `${want} (entry ${i} is ${s === undefined ? "missing" : describe(s)})`, v);
        out.push(s);
      }
      return out;
    });
  }

  /** Whether `key` was given (not undefined) in the owned copy; does not count as reading it. */
  given(key: string): boolean {
    return this.own[key] !== undefined;
  }

  /** A nested options object (or undefined when absent), to be read by its own `Options`. */
  object(key: string): Record<string, unknown> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (
      v === null ||
      typeof v !== "object" ||
      readUserData(`${this.learner}: option '${key}'`, "E_CONFIG", () => Array.isArray(v))
    )
      this.fail(key, "an object", v);
    return v as Record<string, unknown>;
  }

  /** Throws E_CONFIG on any option that was never read: a typo must not pass silently. */
  done(): void {
    for (const key of Object.keys(this.own)) {
      if (!this.seen.has(key)) throw new EngramError("E_CONFIG", `${this.learner}: unknown option '${key}'`);
    }
  }
}

/** @internal The largest layer width any learner accepts; bigger is surely a mistake. */
export const MAX_UNITS = 1 << 20;
/** @internal The largest number of parameters of one learner (1 GiB of f32). */
export const MAX_PARAMS = 1 << 28;

/** @internal Throws E_MEMORY when a configuration needs more parameters than a learner may hold. */
export function checkParams(learner: string, params: number): void {
  if (params > MAX_PARAMS) {
    throw new EngramError(
      "E_MEMORY",
      `${learner}: this configuration needs ${params} parameters (${((params * 4) / 2 ** 30).toFixed(1)} GiB), more than the ${MAX_PARAMS} a WebAssembly learner can hold`,
    );
  }
}

/** @internal Largest block one learner may hold (2 GiB): every 32-bit size sum inside wasm then stays exact. */
export const MAX_LEARNER_BYTES = 2 ** 31;
