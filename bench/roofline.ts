// npm run bench:roofline — every learner's step against this machine's limit, in one run.
//
// For each learner's configuration below and each of its steps (the online step, predict, the
// batch step where it has one) the table gives:
//   • the work the ALGORITHM must do: FLOPs and bytes, counted by the small `work*` functions
//     next to each learner below (how: see "Counting" below);
//   • the measured time through the public API (fastest and median of short samples, see
//     `timeShort`; the boundary's copy of the input is included, as a caller pays it);
//   • the limit = max(FLOPs / peak, bytes / bandwidth) and  % of limit = limit / measured;
//   • the same algorithm in plain JavaScript and in TensorFlow.js (wasm backend, SIMD, one
//     thread, batch 1) in the same run, as ratios peer time / engram time (> 1: engram faster).
// Ceilings are measured in this run: peak = the f32x4 mul+add throughput (assembly/bench/ceiling.ts,
// as bench/kernels.ts measures it); bandwidth = the read-modify-write streaming rate over an array
// as large as the step's working set (its state), so a step whose state sits in L2 is held to L2's
// rate and one that spills to L3 to L3's.
//
// Counting. A multiply-add is 2 FLOPs; an activation (tanh, sigmoid, exp) is counted as ACT
// FLOPs per element (the f32 operations of its polynomial, kernels/math.ts); small per-unit
// vector work (biases, clamps, softmax over 10 classes) is left out where it is < 1 % of the
// step. Bytes count every pass the algorithm cannot avoid over an array bigger than a vector:
// a matrix read is 4 B per element, a matrix update (read + write) 8 B. Two passes over the
// same matrix count twice only when the second depends on a result of the first that needs
// the whole pass (e.g. the forward product before an update driven by the output error); passes
// that could share one read count once. So the limit is a lower bound on the time of any
// implementation of the same algorithm with the same data layout.
//
//   node scripts/ts.mjs bench/roofline.ts [--only ff,dfa,...] [--quick]
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../cli/idx.js";
import { createEngram, pixels, type Engram } from "../src/index.js";
import { jsTwin } from "./spikingTwin.js";
import { f, loadRaw, machine, measureCeilings, table, timeShort, type Raw } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const only = arg("only", "").split(",").filter(Boolean);
const quick = process.argv.includes("--quick");
const MS = quick ? 150 : 500; // time per measurement

const raw: Raw = await loadRaw();
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));
const mnist = loadDataset("mnist");
const D = 784;
/** Image i of the validation split (the last 10 000 training images), scaled to [0, 1]. */
const image = (i: number) => pixels(mnist.train.images.subarray((50000 + i) * D, (50001 + i) * D));
const labelOf = (i: number) => mnist.train.labels[50000 + i]!;
const x0 = image(0),
  y0 = labelOf(0);
const B = 8; // batch rows (a call of a few ms: longer calls are always preempted on a shared machine)
const xs = new Float32Array(B * D);
const ys = new Uint8Array(B);
for (let i = 0; i < B; i++) {
  xs.set(image(i), i * D);
  ys[i] = labelOf(i);
}

// ---------------------------------------------------------------- timing and ceilings

const timeMin = (fn: () => unknown, ms = MS) => timeShort(fn, ms).min;
const timeRow = (fn: () => unknown) => timeShort(fn, MS);

/**
 * Streaming bandwidths (bytes/s) over an array of `bytes` bytes (≥ 64 KiB): `read` sums the array
 * (ceilingRead), `rmw` rewrites it in place (ceilingStream, 8 B per float).
 */
function bandwidthAt(bytes: number): { read: number; rmw: number } {
  const n = Math.max(16384, Math.ceil(bytes / 64) * 16);
  const p = raw.alloc(n * 4) >>> 0;
  new Float32Array(raw.memory.buffer, p, n).fill(0.5);
  const reps = Math.max(1, Math.round((1 << 20) / (n * 4)));
  // twice each, the faster kept: a ceiling measured in a disturbed moment would flatter the row
  const read = (n * 4 * reps) / Math.min(...[0, 1].map(() => timeMin(() => raw.ceilingRead(p, n, reps), 200)));
  const rmw = (n * 8 * reps) / Math.min(...[0, 1].map(() => timeMin(() => raw.ceilingStream(p, n, reps), 200)));
  raw.free(p);
  return { read, rmw };
}

/** The f32x4 mul+add peak (FLOP/s), timed as the steps are; the best of this and every earlier measurement of the run. */
let bestPeak = 0;
const peakNow = () => (bestPeak = Math.max(bestPeak, (5_000 * 12 * 8) / timeMin(() => raw.ceilingMulAdd(5_000), 250)));

const load0 = loadavg()[0]!;
const c = measureCeilings(raw);
for (let i = 0; i < 3; i++) peakNow();

// ---------------------------------------------------------------- the rows

/** The work one call does, counted from the algorithm. */
interface Work {
  flops: number;
  /** Bytes only read, and bytes of arrays read and written back (8 B per element updated). */
  read: number;
  rmw: number;
  /** Bytes of state the step streams over (picks the bandwidth). */
  set: number;
}
interface Row {
  learner: string;
  op: string;
  /** Samples per call (a batch row is reported per sample). */
  n: number;
  work: Work;
  engram: () => unknown;
  js?: () => unknown;
  tf?: () => unknown;
  note?: string;
}
const ACT = 24; // f32 operations of tanh4/sigmoid4 per element (exp4's polynomial, the divide, the selects)
const rows: Row[] = [];
const want = (key: string) => only.length === 0 || only.includes(key);
const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

// TensorFlow.js wasm backend, one thread, loaded once
const tf = await import("@tensorflow/tfjs-core");
{
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(fileURLToPath(new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url)));
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) throw new Error("the TensorFlow.js wasm backend did not initialise");
  await tf.ready();
}
type T = InstanceType<typeof tf.Tensor>;
/** Runs a TF.js step and waits for its result, so asynchronous backends are timed fully. */
const tfRun = (fn: () => T) => () => tf.tidy(fn).dataSync();

/** Weights U(±√(3/fan-in)) as a plain array (peers' own init: they time the same shapes, not the same bits). */
function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const w = new Float32Array(rows * cols),
    a = Math.sqrt(3 / cols);
  let s = seed >>> 0;
  for (let i = 0; i < w.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = (s / 2 ** 31 - 1) * a;
  }
  return w;
}

