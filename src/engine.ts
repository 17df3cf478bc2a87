import { EngramError } from "./errors.js";
import type { Learner } from "./learner.js";
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
  create<K extends LearnerKind>(kind: K, options: LearnerKinds[K] extends { options: infer O } ? O : never): LearnerKinds[K] extends { learner: infer L } ? L : never;
  create(kind: string, options?: unknown): Learner;
  create(kind: string, options?: unknown): Learner {
    const factory = FACTORIES[kind];
    if (!factory) throw new EngramError("E_CONFIG", `unknown learner kind ${JSON.stringify(kind)}; known: ${this.kinds.join(", ")}`);
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
    const parts = decodeSnapshot(bytes);
    if (!FACTORIES[parts.kind]) throw new EngramError("E_SNAPSHOT", `unknown learner kind ${JSON.stringify(parts.kind)} in snapshot`);
    if (kind !== undefined && parts.kind !== kind) throw new EngramError("E_SNAPSHOT", `expected a ${JSON.stringify(kind)} snapshot, got a ${JSON.stringify(parts.kind)} one`);
    let learner: Learner;
    try {
      learner = this.create(parts.kind, parts.config);
    } catch (e) {
      if (e instanceof EngramError && e.code === "E_CONFIG") throw new EngramError("E_SNAPSHOT", `the snapshot's config is invalid: ${e.message}`, { cause: e });
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

/** Instantiates the engine from any module source. Bindings call this. */
export async function createEngram(source: ModuleSource): Promise<Engram> {
  return new Engram(await instantiate(source));
}
