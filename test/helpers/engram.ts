// The engine built from source against build/engram.test.wasm (run `npm run build:wasm` first).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, type Engram } from "../../src/index.js";

// the test module (assembly/testing.ts): the release ABI plus kernels, scalar twins and ceilings
const wasmPath =
  process.env["ENGRAM_TEST_WASM"] ?? fileURLToPath(new URL("../../build/engram.test.wasm", import.meta.url));
let module: WebAssembly.Module | undefined;

/** A fresh engine (its own memory) over the built module. */
export async function loadEngram(): Promise<Engram> {
  module ??= new WebAssembly.Module(readFileSync(wasmPath));
  return createEngram(module);
}

/** Asserts `fn` throws an EngramError with `code`; returns it. */
export function expectCode(fn: () => unknown, code: string): Error & { code: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code: string };
    if (err?.name !== "EngramError" || err.code !== code) {
      throw new Error(`expected EngramError ${code}, got ${err?.name} ${err?.code}: ${err?.message}`);
    }
    return err;
  }
  throw new Error(`expected EngramError ${code}, nothing was thrown`);
}
