// Why SoftHebb features collapse at a constant rate (issue 17): hebbian softhebb 784→256 with
// its readout (defaults, or --opts '{...}'), online on the first 50 000 MNIST training images
// in one seeded order (mulberry32 seed 7, as bench/curves.ts), and after each mark: accuracy on
// 5 000 validation images (training images 50 000–54 999; no test image is read), the rows'
// norms (min / median / max), how many units win (largest feature) on those images, the most
// any one unit wins and that unit's norm, and pairs of rows with cosine > 0.95 (duplicates).
//
//   node scripts/ts.mjs bench/softhebbDrift.ts [--opts '{"learningRateDecay":0}'] [--samples 60000]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels } from "../src/index.js";
import { loadDataset } from "../cli/idx.js";
import { rng } from "../test/helpers/rng.js";
import { permutation } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));
const D = 784,
  K = 256,
  m = loadDataset("mnist");
const n = +arg("samples", "60000");
const X = new Float32Array(55000 * D);
for (let i = 0; i < 55000; i++) X.set(pixels(m.train.images.subarray(i * D, i * D + D)), i * D);
const h = engram.hebbian({ inputs: D, outputs: K, readout: { classes: 10 }, ...JSON.parse(arg("opts", "{}")) });
console.log(`softhebb drift: ${JSON.stringify(h.config)}`);
const order = permutation(50000, rng(7));
const marks = [1000, 5000, 10000, 20000, 30000, 40000, 50000, 60000, 80000, 100000, 150000];

function report(t: number): void {
  let ok = 0;
  const wins = new Uint32Array(K);
  for (let i = 50000; i < 55000; i++) {
    const x = X.subarray(i * D, i * D + D);
    if (h.predict(x) === m.train.labels[i]) ok++;
    const f = h.transform(x);
    let b = 0;
    for (let k = 1; k < K; k++) if (f[k]! > f[b]!) b = k;
    wins[b]!++;
  }
  const W = h.weights();
  const norms = Array.from({ length: K }, (_, k) => Math.hypot(...W.subarray(k * D, k * D + D)));
  let dup = 0;
  for (let a = 0; a < K; a++)
    for (let b = a + 1; b < K; b++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += W[a * D + j]! * W[b * D + j]!;
      if (s / (norms[a]! * norms[b]!) > 0.95) dup++;
    }
  let top = 0;
  for (let k = 1; k < K; k++) if (wins[k]! > wins[top]!) top = k;
  const sorted = [...norms].sort((a, b) => a - b);
  console.log(
    `${t}: validation ${(ok / 50).toFixed(1)} %  norms ${sorted[0]!.toFixed(2)} / ${sorted[K >> 1]!.toFixed(2)} / ` +
      `${sorted[K - 1]!.toFixed(2)}  winners ${wins.filter((w) => w > 0).length}  top unit wins ${wins[top]} of 5000 ` +
      `(norm ${norms[top]!.toFixed(2)})  duplicates ${dup}`,
  );
}

for (let t = 0; t < n;) {
  const i = order[t % 50000]!;
  h.learn(X.subarray(i * D, i * D + D), m.train.labels[i]!);
  t++;
  if (marks.includes(t)) report(t);
}
