// engram.merge (issue 16): time and memory of one merge of K learners (in memory, no
// network), K = 1 … 10 000, for small learners of both merge families, against the
// machine's streaming bandwidth measured in the same run; and the exact merge's accuracy:
// 5 continual learners each trained on one task of Split MNIST, merged, against one learner
// trained on the whole stream; and FedAvg of 8 DFA members on i.i.d. and non-i.i.d. MNIST
// shards, round by round, against one learner. Node 20 cannot strip types: run through scripts/ts.mjs.
//
//   node scripts/ts.mjs bench/merge.ts                   (validation: train 50 000, evaluate the last 10 000)
//   node scripts/ts.mjs bench/merge.ts --skip accuracy,fedavg,ffopt   (timing only)
//   node scripts/ts.mjs bench/merge.ts --skip timing,accuracy,ffopt   (FedAvg on 8 MNIST shards, i.i.d. and not, 5 rounds; --rounds R,
//       --lr η (members), --epochs E (local passes per round), --shards iid,noniid, --no-single, --test: the test set)
//   node scripts/ts.mjs bench/merge.ts --skip timing,accuracy,fedavg   (Forward-Forward: optimizer state averaged vs reset at the merge)
//
// The continual learners run in raw mode (LDA on the pixels): merging in image mode needs
// every member to share consolidated detectors without sharing their statistics, which
// no API offers yet (docs/scale.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Continual, type Learner } from "../src/index.js";
import { loadDataset } from "../cli/idx.js";
import { rng } from "../test/helpers/rng.js";
import { f, loadRaw, machine, measureCeilings, table } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const skip = new Set(arg("skip", "").split(","));
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const module = new WebAssembly.Module(readFileSync(wasmPath));
console.log(`engram.merge; ${machine()}`);
const ceilings = measureCeilings(await loadRaw());
console.log(
  `ceilings measured now: read-modify-write ${f(ceilings.cacheBw / 1e9)} GB/s in cache, ${f(ceilings.memBw / 1e9)} GB/s at 64 MB`,
);

/** Milliseconds of the fastest of `reps` runs of fn (each makes a learner; it is disposed outside the timing). */
function best(fn: () => Learner, reps: number): number {
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const out = fn();
    min = Math.min(min, performance.now() - t);
    out.dispose();
  }
  return min;
}

if (!skip.has("timing")) {
  const kinds: [string, (e: Awaited<ReturnType<typeof createEngram>>) => Learner, number, number][] = [
    // name, make, floats merged per learner (parameters or statistics), input width
    [
      "feedbackAlignment 16→8→4 (FedAvg)",
      (e) => e.feedbackAlignment({ inputs: 16, hidden: [8], classes: 4, mode: "dfa" }),
      16 * 8 + 8 + 8 * 4 + 4,
      16,
    ],
    [
      "feedbackAlignment 784→256→10 (FedAvg)",
      (e) => e.feedbackAlignment({ inputs: 784, hidden: [256], classes: 10, mode: "dfa" }),
      784 * 256 + 256 + 2560 + 10,
      784,
    ],
    [
      "continual raw 16 inputs, 4 classes (exact)",
      (e) => e.continual({ inputs: 16, classes: 4 }),
      16 * 16 + 4 * 16 + 4,
      16,
    ],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, make, floats, width] of kinds) {
    for (const K of [1, 10, 100, 1000, 10000]) {
      if (floats * 4 * K > 400e6) continue; // K copies must fit in one engine's memory (4 GiB) with room to spare
      const engram = await createEngram(module);
      const r = rng(K);
      const ls = Array.from({ length: K }, (_, k) => {
        const l = make(engram) as Learner & { learn(x: Float32Array, y: number): unknown };
        const x = Float32Array.from({ length: width }, () => r());
        l.learn(x, k % 4);
        return l;
      });
      const before = engram.memoryBytes;
      const ms = best(() => engram.merge(ls), K >= 1000 ? 3 : 7);
      const grew = engram.memoryBytes - before;
      const bytes = floats * 4 * (K + 1); // read every member's floats once, write the result's
      rows.push([
        name,
        K,
        f(ms, 3),
        f((ms * 1000) / K, 2),
        f(bytes / (ms / 1000) / 1e9, 2),
        `${f((floats * 4 * K) / 2 ** 20, 2)} MiB`,
        grew,
      ]);
      ls.forEach((l) => l.dispose());
    }
  }
  table(
    ["learner", "K", "merge ms", "µs per member", "GB/s moved", "members' state", "memory grown by the merge (bytes)"],
    rows,
  );
}

