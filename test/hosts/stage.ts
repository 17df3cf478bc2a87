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
/**
 * The test modules (assembly/testing.ts: kernels and their twins) for the raw kernel
 * sequence, per build: the release ABI exports only what the API calls.
 */
export const TEST_WASM = {
  simd: process.env["ENGRAM_TEST_WASM"] ?? join(ROOT, "build", "engram.test.wasm"),
  scalar: process.env["ENGRAM_TEST_SCALAR_WASM"] ?? join(ROOT, "build", "engram.test.scalar.wasm"),
};

/** A staged directory; `dir` is served as the web root for browsers. */
export interface Stage {
  dir: string;
  /** Node script printing the runner's JSON result. */
  nodeEntry: string;
  /** Page whose `window.__result` resolves to the runner's JSON result. */
  page: string;
  /** The workerd bundle (both .wasm builds beside it). */
  worker: string;
}

/**
 * What each host runs: per name, the options of one `init(options)` call. The staged
 * result is a JSON object with the script's result for each (engram.wasm by detection,
 * and engram.scalar.wasm forced, in the same page or process).
 */
export const BUILDS: Record<string, { simd?: boolean }> = { auto: {}, scalar: { simd: false } };

/** Both builds, as every binding loads them. */
const WASM = ["engram.wasm", "engram.scalar.wasm"];

/**
 * Stages `script` (a TS module exporting `run(engram, testEngine)`, returning JSON-able data
 * or a promise of it) with the bundles in `dist`.
 */
export async function stage(script: string, dist = DIST): Promise<Stage> {
  const dir = mkdtempSync(join(tmpdir(), "engram-hosts-"));
  const pkg = join(dir, "node_modules", "engram");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  for (const f of ["node.js", "browser.js", "workerd.js", ...WASM]) cpSync(join(dist, f), join(pkg, "dist", f));
  writeFileSync(join(pkg, "package.json"), readFileSync(join(ROOT, "package.json")));
  await build({
    entryPoints: [script],
    outfile: join(dir, "script.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    logLevel: "warning",
  });

  // run(engram, testEngine) per build: the published bundle, and the same loader over the test
  // module of the same build (each host obtains it as it obtains engram.wasm, fresh per use)
  cpSync(TEST_WASM.simd, join(dir, "engram.test.wasm"));
  cpSync(TEST_WASM.scalar, join(dir, "engram.test.scalar.wasm"));
  const main = `import { init } from "engram";\nimport { run } from "./script.js";\nexport async function start(testModule) {\n  const out = {};\n  for (const [name, options] of Object.entries(${JSON.stringify(BUILDS)})) {\n    const engram = await init(options);\n    const test = await init({ module: await testModule(engram.simd), simd: engram.simd });\n    out[name] = await run(engram, test);\n  }\n  return JSON.stringify(out);\n}\n`;
  writeFileSync(join(dir, "main.mjs"), main);
  const file = (simd: boolean) => (simd ? "engram.test.wasm" : "engram.test.scalar.wasm");
  writeFileSync(
    join(dir, "node.mjs"),
    `import { readFileSync } from "node:fs";\nimport { start } from "./main.mjs";\nprocess.stdout.write(await start((simd) => readFileSync(new URL(simd ? "./${file(true)}" : "./${file(false)}", import.meta.url))));\n`,
  );
  writeFileSync(
    join(dir, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>engram hosts</title>
<script type="importmap">{ "imports": { "engram": "/node_modules/engram/dist/browser.js" } }</script>
<script type="module">import { start } from "/main.mjs"; window.__result = start((simd) => fetch(simd ? "/${file(true)}" : "/${file(false)}")).catch((e) => JSON.stringify({ error: String(e && e.stack || e) }));</script>\n`,
  );
  writeFileSync(
    join(dir, "worker-entry.mjs"),
    `import simdTest from "./${file(true)}";\nimport scalarTest from "./${file(false)}";\nimport { start } from "./main.mjs";\nexport default { async fetch() { return new Response(await start((simd) => (simd ? simdTest : scalarTest))); } };\n`,
  );
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
  for (const f of WASM) cpSync(join(dist, f), join(dir, "worker", f));
  for (const simd of [true, false]) cpSync(join(dir, file(simd)), join(dir, "worker", file(simd)));
  return { dir, nodeEntry: join(dir, "node.mjs"), page: "/index.html", worker: join(dir, "worker", "worker.js") };
}
