import { EngramError, describe, isEngramError } from "./errors.js";
import { type Learner, restoring } from "./learner.js";
import { pixels } from "./pixels.js";
import { decodeSnapshot } from "./snapshot.js";
import { instantiate, type ModuleSource, type Wasm } from "./wasm.js";

/** How to build a learner kind from its options (also used by `restore`). */
type Factory = (wasm: Wasm, options: unknown) => Learner;

/**
 * Every learner kind, by the name used in snapshots and as the factory method
 * on {@link Engram}. The conformance suite enumerates this table, so a new
 * learner without a conformance entry fails it. No prototype: a kind like
 * "constructor" (a typo, a crafted snapshot) is unknown, not an Object method.
 */
const FACTORIES: Record<string, Factory> = Object.create(null);

/**
 * @internal Registers a learner kind: `restore` can rebuild it and
 * `engram[kind](options)` builds it. Each learner module calls this once and
 * declares the method on {@link Engram} by module augmentation:
 *
 *     declare module "../engine.js" { interface Engram { hebbian(o: HebbianOptions): Hebbian } }
 *     defineLearner("hebbian", (wasm, o) => new Hebbian(wasm, o));
 */
export function defineLearner(kind: string, factory: Factory): void {
  FACTORIES[kind] = factory;
  Object.defineProperty(Engram.prototype, kind, {
    configurable: true,
    writable: true,
    value: function (this: Engram, options?: unknown) {
      return factory(this.wasm, options);
    },
  });
}

/**
 * Every learner kind by name: its options and its class. Each learner module adds its
 * entry by module augmentation, as it adds its factory method to {@link Engram}:
 *
 *     declare module "../engine.js" {
 *       interface LearnerKinds { hebbian: { options: HebbianOptions; learner: Hebbian } }
 *     }
 *
 * so `create` and `restore` are typed per kind.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LearnerKinds {}

/** A learner kind's name, e.g. `"forwardForward"`. */
export type LearnerKind = keyof LearnerKinds & string;

/** Any learner this package builds: a union discriminated by `kind`. */
export type AnyLearner = LearnerKinds[keyof LearnerKinds] extends { learner: infer L } ? L : never;

/** Options for {@link init}. */
export interface InitOptions {
  /**
   * Where to get engram.wasm from, when the host's default will not do: a
   * compiled `WebAssembly.Module` (required on Cloudflare Workers, which cannot
   * compile bytes at request time), its bytes, a URL or a Response.
   */
  module?: ModuleSource;
  /**
   * Which build to load: `true` engram.wasm (fixed-width SIMD), `false`
   * engram.scalar.wasm (no SIMD; the same bits, slower). Default: SIMD when the
   * engine validates a SIMD module, else the scalar build. Ignored when `module`
   * is given (that module runs; {@link Engram.simd} says which build it is).
   */
  simd?: boolean;
}

/**
 * An instance of the Engram engine: one WebAssembly instance whose memory
 * holds every learner made from it. Make one with `init()`.
 */
export class Engram {
  /** @internal */
  readonly wasm: Wasm;

  /** @internal Use `init()`. */
  constructor(wasm: Wasm) {
    this.wasm = wasm;
  }

  /** Whether this engine runs engram.wasm (SIMD) rather than engram.scalar.wasm; both give the same bits. */
  get simd(): boolean {
    return this.wasm.fn["simdBuild"]!() === 1;
  }

  /** The learner kinds this engine can build and restore. */
  get kinds(): string[] {
    return Object.keys(FACTORIES).sort();
  }

  /** Builds a learner by kind name with options (what `restore` uses); the same as `engram[kind](options)`. */
  create<K extends LearnerKind>(
    kind: K,
    options: LearnerKinds[K] extends { options: infer O } ? O : never,
  ): LearnerKinds[K] extends { learner: infer L } ? L : never;
  create(kind: string, options?: unknown): Learner;
  create(kind: string, options?: unknown): Learner {
    if (typeof kind !== "string")
      throw new EngramError("E_CONFIG", `a learner kind must be a string, got ${describe(kind)}`);
    const factory = FACTORIES[kind];
    if (!factory)
      throw new EngramError(
        "E_CONFIG",
        `unknown learner kind ${JSON.stringify(kind)}; known: ${this.kinds.join(", ")}`,
      );
    return factory(this.wasm, options);
  }

