// Node.js entry: reads engram.wasm from beside this file.
import { readFile } from "node:fs/promises";
import { createEngram, type Engram, type InitOptions } from "../src/index.js";
import { moduleOption } from "../src/engine.js";

export * from "../src/index.js";

/** Loads the engine. In Node the module is read from `engram.wasm` beside this bundle unless `module` is given. */
export async function init(options?: InitOptions): Promise<Engram> {
  return createEngram(moduleOption(options) ?? (await readFile(new URL("./engram.wasm", import.meta.url))));
}
