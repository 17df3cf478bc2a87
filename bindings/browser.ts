// Browser entry: streams engram.wasm (or engram.scalar.wasm without SIMD) from beside this bundle.
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { readInitOptions } from "../src/engine.js";
import { useSimd } from "./simd.js";

export * from "../src/index.js";

/**
 * Loads the engine. In browsers the module is fetched from beside this bundle unless `module`
 * is given: engram.wasm, or engram.scalar.wasm when the engine has no SIMD (Safari before
 * 16.4) or `simd` is false. Each URL is written out in full so bundlers see and copy both files.
 */
export async function init(options?: InitOptions): Promise<Engram> {
  const { module, simd } = readInitOptions(options);
  if (module) return createEngram(module);
  const url = useSimd(simd)
    ? new URL("./engram.wasm", import.meta.url)
    : new URL("./engram.scalar.wasm", import.meta.url);
  return createEngram(fetch(url));
}
