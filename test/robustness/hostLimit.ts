// Run in a child process under a host memory limit, e.g.
//   node --wasm-max-mem-pages=512 scripts/ts.mjs test/robustness/hostLimit.ts
// Prints one JSON line: per learner kind, the hostLimit figures (./memory.ts).
import { loadEngram } from "../helpers/engram.js";
import { hostLimit } from "./memory.js";

const kinds = (await loadEngram()).kinds;
const results: Record<string, unknown> = {};
for (const kind of kinds) {
  try {
    results[kind] = hostLimit(await loadEngram(), kind); // a fresh engine (its own memory) per kind
  } catch (e) {
    results[kind] = { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}
console.log(JSON.stringify(results));
