// e-prop benchmarks (issue #14). Not timed tests: figures go to BENCHMARKS.md.
//
//   node scripts/ts.mjs bench/eprop.ts speed                    one step of 28-in, 256 ALIF, 10-out, learning included
//   node scripts/ts.mjs bench/eprop.ts mnist [--train N] [--epochs E] [--feedback random|symmetric] [--test]
//                                                               row-by-row MNIST (28 rows shown for --repeat steps each);
//                                                               validation = the last 10 000 training images unless --test
//   node scripts/ts.mjs bench/eprop.ts mnist-test --load FILE   the test set once, for a learner saved by mnist --save FILE
//   node scripts/ts.mjs bench/eprop.ts memory-task [--neuron lif|alif]
//                                                               store-recall across a delay ≥ 10 τ_m
//   node scripts/ts.mjs bench/eprop.ts bptt [--train N]         BPTT on the same network (TensorFlow.js, float32): accuracy, memory, time
//
// Options after the mode are `--key value` pairs and are passed to engram.eprop when they
// name one of its options (e.g. --learningRate 0.002 --hidden 128 --adaptive 100).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, type Engram } from "../src/index.js";
import type { Eprop } from "../src/learners/eprop.js";
import { loadDataset } from "../cli/idx.js";
import { rng } from "../test/helpers/rng.js";
import { f, loadRaw, machine, measureCeilings, table, timeIt } from "./harness.js";

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

const argv = process.argv.slice(2);
const mode = argv[0] ?? "speed";
const args: Record<string, string> = {};
for (let i = 1; i + 1 < argv.length; i += 2) args[argv[i]!.replace(/^--/, "")] = argv[i + 1]!;
const num = (k: string, d: number) => (args[k] === undefined ? d : Number(args[k]));
const OPTION_KEYS = [
  "hidden",
  "neuron",
  "adaptive",
  "feedback",
  "learningRate",
  "learningRateDecay",
  "tauMembrane",
  "tauAdaptation",
  "tauReadout",
  "threshold",
  "adaptationStrength",
  "rateTarget",
  "rateRegularization",
  "readoutSteps",
  "seed",
];
function netOptions(base: Record<string, unknown>): Record<string, unknown> {
  const o = { ...base };
  for (const k of OPTION_KEYS)
    if (args[k] !== undefined) o[k] = Number.isNaN(Number(args[k])) ? args[k] : Number(args[k]);
  return o;
}

/** A 28×28 image as T = 28·repeat rows of 28 values in [0, 1] (each row shown `repeat` steps). */
function rows(images: Uint8Array, i: number, repeat: number, out: Float32Array): Float32Array {
  for (let r = 0; r < 28; r++) {
    for (let k = 0; k < repeat; k++) {
      const at = (r * repeat + k) * 28;
      for (let c = 0; c < 28; c++) out[at + c] = images[i * 784 + r * 28 + c]! / 255;
    }
  }
  return out;
}

