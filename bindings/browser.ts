// Browser entry: streams engram.wasm from beside this bundle.
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { moduleOption } from "../src/engine.js";

export * from "../src/index.js";

/** Loads the engine. In browsers the module is fetched from `engram.wasm` beside this bundle unless `module` is given. */
export async function init(options?: InitOptions): Promise<Engram> {
  return createEngram(moduleOption(options) ?? fetch(new URL("./engram.wasm", import.meta.url)));
}
