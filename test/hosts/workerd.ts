// workerd host: the Worker bundle in miniflare, engram.wasm imported as a
// compiled module (Workers cannot compile bytes at request time).
import { dirname } from "node:path";
import { Miniflare } from "miniflare";

/** The newest date the bundled workerd accepts is enough for us. */
export const COMPATIBILITY_DATE = "2025-01-01";

export async function runWorkerd(scriptPath: string): Promise<string> {
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath), // module names are relative to it; ".." may not escape it
    cf: false, // no network: do not fetch the Request.cf placeholder
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
  });
  try {
    const res = await mf.dispatchFetch("http://localhost/");
    return await res.text();
  } finally {
    await mf.dispose();
  }
}
