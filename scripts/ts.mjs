#!/usr/bin/env node
// Runs a TypeScript file on Node 20 (which cannot strip types): bundles it with
// esbuild (npm packages stay external) into node_modules/.cache and imports it.
// Usage: node scripts/ts.mjs bench/kernels.ts [args...]
import { mkdirSync, rmSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/ts.mjs FILE.ts [args...]");
  process.exit(2);
}
const outdir = resolve("node_modules/.cache/engram-ts");
mkdirSync(outdir, { recursive: true });
const outfile = `${outdir}/${basename(file, ".ts")}-${process.pid}.mjs`;
await build({
  entryPoints: [file],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
  // keep import.meta.url pointing at the source file, so relative paths resolve as written
  define: { "import.meta.url": JSON.stringify(pathToFileURL(resolve(file)).href) },
});
process.argv = [process.argv[0], resolve(file), ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