function mnist(): void {
  const data = loadDataset("mnist");
  const repeat = num("repeat", 2);
  const test = args["test"] === "1";
  // hyper-parameters on a validation split: the last 10 000 training images
  const trainN = num("train", test ? 60000 : 50000);
  const evalN = num("eval", test ? 10000 : 2000);
  const epochs = num("epochs", 1);
  const evalX = test ? data.test.images : data.train.images.subarray(50000 * 784);
  const evalY = test ? data.test.labels : data.train.labels.subarray(50000);
  const net = engram.eprop(
    netOptions({ inputs: 28, hidden: 256, outputs: 10, adaptive: 100, seed: 1 }) as never,
  ) as Eprop;
  console.log(
    `${machine()}\neprop ${JSON.stringify(net.config)}; row-by-row MNIST, each row ${repeat} steps (T = ${28 * repeat}); ` +
      `${trainN} training images × ${epochs} epochs; evaluated on ${test ? "the test set" : "validation (last 10 000 training images)"}, ${evalN} images`,
  );
  const seq = new Float32Array(28 * repeat * 28);
  const r = rng(7);
  const every = num("every", 10000);
  const evaluate = (n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (net.predict(rows(evalX, i, repeat, seq)) === evalY[i]) ok++;
    return ok / n;
  };
  let seen = 0,
    t = 0;
  for (let e = 1; e <= epochs; e++) {
    const perm = Uint32Array.from({ length: trainN }, (_, i) => i);
    for (let i = trainN - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const t0 = performance.now();
    for (let s = 0; s < trainN; s++) {
      const i = perm[s]!;
      rows(data.train.images, i, repeat, seq);
      net.learn(seq, data.train.labels[i]!);
      seen++;
      if (seen % every === 0) {
        t += performance.now() - t0;
        console.log(
          `  ${seen} samples: ${f((performance.now() - t0) / (s + 1), 3)} ms/sequence learned, eval(first ${Math.min(2000, evalN)}) ${f(100 * evaluate(Math.min(2000, evalN)), 2)} %`,
        );
      }
    }
    // the test set is read once, after the last epoch
    const score = !test || e === epochs ? `; eval ${f(100 * evaluate(evalN), 2)} % on ${evalN}` : "";
    console.log(`epoch ${e}: ${f((performance.now() - t0) / 1000, 1)} s${score}`);
  }
  console.log(`learner state (all it keeps, any T): ${f(net.save().length / 1024, 0)} KiB snapshot`);
  // --save FILE: the trained learner, so that only the configuration chosen on validation meets the test set (mnist-test)
  if (args["save"] !== undefined) writeFileSync(args["save"], net.save());
}

/** The test set, read once, for a learner saved by `mnist --save FILE`: `mnist-test --load FILE`. */
function mnistTest(): void {
  const data = loadDataset("mnist");
  const repeat = num("repeat", 2);
  const net = engram.restore(readFileSync(args["load"]!)) as Eprop;
  const seq = new Float32Array(28 * repeat * 28);
  let ok = 0;
  for (let i = 0; i < 10000; i++) if (net.predict(rows(data.test.images, i, repeat, seq)) === data.test.labels[i]) ok++;
  console.log(
    `${args["load"]}: ${JSON.stringify(net.config)}\ntest accuracy ${f(ok / 100, 2)} % on the 10 000 test images`,
  );
}

/**
 * One time step of a 28-input, 256-neuron ALIF network with 10 outputs, learning included:
 * learn() on a T = 56 sequence (target on the last 8 steps, one Adam step at the end) divided
 * by T; and the streaming step() without and with a target (a target applies Adam at once).
 * Synaptic updates per second count every synapse's trace and gradient update per step.
 */
async function speed(): Promise<void> {
  const raw = await loadRaw();
  const c = measureCeilings(raw);
  const nin = 28,
    n = 256,
    k = 10,
    T = 56;
  const net = engram.eprop({ inputs: nin, hidden: n, outputs: k, neuron: "alif", seed: 1 }) as Eprop;
  const data = loadDataset("mnist");
  const seq = rows(data.train.images, 0, 2, new Float32Array(T * nin));
  // firing (hence the rows off ψ's support) changes as the network learns: time it after --warm images
  const warm = num("warm", 200);
  for (let i = 0; i < warm; i++) net.learn(rows(data.train.images, i, 2, seq), data.train.labels[i]!);
  let active = 0;
  net.reset();
  for (let t = 0; t < T; t++) {
    net.step(rows(data.train.images, warm, 2, seq).subarray(t * nin, t * nin + nin));
    active += net.internals()["psi"]!.filter((p) => p > 0).length;
  }
  console.log(
    `after ${warm} training images: ${f((100 * active) / (T * n))} % of neuron-steps on ψ's support (their trace rows are updated)`,
  );
  rows(data.train.images, warm, 2, seq);
  // distinct images (learning one sequence over and over drives the network somewhere unrepresentative)
  let next = warm;
  const learn = timeIt(() => {
    const i = next++ % 60000;
    net.learn(rows(data.train.images, i, 2, seq), data.train.labels[i]!);
  }, 1500);
  rows(data.train.images, warm, 2, seq);
  const predict = timeIt(() => net.predict(seq), 800);
  const row = seq.subarray(20 * nin, 21 * nin);
  const stepPlain = timeIt(() => net.step(row), 800);
  const stepTarget = timeIt(() => net.step(row, 3), 800);
  const synapses = n * (nin + n) + k * n;
  const perStep = learn / T;
  // bytes a step must touch if every row is active: W read; ε^a, ē, g read and written
  const bytesDense = 4 * n * Math.ceil((nin + n) / 4) * 4 * (1 + 2 * 3);
  console.log(
    `${machine()}; ceilings now: ${f(c.peakFlops / 1e9)} GFLOP/s f32x4, ${f(c.cacheBw / 1e9)} GB/s in cache, ${f(c.memBw / 1e9)} GB/s at 64 MiB`,
  );
  table(
    ["measure", "time", "synaptic updates/s", "note"],
    [
      [
        "learn(T = 56) / 56, learning included",
        `${f(perStep * 1e6, 1)} µs/step`,
        `${f(synapses / perStep / 1e9, 2)} G`,
        `${f(learn * 1e3, 2)} ms per sequence (incl. the row copy); target ≤ 40 µs/step`,
      ],
      ["predict(T = 56) / 56 (no traces)", `${f((predict / T) * 1e6, 1)} µs/step`, "", ""],
      ["step(x) streaming", `${f(stepPlain * 1e6, 1)} µs`, `${f(synapses / stepPlain / 1e9, 2)} G`, "traces advance"],
      ["step(x, target)", `${f(stepTarget * 1e6, 1)} µs`, "", "Adam over all weights every step"],
      [
        "dense-trace bound",
        `${f((bytesDense / c.cacheBw) * 1e6, 1)} µs/step`,
        "",
        `${f(bytesDense / 1024)} KiB per step at cache bandwidth, if every row were active`,
      ],
    ],
  );
}

/**
 * Store-recall (the delayed-memory task of Bellec et al. 2020, Fig. 3 / S4): a STORE cue
 * comes with one of two VALUE cues for 10 steps; after a silent delay of `--delay` steps
 * (default 300, 15 τ_m) a RECALL cue asks for the value over 10 steps; the class is the value.
 * Inputs are Poisson spike trains: 10 input neurons per cue (4 cues) firing at 200 Hz while
 * their cue is on, plus 10 noise neurons at 10 Hz throughout. Chance is 50 %.
 */
function memoryTask(): void {
  const delay = num("delay", 300),
    train = num("train", 3000),
    test = num("eval", 500);
  const neuron = args["neuron"] ?? "alif";
  const T = 10 + delay + 10,
    inputs = 50;
  const r = rng(num("dataSeed", 21));
  const make = (): { x: Float32Array; y: number } => {
    const y = r() < 0.5 ? 0 : 1,
      x = new Float32Array(T * inputs);
    for (let t = 0; t < T; t++) {
      const on = (cue: number) => {
        for (let i = 0; i < 10; i++) if (r() < 0.2) x[t * inputs + cue * 10 + i] = 1;
      };
      if (t < 10) {
        on(0);
        on(1 + y);
      } // STORE + VALUE
      if (t >= T - 10) on(3); // RECALL
      for (let i = 40; i < 50; i++) if (r() < 0.01) x[t * inputs + i] = 1;
    }
    return { x, y };
  };
  const opts = netOptions({
    inputs,
    hidden: 100,
    outputs: 2,
    neuron,
    readoutSteps: 10,
    tauAdaptation: num("tauAdaptation", 2 * delay),
    learningRate: 0.005,
    rateRegularization: 0.1,
    seed: 1,
  });
  if (neuron === "lif") opts["adaptive"] = 0;
  const net = engram.eprop(opts as never) as Eprop;
  console.log(
    `store-recall, delay ${delay} steps (${f(delay / net.config.tauMembrane, 0)} τ_m), T = ${T}; eprop ${JSON.stringify(net.config)}`,
  );
  const held = Array.from({ length: test }, make);
  const acc = () => held.reduce((u, s) => u + (net.predict(s.x) === s.y ? 1 : 0), 0) / test;
  const t0 = performance.now();
  for (let i = 1; i <= train; i++) {
    const s = make();
    net.learn(s.x, s.y);
    if (i % num("every", 500) === 0)
      console.log(
        `  ${i} sequences: held-out success ${f(100 * acc(), 1)} % (${f((performance.now() - t0) / i, 2)} ms/sequence)`,
      );
  }
  console.log(
    `${neuron}: held-out success ${f(100 * acc(), 1)} % on ${test} sequences after ${train} training sequences`,
  );
}

/**
 * BPTT on the same network (TensorFlow.js, wasm backend, float32): the same neurons, readout,
 * initial-weight distributions, loss on the last K steps, pseudo-derivative and stopped reset
 * derivative; the exact gradient through time, Adam, mini-batches of --batch sequences.
 * The rate regulariser is the squared deviation of each neuron's mean rate over the batch.
 */
async function bptt(): Promise<void> {
  const tf = await import("@tensorflow/tfjs-core");
  // the gradients ship only as ES modules without file extensions: bundled from source (they register into tfjs' global registry)
  await import("../node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) throw new Error("the TensorFlow.js wasm backend did not initialise");
  await tf.ready();
  type T = InstanceType<typeof tf.Tensor>;
  const data = loadDataset("mnist");
  const repeat = num("repeat", 2),
    steps = 28 * repeat,
    test = args["test"] === "1";
  const trainN = num("train", test ? 60000 : 50000),
    evalN = num("eval", test ? 10000 : 2000),
    B = num("batch", 32),
    epochs = num("epochs", 1);
  const evalX = test ? data.test.images : data.train.images.subarray(50000 * 784);
  const evalY = test ? data.test.labels : data.train.labels.subarray(50000);
  const nin = 28,
    n = num("hidden", 256),
    nA = num("adaptive", 100),
    k = 10,
    K = num("readoutSteps", 8);
  const alpha = Math.exp(-1 / 20),
    rho = Math.exp(-1 / num("tauAdaptation", 200)),
    kappa = Math.exp(-1 / 20),
    vth = 1,
    beta = 1.8,
    gamma = 0.3;
  const creg = num("rateRegularization", 0.1),
    rstar = 0.02,
    lr = num("learningRate", 0.001);
  const r = rng(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const mat = (rows: number, cols: number, sd: number) =>
    tf.tensor2d(
      Float32Array.from({ length: rows * cols }, gauss).map((v) => v * sd),
      [rows, cols],
    );
  const Win = tf.variable(mat(nin, n, 1 / Math.sqrt(nin)));
  const Wrec = tf.variable(mat(n, n, 1 / Math.sqrt(n)));
  const Wout = tf.variable(mat(n, k, 1 / Math.sqrt(n)));
  const bout = tf.variable(tf.zeros([1, k]));
  const offDiag = tf.sub(1, tf.eye(n));
  const adaptive = tf.tensor2d(
    Float32Array.from({ length: n }, (_, j) => (j >= n - nA ? 1 : 0)),
    [1, n],
  );
  const spike = tf.customGrad((...a: unknown[]) => {
    const [d, save] = a as [T, (ts: T[]) => void];
    save([d]);
    return {
      value: tf.cast(tf.greater(d, 0), "float32"),
      gradFunc: (dy: T, saved: T[]) =>
        tf.mul(dy, tf.mul(gamma / vth, tf.relu(tf.sub(1, tf.div(tf.abs(saved[0]!), vth))))),
    };
  });
  const detach = tf.customGrad((...a: unknown[]) => {
    const [x] = a as [T];
    return { value: tf.clone(x), gradFunc: (dy: T) => tf.zerosLike(dy) };
  });
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const batch = (x: Uint8Array, idx: number[]) => {
    const buf = new Float32Array(idx.length * 784);
    idx.forEach((i, b) => {
      for (let p = 0; p < 784; p++) buf[b * 784 + p] = x[i * 784 + p]! / 255;
    });
    return tf.tensor3d(buf, [idx.length, 28, 28]);
  };
  // returns the summed loss on the last K steps and the mean softmax over them
  const run = (xb: T, labels: number[] | null) => {
    const bs = xb.shape[0]!;
    let v: T = tf.zeros([bs, n]),
      a: T = tf.zeros([bs, n]),
      z: T = tf.zeros([bs, n]),
      y: T = tf.zeros([bs, k]);
    let loss: T = tf.scalar(0),
      probs: T = tf.zeros([bs, k]),
      rate: T = tf.zeros([n]);
    const rows = tf.unstack(xb, 1);
    const wrec = tf.mul(Wrec, offDiag);
    const target = labels ? tf.oneHot(tf.tensor1d(labels, "int32"), k) : null;
    for (let t = 0; t < steps; t++) {
      const x = rows[Math.floor(t / repeat)]!;
      v = tf.add(tf.add(tf.mul(alpha, v), tf.add(tf.matMul(x, Win), tf.matMul(z, wrec))), tf.mul(-vth, detach(z)));
      const A = tf.add(vth, tf.mul(beta, tf.mul(adaptive, a)));
      const zn = spike(tf.sub(v, A)) as T;
      a = tf.add(tf.mul(rho, a), zn);
      z = zn;
      rate = tf.add(rate, tf.mean(z, 0));
      y = tf.add(tf.add(tf.mul(kappa, y), tf.matMul(z, Wout)), bout);
      if (t >= steps - K) {
        const logp = tf.logSoftmax(y);
        probs = tf.add(probs, tf.exp(logp));
        if (target) loss = tf.sub(loss, tf.div(tf.sum(tf.mul(target, logp)), bs));
      }
    }
    const reg = tf.mul(creg / 2, tf.sum(tf.square(tf.sub(tf.div(rate, steps), rstar))));
    return { loss: tf.add(loss, reg) as T, probs };
  };
  const evaluate = (count: number) => {
    let ok = 0;
    for (let s = 0; s < count; s += 100) {
      const idx = Array.from({ length: Math.min(100, count - s) }, (_, i) => s + i);
      const p = tf.tidy(() => tf.argMax(run(batch(evalX, idx), null).probs, 1)).dataSync();
      idx.forEach((i, b) => {
        if (p[b] === evalY[i]) ok++;
      });
    }
    return ok / count;
  };
  console.log(
    `BPTT (TensorFlow.js ${tf.getBackend()}, float32, 1 thread): ${n} neurons (${nA} ALIF), T = ${steps}, batch ${B}, Adam ${lr}, ${trainN} images × ${epochs}`,
  );
  let seen = 0,
    ms = 0;
  for (let e = 1; e <= epochs; e++) {
    const perm = Array.from({ length: trainN }, (_, i) => i);
    for (let i = trainN - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    for (let s = 0; s + B <= trainN; s += B) {
      const idx = perm.slice(s, s + B);
      const t0 = performance.now();
      tf.tidy(() => {
        const xb = batch(data.train.images, idx);
        const { grads } = tf.variableGrads(
          () =>
            run(
              xb,
              idx.map((i) => data.train.labels[i]!),
            ).loss as never,
        );
        opt.applyGradients(grads as never);
      });
      await Win.data();
      ms += performance.now() - t0;
      seen += B;
      if (seen % num("every", 10016) < B)
        console.log(
          `  ${seen} samples: ${f((1000 * ms) / (seen * steps), 1)} µs per sequence-step, eval(first 2000) ${f(100 * evaluate(Math.min(2000, evalN)), 2)} %`,
        );
    }
    console.log(`epoch ${e}: eval ${f(100 * evaluate(evalN), 2)} % on ${evalN}`);
  }
  console.log(
    `BPTT stores per step and sequence: s^t (${nin + n}), v^t, a^t, ψ^t (${n} each), y^t (${k}) → ≥ ${((4 * (nin + 4 * n + k) * steps) / 1024).toFixed(0)} KiB per sequence at T = ${steps}, ${((4 * (nin + 4 * n + k) * 784) / 1024).toFixed(0)} KiB at T = 784`,
  );
}

void measureCeilings;
void table;
if (mode === "mnist") mnist();
else if (mode === "mnist-test") mnistTest();
else if (mode === "bptt") await bptt();
else if (mode === "memory-task") memoryTask();
else await speed();
