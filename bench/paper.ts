// The papers' MNIST figures with a clean protocol (issue #17): DFA (Nøkland 2016) and
// Krotov-Hopfield features with a local readout (Krotov & Hopfield 2019).
//
//   --split validation: train on the first 50 000 training images, score on the last
//                       10 000 (after each epoch, or every --every-th: a validation curve). Hyper-parameters
//                       are chosen here.
//   --split test:       train on all 60 000, then score the 10 000 test images ONCE, at
//                       the end (no per-epoch test figures).
//
//   node scripts/ts.mjs bench/paper.ts --learner dfa --split validation --sizes 800,800 --epochs 5 --lr 0.005 --decay 1e-5 --dropout 0.1 --save-final dv.snap
//   node scripts/ts.mjs bench/paper.ts --learner dfa --split test --load dv.snap --epochs 0
//   node scripts/ts.mjs bench/paper.ts --learner hebbian --split validation --hidden 2000 --epochs 8 --readout-epochs 0 --save kv.snap
//   node scripts/ts.mjs bench/paper.ts --learner hebbian --split validation --load kv.snap --epochs 0 --readout-epochs 10 --readout-lr 5 --every 5 --save-final hv.snap
//   node scripts/ts.mjs bench/paper.ts --learner hebbian --split test --load hv.snap --epochs 0 --readout-epochs 0
//
// --every N scores the validation rows after every N-th epoch (and the last); --save FILE
// (hebbian) writes the snapshot after the unsupervised phase, --save-final FILE the trained
// model; --load FILE starts from one, so a model trained on the first 50 000 images can be
// scored once on the test set (`--split test --epochs 0`) without training again.
// DFA: online SGD, η_t = η / (1 + κ t) (κ = --decay), optional hidden dropout; a fixed
// permutation per epoch from a seeded generator. Hebbian: phase 1 `epochs` unsupervised
// passes, η annealed linearly to 0; phase 2 `readout-epochs` passes of the delta-rule
// readout on the frozen features, η_r annealed the same way. --load checks nothing: a
// snapshot trained in the test split has seen the validation rows, so keep them apart.
// Every run prints a RESULT line with the figure and the wall time of each phase.
// ENGRAM_WASM picks another build. Long runs: run under `nice -n 15`.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type FeedbackAlignment, type Hebbian, type HebbianRule } from "../src/index.js";
import { rng } from "../test/helpers/rng.js";
import { loadDataset } from "../cli/idx.js";
import { permutation } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const learner = arg("learner", "dfa");
const split = arg("split", "validation");
if (split !== "validation" && split !== "test") throw new Error("--split is validation or test");
if (learner !== "dfa" && learner !== "hebbian") throw new Error("--learner is dfa or hebbian");
const epochs = +arg("epochs", "5");
const seed = +arg("seed", "1");
const lr = arg("lr", "");
// score the validation rows after every `every`-th epoch and after the last (scoring costs time)
const every = +arg("every", "1");
const scoreNow = (e: number, last: number) => split === "validation" && (e % every === 0 || e === last);
// --save-final FILE writes the trained model; --load it with --epochs 0 (and --readout-epochs 0) to score it
const saveFinal = arg("save-final", "");

const D = 784;
const mnist = loadDataset("mnist");
// the training rows and the rows scored; in the test split the test images are touched only by score()
const trainN = split === "validation" ? 50000 : 60000;
const trainX = mnist.train.images.subarray(0, trainN * D),
  trainY = mnist.train.labels.subarray(0, trainN);
const evalX = split === "validation" ? mnist.train.images.subarray(50000 * D) : mnist.test.images,
  evalY = split === "validation" ? mnist.train.labels.subarray(50000) : mnist.test.labels;

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

type Classifier = { predict(x: Float32Array): number };
function score(net: Classifier): number {
  let ok = 0;
  for (let i = 0; i < evalY.length; i++) if (net.predict(pixels(evalX.subarray(i * D, i * D + D))) === evalY[i]) ok++;
  return ok / evalY.length;
}
const pct = (a: number) => `${(100 * a).toFixed(2)} %`;

const rand = rng(7);
const CHUNK = 500;
const xb = new Uint8Array(CHUNK * D),
  yb = new Uint8Array(CHUNK);
/**
 * `passes` epochs of `step` over the training rows in chunks; `before(seen, total)` runs
 * before each chunk (for a schedule), `after(e)` after each epoch. Returns seconds spent
 * in `step` (scoring excluded).
 */
function train(
  passes: number,
  step: (xs: Float32Array, ys: Uint8Array) => number,
  before: (seen: number, total: number) => void,
  after: (epoch: number, loss: number, seconds: number) => void,
): number {
  let spent = 0,
    seen = 0;
  for (let e = 1; e <= passes; e++) {
    const perm = permutation(trainN, rand);
    let loss = 0;
    const t0 = performance.now();
    for (let s = 0; s < trainN; s += CHUNK) {
      const n = Math.min(CHUNK, trainN - s);
      for (let i = 0; i < n; i++) {
        const k = perm[s + i]!;
        xb.set(trainX.subarray(k * D, k * D + D), i * D);
        yb[i] = trainY[k]!;
      }
      before(seen, passes * trainN);
      loss += step(pixels(xb.subarray(0, n * D)), yb.subarray(0, n)) * n;
      seen += n;
    }
    const dt = (performance.now() - t0) / 1000;
    spent += dt;
    after(e, loss / trainN, dt);
  }
  return spent;
}

