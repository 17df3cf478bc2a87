// npm run build: engram.wasm (release + debug), one bundle per host, types.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { build } from "esbuild";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
const bin = (name) => `node_modules/.bin/${name}`;
const only = process.argv[2]; // "wasm" builds just the module

rmSync("build", { recursive: true, force: true });
for (const target of ["release", "debug"]) run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", target]);
// the test/bench module: the release ABI plus kernels, scalar twins and ceilings (assembly/testing.ts)
run(bin("asc"), ["assembly/testing.ts", "--config", "asconfig.json", "--target", "release", "--outFile", "build/engram.test.wasm", "--textFile", "build/engram.test.wat"]);
// src/abi.ts: the release exports' types, from the .d.ts asc emitted (scripts/abi.mjs)
run("node", ["scripts/abi.mjs"]);
if (only === "wasm") process.exit(0);

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
copyFileSync("build/engram.wasm", "dist/engram.wasm");
const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["bindings/node.ts"], outfile: "dist/node.js", platform: "node" });
await build({ ...common, entryPoints: ["bindings/browser.ts"], outfile: "dist/browser.js", platform: "browser" });
await build({ ...common, entryPoints: ["bindings/workerd.ts"], outfile: "dist/workerd.js", platform: "neutral", external: ["*.wasm"] });
// the `engram` CLI: imports the library through bindings/node.ts, so it reads dist/engram.wasm beside it
await build({ ...common, entryPoints: ["cli/engram.ts"], outfile: "dist/cli.js", platform: "node", target: "node20", banner: { js: "#!/usr/bin/env node" } });
chmodSync("dist/cli.js", 0o755);
run(bin("tsc"), ["-p", "tsconfig.build.json"]);
console.log(`engram.wasm: ${statSync("dist/engram.wasm").size} bytes`);