// ---------------------------------------------------------------- dense perceptrons: FA, DFA, node perturbation

// Work of one step of the perceptron `sizes` (tanh hidden units).
//   forward, layer l (n_{l+1} × n_l): 2 n_l n_{l+1} FLOPs, W read once (4 B/weight); ACT per hidden unit
//   update: W −= g xᵀ, 2 FLOPs and 8 B per weight; it needs δ, which needs the output: a pass of its own
//   FA: δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l): B read (4 B, 2 FLOPs per element), f′ ACT per unit
//   DFA: δ_l = (D_lᵀ e) ⊙ f′(a_l): D (classes × n) read
//   perturbation: two more forward passes of layers ≥ 1 (layer 0's product is reused); the three
//     passes could share one read of each W, so bytes count one read.
function workMlp(sizes: number[], kind: "fa" | "dfa" | "np" | "predict"): Work {
  const L = sizes.length - 1,
    K = sizes[L]!;
  let flops = 0,
    read = 0,
    rmw = 0,
    set = 0;
  for (let l = 0; l < L; l++) {
    const w = sizes[l]! * sizes[l + 1]!,
      hidden = l < L - 1;
    set += 4 * w;
    flops += 2 * w + (hidden ? ACT * sizes[l + 1]! : 0);
    read += 4 * w;
    if (kind === "predict") continue;
    if (kind === "np" && l > 0) flops += 2 * (2 * w + (hidden ? ACT * sizes[l + 1]! : 0));
    flops += 2 * w;
    rmw += 8 * w;
    if (!hidden || kind === "np") continue;
    const fb = (kind === "fa" ? sizes[l + 2]! : K) * sizes[l + 1]!;
    flops += 2 * fb + ACT * sizes[l + 1]!;
    read += 4 * fb;
    set += 4 * fb;
  }
  return { flops, read, rmw, set };
}

/** The same perceptron step in plain JavaScript: tanh hidden units, softmax output, FA/DFA/NP δ, SGD. */
function jsMlp(sizes: number[], kind: "fa" | "dfa" | "np") {
  const L = sizes.length - 1,
    K = sizes[L]!;
  const W = sizes.slice(1).map((n, l) => randomMatrix(n, sizes[l]!, 11 + l));
  const b = sizes.slice(1).map((n) => new Float32Array(n));
  const Fb = sizes.slice(1, -1).map((n, l) => randomMatrix(kind === "fa" ? sizes[l + 2]! : K, n, 31 + l));
  const a = sizes.map((n) => new Float32Array(n)),
    h = sizes.map((n) => new Float32Array(n)),
    d = sizes.map((n) => new Float32Array(n)),
    xi = sizes.map((n) => new Float32Array(n));
  const eta = 0.01,
    sigma = 0.1;
  const forward = (x: Float32Array, s: number) => {
    h[0]!.set(x);
    for (let l = 0; l < L; l++) {
      const n = sizes[l + 1]!,
        m = sizes[l]!,
        w = W[l]!,
        inp = h[l]!;
      for (let i = 0; i < n; i++) {
        let z = b[l]![i]!;
        for (let j = 0, o = i * m; j < m; j++) z += w[o + j]! * inp[j]!;
        a[l + 1]![i] = z + s * xi[l + 1]![i]!;
        h[l + 1]![i] = l < L - 1 ? Math.tanh(a[l + 1]![i]!) : a[l + 1]![i]!;
      }
    }
    const o = h[L]!;
    let mx = -Infinity,
      z = 0;
    for (let i = 0; i < K; i++) mx = Math.max(mx, o[i]!);
    for (let i = 0; i < K; i++) z += o[i] = Math.exp(o[i]! - mx);
    for (let i = 0; i < K; i++) o[i]! /= z;
  };
  const loss = (y: number) => -Math.log(h[L]![y]!);
  const step = (x: Float32Array, y: number) => {
    if (kind === "np") {
      for (let l = 1; l < L; l++) for (let i = 0; i < sizes[l]!; i++) xi[l]![i] = Math.random() * 2 - 1;
      forward(x, sigma);
      const plus = loss(y);
      forward(x, -sigma);
      const minus = loss(y);
      for (let l = 1; l < L; l++)
        for (let i = 0; i < sizes[l]!; i++) d[l]![i] = ((plus - minus) / (2 * sigma)) * xi[l]![i]!;
    }
    for (let l = 0; l < sizes.length; l++) xi[l]!.fill(0);
    forward(x, 0);
    for (let i = 0; i < K; i++) d[L]![i] = h[L]![i]! - (i === y ? 1 : 0);
    if (kind !== "np")
      for (let l = L - 1; l >= 1; l--) {
        const n = sizes[l]!,
          fb = Fb[l - 1]!,
          above = kind === "fa" ? d[l + 1]! : d[L]!,
          rows = above.length;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += fb[i * n + j]! * above[i]!;
          d[l]![j] = s * (1 - h[l]![j]! * h[l]![j]!);
        }
      }
    for (let l = 0; l < L; l++) {
      const n = sizes[l + 1]!,
        m = sizes[l]!,
        w = W[l]!,
        inp = h[l]!;
      for (let i = 0; i < n; i++) {
        const g = eta * d[l + 1]![i]!;
        for (let j = 0, o = i * m; j < m; j++) w[o + j] -= g * inp[j]!;
        b[l]![i] -= g;
      }
    }
  };
  return { step, predict: (x: Float32Array) => forward(x, 0) };
}

