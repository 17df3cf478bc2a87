// Class-incremental Split MNIST with engram.continual: tasks 0/1, 2/3, 4/5, 6/7, 8/9 in
// order, one online pass, batch 1, no task labels, nothing stored. Prints the accuracy
// matrix (accuracy on each task's classes after each task), the final accuracy over all 10
// classes, the same learner on the same samples shuffled (i.i.d.), a new class from 10
// samples, the time per learn against the machine's ceilings measured in this run, memory.
// Node 20 cannot strip types: run through scripts/ts.mjs.
//
//   node scripts/ts.mjs bench/continual.ts --split val  --seeds 1,2,3     (choose: train 50 000, validate on the last 10 000)
//   node scripts/ts.mjs bench/continual.ts --split test --seeds 1,2,3     (report: train 60 000, the test set read once)
//
// Flags: --set key=value,... (any numeric option, e.g. detectors=128,shrinkage=0.01), --raw
// (no image option: LDA on the pixels), --skip iid,newclass,timing. The seed orders the
// samples within each task (and the whole stream for i.i.d.); the learner draws no random numbers.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Continual } from "../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../src/snapshot.js";
import { rng } from "../test/helpers/rng.js";
import { loadDataset } from "../cli/idx.js";
import { f, loadRaw, machine, measureCeilings, table, timeIt } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const split = arg("split", "val");
const seeds = arg("seeds", "1").split(",").map(Number);
const skip = new Set(arg("skip", "").split(","));
const raw = process.argv.includes("--raw");
const extra = Object.fromEntries(
  arg("set", "")
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.split("=")[0]!, +kv.split("=")[1]!]),
);

const mnist = loadDataset("mnist");
const D = 784;
const trainN = split === "test" ? 60000 : 50000;
const evalX = split === "test" ? mnist.test.images : mnist.train.images.subarray(50000 * D);
const evalY = split === "test" ? mnist.test.labels : mnist.train.labels.subarray(50000);
const trainX = mnist.train.images,
  trainY = mnist.train.labels;

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));
const options = { inputs: D, classes: 10, ...(raw ? {} : { image: { width: 28, height: 28 } }), ...extra };
const make = () => engram.continual(options);
{
  const l = make();
  console.log(
    `continual ${JSON.stringify(l.config)}; ${split === "test" ? "train 60 000, test 10 000" : "train 50 000, validate on training images 50 000-59 999"}; ${machine()}`,
  );
  l.dispose();
}

const image = (i: number, X: Uint8Array) => pixels(X.subarray(i * D, (i + 1) * D)); // pixel bytes → [0, 1]
function shuffle(idx: number[], r: () => number): number[] {
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}
const TASKS = [
  [0, 1],
  [2, 3],
  [4, 5],
  [6, 7],
  [8, 9],
];
function taskStream(task: number[], r: () => number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < trainN; i++) if (task.includes(trainY[i]!)) idx.push(i);
  return shuffle(idx, r);
}

/** Predictions on the evaluation set; accuracy over `classes` (all if undefined). */
function predictAll(l: Continual): Uint8Array {
  const out = new Uint8Array(evalY.length);
  for (let i = 0; i < evalY.length; i++) out[i] = l.predict(image(i, evalX));
  return out;
}
function accuracy(pred: Uint8Array, classes?: number[]): number {
  let hit = 0,
    n = 0;
  for (let i = 0; i < evalY.length; i++) {
    if (classes && !classes.includes(evalY[i]!)) continue;
    n++;
    if (pred[i] === evalY[i]) hit++;
  }
  return (100 * hit) / n;
}
/** The class means from a snapshot's state (docs/snapshot-format.md, `continual`). */
function means(bytes: Uint8Array): Float32Array[] {
  const { state, config } = decodeSnapshot(bytes);
  const c = config as { classes: number; detectors: number; grid: number };
  const d = c.grid ** 2 * c.detectors,
    pad = (n: number, k: number) => Math.ceil(n / k) * k;
  const off = 16 + 8 * pad(c.classes, 2) + 8 * pad(c.detectors, 2);
  const buf = state.slice().buffer;
  return Array.from({ length: c.classes }, (_, k) => new Float32Array(buf, off + 4 * k * pad(d, 4), d));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: number[]) => (xs.length > 1 ? `${f(Math.min(...xs), 2)}–${f(Math.max(...xs), 2)}` : "");

