import { ABI_FUNCTIONS, type EngramAbi } from "./abi.js";
import { EngramError, isEngramError } from "./errors.js";

/**
 * The raw exports of engram.wasm. Numbers only cross the boundary: byte
 * offsets, sizes and scalars (the flat pointer ABI, see DESIGN.md).
 * @internal
 */
export interface EngramExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  copy(dst: number, src: number, bytes: number): void;
  learnerNew(kind: number, layoutBytes: number, stateBytes: number, scratchBytes: number): number;
  learnerFree(h: number): void;
  learnerKind(h: number): number;
  learnerState(h: number): number;
  learnerStateBytes(h: number): number;
  learnerScratch(h: number): number;
  learnerExpect(total: number, state: number, limit: number): void;
  learnerBytes(h: number): number;
  /** Every other export: kernels and learner steps, by name. */
  readonly [name: string]: unknown;
}

/** @internal An export called with numbers only (the flat ABI): kernels and learner steps. */
export type WasmFn = (...args: number[]) => number;

/** Anything a WebAssembly module can be obtained from. */
export type ModuleSource = WebAssembly.Module | BufferSource | URL | string | Response | PromiseLike<Response>;

/** Largest wasm32 memory: 65 536 pages of 64 KiB. */
const MAX_BYTES = 65536 * 65536;

/**
 * One instance of engram.wasm with its memory. Typed-array views over memory
 * are cached and rebuilt when memory grows (growth detaches the old buffer).
 * @internal
 */
export class Wasm {
  /** Raw exports. Calls that may trap should go through `call`. */
  readonly exports: EngramExports;
  /** The same exports, typed from the module (src/abi.ts): a wrong name is a compile error. */
  readonly fn: Readonly<EngramAbi>;
  private buffer: ArrayBuffer | undefined;
  private f32View = new Float32Array(0);
  private u8View = new Uint8Array(0);
  private u32View = new Uint32Array(0);

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as EngramExports;
    // checkModule refused any module lacking one of these at init, so every name is there
    this.fn = instance.exports as unknown as EngramAbi;
  }

  private refresh(): void {
    const b = this.exports.memory.buffer as ArrayBuffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.f32View = new Float32Array(b);
      this.u8View = new Uint8Array(b);
      this.u32View = new Uint32Array(b);
    }
  }

  /** All of memory as f32; index with `ptr >>> 2`. Re-fetch after any call that may allocate. */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  /** All of memory as bytes. */
  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  /** All of memory as u32; index with `ptr >>> 2`. */
  get u32(): Uint32Array {
    this.refresh();
    return this.u32View;
  }

  /** Current memory size in bytes. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Bytes memory may still grow by (wasm32 addresses at most 4 GiB). */
  get room(): number {
    return MAX_BYTES - this.memoryBytes;
  }

  /**
   * Allocates `bytes` zeroed bytes inside wasm memory, or throws E_MEMORY
   * (nothing is allocated then).
   */
  alloc(bytes: number): number {
    if (!(bytes >= 0) || bytes > this.room) {
      throw new EngramError(
        "E_MEMORY",
        `this needs ${bytes} bytes, but WebAssembly memory holds at most 4 GiB and ${this.memoryBytes} bytes are in use`,
      );
    }
    return this.call(() => this.exports.alloc(Math.max(16, bytes)) >>> 0, "E_MEMORY");
  }

  /** Returns a block from `alloc` (inside the guarded call: a trap is E_INTERNAL). */
  free(ptr: number): void {
    if (ptr) this.call(() => this.exports.free(ptr));
  }

  /**
   * Runs `fn`, turning a trap (RuntimeError, or an abort from the module) into
   * an EngramError with `code`, so no raw trap escapes to users.
   */
  call<T>(fn: () => T, code: "E_MEMORY" | "E_INTERNAL" = "E_INTERNAL"): T {
    try {
      return fn();
    } catch (e) {
      if (isEngramError(e)) throw e;
      const what = e instanceof Error ? e.message : "an exception";
      const msg =
        code === "E_MEMORY"
          ? `the host refused more memory (${what}); ${this.memoryBytes} bytes in use`
          : `trap inside engram.wasm: ${what}`;
      throw new EngramError(code, msg, { cause: e });
    }
  }
}

/** Exports the library calls, with their kinds: a module without any of them is refused at init. */
const REQUIRED_EXPORTS: Record<string, "function" | "memory"> = {
  memory: "memory",
  ...Object.fromEntries(ABI_FUNCTIONS.map((name) => [name, "function" as const])),
};

/** E_INIT naming what `module` lacks, or imports beyond env.abort; nothing when it fits. */
function checkModule(module: WebAssembly.Module): void {
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const lacking = Object.entries(REQUIRED_EXPORTS)
    .filter(([name, kind]) => exports.get(name) !== kind)
    .map(([name, kind]) => `${name} (${kind})`);
  const extra = WebAssembly.Module.imports(module)
    .filter((i) => !(i.module === "env" && i.name === "abort" && i.kind === "function"))
    .map((i) => `${i.module}.${i.name} (${i.kind})`);
  if (lacking.length || extra.length) {
    throw new EngramError(
      "E_INIT",
      `this is not engram.wasm:${lacking.length ? ` missing exports ${lacking.join(", ")};` : ""}${extra.length ? ` unexpected imports ${extra.join(", ")} (engram.wasm imports only env.abort)` : ""}`,
    );
  }
}

/** Imports engram.wasm expects: only env.abort (see DESIGN.md). */
function imports(getMemory: () => WebAssembly.Memory | undefined): WebAssembly.Imports {
  return {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, col: number) {
        const mem = getMemory();
        const str = (p: number) => {
          if (!mem || !p) return "";
          const len = new Uint32Array(mem.buffer, (p >>> 0) - 4, 1)[0]! >>> 1;
          return String.fromCharCode(...new Uint16Array(mem.buffer, p >>> 0, Math.min(len, 256)));
        };
        throw new Error(`abort: ${str(msgPtr)} at ${str(filePtr)}:${line >>> 0}:${col >>> 0}`);
      },
    },
  };
}

async function toModule(source: ModuleSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (typeof source === "string" || source instanceof URL) return toModule(fetch(source));
  const response = await source;
  if (typeof Response !== "undefined" && response instanceof Response) {
    if (!response.ok) throw new Error(`fetching ${response.url} gave HTTP ${response.status}`);
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("application/wasm") && typeof WebAssembly.compileStreaming === "function") {
      return WebAssembly.compileStreaming(response);
    }
    return WebAssembly.compile(await response.arrayBuffer());
  }
  throw new TypeError(`expected a WebAssembly.Module, bytes, a URL or a Response, got ${typeof response}`);
}

/** @internal Compiles (if needed) and instantiates engram.wasm from any source. */
export async function instantiate(source: ModuleSource): Promise<Wasm> {
  try {
    const module = await toModule(source);
    checkModule(module);
    let memory: WebAssembly.Memory | undefined;
    const instance = await WebAssembly.instantiate(
      module,
      imports(() => memory),
    );
    memory = instance.exports["memory"] as WebAssembly.Memory;
    return new Wasm(instance);
  } catch (e) {
    if (isEngramError(e)) throw e;
    throw new EngramError("E_INIT", `could not load engram.wasm: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}