/** The same step in TensorFlow.js (batch 1; tf keeps W as n_l × n_{l+1}). */
function tfMlp(sizes: number[], kind: "fa" | "dfa" | "np") {
  const L = sizes.length - 1,
    K = sizes[L]!;
  const W = sizes.slice(1).map((n, l) => tf.variable(tf.tensor2d(randomMatrix(n, sizes[l]!, 11 + l), [sizes[l]!, n])));
  const b = sizes.slice(1).map((n) => tf.variable(tf.zeros([1, n])));
  const Fb = sizes
    .slice(1, -1)
    .map((n, l) =>
      tf.tensor2d(randomMatrix(kind === "fa" ? sizes[l + 2]! : K, n, 31 + l), [kind === "fa" ? sizes[l + 2]! : K, n]),
    );
  const eta = 0.01,
    sigma = 0.1;
  const forward = (x: T, noise: T[] | null, s: number) => {
    const hs: T[] = [x];
    let cur = x;
    for (let l = 0; l < L; l++) {
      let a = tf.add(tf.matMul(cur as never, W[l]!), b[l]!);
      if (noise && l < L - 1) a = tf.add(a, tf.mul(s, noise[l]!));
      cur = l < L - 1 ? tf.tanh(a) : a;
      hs.push(cur);
    }
    return { hs, p: tf.softmax(cur) };
  };
  const step = (x: Float32Array, y: number) =>
    tfRun(() => {
      const xt = tf.tensor2d(x, [1, sizes[0]!]);
      const onehot = tf.oneHot(tf.tensor1d([y], "int32"), K);
      const { hs, p } = forward(xt, null, 0);
      const e = tf.sub(p, onehot);
      const deltas: T[] = new Array(L);
      deltas[L - 1] = e;
      if (kind === "np") {
        const noise = sizes.slice(1, -1).map((n) => tf.randomNormal([1, n]));
        const ce = (q: T) => tf.neg(tf.sum(tf.mul(onehot, tf.log(q))));
        const diff = tf.div(tf.sub(ce(forward(xt, noise, sigma).p), ce(forward(xt, noise, -sigma).p)), 2 * sigma);
        for (let l = 0; l < L - 1; l++) deltas[l] = tf.mul(diff, noise[l]!);
      } else
        for (let l = L - 2; l >= 0; l--) {
          const above = kind === "fa" ? deltas[l + 1]! : e;
          deltas[l] = tf.mul(tf.matMul(above as never, Fb[l]!), tf.sub(1, tf.square(hs[l + 1]!)));
        }
      for (let l = 0; l < L; l++) {
        W[l]!.assign(tf.sub(W[l]!, tf.mul(eta, tf.matMul(hs[l] as never, deltas[l] as never, true, false))));
        b[l]!.assign(tf.sub(b[l]!, tf.mul(eta, deltas[l]!)));
      }
      return b[0]!;
    })();
  const predict = (x: Float32Array) => tfRun(() => forward(tf.tensor2d(x, [1, sizes[0]!]), null, 0).p)();
  return { step, predict };
}

function perceptronRows(key: string, label: string, kind: "fa" | "dfa" | "np", sizes: number[]): void {
  if (!want(key)) return;
  const opts = { inputs: sizes[0]!, hidden: sizes.slice(1, -1), classes: sizes[sizes.length - 1]!, seed: 1 };
  const net =
    kind === "np" ? engram.perturbation(opts) : engram.feedbackAlignment({ ...opts, mode: kind, activation: "tanh" });
  const js = jsMlp(sizes, kind),
    t = tfMlp(sizes, kind);
  const name = `${label} ${sizes.join("-")} tanh`;
  rows.push(
    {
      learner: name,
      op: "learn",
      n: 1,
      work: workMlp(sizes, kind),
      engram: () => net.learn(x0, y0),
      js: () => js.step(x0, y0),
      tf: () => t.step(x0, y0),
    },
    {
      learner: name,
      op: "predict",
      n: 1,
      work: workMlp(sizes, "predict"),
      engram: () => net.predict(x0),
      js: () => js.predict(x0),
      tf: () => t.predict(x0),
    },
    // learnBatch is n online steps in order (the same bits as n calls): its work is n steps'
    {
      learner: name,
      op: `learnBatch(${B})`,
      n: B,
      work: scaleWork(workMlp(sizes, kind), B),
      engram: () => net.learnBatch(xs, ys),
    },
  );
}

function scaleWork(w: Work, k: number): Work {
  return { flops: w.flops * k, read: w.read * k, rmw: w.rmw * k, set: w.set };
}

// ---------------------------------------------------------------- Forward-Forward

// Work of one Forward-Forward step, layers 784→500→500 with the label as its own weights U
// (assembly/learners/forwardForward.ts): the image product W₁x̂ is shared by every label;
// layer 2 runs a positive and a negative pass (one read of W₂ could serve both); the update of
// each layer is rank 2 (positive and negative), 4 FLOPs per weight to form the gradient, then the
// factored Adam step: first moment m ← β₁m + (1−β₁)g (3 FLOPs), the factored second moment from
// row and column sums of g² (3), the step W −= s m r_i c_j (3): 9 FLOPs; bytes W read for the
// forward (4 B), W and m read and written (16 B). A mini-batch of B: B forward passes (W read
// once for all of them, as a matrix product could), the rank-2B gradient, one optimizer step.
// predict: the goodness under every label: W₁x̂ once, then layer 2 once per label (10 × 2 FLOPs
// per weight of W₂; one read of W₂ could serve all ten).
function workFF(sizes: number[], batch: number, predict = false): Work {
  let flops = 0,
    read = 0,
    rmw = 0,
    set = 0;
  const C = 10;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = sizes[l]! * sizes[l + 1]!;
    set += (predict ? 4 : 12) * w;
    const passes = predict ? (l === 0 ? 1 : C) : l === 0 ? 1 : 2;
    flops += batch * passes * 2 * w;
    read += 4 * w;
    if (predict) continue;
    flops += batch * 4 * w + 9 * w;
    rmw += 16 * w;
  }
  return { flops, read, rmw, set };
}

