// Node host: a child `node` process imports "engram" from the staged package.
import { execFile } from "node:child_process";
import type { Stage } from "./stage.js";

/** Runs the staged Node entry in a child `node` with `nodeArgs` (V8 flags) before it. */
export async function runNode(s: Stage, nodeArgs: string[] = []): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [...nodeArgs, s.nodeEntry],
      { cwd: s.dir, maxBuffer: 1 << 28, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) fail(new Error(`node host failed: ${err.message}\n${stderr}`));
        else ok(stdout);
      },
    );
  });
}
