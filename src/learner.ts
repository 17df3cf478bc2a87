import { EngramError } from "./errors.js";
import { checkBudget, exactly, readTypedInto, readVector, takeBatch } from "./input.js";
import { MAX_LEARNER_BYTES } from "./options.js";
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
 * @internal
 * A learner block's exact size in bytes, computed in JS (exact integers) from the
 * validated config before anything is allocated: `state` is the persisted state
 * (docs/snapshot-format.md), `total` the whole block (header, layout, state and
 * scratch, each rounded up to 16). wasm's learnerNew checks both before carving.
 */
export interface BlockSize {
  state: number;
  total: number;
}

/** @internal Bytes rounded up to the allocator's 16-byte alignment. */
export function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** @internal Floats → bytes rounded up to 16 (a 16-byte multiple: the wasm layouts' `pad4`). */
export function pad4(floats: number): number {
  return Math.ceil(floats / 4) * 16;
}

/** The header every block starts with (assembly/learners/common.ts `Header`). */
const HEADER_BYTES = 16;

/** @internal `BlockSize` from the sizes of the layout, state and scratch regions, as learnerNew carves them. */
export function blockSize(layout: number, state: number, scratch: number): BlockSize {
  return { state, total: HEADER_BYTES + align16(layout) + align16(state) + align16(scratch) };
}

// The state size the snapshot being restored declares, while `restore` builds its
// learner: `attach` refuses a config that implies another size before allocating.
let restoringState: number | undefined;

/** @internal Whether a learner is being built by `restore` (a missing option then means the behaviour the snapshot was made with). */
export function isRestoring(): boolean {
  return restoringState !== undefined;
}

/** @internal Runs `build` with the snapshot's declared state size in force (see `attach`). */
export function restoring<T>(stateBytes: number, build: () => T): T {
  const outer = restoringState;
  restoringState = stateBytes;
  try {
    return build();
  } finally {
    restoringState = outer;
  }
}

/**
 * What every learner shares: one block of wasm memory (see
 * assembly/learners/common.ts), a reusable input slot, save and dispose.
 * Subclasses validate options, create the block and call their step exports.
 *
 * The boundary rules (docs/boundary.md): read every argument once, through
 * `input`, `checkLabel(s)` and `batchRows`, BEFORE taking any pointer; run wasm
 * only through `attach` and `run`; give `attach` the block's exact size.
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
    this.config = deepFreeze(config);
  }

  /**
   * @internal Allocates the learner block via `create`. `size`: the block's exact
   * size from the validated config (see {@link BlockSize}); above the budget it is
   * E_MEMORY, and in a restore a state size other than the snapshot's is E_SNAPSHOT,
   * both before a byte is allocated; wasm then refuses a block that disagrees.
   * Without `size` (older learners) only the budget and the snapshot's state size are
   * enforced, by wasm, before allocating. A trap in `create` is E_MEMORY.
   */
  protected attach(create: () => number, size?: BlockSize): void {
    const expected = restoringState;
    const room = Math.min(MAX_LEARNER_BYTES, this.wasm.room);
    if (size) {
      if (expected !== undefined && expected !== size.state) {
        throw new EngramError(
          "E_SNAPSHOT",
          `the snapshot holds ${expected} bytes of state but a ${this.kind} with its config needs ${size.state}`,
        );
      }
      if (!(size.total <= room)) {
        throw new EngramError(
          "E_MEMORY",
          `${this.kind}: this configuration needs ${size.total} bytes (${(size.total / 2 ** 30).toFixed(2)} GiB); a learner may hold at most ${room} bytes here`,
        );
      }
    }
    const exp = this.wasm.exports;
    this.handle = this.wasm.call(() => {
      try {
        exp.learnerExpect(size?.total ?? 0, size?.state ?? expected ?? -1, room);
        return create() >>> 0;
      } catch (e) {
        if (e instanceof Error && e.message.includes("learnerNew: state size"))
          throw new EngramError(
            "E_SNAPSHOT",
            `the snapshot's state size does not match what a ${this.kind} with its config needs`,
            { cause: e },
          );
        if (e instanceof Error && e.message.includes("learnerNew: block size"))
          throw new EngramError(
            "E_INTERNAL",
            `${this.kind}: its JS block size disagrees with wasm's (a bug, please report it)`,
            { cause: e },
          );
        throw e;
      } finally {
        exp.learnerExpect(0, -1, 0);
      }
    }, "E_MEMORY");
    this.cell = { wasm: this.wasm, handle: this.handle, slot: 0 };
    NET?.register(this, this.cell, this.cell);
  }

  /**
   * @internal Replaces one option of the saved config (a setter such as `learningRate`
   * changes what the next step uses, so snapshots must carry the new value).
   */
  protected setOption(key: string, value: unknown): void {
    (this as { config: Readonly<Record<string, unknown>> }).config = deepFreeze({ ...this.config, [key]: value });
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
   * @internal Reads `x` once (length `n` per row, `rows` rows) into an owned copy, validates
   * it there, and only then copies it into the learner's input slot in wasm memory;
   * returns the slot's byte offset. A getter in `x` may run any code (dispose this
   * learner, create others, grow memory): it runs before any pointer is taken, and
   * disposal is checked again after it. Only the slot is written, so bad input
   * leaves the learner unchanged. For a batch, call `batchRows(xs, n)` first and
   * pass its `rows`: the rows it read are used, not read again.
   */
  protected input(x: unknown, n: number, what = "x", rows = 1): number {
    this.h;
    const floats = n * rows;
    const batch = takeBatch(x, floats);
    const check = (len: number) => {
      checkBudget(len, what);
      exactly(floats, what)(len);
    };
    // a genuine typed array runs no user code: copied straight into the slot, validated there
    if (
      !(batch && arguments.length >= 4) &&
      readTypedInto(x, what, check, () => {
        const at = this.reserve(floats) >>> 2; // may grow memory: take the view after
        return [this.wasm.f32, at];
      })
    )
      return this.slot;
    const data = batch && arguments.length >= 4 ? batch : readVector(x, what, check);
    this.h; // user code ran: this learner may have been disposed
    const at = this.reserve(floats) >>> 2; // may grow memory: take the view after
    this.wasm.f32.set(data, at);
    return this.slot;
  }

  /** The input slot, grown to hold `floats` values (views detach if memory grows: fetch them after). */
  private reserve(floats: number): number {
    if (floats > this.slotFloats) {
      const ptr = this.wasm.alloc(floats * 4);
      this.wasm.free(this.slot);
      this.slot = ptr;
      this.slotFloats = floats;
      if (this.cell) this.cell.slot = ptr;
    }
    return this.slot;
  }

  /** @internal Runs a step export; a trap becomes E_INTERNAL. */
  protected run<T>(fn: () => T): T {
    return this.wasm.call(fn);
  }

  /** @internal The persisted state as it lies in wasm memory (a view: copy before keeping). */
  protected stateView(): Uint8Array {
    const h = this.h;
    const e = this.wasm.exports;
    const [ptr, bytes] = this.wasm.call(() => [e.learnerState(h) >>> 0, e.learnerStateBytes(h) >>> 0] as const);
    return this.wasm.u8.subarray(ptr, ptr + bytes);
  }

  /** @internal A copy of the persisted state's f32 values from byte `offset` (relative to the state block). */
  protected stateF32(offset: number, count: number): Float32Array {
    const h = this.h;
    const base = this.wasm.call(() => this.wasm.exports.learnerState(h) >>> 0);
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

  /**
   * @internal What a snapshot's state must satisfy beyond its size, checked before
   * it is loaded: returns why it is unusable, or undefined. A learner whose state
   * holds a PRNG returns `zeroRng(state, offset)` here (all-zero is xoshiro's fixed
   * point: a step drawing from it would never end).
   */
  protected checkState(_state: Uint8Array): string | undefined {
    return undefined;
  }

  /** @internal Overwrites the state block from a verified snapshot (an owned copy). */
  loadState(state: Uint8Array): void {
    const view = this.stateView();
    if (view.length !== state.length) {
      throw new EngramError(
        "E_SNAPSHOT",
        `state is ${state.length} bytes but a ${this.kind} with this config holds ${view.length}`,
      );
    }
    const why = this.checkState(state);
    if (why !== undefined) throw new EngramError("E_SNAPSHOT", `the snapshot's ${this.kind} state is unusable: ${why}`);
    this.stateView().set(state);
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
    const h = this.handle,
      slot = this.slot;
    this.handle = this.slot = this.slotFloats = 0;
    this.wasm.free(slot);
    this.wasm.call(() => this.wasm.exports.learnerFree(h));
  }

  /** The same as {@link dispose}, so `using learner = engram.hebbian(…)` frees it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Freezes a validated config and everything in it (sizes arrays, nested options): save() writes what was validated. */
function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === "object" && v !== null) deepFreeze(v);
  return Object.freeze(o);
}

/** @internal Why a 16-byte xoshiro state at `offset` of `state` is unusable (all zero), or undefined. */
export function zeroRng(state: Uint8Array, offset: number): string | undefined {
  for (let i = offset; i < offset + 16; i++) if (state[i] !== 0) return undefined;
  return `its PRNG state (bytes ${offset}–${offset + 15}) is all zero, a state no seed produces`;
}