/** Plain JavaScript FF step: ReLU layers, goodness Σh², logistic loss around θ, rank-2 update, Adam's first moment and a factored second. */
function jsFF(sizes: number[]) {
  const L = sizes.length - 1,
    C = 10;
  const W = sizes.slice(1).map((n, l) => randomMatrix(n, sizes[l]!, 41 + l));
  const U = randomMatrix(sizes[1]!, C, 51);
  const M = W.map((w) => new Float32Array(w.length));
  const R = sizes.slice(1).map((n) => new Float32Array(n).fill(1e-8)),
    Cc = sizes.slice(0, -1).map((n) => new Float32Array(n).fill(1e-8));
  const z1 = new Float32Array(sizes[1]!);
  const hp = sizes.map((n) => new Float32Array(n)),
    hn = sizes.map((n) => new Float32Array(n));
  const gp = sizes.map((n) => new Float32Array(n)),
    gn = sizes.map((n) => new Float32Array(n));
  const lr = 0.001,
    b1 = 0.9,
    b2 = 0.999,
    theta = 2;
  const layer = (out: Float32Array, w: Float32Array, inp: Float32Array, n: number, m: number) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0, o = i * m; j < m; j++) s += w[o + j]! * inp[j]!;
      out[i] = s;
    }
  };
  const act = (h: Float32Array, g: Float32Array, sign: number) => {
    let G = 0;
    for (let i = 0; i < h.length; i++) {
      h[i] = Math.max(h[i]!, 0);
      G += h[i]! * h[i]!;
    }
    const p = 1 / (1 + Math.exp(-sign * (G - theta)));
    for (let i = 0; i < h.length; i++) g[i] = -sign * (1 - p) * 2 * h[i]!;
  };
  const goodness = (h: Float32Array) => {
    let G = 0;
    for (let i = 0; i < h.length; i++) G += Math.max(h[i]!, 0) ** 2;
    return G;
  };
  const step = (x: Float32Array, y: number) => {
    const neg = (y + 1) % C;
    layer(z1, W[0]!, x, sizes[1]!, sizes[0]!);
    for (let i = 0; i < sizes[1]!; i++) {
      hp[1]![i] = z1[i]! + U[i * C + y]!;
      hn[1]![i] = z1[i]! + U[i * C + neg]!;
    }
    act(hp[1]!, gp[1]!, 1);
    act(hn[1]!, gn[1]!, -1);
    for (let l = 1; l < L; l++) {
      layer(hp[l + 1]!, W[l]!, hp[l]!, sizes[l + 1]!, sizes[l]!);
      layer(hn[l + 1]!, W[l]!, hn[l]!, sizes[l + 1]!, sizes[l]!);
      act(hp[l + 1]!, gp[l + 1]!, 1);
      act(hn[l + 1]!, gn[l + 1]!, -1);
    }
    for (let l = 0; l < L; l++) {
      const n = sizes[l + 1]!,
        m = sizes[l]!,
        w = W[l]!,
        mm = M[l]!,
        r = R[l]!,
        cc = Cc[l]!;
      const ip = l === 0 ? x : hp[l]!,
        iN = l === 0 ? x : hn[l]!;
      for (let i = 0; i < n; i++) {
        const a = gp[l + 1]![i]!,
          bb = gn[l + 1]![i]!;
        let rs = 0;
        for (let j = 0, o = i * m; j < m; j++) {
          const g = a * ip[j]! + bb * iN[j]!;
          rs += g * g;
          cc[j] = b2 * cc[j]! + (1 - b2) * g * g;
          mm[o + j] = b1 * mm[o + j]! + (1 - b1) * g;
        }
        r[i] = b2 * r[i]! + (1 - b2) * rs;
      }
      let rt = 0;
      for (let i = 0; i < n; i++) rt += r[i]!;
      for (let i = 0; i < n; i++) {
        const ri = lr / Math.sqrt(r[i]! / rt);
        for (let j = 0, o = i * m; j < m; j++) w[o + j] -= (ri * mm[o + j]!) / Math.sqrt(cc[j]! + 1e-30);
      }
    }
  };
  const predict = (x: Float32Array) => {
    layer(z1, W[0]!, x, sizes[1]!, sizes[0]!);
    let best = 0,
      bestG = -Infinity;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < sizes[1]!; i++) hp[1]![i] = Math.max(z1[i]! + U[i * C + c]!, 0);
      let G = goodness(hp[1]!);
      for (let l = 1; l < L; l++) {
        layer(hp[l + 1]!, W[l]!, hp[l]!, sizes[l + 1]!, sizes[l]!);
        G += goodness(hp[l + 1]!);
        for (let i = 0; i < sizes[l + 1]!; i++) hp[l + 1]![i] = Math.max(hp[l + 1]![i]!, 0);
      }
      if (G > bestG) {
        bestG = G;
        best = c;
      }
    }
    return best;
  };
  return { step, predict };
}

function ffRows(): void {
  if (!want("ff")) return;
  const sizes = [D, 500, 500];
  const net = engram.forwardForward({ inputs: D, hidden: [500, 500], classes: 10, seed: 1 });
  for (let i = 0; i < 10; i++) net.learn(image(i), labelOf(i)); // every label seen: hard negatives exist
  const js = jsFF(sizes);
  rows.push(
    {
      learner: "forwardForward 784-500-500",
      op: "learn",
      n: 1,
      work: workFF(sizes, 1),
      engram: () => net.learn(x0, y0),
      js: () => js.step(x0, y0),
    },
    {
      learner: "forwardForward 784-500-500",
      op: "predict",
      n: 1,
      work: workFF(sizes, 1, true),
      engram: () => net.predict(x0),
      js: () => js.predict(x0),
    },
    {
      learner: "forwardForward 784-500-500",
      op: `learnBatch(${B})`,
      n: B,
      work: workFF(sizes, B),
      engram: () => net.learnBatch(xs, ys),
    },
  );
}

// ---------------------------------------------------------------- Hebbian (SoftHebb) + readout

// Work of learn(x, label) with a readout, K units on N inputs, C classes: the features u = W x
// (2 FLOPs, 4 B per weight), the readout z = V f̂ and its delta-rule update (C × K: 2 FLOPs, 8 B),
// then SoftHebb's update Δw_i = η y_i (x − u_i w_i) (y = softmax(u/τ), anti-Hebbian for the
// losers) on the `active` rows whose share y_i ≥ 10⁻⁴ (rules/softhebb.ts; the others skip): the
// step bound max_j |x_j − u_i w_ij| reads the row (4 B, 3 FLOPs), the update rewrites it (8 B,
// 3 FLOPs). It needs all of u first, so it is a second pass. predict: u = W x, f̂, z = V f̂.
function workHebb(N: number, K: number, C: number, active: number, op: "learn" | "predict"): Work {
  const set = 4 * N * K + 4 * C * K;
  const flops = 2 * N * K + 2 * C * K,
    read = 4 * N * K + 4 * C * K;
  if (op === "predict") return { flops, read, rmw: 0, set };
  return {
    flops: flops + 6 * N * active + 2 * C * K,
    read: read + 4 * N * active,
    rmw: 8 * N * active + 8 * C * K,
    set,
  };
}

/** Rows SoftHebb moves for x: y_i = softmax(W x / τ)_i ≥ 10⁻⁴ (float64, from the learner's weights). */
function softhebbActive(W: Float32Array, x: Float32Array, K: number, N: number, tau: number): number {
  const u = new Float64Array(K);
  for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) u[i] += W[i * N + j]! * x[j]!;
  const m = Math.max(...u);
  const e = Array.from(u, (v) => Math.exp((v - m) / tau));
  const z = sum(e);
  return e.filter((v) => v / z >= 1e-4).length;
}

