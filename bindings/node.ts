// Node.js entry: reads engram.wasm (or engram.scalar.wasm without SIMD) from beside this file.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createEngram, EngramError, type Engram, type InitOptions, type ModuleSource } from "../src/index.js";
import { readInitOptions } from "../src/engine.js";
import { useSimd } from "./simd.js";

export * from "../src/index.js";

/**
 * Loads the engine. In Node the module is read from beside this bundle unless `module` is
 * given: engram.wasm, or engram.scalar.wasm when the engine has no SIMD or `simd` is false.
 * In Node `module` may also be a file path or a `file:` URL (string or `URL`), read from disk;
 * `http:`, `https:` and `data:` URLs are fetched.
 */
export async function init(options?: InitOptions): Promise<Engram> {
  const { module, simd } = readInitOptions(options); // read once
  const file = useSimd(simd) ? "./engram.wasm" : "./engram.scalar.wasm";
  return createEngram(module === undefined ? await readFile(new URL(file, import.meta.url)) : await fromDisk(module));
}

/** A path or a file: URL becomes the file's bytes; any other source passes through. */
async function fromDisk(source: ModuleSource): Promise<ModuleSource> {
  let path: string | undefined;
  if (source instanceof URL) path = source.protocol === "file:" ? fileURLToPath(source) : undefined;
  else if (typeof source === "string")
    path = /^file:/i.test(source) ? fileURLToPath(source) : /^(https?|data|blob):/i.test(source) ? undefined : source;
  if (path === undefined) return source;
  try {
    return await readFile(path);
  } catch (e) {
    throw new EngramError(
      "E_INIT",
      `could not read the module at ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}