if (learner === "dfa") {
  const hidden = arg("sizes", "800,800").split(",").filter(Boolean).map(Number);
  const dropout = arg("dropout", "");
  const load = arg("load", "");
  const net = load
    ? (engram.restore(readFileSync(load)) as FeedbackAlignment)
    : engram.feedbackAlignment({
        inputs: D,
        hidden,
        classes: 10,
        mode: "dfa",
        activation: "tanh",
        learningRateDecay: +arg("decay", "0"),
        seed,
        ...(lr ? { learningRate: +lr } : {}),
        ...(dropout ? { dropout: +dropout } : {}),
      });
  console.log(`dfa ${JSON.stringify(net.config)}, split ${split}: ${trainN} training images, ${epochs} epochs`);
  const curve: string[] = [];
  let acc = NaN;
  const seconds = train(
    epochs,
    (xs, ys) => net.learnBatch(xs, ys).loss,
    () => {},
    (e, loss, dt) => {
      const v = scoreNow(e, epochs) ? score(net) : NaN;
      if (v === v) curve.push(`${e}:${pct(1 - v)}`);
      acc = v;
      console.log(
        `epoch ${e}: train loss ${loss.toFixed(4)}${v === v ? `, validation error ${pct(1 - v)}` : ""}, ${(trainN / dt).toFixed(0)} samples/s`,
      );
    },
  );
  if (saveFinal) writeFileSync(saveFinal, net.save());
  if (!(acc === acc)) acc = score(net); // test split: the one and only read of the test set
  console.log(
    `RESULT dfa split=${split}${load ? ` loaded=${load}` : ""} sizes=${net.config.inputs}-${net.config.hidden.join("-")}-10 lr=${net.config.learningRate} decay=${net.config.learningRateDecay} dropout=${net.config.dropout} epochs=${epochs} error=${pct(1 - acc)} train_seconds=${seconds.toFixed(0)}` +
      (curve.length ? ` curve=${curve.join(",").replace(/ /g, "")}` : ""),
  );
} else {
  // ------------------------------------------------------------------ Krotov-Hopfield features + readout
  const readoutEpochs = +arg("readout-epochs", "10");
  const readoutLr = arg("readout-lr", "");
  const extra = Object.fromEntries(
    arg("set", "")
      .split(",")
      .filter(Boolean)
      .map((kv) => [kv.split("=")[0]!, +kv.split("=")[1]!]),
  );
  const load = arg("load", ""),
    save = arg("save", "");
  let layer: Hebbian;
  if (load) {
    layer = engram.restore(readFileSync(load)) as Hebbian;
    if (readoutLr) layer.readoutLearningRate = +readoutLr;
    // the snapshot fixes every option but the rates
    if (Object.keys(extra).length) throw new Error("--set with --load: the snapshot fixes the options");
  } else {
    layer = engram.hebbian({
      inputs: D,
      outputs: +arg("hidden", "2000"),
      rule: arg("rule", "krotov") as HebbianRule,
      seed,
      readout: { classes: 10, ...(readoutLr ? { learningRate: +readoutLr } : {}) },
      ...(lr ? { learningRate: +lr } : {}),
      ...extra,
    });
  }
  console.log(`hebbian ${JSON.stringify(layer.config)}, split ${split}: ${trainN} training images`);
  const eta0 = layer.learningRate;
  const t1 = train(
    epochs,
    (xs) => layer.learnBatch(xs).loss,
    (seen, total) => (layer.learningRate = Math.max(eta0 * (1 - seen / total), 1e-9)),
    (e, _l, dt) => console.log(`  features epoch ${e}/${epochs}: ${dt.toFixed(0)} s`),
  );
  if (save) writeFileSync(save, layer.save());
  const eta1 = layer.readoutLearningRate;
  const curve: string[] = [];
  let acc = NaN;
  const t2 = train(
    readoutEpochs,
    (xs, ys) => layer.learnReadoutBatch(xs, ys),
    (seen, total) => (layer.readoutLearningRate = Math.max(eta1 * (1 - seen / total), 1e-9)),
    (e, loss, dt) => {
      const v = scoreNow(e, readoutEpochs) ? score(layer) : NaN;
      if (v === v) curve.push(`${e}:${pct(v)}`);
      acc = v;
      console.log(
        `  readout epoch ${e}/${readoutEpochs}: loss ${loss.toFixed(4)}${v === v ? `, validation accuracy ${pct(v)}` : ""}, ${dt.toFixed(0)} s`,
      );
    },
  );
  if (saveFinal) writeFileSync(saveFinal, layer.save());
  if (!(acc === acc)) acc = score(layer); // test split: the one and only read of the test set
  const c = layer.config;
  console.log(
    `RESULT hebbian split=${split} rule=${c.rule} hidden=${layer.outputs} p=${c.p} rank=${c.rank} delta=${c.delta} power=${c.power} lr=${eta0} readout_lr=${eta1} epochs=${epochs}+${readoutEpochs}${load ? ` loaded=${load}` : ""} accuracy=${pct(acc)} feature_seconds=${t1.toFixed(0)} readout_seconds=${t2.toFixed(0)}` +
      (curve.length ? ` curve=${curve.join(",").replace(/ /g, "")}` : ""),
  );
}