if (!skip.has("accuracy")) {
  const mnist = loadDataset("mnist");
  const D = 784,
    trainN = 50000;
  const X = pixels(mnist.train.images),
    Y = mnist.train.labels; // pixel bytes → [0, 1]: learners read a Uint8Array unscaled
  let evalX = X.subarray(trainN * D),
    evalY = Y.subarray(trainN);
  const engram = await createEngram(module);
  const TASKS = [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
    [8, 9],
  ];
  const make = () => engram.continual({ inputs: D, classes: 10 });
  const whole = make();
  const parts = TASKS.map(() => make());
  const t0 = performance.now();
  TASKS.forEach((task, t) => {
    for (let i = 0; i < trainN; i++) {
      if (!task.includes(Y[i]!)) continue;
      const x = X.subarray(i * D, (i + 1) * D);
      whole.learn(x, Y[i]!);
      parts[t]!.learn(x, Y[i]!);
    }
  });
  const learnS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const merged = engram.merge(parts) as Continual;
  const mergeMs = performance.now() - t1;
  const accuracy = (l: Learner & { predict(x: Float32Array): number }) => {
    let ok = 0;
    for (let i = 0; i < evalY.length; i++) if (l.predict(evalX.subarray(i * D, (i + 1) * D)) === evalY[i]) ok++;
    return (100 * ok) / evalY.length;
  };
  const aw = accuracy(whole as never),
    am = accuracy(merged as never);
  let agree = 0;
  for (let i = 0; i < evalY.length; i++) {
    const x = evalX.subarray(i * D, (i + 1) * D);
    if (whole.predict(x) === merged.predict(x)) agree++;
  }
  console.log(
    `\nSplit MNIST, continual raw mode (inputs 784, classes 10): train images 0-49 999 (task order 0/1 … 8/9), evaluated on training images 50 000-59 999 (${f(learnS, 0)} s learning)`,
  );
  table(
    ["learner", "accuracy %", "samples"],
    [
      ["one learner on the whole stream", f(aw, 2), whole.samples],
      ["5 learners (one task each), merged", f(am, 2), merged.samples],
      ["difference (points)", f(am - aw, 2), ""],
      ["predictions that agree", `${agree} / ${evalY.length}`, ""],
      ["merge time (5 learners, d = 784)", `${f(mergeMs, 1)} ms`, ""],
    ],
  );
}

if (!skip.has("fedavg")) {
  // FedAvg (McMahan et al. 2017, Algorithm 1 with E = 1 local pass, B = 1, C = 1): every
  // round each of 8 members starts from the global model, makes one pass over its shard,
  // and the global model becomes their average weighted by the samples each learned in the
  // round. Against one learner making the same number of passes over all the data.
  const mnist = loadDataset("mnist");
  const D = 784,
    trainN = 50000,
    M = 8,
    R = Number(arg("rounds", "5"));
  const X = pixels(mnist.train.images),
    Y = mnist.train.labels; // pixel bytes → [0, 1]: learners read a Uint8Array unscaled
  let evalX = X.subarray(trainN * D),
    evalY = Y.subarray(trainN);
  const engram = await createEngram(module);
  // protocol knobs (chosen on the validation split): the members' learning rate, local passes
  // per round, which shardings run, and --test: evaluate on the test set instead (once, at the end)
  const lr = Number(arg("lr", "0.01")),
    E = Number(arg("epochs", "1")),
    only = arg("shards", "iid,noniid").split(","),
    onTest = process.argv.includes("--test");
  if (onTest) {
    const tx = pixels(mnist.test.images);
    evalX = tx;
    evalY = mnist.test.labels;
  }
  const options = { inputs: 784, hidden: [256], classes: 10, mode: "dfa" as const, seed: 1 };
  const memberOptions = { ...options, learningRate: lr };
  type FA = Learner & { learn(x: Float32Array, y: number): number; predict(x: Float32Array): number };
  const accuracy = (l: FA) => {
    let ok = 0;
    for (let i = 0; i < evalY.length; i++) if (l.predict(evalX.subarray(i * D, (i + 1) * D)) === evalY[i]) ok++;
    return (100 * ok) / evalY.length;
  };
  const order = (idx: number[], r: () => number) => {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  };
  const all = order(
    Array.from({ length: trainN }, (_, i) => i),
    rng(5),
  );
  const SKEW = [[0, 1], [2, 3], [4], [5], [6], [7], [8], [9]]; // non-i.i.d.: each member sees 1–2 classes
  const shardings: [string, number[][]][] = [
    ["i.i.d.", Array.from({ length: M }, (_, m) => all.filter((_, k) => k % M === m))],
    ["non-i.i.d. (1–2 classes each)", SKEW.map((cls) => all.filter((i) => cls.includes(Y[i]!)))],
  ];
  if (!only.includes("iid")) shardings.shift();
  if (!only.includes("noniid")) shardings.pop();
  const rows: (string | number)[][] = [];
  const single = engram.feedbackAlignment(options) as unknown as FA;
  const singleAcc: number[] = [];
  if (!process.argv.includes("--no-single")) {
    for (let r = 0; r < R; r++) {
      for (const i of order(all.slice(), rng(100 + r))) single.learn(X.subarray(i * D, (i + 1) * D), Y[i]!);
      singleAcc.push(accuracy(single));
    }
    rows.push(["one learner, all data (pass = round)", ...singleAcc.map((a) => f(a, 2))]);
  }
  for (const [name, shards] of shardings) {
    let global = engram.feedbackAlignment(memberOptions) as unknown as FA;
    const accs: number[] = [];
    for (let r = 0; r < R; r++) {
      const snap = global.save();
      const members = shards.map((shard, m) => {
        const l = engram.restore(snap) as unknown as FA;
        for (let e = 0; e < E; e++)
          for (const i of order(shard.slice(), rng(1000 * r + m + 100000 * e)))
            l.learn(X.subarray(i * D, (i + 1) * D), Y[i]!);
        return l;
      });
      const next = engram.merge(members, { weights: shards.map((s) => s.length) }) as unknown as FA;
      members.forEach((l) => l.dispose());
      global.dispose();
      global = next;
      accs.push(accuracy(global));
      console.log(`  ${name} round ${r + 1}: ${f(accs[r]!, 2)} %`);
    }
    rows.push([`FedAvg, 8 members, ${name}`, ...accs.map((a) => f(a, 2))]);
    global.dispose();
  }
  console.log(
    `\nFedAvg: feedbackAlignment ${JSON.stringify(options)}, 8 members at learningRate ${lr}, ${E} local pass(es) per round, weights = samples per round; train images 0-49 999, evaluated on ${onTest ? "the test set (10 000)" : "50 000-59 999 (validation)"}`,
  );
  table(["", ...Array.from({ length: R }, (_, r) => `round ${r + 1} %`)], rows);
}