const finals: number[] = [],
  iids: number[] = [],
  recalls: number[] = [],
  drops: number[] = [];
for (const seed of seeds) {
  const r = rng(seed);
  // class-incremental
  if (!skip.has("ci")) {
    const l = make();
    const matrix: string[][] = [];
    const t0 = performance.now();
    let afterFirst: Uint8Array | undefined,
      firstTask: number[] = [];
    for (let t = 0; t < TASKS.length; t++) {
      const stream = taskStream(TASKS[t]!, r);
      for (const i of stream) l.learn(image(i, trainX), trainY[i]!);
      if (t === 0) {
        afterFirst = l.save();
        firstTask = stream;
      }
      const pred = predictAll(l);
      matrix.push([
        `after task ${t + 1}`,
        ...TASKS.map((c, k) => (k <= t ? f(accuracy(pred, c), 1) : "")),
        f(accuracy(pred), 2),
      ]);
    }
    const final = +matrix[matrix.length - 1]![6]!;
    // --shrinkages a,b,c: the same statistics solved with other λ (validation only: choose λ here, never on the test set)
    for (const lam of arg("shrinkages", "").split(",").filter(Boolean).map(Number)) {
      const parts = decodeSnapshot(l.save());
      const other = engram.restore(
        encodeSnapshot({ ...parts, config: { ...parts.config, shrinkage: lam } }),
      ) as Continual;
      console.log(`seed ${seed}: shrinkage ${lam}: ${f(accuracy(predictAll(other)), 2)} %`);
      other.dispose();
    }
    finals.push(final);
    console.log(
      `\nseed ${seed}: class-incremental, ${l.samples} samples in ${f((performance.now() - t0) / 1000, 0)} s (with evaluation)`,
    );
    table(["", ...TASKS.map((c) => `task ${c.join("/")}`), "all 10 classes"], matrix);
    if (!skip.has("drift") && !raw && seed === seeds[0]) {
      // Feature drift: the means of classes 0 and 1 as stored (accumulated while the detectors still
      // learned) against the same samples' means under the final detectors. Learning task 1 again on
      // the snapshot taken after it doubles each count, so μ_final = 2 μ_twice − μ_stored.
      const again = engram.restore(afterFirst!) as Continual;
      for (const i of firstTask) again.learn(image(i, trainX), trainY[i]!);
      const stored = means(afterFirst!),
        twice = means(again.save());
      const fin = [0, 1].map((c) => stored[c]!.map((v, j) => 2 * twice[c]![j]! - v));
      const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, b) => a + b * b, 0));
      const gap = norm(fin[0]!.map((v, j) => v - fin[1]![j]!));
      const drift = [0, 1].map((c) => norm(stored[c]!.map((v, j) => v - fin[c]![j]!)) / gap);
      console.log(
        `feature drift (seed ${seed}): ‖μ_stored − μ_final‖ / ‖μ_0 − μ_1‖ = ${drift.map((x) => x.toExponential(2)).join(" (class 0), ")} (class 1); after task 1 the detectors are frozen: no later drift`,
      );
      again.dispose();
    }
    l.dispose();
  }
  if (!skip.has("iid")) {
    const all = shuffle(
      Array.from({ length: trainN }, (_, i) => i),
      r,
    );
    const li = make();
    for (const i of all) li.learn(image(i, trainX), trainY[i]!);
    iids.push(accuracy(predictAll(li)));
    console.log(`seed ${seed}: the same samples shuffled (i.i.d.): ${f(iids[iids.length - 1]!, 2)} %`);
    li.dispose();
  }
  if (!skip.has("newclass")) {
    // digits 0-8 class-incrementally (tasks 0/1 … 6/7, then 8), then 10 samples of 9
    const ln = make();
    for (const task of [[0, 1], [2, 3], [4, 5], [6, 7], [8]])
      for (const i of taskStream(task, r)) ln.learn(image(i, trainX), trainY[i]!);
    const old = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const before = accuracy(predictAll(ln), old);
    for (const i of taskStream([9], r).slice(0, 10)) ln.learn(image(i, trainX), 9);
    const pred = predictAll(ln);
    const recall = accuracy(pred, [9]),
      after = accuracy(pred, old);
    recalls.push(recall);
    drops.push(before - after);
    console.log(
      `seed ${seed}: new class from 10 samples: recall on 9 = ${f(recall, 2)} %; old 9 digits ${f(before, 2)} → ${f(after, 2)} % (drop ${f(before - after, 2)} points)`,
    );
    ln.dispose();
  }
}
console.log(
  `\nfinal class-incremental accuracy over 10 classes: mean ${f(mean(finals), 2)} % (${spread(finals)}) over seeds ${seeds.join(", ")}`,
);
if (iids.length)
  console.log(
    `i.i.d. (same samples shuffled): mean ${f(mean(iids), 2)} % (${spread(iids)}); gap ${f(mean(iids) - mean(finals), 2)} points`,
  );