function jsHebb(N: number, K: number, C: number) {
  const W = randomMatrix(K, N, 61),
    V = randomMatrix(C, K, 62);
  const u = new Float32Array(K),
    y = new Float32Array(K),
    z = new Float32Array(C);
  const eta = 0.05,
    tau = 0.5,
    etaR = 2;
  const features = (x: Float32Array) => {
    let nrm = 0;
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0, o = i * N; j < N; j++) s += W[o + j]! * x[j]!;
      u[i] = s;
      nrm += s * s;
    }
    nrm = 1 / Math.sqrt(nrm + 1e-20);
    let mx = -Infinity;
    for (let k = 0; k < C; k++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += V[k * K + i]! * u[i]! * nrm;
      z[k] = s;
      mx = Math.max(mx, s);
    }
    let t = 0;
    for (let k = 0; k < C; k++) t += z[k] = Math.exp(z[k]! - mx);
    for (let k = 0; k < C; k++) z[k]! /= t;
    return nrm;
  };
  const learn = (x: Float32Array, label: number) => {
    const nrm = features(x);
    z[label]! -= 1;
    for (let k = 0; k < C; k++) for (let i = 0; i < K; i++) V[k * K + i] -= etaR * z[k]! * u[i]! * nrm;
    let mx = -Infinity,
      win = 0;
    for (let i = 0; i < K; i++) if (u[i]! > mx) ((mx = u[i]!), (win = i));
    let t = 0;
    for (let i = 0; i < K; i++) t += y[i] = Math.exp((u[i]! - mx) / tau);
    for (let i = 0; i < K; i++) {
      const yi = ((i === win ? 1 : -1) * y[i]!) / t;
      if (Math.abs(yi) < 1e-4) continue; // as SoftHebb: a unit under the cutoff skips the step
      const a = eta * yi,
        cc = 1 - a * u[i]!;
      for (let j = 0, o = i * N; j < N; j++) W[o + j] = cc * W[o + j]! + a * x[j]!;
    }
  };
  return { learn, predict: (x: Float32Array) => features(x) };
}

function tfHebb(N: number, K: number, C: number) {
  const W = tf.variable(tf.tensor2d(randomMatrix(K, N, 61), [K, N])),
    V = tf.variable(tf.tensor2d(randomMatrix(C, K, 62), [C, K]));
  const features = (xt: T) => {
    const u = tf.matMul(W, xt as never); // (K, 1)
    const f = tf.div(u, tf.norm(u));
    return { u, f, p: tf.softmax(tf.reshape(tf.matMul(V, f as never), [1, C])) };
  };
  const learn = (x: Float32Array, label: number) =>
    tfRun(() => {
      const xt = tf.tensor2d(x, [N, 1]);
      const { u, f, p } = features(xt);
      const e = tf.reshape(tf.sub(p, tf.oneHot(tf.tensor1d([label], "int32"), C)), [C, 1]);
      V.assign(tf.sub(V, tf.mul(2, tf.matMul(e as never, f as never, false, true))));
      const y = tf.softmax(tf.reshape(tf.div(u, 0.5), [1, K]));
      const sign = tf.sub(tf.mul(2, tf.oneHot(tf.argMax(u, 0), K)), 1);
      const a = tf.reshape(tf.mul(0.05, tf.mul(tf.reshape(sign, [1, K]), y)), [K, 1]);
      W.assign(tf.add(tf.mul(tf.sub(1, tf.mul(a, u)), W), tf.matMul(a as never, xt as never, false, true)));
      return V;
    })();
  return { learn, predict: (x: Float32Array) => tfRun(() => features(tf.tensor2d(x, [N, 1])).p)() };
}

function hebbRows(): void {
  if (!want("hebbian")) return;
  const N = D,
    K = 400,
    C = 10;
  const layer = engram.hebbian({ inputs: N, outputs: K, readout: { classes: C }, seed: 1 });
  for (let i = 0; i < 200; i++) layer.learn(image(i), labelOf(i)); // past the first steps, where every unit moves
  const active = softhebbActive(layer.weights(), x0, K, N, 0.5);
  const js = jsHebb(N, K, C),
    t = tfHebb(N, K, C);
  const name = `hebbian softhebb ${N}→${K} + readout`;
  rows.push(
    {
      learner: name,
      op: "learn(x, label)",
      n: 1,
      work: workHebb(N, K, C, active, "learn"),
      engram: () => layer.learn(x0, y0),
      js: () => js.learn(x0, y0),
      tf: () => t.learn(x0, y0),
      note: `${active}/${K} rows move`,
    },
    {
      learner: name,
      op: "predict",
      n: 1,
      work: workHebb(N, K, C, active, "predict"),
      engram: () => layer.predict(x0),
      js: () => js.predict(x0),
      tf: () => t.predict(x0),
    },
    {
      learner: name,
      op: `learnBatch(${B})`,
      n: B,
      work: scaleWork(workHebb(N, K, C, active, "learn"), B),
      engram: () => layer.learnBatch(xs, ys),
    },
  );
}

// ---------------------------------------------------------------- reward-modulated policy

// Work of one act(x) + reward(r), A actions on N inputs: the policy π = softmax(W x + b) (2 FLOPs,
// 4 B per weight), the eligibility trace E ← λE + (onehot(a) − π) xᵀ (2 FLOPs, 8 B), then the
// three-factor step W += η (r − r̄) E (2 FLOPs; W read and written, E read: 12 B). The trace
// update needs π (all of W x) and the step needs r, which arrives after act: three passes.
function workRm(N: number, A: number, op: "step" | "predict"): Work {
  const w = N * A;
  if (op === "predict") return { flops: 2 * w, read: 4 * w, rmw: 0, set: 4 * w };
  return { flops: 6 * w, read: 8 * w, rmw: 16 * w, set: 8 * w };
}

