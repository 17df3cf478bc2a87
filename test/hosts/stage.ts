// Stages the published bundles the way a user gets them: a package "engram"
// (our package.json + a dist/ directory) under node_modules, and one small
// entry per host that does `import { init } from "engram"` and runs a script
// (the conformance runner) bundled beside it. Node resolves "engram" through
// the package's `exports` (condition "node"), browsers through an import map to
// the "browser" file, workerd through a bundle built with the conditions
// wrangler uses ("workerd", "worker", "browser") and the .wasm as a module.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The dist directory under test: $ENGRAM_DIST, else the repository's dist/ (built by `npm run build`). */
export const DIST = process.env["ENGRAM_DIST"] ?? join(ROOT, "dist");
/** The test module (kernels and their twins, assembly/testing.ts) for the raw kernel sequence. */
export const TEST_WASM = process.env["ENGRAM_TEST_WASM"] ?? join(ROOT, "build", "engram.test.wasm");

/** A staged directory; `dir` is served as the web root for browsers. */
export interface Stage {
  dir: string;
  /** Node script printing the runner's JSON result. */
  nodeEntry: string;
  /** Page whose `window.__result` resolves to the runner's JSON result. */
  page: string;
  /** The workerd bundle (engram.wasm beside it). */
  worker: string;
}

/**
 * Stages `script` (a TS module exporting `run(engram)`, returning JSON-able data
 * or a promise of it) with the bundles in `dist`.
 */
export async function stage(script: string, dist = DIST): Promise<Stage> {
  const dir = mkdtempSync(join(tmpdir(), "engram-hosts-"));
  const pkg = join(dir, "node_modules", "engram");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  for (const f of ["node.js", "browser.js", "workerd.js", "engram.wasm"]) cpSync(join(dist, f), join(pkg, "dist", f));
  writeFileSync(join(pkg, "package.json"), readFileSync(join(ROOT, "package.json")));
  await build({ entryPoints: [script], outfile: join(dir, "script.js"), bundle: true, format: "esm", target: "es2022", platform: "neutral", logLevel: "warning" });

  // run(engram, testEngine): the published bundle, and the same loader over the test module
  // (each host obtains it as it obtains engram.wasm) for what only the test module exports
  cpSync(TEST_WASM, join(dir, "engram.test.wasm"));
  const main = `import { init } from "engram";\nimport { run } from "./script.js";\nexport async function start(testModule) {\n  return JSON.stringify(await run(await init(), await init({ module: testModule })));\n}\n`;
  writeFileSync(join(dir, "main.mjs"), main);
  writeFileSync(join(dir, "node.mjs"), `import { readFileSync } from "node:fs";\nimport { start } from "./main.mjs";\nprocess.stdout.write(await start(readFileSync(new URL("./engram.test.wasm", import.meta.url))));\n`);
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>engram hosts</title>
<script type="importmap">{ "imports": { "engram": "/node_modules/engram/dist/browser.js" } }</script>
<script type="module">import { start } from "/main.mjs"; window.__result = start(fetch("/engram.test.wasm")).catch((e) => JSON.stringify({ error: String(e && e.stack || e) }));</script>\n`,
  );
  writeFileSync(join(dir, "worker-entry.mjs"), `import testModule from "./engram.test.wasm";\nimport { start } from "./main.mjs";\nexport default { async fetch() { return new Response(await start(testModule)); } };\n`);
  mkdirSync(join(dir, "worker"));
  await build({
    entryPoints: [join(dir, "worker-entry.mjs")],
    outfile: join(dir, "worker", "worker.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    external: ["*.wasm"],
    logLevel: "warning",
  });
  cpSync(join(dist, "engram.wasm"), join(dir, "worker", "engram.wasm"));
  cpSync(TEST_WASM, join(dir, "worker", "engram.test.wasm"));
  return { dir, nodeEntry: join(dir, "node.mjs"), page: "/index.html", worker: join(dir, "worker", "worker.js") };
}
