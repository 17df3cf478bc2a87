// Cloudflare Workers entry. Workers cannot compile bytes at request time
// ("Wasm code generation disallowed by embedder"), so the .wasm is imported as
// a module and the bundler/runtime hands us a compiled WebAssembly.Module.
// @ts-ignore: resolved by workerd / wrangler (CompiledWasm module rule)
import wasmModule from "./engram.wasm";
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { moduleOption } from "../src/engine.js";

export * from "../src/index.js";

/** Loads the engine from the bundled module (or `module`, if given). */
export async function init(options?: InitOptions): Promise<Engram> {
  return createEngram(moduleOption(options) ?? (wasmModule as WebAssembly.Module));
}