function jsRm(N: number, A: number) {
  const W = randomMatrix(A, N, 71),
    E = new Float32Array(A * N),
    pi = new Float32Array(A);
  let rbar = 0;
  const policy = (x: Float32Array) => {
    let mx = -Infinity,
      t = 0;
    for (let i = 0; i < A; i++) {
      let s = 0;
      for (let j = 0, o = i * N; j < N; j++) s += W[o + j]! * x[j]!;
      pi[i] = s;
      mx = Math.max(mx, s);
    }
    for (let i = 0; i < A; i++) t += pi[i] = Math.exp(pi[i]! - mx);
    for (let i = 0; i < A; i++) pi[i]! /= t;
  };
  const act = (x: Float32Array) => {
    policy(x);
    const u = Math.random();
    let a = A - 1;
    for (let i = 0, c = 0; i < A; i++) if (u < (c += pi[i]!)) ((a = i), (i = A));
    for (let i = 0; i < A; i++) {
      const p = (i === a ? 1 : 0) - pi[i]!;
      for (let j = 0, o = i * N; j < N; j++) E[o + j] = 0 * E[o + j]! + p * x[j]!;
    }
    return a;
  };
  const reward = (r: number) => {
    const m = 0.1 * (r - rbar);
    for (let k = 0; k < A * N; k++) W[k] += m * E[k]!;
    rbar += 0.05 * (r - rbar);
  };
  return { step: (x: Float32Array, y: number) => reward(act(x) === y ? 1 : 0), predict: policy };
}

function tfRm(N: number, A: number) {
  const W = tf.variable(tf.tensor2d(randomMatrix(A, N, 71), [A, N])),
    E = tf.variable(tf.zeros([A, N]));
  let rbar = 0;
  const step = (x: Float32Array, y: number) => {
    const a = tf.tidy(() => {
      const xt = tf.tensor2d(x, [N, 1]);
      const pi = tf.reshape(tf.softmax(tf.reshape(tf.matMul(W, xt as never), [1, A])), [A, 1]);
      const act = tf.multinomial(tf.log(tf.reshape(pi, [1, A])) as never, 1).dataSync()[0]!;
      const post = tf.sub(tf.reshape(tf.oneHot(tf.tensor1d([act], "int32"), A), [A, 1]), pi);
      E.assign(tf.add(tf.mul(0, E), tf.matMul(post as never, xt as never, false, true)));
      return act;
    });
    const r = a === y ? 1 : 0;
    tf.tidy(() => W.assign(tf.add(W, tf.mul(0.1 * (r - rbar), E))));
    rbar += 0.05 * (r - rbar);
    W.dataSync();
  };
  const predict = (x: Float32Array) =>
    tfRun(() => tf.softmax(tf.reshape(tf.matMul(W, tf.tensor2d(x, [N, 1]) as never), [1, A])))();
  return { step, predict };
}

function rmRows(): void {
  if (!want("reward")) return;
  const N = D,
    A = 10;
  const pol = engram.rewardModulated({ inputs: N, actions: A, seed: 1 });
  const js = jsRm(N, A),
    t = tfRm(N, A);
  const name = `rewardModulated ${N}→${A}`;
  rows.push(
    {
      learner: name,
      op: "act + reward",
      n: 1,
      work: workRm(N, A, "step"),
      engram: () => pol.reward(pol.act(x0) === y0 ? 1 : 0),
      js: () => js.step(x0, y0),
      tf: () => t.step(x0, y0),
    },
    {
      learner: name,
      op: "predict",
      n: 1,
      work: workRm(N, A, "predict"),
      engram: () => pol.predict(x0),
      js: () => js.predict(x0),
      tf: () => t.predict(x0),
    },
  );
}

// ---------------------------------------------------------------- continual (streaming LDA)

// Work of learn(x, label), d = inputs: δ = x − μ_c, μ_c += δ/(n+1) (vectors), and the scatter
// S += n/(n+1) δδᵀ on its upper triangle: d(d+1)/2 multiply-adds = d(d+1) FLOPs, and S read and
// written (8 B per stored element) once per block of BLOCK = 8 samples (rules/streamingLda.ts:
// the rank-8 update streams S once). predict (after the discriminant is solved; the solve runs
// once after a burst of learns): (f − m) and C dot products of length d.
const CL_BLOCK = 8;
function workCl(d: number, C: number, op: "learn" | "predict"): Work {
  const tri = (d * (d + 1)) / 2;
  if (op === "predict") return { flops: 2 * C * d, read: 4 * C * d, rmw: 0, set: 4 * C * d };
  return { flops: 2 * tri + 6 * d, read: 8 * d, rmw: (8 * tri) / CL_BLOCK + 8 * d, set: 4 * tri };
}

function jsCl(d: number, C: number) {
  const S = new Float32Array(d * d),
    mu = new Float32Array(C * d),
    n = new Float64Array(C),
    delta = new Float32Array(d),
    Wc = randomMatrix(C, d, 81),
    f = new Float32Array(d);
  const learn = (x: Float32Array, c: number) => {
    const k = n[c]!;
    for (let j = 0; j < d; j++) delta[j] = x[j]! - mu[c * d + j]!;
    const a = k / (k + 1);
    for (let i = 0; i < d; i++) {
      const ai = a * delta[i]!;
      for (let j = i, o = i * d; j < d; j++) S[o + j] += ai * delta[j]!;
    }
    for (let j = 0; j < d; j++) mu[c * d + j] += delta[j]! / (k + 1);
    n[c] = k + 1;
  };
  const predict = (x: Float32Array) => {
    for (let j = 0; j < d; j++) f[j] = x[j]! - mu[j]!;
    let best = 0,
      bs = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Wc[c * d + j]! * f[j]!;
      if (s > bs) ((bs = s), (best = c));
    }
    return best;
  };
  return { learn, predict };
}

function tfCl(d: number, C: number) {
  const S = tf.variable(tf.zeros([d, d]));
  const mu = tf.variable(tf.zeros([C, d]));
  const Wc = tf.tensor2d(randomMatrix(C, d, 81), [C, d]);
  const n = new Float64Array(C);
  const learn = (x: Float32Array, c: number) => {
    const k = n[c]!;
    tfRun(() => {
      const xt = tf.tensor2d(x, [1, d]);
      const m = tf.slice(mu, [c, 0], [1, d]);
      const delta = tf.sub(xt, m);
      S.assign(tf.add(S, tf.mul(k / (k + 1), tf.matMul(delta as never, delta as never, true, false))));
      mu.assign(tf.add(mu, tf.mul(tf.reshape(tf.oneHot(tf.tensor1d([c], "int32"), C), [C, 1]), tf.div(delta, k + 1))));
      return mu;
    })();
    n[c] = k + 1;
  };
  const predict = (x: Float32Array) => tfRun(() => tf.matMul(Wc, tf.tensor2d(x, [d, 1]) as never))();
  return { learn, predict };
}

