// Low-level access to the built module for kernel tests: raw exports plus
// helpers to move typed arrays in and out of wasm memory.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// the test module (assembly/testing.ts): the release ABI plus kernels, scalar twins and ceilings
const wasmPath =
  process.env["ENGRAM_TEST_WASM"] ?? fileURLToPath(new URL("../../build/engram.test.wasm", import.meta.url));

/** The raw exports, typed loosely: tests call kernels by name. */
export type RawExports = Record<string, any> & { memory: WebAssembly.Memory };

export interface RawWasm {
  exports: RawExports;
  /** Allocates n f32 in wasm memory, optionally filled from `src`; returns the byte offset. */
  f32(n: number, src?: ArrayLike<number>): number;
  /** Allocates n u32. */
  u32(n: number, src?: ArrayLike<number>): number;
  /** A fresh copy of n f32 at ptr. */
  readF32(ptr: number, n: number): Float32Array;
  readU32(ptr: number, n: number): Uint32Array;
  writeF32(ptr: number, src: ArrayLike<number>): void;
  /** Frees everything allocated through this helper. */
  reset(): void;
}

/** Instantiates a fresh copy of build/engram.test.wasm (run `npm run build:wasm` first). */
export async function loadRaw(path = wasmPath): Promise<RawWasm> {
  const module = await WebAssembly.compile(readFileSync(path));
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`wasm abort at ${line}:${col}`);
      },
    },
  });
  const ex = instance.exports as RawExports;
  const live: number[] = [];
  const grab = (bytes: number) => {
    const p = ex.alloc(Math.max(bytes, 4)) >>> 0;
    live.push(p);
    return p;
  };
  return {
    exports: ex,
    f32(n, src) {
      const p = grab(n * 4);
      if (src) new Float32Array(ex.memory.buffer, p, n).set(src);
      return p;
    },
    u32(n, src) {
      const p = grab(n * 4);
      if (src) new Uint32Array(ex.memory.buffer, p, n).set(src);
      return p;
    },
    readF32: (ptr, n) => new Float32Array(ex.memory.buffer, ptr, n).slice(),
    readU32: (ptr, n) => new Uint32Array(ex.memory.buffer, ptr, n).slice(),
    writeF32: (ptr, src) => new Float32Array(ex.memory.buffer, ptr, src.length).set(src),
    reset() {
      while (live.length) ex.free(live.pop());
    },
  };
}
