// Browser entry: streams engram.wasm (or engram.scalar.wasm without SIMD) from beside this bundle.
import { createEngram, EngramError, type Engram, type InitOptions } from "../src/index.js";
import { readInitOptions } from "../src/engine.js";
import { useSimd } from "./simd.js";

export * from "../src/index.js";

/**
 * Loads the engine. In browsers the module is fetched from beside this bundle unless `module`
 * is given: engram.wasm, or engram.scalar.wasm when the engine has no SIMD (Safari before
 * 16.4) or `simd` is false. Each URL is written out in full so bundlers see and copy both files.
 */
export async function init(options?: InitOptions): Promise<Engram> {
  const { module, simd } = readInitOptions(options); // read once
  if (module) return createEngram(module);
  if (isWorkerd()) {
    throw new EngramError(
      "E_INIT",
      'the browser build of engram was bundled into a Cloudflare Worker: bundle with the "workerd" condition (wrangler does; with esbuild pass --conditions=workerd --external:*.wasm and a CompiledWasm rule), or pass init({ module }) a WebAssembly.Module imported from "engram/engram.wasm"',
    );
  }
  const url = useSimd(simd)
    ? new URL("./engram.wasm", import.meta.url)
    : new URL("./engram.scalar.wasm", import.meta.url);
  return createEngram(fetch(url));
}

/** Cloudflare's workerd names itself in navigator.userAgent; it cannot fetch a module beside the bundle nor compile bytes. */
function isWorkerd(): boolean {
  return typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";
}