function clRows(): void {
  if (!want("continual")) return;
  const d = D,
    C = 10;
  const cl = engram.continual({ inputs: d, classes: C, seed: 1 });
  for (let i = 0; i < 20; i++) cl.learn(image(i), labelOf(i));
  const js = jsCl(d, C),
    t = tfCl(d, C);
  const name = `continual ${d} inputs, ${C} classes`;
  cl.predict(x0); // solve once: predict is timed on the cached discriminant
  rows.push(
    {
      learner: name,
      op: "predict (solved)",
      n: 1,
      work: workCl(d, C, "predict"),
      engram: () => cl.predict(x0),
      js: () => js.predict(x0),
      tf: () => t.predict(x0),
    },
    {
      learner: name,
      op: "learn",
      n: 1,
      work: workCl(d, C, "learn"),
      engram: () => cl.learn(x0, y0),
      js: () => js.learn(x0, y0),
      tf: () => t.learn(x0, y0),
      note: "S streamed once per 8 samples",
    },
    {
      learner: name,
      op: `learnBatch(${B})`,
      n: B,
      work: scaleWork(workCl(d, C, "learn"), B),
      engram: () => cl.learnBatch(xs, ys),
    },
  );
}

// ---------------------------------------------------------------- e-prop

// Work of one step(x_t, target) of e-prop, nin inputs, n ALIF neurons, k outputs, cols = nin + n
// presynaptic (assembly/rules/eprop.ts): the synaptic input (event-driven: a column per active
// presynaptic unit; counted as the active inputs' columns only), the readout W_out z (2 k n),
// then for every row j on ψ's support (`active`, read from the learner after the step) and every
// presynaptic i: the ALIF trace ε^a (3 FLOPs), e = ψ(ε̄ − β ε^a) (3), ē ← κ ē + e (2), g += L ē (2):
// 10 FLOPs and ε^a, ē, g read and written (24 B); rows off the support only decay (ē, ε^a: 16 B,
// 2 FLOPs). With a target the update is applied at once: Adam over all n·cols + k·n weights
// (W, m, v read and written, g read and zeroed: 32 B; ≈ 12 FLOPs).
function workEprop(nin: number, n: number, k: number, active: number, activeIn: number, op: "step" | "predict"): Work {
  const cols = Math.ceil((nin + n) / 4) * 4;
  const syn = n * cols,
    W = syn + k * n;
  let flops = 2 * n * activeIn + 2 * k * n;
  const read = 4 * n * activeIn + 4 * k * n;
  if (op === "predict") return { flops, read, rmw: 0, set: 4 * W };
  flops += active * cols * 10 + (n - active) * cols * 2 + 12 * W;
  const rmw = active * cols * 24 + (n - active) * cols * 16 + 32 * W;
  return { flops, read, rmw, set: 4 * (3 * syn + 4 * W) };
}

function jsEprop(nin: number, n: number, k: number) {
  const cols = nin + n;
  const W = randomMatrix(n, cols, 91),
    Wout = randomMatrix(k, n, 92),
    Bf = randomMatrix(n, k, 93);
  const ebar = new Float32Array(n * cols),
    epsA = new Float32Array(n * cols),
    g = new Float32Array(n * cols),
    m = new Float32Array(n * cols),
    v = new Float32Array(n * cols);
  const pre = new Float32Array(cols),
    s = new Float32Array(cols),
    vm = new Float32Array(n),
    a = new Float32Array(n),
    psi = new Float32Array(n),
    L = new Float32Array(n),
    y = new Float32Array(k),
    e = new Float32Array(k);
  const alpha = Math.exp(-1 / 20),
    rho = Math.exp(-1 / 200),
    kappa = Math.exp(-1 / 20),
    beta = 1.8;
  const step = (x: Float32Array, target: number) => {
    s.set(x);
    for (let i = 0; i < cols; i++) pre[i] = alpha * pre[i]! + s[i]!;
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let i = 0; i < cols; i++) if (s[i] !== 0) c += W[j * cols + i]! * s[i]!;
      const th = 1 + beta * a[j]!;
      vm[j] = alpha * vm[j]! + c - (s[nin + j]! ? th : 0);
      psi[j] = (0.3 / th) * Math.max(0, 1 - Math.abs((vm[j]! - th) / th));
    }
    for (let j = 0; j < n; j++) {
      const z = vm[j]! > 1 + beta * a[j]! ? 1 : 0;
      a[j] = rho * a[j]! + z;
      s[nin + j] = z;
    }
    let mx = -Infinity,
      t = 0;
    for (let q = 0; q < k; q++) {
      let o = kappa * y[q]!;
      for (let j = 0; j < n; j++) o += Wout[q * n + j]! * s[nin + j]!;
      y[q] = o;
      mx = Math.max(mx, o);
    }
    for (let q = 0; q < k; q++) t += e[q] = Math.exp(y[q]! - mx);
    for (let q = 0; q < k; q++) e[q] = e[q]! / t - (q === target ? 1 : 0);
    for (let j = 0; j < n; j++) {
      let l = 0;
      for (let q = 0; q < k; q++) l += Bf[j * k + q]! * e[q]!;
      L[j] = l;
    }
    for (let j = 0; j < n; j++) {
      const ps = psi[j]!,
        l = L[j]!;
      for (let i = 0, o = j * cols; i < cols; i++) {
        const p = pre[i]!,
          ea = epsA[o + i]!;
        const el = ps * (p - beta * ea);
        epsA[o + i] = ps * p + (rho - ps * beta) * ea;
        const b = kappa * ebar[o + i]! + el;
        ebar[o + i] = b;
        g[o + i] += l * b;
      }
    }
    for (let i = 0; i < n * cols; i++) {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * g[i]! * g[i]!;
      W[i] -= (0.001 * m[i]!) / (Math.sqrt(v[i]!) + 1e-8);
      g[i] = 0;
    }
  };
  return { step };
}

