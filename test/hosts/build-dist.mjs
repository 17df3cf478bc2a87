// Development only: builds engram.wasm, engram.scalar.wasm and the three host bundles into a private
// directory (mirroring scripts/build.mjs: same entry points and options), so the
// hosts test can run while others use build/ and dist/:
//   node test/hosts/build-dist.mjs /tmp/me/dist
//   ENGRAM_DIST=/tmp/me/dist npx vitest run test/conformance
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";

const out = resolve(process.argv[2] ?? "");
if (!process.argv[2]) throw new Error("usage: node test/hosts/build-dist.mjs <out dir>");
mkdirSync(out, { recursive: true });
execFileSync(
  "node_modules/.bin/asc",
  [
    "assembly/index.ts",
    "--config",
    "asconfig.json",
    "--target",
    "release",
    "-o",
    `${out}/engram.wasm`,
    "-t",
    `${out}/engram.wat`,
  ],
  { stdio: "inherit" },
);
execFileSync(
  "node_modules/.bin/asc",
  [
    "assembly/index.ts",
    "--config",
    "asconfig.json",
    "--target",
    "scalar",
    "-o",
    `${out}/engram.scalar.wasm`,
    "-t",
    `${out}/engram.scalar.wat`,
  ],
  { stdio: "inherit" },
);
const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["bindings/node.ts"], outfile: `${out}/node.js`, platform: "node" });
await build({ ...common, entryPoints: ["bindings/browser.ts"], outfile: `${out}/browser.js`, platform: "browser" });
await build({
  ...common,
  entryPoints: ["bindings/workerd.ts"],
  outfile: `${out}/workerd.js`,
  platform: "neutral",
  external: ["*.wasm"],
});
console.log(`${out}: engram.wasm ${statSync(`${out}/engram.wasm`).size} bytes`);
