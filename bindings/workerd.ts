// Cloudflare Workers entry. Workers cannot compile bytes at request time
// ("Wasm code generation disallowed by embedder"), so both builds are imported as
// modules and the bundler/runtime hands us compiled WebAssembly.Modules. workerd has
// SIMD, so engram.scalar.wasm runs only when `simd: false` asks for it (or on an
// engine that fails the SIMD probe).
// @ts-ignore: resolved by workerd / wrangler (CompiledWasm module rule)
import simdModule from "./engram.wasm";
// @ts-ignore: resolved by workerd / wrangler (CompiledWasm module rule)
import scalarModule from "./engram.scalar.wasm";
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { readInitOptions } from "../src/engine.js";
import { useSimd } from "./simd.js";

export * from "../src/index.js";

/** Loads the engine from the bundled module (or `module`, if given). */
export async function init(options?: InitOptions): Promise<Engram> {
  const { module, simd } = readInitOptions(options);
  return createEngram(module ?? ((useSimd(simd) ? simdModule : scalarModule) as WebAssembly.Module));
}
