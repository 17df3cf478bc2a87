// Hyper-parameter search for the spiking STDP learner on the MNIST validation split (never the
// test set): a short proxy ranks settings, the best are confirmed with bench/spiking.ts --split val.
// One run at a time, under nice (each setting costs minutes):
//
//   nice -n 15 node scripts/ts.mjs bench/spikingSearch.ts --train 20000 --label 5000 --eval 5000 \
//       --grid "thetaPlus=0.05;thetaPlus=0.1" [--neurons 400] > search.log
//
// Per setting (options joined by ',' inside one setting, settings separated by ';'): learn(x) on
// images 0..train−1 in order, learn(x, y) on the last `label` of them, then spikes(x) on the first
// `eval` validation images (50 000 onwards). It prints predict's accuracy with vote "class"
// (argmax class per neuron, mean spikes of each class's neurons) and, from the same spike counts,
// "weighted": every neuron votes for every class with its normalised mean response per class
// (score_c = Σ_j count_j r_jc / Σ_c' r_jc'), the learner's vote: "weighted" computed here in
// double precision from the same counts, so one run measures both vote rules.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Spiking } from "../src/index.js";
import { loadDataset } from "../cli/idx.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const neurons = +arg("neurons", "400");
// --split test (once, after the search): learn all 60 000 training images, score the test set
const split = arg("split", "val");
const trainEnd = split === "test" ? 60000 : 50000;
const trainN = Math.min(+arg("train", "20000"), trainEnd);
const labelN = Math.min(+arg("label", "5000"), trainN);
const evalN = Math.min(+arg("eval", "5000"), 10000);
const parse = (s: string) =>
  Object.fromEntries(
    s
      .split(",")
      .filter(Boolean)
      .map((kv) => {
        const [k, v] = kv.split("=") as [string, string];
        return [k, Number.isNaN(+v) ? v : +v];
      }),
  );
const grid = arg("grid", "").split(";").map(parse);

const mnist = loadDataset("mnist");
const D = 784,
  C = 10;
const full = mnist.train.images;
const labels = mnist.train.labels;
const img = (i: number) => pixels(full.subarray(i * D, (i + 1) * D));
const evalX = split === "test" ? mnist.test.images : full.subarray(50000 * D);
const evalY = split === "test" ? mnist.test.labels : labels.subarray(50000);
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

for (const extra of grid) {
  const snn = engram.spiking({ inputs: D, neurons, seed: 1, vote: "class", ...extra }) as Spiking;
  const t0 = performance.now();
  let spikes = 0;
  // votes as the learner keeps them, from the learning presentations' counts (read after each learn)
  const votes = new Float64Array(neurons * C),
    seen = new Float64Array(C);
  for (let i = 0; i < trainN; i++) {
    const labelled = i >= trainN - labelN;
    spikes += snn.learn(img(i), labelled ? labels[i]! : undefined).spikes;
    if (labelled) {
      const counts = snn.lastCounts();
      for (let j = 0; j < neurons; j++) votes[j * C + labels[i]!] += counts[j]!;
      seen[labels[i]!]++;
    }
  }
  const learnS = (performance.now() - t0) / 1000;
  const r = new Float64Array(neurons * C),
    cls = new Int32Array(neurons).fill(-1);
  for (let j = 0; j < neurons; j++) {
    let top = 0,
      sum = 0;
    for (let c = 0; c < C; c++) {
      const v = seen[c]! > 0 ? votes[j * C + c]! / seen[c]! : 0;
      r[j * C + c] = v;
      sum += v;
      if (v > top) {
        top = v;
        cls[j] = c;
      }
    }
    if (sum > 0) for (let c = 0; c < C; c++) r[j * C + c]! /= sum;
  }
  let own = 0,
    weighted = 0,
    evalSpikes = 0;
  const t1 = performance.now();
  for (let i = 0; i < evalN; i++) {
    const x = pixels(evalX.subarray(i * D, (i + 1) * D)),
      y = evalY[i]!;
    if (snn.predict(x) === y) own++;
    const counts = snn.lastCounts(); // the evaluation presentation predict just ran
    const s = new Float64Array(C);
    for (let j = 0; j < neurons; j++) {
      const n = counts[j]!;
      if (n === 0) continue;
      evalSpikes += n;
      for (let c = 0; c < C; c++) s[c]! += n * r[j * C + c]!;
    }
    let best = 0;
    for (let c = 1; c < C; c++) if (s[c]! > s[best]!) best = c;
    if (best === y) weighted++;
  }
  const evalS = (performance.now() - t1) / 1000;
  console.log(
    `${split} ${JSON.stringify(extra)}\tclass ${((100 * own) / evalN).toFixed(2)} %\tweighted ${((100 * weighted) / evalN).toFixed(2)} %\t` +
      `${(spikes / trainN).toFixed(1)} spikes/learn, ${(evalSpikes / evalN).toFixed(1)} spikes/eval\t` +
      `learn ${learnS.toFixed(0)} s, eval ${evalS.toFixed(0)} s`,
  );
  snn.dispose();
}
