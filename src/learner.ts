import { EngramError } from "./errors.js";
import { writeVector } from "./input.js";
import { encodeSnapshot } from "./snapshot.js";
import type { Wasm } from "./wasm.js";

declare global {
  interface SymbolConstructor {
    /** The `using` declaration's disposer (TypeScript's lib.esnext.disposable; Node ≥ 20 has it). */
    readonly dispose: unique symbol;
  }
}

/** What the safety net frees: the learner's block and input slot (never the learner itself, so it can be collected). */
interface Cell {
  wasm: Wasm;
  handle: number;
  slot: number;
}

/**
 * The safety net: a learner that becomes unreachable without `dispose()` has its block
 * freed some time after garbage collection, if ever (engines promise nothing). Dispose
 * learners yourself; this only bounds the damage of a forgotten one.
 */
const NET: FinalizationRegistry<Cell> | undefined =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry((cell: Cell) => {
        if (!cell.handle) return;
        cell.wasm.free(cell.slot);
        cell.wasm.exports.learnerFree(cell.handle);
        cell.handle = cell.slot = 0;
      })
    : undefined;

/**
 * What every learner shares: one block of wasm memory (see
 * assembly/learners/common.ts), a reusable input slot, save and dispose.
 * Subclasses validate options, create the block and call their step exports.
 */
export abstract class Learner {
  /** The learner kind as written in snapshots, e.g. "forwardForward". */
  abstract readonly kind: string;
  /** The resolved options (defaults filled in), JSON-serialisable; saved in snapshots. */
  readonly config: Readonly<Record<string, unknown>>;
  /** @internal */
  protected readonly wasm: Wasm;
  private handle = 0;
  private slot = 0;
  private slotFloats = 0;
  private cell: Cell | undefined;

  /** @internal Subclasses pass their validated config. */
  protected constructor(wasm: Wasm, config: Record<string, unknown>) {
    this.wasm = wasm;
    this.config = Object.freeze(config);
  }

  /** @internal Allocates the learner block via `create`; a trap there is E_MEMORY. */
  protected attach(create: () => number): void {
    this.handle = this.wasm.call(create, "E_MEMORY") >>> 0;
    this.cell = { wasm: this.wasm, handle: this.handle, slot: 0 };
    NET?.register(this, this.cell, this.cell);
  }

  /** @internal The wasm handle; throws E_DISPOSED once disposed. */
  protected get h(): number {
    if (!this.handle) throw new EngramError("E_DISPOSED", `this ${this.kind} learner was disposed`);
    return this.handle;
  }

  /** True once `dispose()` ran. */
  get disposed(): boolean {
    return this.handle === 0;
  }

  /**
   * @internal Validates `x` (length `n` per row, `rows` rows) and copies it into the
   * learner's input slot in wasm memory; returns the slot's byte offset.
   * Only the slot is written, so bad input leaves the learner unchanged.
   */
  protected input(x: unknown, n: number, what = "x", rows = 1): number {
    this.h;
    const floats = n * rows;
    if (floats > this.slotFloats) {
      const ptr = this.wasm.alloc(floats * 4);
      this.wasm.free(this.slot);
      this.slot = ptr;
      this.slotFloats = floats;
      if (this.cell) this.cell.slot = ptr;
    }
    writeVector(this.wasm.f32, this.slot >>> 2, x, floats, what);
    return this.slot;
  }

  /** @internal Runs a step export; a trap becomes E_INTERNAL. */
  protected run<T>(fn: () => T): T {
    return this.wasm.call(fn);
  }

  /** @internal The persisted state as it lies in wasm memory (a view: copy before keeping). */
  protected stateView(): Uint8Array {
    const h = this.h;
    const ptr = this.wasm.exports.learnerState(h) >>> 0;
    const bytes = this.wasm.exports.learnerStateBytes(h) >>> 0;
    return this.wasm.u8.subarray(ptr, ptr + bytes);
  }

  /** @internal A copy of the persisted state's f32 values from byte `offset` (relative to the state block). */
  protected stateF32(offset: number, count: number): Float32Array {
    const base = this.wasm.exports.learnerState(this.h) >>> 0;
    const at = (base + offset) >>> 2;
    return this.wasm.f32.slice(at, at + count);
  }

  /**
   * A self-describing snapshot: kind, options, every parameter, optimizer and
   * PRNG state, with a CRC-32. `engram.restore(bytes)` brings it back.
   */
  save(): Uint8Array {
    return encodeSnapshot({ kind: this.kind, config: { ...this.config }, state: this.stateView() });
  }

  /** @internal Overwrites the state block from a verified snapshot. */
  loadState(state: Uint8Array): void {
    const view = this.stateView();
    if (view.length !== state.length) {
      throw new EngramError("E_SNAPSHOT", `state is ${state.length} bytes but a ${this.kind} with this config holds ${view.length}`);
    }
    view.set(state);
  }

  /**
   * Frees the learner's wasm memory. Later calls throw E_DISPOSED; disposing twice is a no-op.
   * Call it (or declare the learner with `using`) when done: a learner that is merely
   * dropped is freed only if and when the garbage collector reports it (a safety net, with
   * no promise about when), and its memory stays in the engine until then.
   */
  dispose(): void {
    if (!this.handle) return;
    if (this.cell) {
      NET?.unregister(this.cell);
      this.cell.handle = this.cell.slot = 0;
    }
    this.wasm.free(this.slot);
    this.wasm.exports.learnerFree(this.handle);
    this.handle = this.slot = this.slotFloats = 0;
  }

  /** The same as {@link dispose}, so `using learner = engram.hebbian(…)` frees it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
