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
export type Host = (typeof HOSTS)[number];

/** Runs the staged script in `host`; returns its JSON text. */
export async function runIn(host: Host, s: Stage): Promise<string> {
  if (host === "node") return runNode(s);
  if (host === "workerd") return runWorkerd(s.worker);
  const server = await serve(s.dir);
  try {
    if (host === "chromium") return await runChromium(server.url, s.page);
    if (host === "firefox") return await runFirefox(server.url, s.page);
    return await runWebKit(server.url, s.page);
  } finally {
    await server.close();
  }
}