if (!skip.has("ffopt")) {
  // Forward-Forward's optimizer state at a merge: averaged with the weights (the default) or
  // reset, chosen on the validation split. M members (Adam), i.i.d. shards of the first
  // `--ff-train` training images, R rounds of one local pass, evaluated on images 50 000 +
  // (the first `--ff-eval` of the validation split).
  const mnist = loadDataset("mnist");
  const D = 784,
    M = 4,
    R = Number(arg("ff-rounds", "3")),
    n = Number(arg("ff-train", "8000")),
    nEval = Number(arg("ff-eval", "2000"));
  const X = pixels(mnist.train.images),
    Y = mnist.train.labels;
  const engram = await createEngram(module);
  const options = { inputs: 784, hidden: [256], classes: 10, optimizer: "adam" as const, seed: 1 };
  type FF = Learner & { learn(x: Float32Array, y: number): unknown; predict(x: Float32Array): number };
  const accuracy = (l: FF) => {
    let ok = 0;
    for (let i = 50000; i < 50000 + nEval; i++) if (l.predict(X.subarray(i * D, (i + 1) * D)) === Y[i]) ok++;
    return (100 * ok) / nEval;
  };
  const rows: (string | number)[][] = [];
  for (const optimizer of ["average", "reset"] as const) {
    let global = engram.forwardForward(options) as unknown as FF;
    const accs: number[] = [];
    for (let r = 0; r < R; r++) {
      const snap = global.save();
      const members = Array.from({ length: M }, (_, m) => {
        const l = engram.restore(snap) as unknown as FF;
        for (let i = m; i < n; i += M) l.learn(X.subarray(i * D, (i + 1) * D), Y[i]!);
        return l;
      });
      const next = engram.merge(members, { optimizer }) as unknown as FF;
      members.forEach((l) => l.dispose());
      global.dispose();
      global = next;
      accs.push(accuracy(global));
      console.log(`  optimizer ${optimizer} round ${r + 1}: ${f(accs[r]!, 2)} %`);
    }
    rows.push([`optimizer: "${optimizer}"`, ...accs.map((a) => f(a, 2))]);
    global.dispose();
  }
  console.log(
    `\nForward-Forward ${JSON.stringify(options)}, ${M} members on i.i.d. shards of training images 0-${n - 1}, one local pass per round; evaluated on training images 50 000-${50000 + nEval - 1} (validation)`,
  );
  table(["", ...Array.from({ length: R }, (_, r) => `round ${r + 1} %`)], rows);
}
