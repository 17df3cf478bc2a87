// Node.js entry: reads engram.wasm (or engram.scalar.wasm without SIMD) from beside this file.
import { readFile } from "node:fs/promises";
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { readInitOptions } from "../src/engine.js";
import { useSimd } from "./simd.js";

export * from "../src/index.js";

/**
 * Loads the engine. In Node the module is read from beside this bundle unless `module` is
 * given: engram.wasm, or engram.scalar.wasm when the engine has no SIMD or `simd` is false.
 */
export async function init(options?: InitOptions): Promise<Engram> {
  const { module, simd } = readInitOptions(options);
  const file = useSimd(simd) ? "./engram.wasm" : "./engram.scalar.wasm";
  return createEngram(module ?? (await readFile(new URL(file, import.meta.url))));
}