if (recalls.length)
  console.log(
    `new class from 10 samples: recall mean ${f(mean(recalls), 2)} % (${spread(recalls)}); old-digit drop mean ${f(mean(drops), 2)} points (${spread(drops)})`,
  );

if (!skip.has("timing")) {
  const rawMod = await loadRaw();
  const ceil = measureCeilings(rawMod);
  const l = make();
  const x = image(0, trainX);
  const plastic = timeIt(() => l.learn(x, 3), 300);
  for (let i = 0; i < 1000; i++) l.learn(image(i, trainX), trainY[i]!);
  const frozen = timeIt(() => l.learn(x, 3), 300);
  l.predict(x);
  const predict = timeIt(() => l.predict(x), 300);
  const t1 = performance.now();
  l.learn(x, 3);
  l.predict(x);
  const solve = (performance.now() - t1) / 1000;
  const c = l.config as unknown as Record<string, number>;
  const d = raw ? D : c["grid"]! ** 2 * c["detectors"]!;
  const positions = raw ? 0 : (Math.floor((28 - c["patch"]!) / c["stride"]!) + 1) ** 2;
  const flops =
    (raw ? 0 : positions * (2 * c["patch"]! ** 2 * c["detectors"]! + 8 * c["detectors"]!)) + d * (d + 1) + 6 * d;
  const bytes = (8 * (d * (d + 1))) / 2 / 8; // the scatter's upper triangle read and written once per block of 8 samples
  console.log(
    `\nlearn (detectors consolidated): ${f(frozen * 1e6, 0)} µs per sample = ${f(flops / frozen / 1e9, 2)} GFLOP/s (${f((100 * flops) / frozen / ceil.peakFlops, 1)} % of the f32x4 peak ${f(ceil.peakFlops / 1e9, 1)} GFLOP/s), ` +
      `scatter traffic (S streamed once per 8 samples) ${f(bytes / frozen / 1e9, 1)} GB/s (${f((100 * bytes) / frozen / ceil.memBw, 0)} % of the 64 MiB stream ceiling ${f(ceil.memBw / 1e9, 1)} GB/s)`,
  );
  console.log(
    `learn while detectors learn: ${f(plastic * 1e6, 0)} µs; predict (cached discriminant): ${f(predict * 1e6, 0)} µs; first predict after a learn (solve, d = ${d}): ${f(solve * 1000, 0)} ms`,
  );
  console.log(
    `memory: snapshot ${f(l.save().length / 2 ** 20, 2)} MiB; engine memory ${f(engram.memoryBytes / 2 ** 20, 1)} MiB (state + scratch incl. the d × d factor)`,
  );
  l.dispose();
}
