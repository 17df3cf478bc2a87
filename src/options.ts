import { EngramError, describe } from "./errors.js";

/**
 * Option validation. Each reader takes the user's options object, a key, and
 * its rules, and returns the value or throws E_CONFIG naming the option.
 * @internal
 */
export class Options {
  private readonly seen = new Set<string>();

  constructor(
    private readonly learner: string,
    private readonly opts: unknown,
  ) {
    if (opts === undefined) this.opts = {};
    else if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
      throw new EngramError("E_CONFIG", `${learner} options must be an object, got ${describe(opts)}`);
    }
  }

  private raw(key: string): unknown {
    this.seen.add(key);
    return (this.opts as Record<string, unknown>)[key];
  }

  private fail(key: string, want: string, got: unknown): never {
    throw new EngramError("E_CONFIG", `${this.learner}: option '${key}' must be ${want}, got ${describe(got)}`);
  }

  /** An integer in [min, max]. */
  int(key: string, dflt: number | undefined, min: number, max: number): number {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) this.fail(key, `an integer in [${min}, ${max}]`, v);
    return v;
  }

  /** A finite number in [min, max] (strictly above `min` when `openMin`). */
  num(key: string, dflt: number | undefined, min: number, max: number, openMin = false, openMax = false): number {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || (openMax ? v >= max : v > max) || (openMin ? v <= min : v < min)) {
      this.fail(key, `a number in ${openMin ? "(" : "["}${min}, ${max}${openMax ? ")" : "]"}`, v);
    }
    return v;
  }

  /** One of the listed strings. */
  oneOf<T extends string>(key: string, dflt: T | undefined, allowed: readonly T[]): T {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== "string" || !allowed.includes(v as T)) this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, v);
    return v as T;
  }

  /** A boolean. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.raw(key) ?? dflt;
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
    return v;
  }

  /** A list of at least `minLen` integers, each in [1, maxEach]. */
  sizes(key: string, dflt: readonly number[] | undefined, minLen: number, maxEach: number): number[] {
    const v = this.raw(key) ?? dflt;
    if (!Array.isArray(v) || v.length < minLen || !v.every((s) => typeof s === "number" && Number.isInteger(s) && s >= 1 && s <= maxEach)) {
      this.fail(key, `an array of at least ${minLen} integers in [1, ${maxEach}]`, v);
    }
    return v.slice();
  }

  /** A nested options object (or undefined when absent). */
  object(key: string): Record<string, unknown> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.fail(key, "an object", v);
    return v as Record<string, unknown>;
  }

  /** Throws E_CONFIG on any option that was never read: a typo must not pass silently. */
  done(): void {
    for (const key of Object.keys(this.opts as object)) {
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
    throw new EngramError("E_MEMORY", `${learner}: this configuration needs ${params} parameters (${(params * 4 / 2 ** 30).toFixed(1)} GiB), more than the ${MAX_PARAMS} a WebAssembly learner can hold`);
  }
}