function epropRows(): void {
  if (!want("eprop")) return;
  const nin = 28,
    n = 256,
    k = 10;
  const net = engram.eprop({ inputs: nin, hidden: n, outputs: k, neuron: "alif", seed: 1 });
  // a row of an MNIST image (row 14 of the first validation image) as one time step's input
  const row = x0.subarray(14 * 28, 15 * 28);
  const seq = x0; // the image as 28 steps of 28: predict's sequence
  for (let i = 0; i < 50; i++) net.learn(image(i), labelOf(i)); // warm: firing as in training
  net.reset();
  for (let t = 0; t < 14; t++) net.step(x0.subarray(t * 28, t * 28 + 28));
  net.step(row, y0);
  const active = net.internals()["psi"]!.filter((p) => p > 0).length;
  const activeIn = row.filter((v) => v !== 0).length + net.spikes().filter((z) => z !== 0).length;
  const js = jsEprop(nin, n, k);
  const name = `eprop ${nin}-${n} ALIF-${k}, one time step`;
  rows.push(
    {
      learner: name,
      op: "step(x, target)",
      n: 1,
      work: workEprop(nin, n, k, active, activeIn, "step"),
      engram: () => net.step(row, y0),
      js: () => js.step(row, y0),
      note: `${active}/${n} rows on ψ's support`,
    },
    {
      learner: name,
      op: "predict(28 steps) / 28",
      n: 28,
      work: scaleWork(workEprop(nin, n, k, active, activeIn, "predict"), 28),
      engram: () => net.predict(seq),
    },
  );
}

// ---------------------------------------------------------------- spiking (Diehl & Cook)

// Work of learn(x) for K excitatory neurons on N Poisson inputs, T = 350 steps: every step
// each neuron's conductance and membrane decay and integrate (≈ 10 FLOPs; v, g_e, θ, traces:
// ≈ 24 B read and written); every input spike adds its weight row to g_e (2 FLOPs, 4 B per
// neuron) and depresses the row by the post traces (STDP pre: 2 FLOPs, 8 B); every excitatory
// spike potentiates its column (N weights: 3 FLOPs, 8 B). Input spikes: E = T · Σ_i x_i · r dt,
// r = 63.75 Hz (the expectation for this image); output spikes: what learn returns.
function workSpiking(N: number, K: number, x: Float32Array, outSpikes: number, learning: boolean): Work {
  const T = 350,
    events = T * sum(Array.from(x)) * 63.75e-3;
  let flops = T * K * 10 + events * K * 2,
    rmw = T * K * 24;
  const read = events * K * 4;
  if (learning) {
    flops += events * K * 2 + outSpikes * N * 3;
    rmw += events * K * 8 + outSpikes * N * 8;
  }
  return { flops, read, rmw, set: 4 * N * K };
}

function spikingRows(): void {
  if (!want("spiking")) return;
  const N = D,
    K = 400;
  const net = engram.spiking({ inputs: N, neurons: K, seed: 1 });
  for (let i = 0; i < 20; i++) net.learn(image(i), labelOf(i));
  let spikes = 0;
  for (let i = 0; i < 5; i++) spikes += net.learn(x0, y0).spikes;
  spikes /= 5;
  const js = jsTwin({ ...(net.config as unknown as Record<string, number | string>) }, 1) as unknown as {
    learn(x: Float32Array): unknown;
  };
  const name = `spiking ${N}→${K} LIF, one sample (350 steps)`;
  rows.push(
    {
      learner: name,
      op: "learn",
      n: 1,
      work: workSpiking(N, K, x0, spikes, true),
      engram: () => net.learn(x0, y0),
      js: () => js.learn(x0),
      note: `${f(spikes)} output spikes/sample`,
    },
    { learner: name, op: "predict", n: 1, work: workSpiking(N, K, x0, spikes, false), engram: () => net.predict(x0) },
  );
}

// ---------------------------------------------------------------- run

const dfaSizes = [D, 800, 800, 10];
ffRows();
perceptronRows("dfa", "feedbackAlignment DFA", "dfa", dfaSizes);
perceptronRows("fa", "feedbackAlignment FA", "fa", dfaSizes);
perceptronRows("np", "perturbation", "np", [D, 256, 10]);
hebbRows();
rmRows();
clRows();
epropRows();
spikingRows();

console.log(`# Per-learner roofline — ${machine()}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  `Ceilings at the start (harness, fastest batch): f32x4 mul+add peak ${f(c.peakFlops / 1e9, 2)} GFLOP/s; read-modify-write ${f(c.cacheBw / 1e9)} GB/s at 64 KiB, ${f(c.memBw / 1e9)} GB/s at 64 MiB. Each row is judged against the peak and the read and read-modify-write bandwidths at its own working set, measured right before it; ceilings and steps alike are the fastest of short samples (the median is printed beside).\n`,
);
const out: (string | number)[][] = [];
for (const r of rows) {
  // the ceilings right before the row they judge (the peak: the best of the run so far)
  const peak = peakNow();
  const bw = bandwidthAt(r.work.set);
  const e = timeRow(r.engram),
    tE = e.min;
  const tJ = r.js ? timeMin(r.js, MS / 2) : NaN;
  const tT = r.tf ? timeMin(r.tf, MS / 2) : NaN;
  const tMem = r.work.read / bw.read + r.work.rmw / bw.rmw;
  const limit = Math.max(r.work.flops / peak, tMem);
  const bound = r.work.flops / peak >= tMem ? "compute" : "memory";
  out.push([
    r.learner,
    r.op,
    f(peak / 1e9, 1),
    f(r.work.flops / r.n / 1e6, 3),
    f((r.work.read + r.work.rmw) / r.n / 1e6, 3),
    `${f(r.work.set / 1024 ** 2, 2)} MiB: ${f(bw.read / 1e9)} / ${f(bw.rmw / 1e9)} GB/s`,
    f((tE / r.n) * 1e6, 1),
    f((e.median / r.n) * 1e6, 1),
    f((limit / r.n) * 1e6, 1),
    bound,
    `${f((100 * limit) / tE)} %`,
    r.js ? `${f(tJ / tE)}×` : "—",
    r.tf ? `${f(tT / tE)}×` : "—",
    r.note ?? "",
  ]);
  process.stderr.write(".");
}
process.stderr.write("\n");
table(
  [
    "learner",
    "step",
    "peak GFLOP/s",
    "MFLOP",
    "MB moved",
    "working set: read / rmw bandwidth",
    "µs (fastest)",
    "µs (median)",
    "limit µs",
    "bound",
    "% of limit",
    "plain JS / engram",
    "TF.js wasm / engram",
    "note",
  ],
  out,
);
console.log(
  `\nPer-sample figures for batch rows. Load average (1 min) before the run ${f(load0, 2)}, after ${f(loadavg()[0]!, 2)}.`,
);
