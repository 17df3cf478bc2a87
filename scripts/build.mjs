// npm run build: engram.wasm (release + debug), engram.scalar.wasm (the same source
// without SIMD, for engines that lack it; it starts with one 64 KiB page of memory instead
// of two, since the smallest learners need under 32 KiB: small devices allocate the initial
// pages up front), one bundle per host, types.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { build } from "esbuild";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
const bin = (name) => `node_modules/.bin/${name}`;
const only = process.argv[2]; // "wasm" builds just the module

rmSync("build", { recursive: true, force: true });
for (const target of ["release", "scalar", "debug"])
  run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", target]);
// the test/bench modules of both builds: the release ABI plus kernels, scalar twins and ceilings (assembly/testing.ts)
for (const [target, name] of [
  ["release", "engram.test"],
  ["scalar", "engram.test.scalar"],
]) {
  run(bin("asc"), [
    "assembly/testing.ts",
    "--config",
    "asconfig.json",
    "--target",
    target,
    "--outFile",
    `build/${name}.wasm`,
    "--textFile",
    `build/${name}.wat`,
  ]);
}
// src/abi.ts: the release exports' types, from the .d.ts asc emitted (scripts/abi.mjs)
run("node", ["scripts/abi.mjs"]);
if (only === "wasm") process.exit(0);

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
copyFileSync("build/engram.wasm", "dist/engram.wasm");
copyFileSync("build/engram.scalar.wasm", "dist/engram.scalar.wasm");
copyFileSync("bindings/wasm.d.ts", "dist/wasm.d.ts"); // the type of `import wasm from "engram/engram.wasm"`
const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["bindings/node.ts"], outfile: "dist/node.js", platform: "node" });
await build({ ...common, entryPoints: ["bindings/browser.ts"], outfile: "dist/browser.js", platform: "browser" });
await build({
  ...common,
  entryPoints: ["bindings/workerd.ts"],
  outfile: "dist/workerd.js",
  platform: "neutral",
  external: ["*.wasm"],
}); // imports both .wasm files as modules
// the `engram` CLI: imports the library through bindings/node.ts, so it reads dist/engram.wasm beside it
await build({
  ...common,
  entryPoints: ["cli/engram.ts"],
  outfile: "dist/cli.js",
  platform: "node",
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync("dist/cli.js", 0o755);
run(bin("tsc"), ["-p", "tsconfig.build.json"]);
console.log(
  `engram.wasm: ${statSync("dist/engram.wasm").size} bytes; engram.scalar.wasm: ${statSync("dist/engram.scalar.wasm").size} bytes`,
);