  /**
   * Brings back a learner from `save()` bytes, of any kind. A truncated,
   * corrupted, unknown-kind or future-version snapshot throws E_SNAPSHOT and
   * nothing is created. The result is a union of every learner class: narrow it by `kind`
   * (`if (l.kind === "forwardForward") …`), or name the kind you expect,
   * `engram.restore(bytes, "forwardForward")`, and a snapshot of another kind throws
   * E_SNAPSHOT.
   */
  restore(bytes: Uint8Array): AnyLearner;
  restore<K extends LearnerKind>(bytes: Uint8Array, kind: K): LearnerKinds[K] extends { learner: infer L } ? L : never;
  restore(bytes: Uint8Array, kind?: string): Learner {
    const parts = decodeSnapshot(bytes); // an owned copy, CRC-checked
    if (!FACTORIES[parts.kind])
      throw new EngramError("E_SNAPSHOT", `unknown learner kind ${JSON.stringify(parts.kind)} in snapshot`);
    if (kind !== undefined && parts.kind !== kind)
      throw new EngramError(
        "E_SNAPSHOT",
        `expected a ${JSON.stringify(kind)} snapshot, got a ${JSON.stringify(parts.kind)} one`,
      );
    let learner: Learner;
    try {
      // the config's implied state size is compared with the snapshot's before allocating
      learner = restoring(parts.state.length, () => this.create(parts.kind, parts.config));
    } catch (e) {
      if (isEngramError(e) && e.code === "E_CONFIG")
        throw new EngramError("E_SNAPSHOT", `the snapshot's config is invalid: ${e.message}`, { cause: e });
      throw e;
    }
    try {
      learner.loadState(parts.state);
    } catch (e) {
      learner.dispose();
      throw e;
    }
    return learner;
  }

  /** Pixel bytes as numbers in [0, 1] (`bytes[i] / 255`): see {@link pixels}. A Uint8Array passed to a learner is read unscaled. */
  pixels(bytes: Uint8Array | Uint8ClampedArray | readonly number[]): Float32Array {
    return pixels(bytes);
  }

  /** Bytes of WebAssembly memory in use by this engine (it grows, never shrinks). */
  get memoryBytes(): number {
    return this.wasm.memoryBytes;
  }
}

/**
 * @internal Reads `init`'s options once (own enumerable keys only, each read once) and
 * validates them: `module` (any {@link ModuleSource}) and `simd` (a boolean). Anything
 * else, or a getter that throws, is E_INIT. Bindings call this before loading anything.
 */
export function readInitOptions(options: unknown): { module: ModuleSource | undefined; simd: boolean | undefined } {
  if (options === undefined) return { module: undefined, simd: undefined };
  try {
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new EngramError("E_INIT", `init options must be an object like { module, simd }, got ${describe(options)}`);
    const keys = Object.keys(options);
    const unknown = keys.filter((k) => k !== "module" && k !== "simd");
    if (unknown.length)
      throw new EngramError("E_INIT", `init: unknown option '${unknown[0]}' (known: 'module', 'simd')`);
    const o = options as { module?: ModuleSource; simd?: unknown };
    const module = keys.includes("module") ? (o.module ?? undefined) : undefined;
    const simd = keys.includes("simd") ? o.simd : undefined;
    if (simd !== undefined && typeof simd !== "boolean")
      throw new EngramError("E_INIT", `init: option 'simd' must be true or false, got ${describe(simd)}`);
    return { module, simd };
  } catch (e) {
    if (isEngramError(e)) throw e;
    throw new EngramError("E_INIT", "init options could not be read: reading them threw (see cause)", { cause: e });
  }
}

/** @internal The module source `init` was given, if any (see {@link readInitOptions}). */
export function moduleOption(options: unknown): ModuleSource | undefined {
  return readInitOptions(options).module;
}

/** Instantiates the engine from any module source. Bindings call this. */
export async function createEngram(source: ModuleSource): Promise<Engram> {
  return new Engram(await instantiate(source));
}
