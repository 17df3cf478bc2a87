// Every host the conformance suite runs in, each taking a staged directory
// (see stage.ts) and returning the staged script's JSON result.
import { runChromium } from "./chromium.js";
import { runFirefox } from "./firefox.js";
import { runNode } from "./node.js";
import { serve } from "./server.js";
import type { Stage } from "./stage.js";
import { runWebKit } from "./webkit.js";
import { runWorkerd } from "./workerd.js";

export const HOSTS = ["node", "chromium", "firefox", "webkit", "workerd"] as const;

/**
 * The same engines with fixed-width SIMD switched off, as on hosts that lack it: V8 without
 * SSE4.1 (`--no-enable-sse4-1`) rejects every SIMD module ("Wasm SIMD unsupported"), so
 * `init()` must detect that and load engram.scalar.wasm by itself.
 */
export const NO_SIMD_HOSTS = ["node-nosimd", "chromium-nosimd"] as const;
export type Host = (typeof HOSTS)[number] | (typeof NO_SIMD_HOSTS)[number];
const NO_SSE41 = "--no-enable-sse4-1";

/** Runs the staged script in `host`; returns its JSON text. */
export async function runIn(host: Host, s: Stage): Promise<string> {
  if (host === "node") return runNode(s);
  if (host === "node-nosimd") return runNode(s, [NO_SSE41]);
  if (host === "workerd") return runWorkerd(s.worker);
  const server = await serve(s.dir);
  try {
    if (host === "chromium") return await runChromium(server.url, s.page);
    if (host === "chromium-nosimd") return await runChromium(server.url, s.page, [`--js-flags=${NO_SSE41}`]);
    if (host === "firefox") return await runFirefox(server.url, s.page);
    return await runWebKit(server.url, s.page);
  } finally {
    await server.close();
  }
}
