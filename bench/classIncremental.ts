// Split MNIST, class-incremental, for every learner: tasks 0/1, 2/3, 4/5, 6/7, 8/9 seen one
// after another, one online pass, batch 1, no task label at test time, accuracy over all 10
// classes after each task; beside it the same samples shuffled (the i.i.d. stream), evaluated
// after the same numbers of samples. Every learner with its defaults (shapes as in issue #13's
// table); nothing tuned here. The stream protocol is the CLI's (cli/stream.ts): the same
// numbers come from `engram train --stream class-incremental --learner NAME`.
//
//   node scripts/ts.mjs bench/classIncremental.ts                    # every learner, test set
//   node scripts/ts.mjs bench/classIncremental.ts --only ff,dfa --train 30000 --validation 10000
//
// Flags: --only a,b (registry names), --train N (first N training images), --validation N
// (hold out the last N training images and evaluate on them instead of the test set),
// --test-limit N, --seed S, --json FILE (every matrix). ENGRAM_WASM picks the build.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Engram, type Vector } from "../src/index.js";
import { loadDataset } from "../cli/idx.js";
import {
  evaluateTasks,
  streamParts,
  summarize,
  taskClasses,
  taskOf,
  type Scores,
  type StreamKind,
  type Summary,
} from "../cli/stream.js";
import { f, machine, table } from "./harness.js";

/** A classifier learning one sample per call. */
interface Classifier {
  kind: string;
  learn(x: Vector, label: number): unknown;
  predict(x: Vector): number;
  dispose(): void;
}

/** A learner of the benchmark: a description for the table and how to build it (784 inputs, 10 classes). */
interface Entry {
  shape: string;
  make(engram: Engram, seed: number): Classifier;
}

/** Every learner, with its defaults; adding one is one entry. An entry whose kind this build lacks is skipped. */
const LEARNERS: Record<string, Entry & { kind: string }> = {
  ff: {
    kind: "forwardForward",
    shape: "forwardForward 784-500-500",
    make: (e, seed) => e.forwardForward({ inputs: 784, hidden: [500, 500], classes: 10, seed }),
  },
  dfa: {
    kind: "feedbackAlignment",
    shape: "feedbackAlignment dfa 784-500-10",
    make: (e, seed) => e.feedbackAlignment({ inputs: 784, hidden: [500], classes: 10, mode: "dfa", seed }),
  },
  // with one hidden layer FA is DFA (the output's error reaches the hidden layer through one
  // random matrix either way): fa gets two, so that its row says something of its own
  fa: {
    kind: "feedbackAlignment",
    shape: "feedbackAlignment fa 784-500-500-10",
    make: (e, seed) => e.feedbackAlignment({ inputs: 784, hidden: [500, 500], classes: 10, mode: "fa", seed }),
  },
  perturbation: {
    kind: "perturbation",
    shape: "perturbation 784-256-10",
    make: (e, seed) => e.perturbation({ inputs: 784, hidden: [256], classes: 10, seed }),
  },
  krotov: {
    kind: "hebbian",
    shape: "hebbian krotov 400 + readout",
    make: (e, seed) =>
      e.hebbian({ inputs: 784, outputs: 400, rule: "krotov", readout: { classes: 10 }, seed }) as Classifier,
  },
  softhebb: {
    kind: "hebbian",
    shape: "hebbian softhebb 400 + readout",
    make: (e, seed) =>
      e.hebbian({ inputs: 784, outputs: 400, rule: "softhebb", readout: { classes: 10 }, seed }) as Classifier,
  },
  continual: {
    kind: "continual",
    shape: "continual (issue #13)",
    make: (e, seed) =>
      e.create("continual", {
        inputs: 784,
        classes: 10,
        seed,
        image: { width: 28, height: 28 },
      }) as unknown as Classifier,
  },
};

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const data = loadDataset("mnist");
const held = +arg("validation", "0");
const pool = data.train.count - held;
const trainN = Math.min(+arg("train", `${pool}`), pool);
const seed = +arg("seed", "1");
const evalSplit = held ? data.train : data.test;
const evalN = Math.min(+arg("test-limit", `${held || data.test.count}`), held || data.test.count);
const evalIds = Uint32Array.from({ length: evalN }, (_, k) => (held ? pool : 0) + k);
const tasks = taskClasses(10, 5);
const of = taskOf(tasks);
const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));
const names = arg("only", Object.keys(LEARNERS).join(","))
  .split(",")
  .filter((n) => {
    if (!LEARNERS[n]) throw new Error(`unknown learner ${n} (known: ${Object.keys(LEARNERS).join(", ")})`);
    if (engram.kinds.includes(LEARNERS[n]!.kind)) return true;
    console.log(`(skipping ${n}: this build has no ${LEARNERS[n]!.kind})`);
    return false;
  });

/** One learner on one stream: the accuracy matrix, its summary and the µs per learning step. */
function runStream(entry: Entry, kind: StreamKind): { scores: Scores; summary: Summary; usPerStep: number } {
  const learner = entry.make(engram, seed);
  const parts = streamParts(kind, data.train, trainN, tasks, seed);
  const { width: w, images, labels } = data.train;
  const scores: Scores = { matrix: [], overall: [] };
  let ms = 0,
    steps = 0;
  for (const part of parts) {
    const t0 = performance.now();
    for (const i of part) learner.learn(pixels(images.subarray(i * w, (i + 1) * w)), labels[i]!); // pixel bytes → [0, 1]
    ms += performance.now() - t0;
    steps += part.length;
    const row = evaluateTasks(
      (i) => learner.predict(pixels(evalSplit.images.subarray(i * w, (i + 1) * w))),
      evalSplit,
      evalIds,
      of,
      tasks.length,
    );
    scores.matrix.push(row.perTask);
    scores.overall.push(row.overall);
  }
  learner.dispose();
  return { scores, summary: summarize(scores), usPerStep: (ms * 1000) / steps };
}

console.log(
  `Split MNIST class-incremental (5 tasks: 0-1 | 2-3 | 4-5 | 6-7 | 8-9) and the i.i.d. stream of the same samples`,
);
console.log(
  `${machine()} · ${trainN} training images, one pass, batch 1 · evaluated on ${evalN} ${held ? "held-out training" : "test"} images · seed ${seed}\n`,
);
const rows: (string | number)[][] = [];
const all: Record<string, unknown> = {};
for (const name of names) {
  const entry = LEARNERS[name]!;
  const t0 = performance.now();
  const ci = runStream(entry, "class-incremental");
  const iid = runStream(entry, "iid");
  const pct = (v: number[]) => v.map((x) => f(x * 100)).join(", ");
  rows.push([
    entry.shape,
    `**${f(ci.summary.accuracy * 100)} %**`,
    pct(ci.scores.overall),
    f(ci.summary.averageForgetting * 100),
    `${f(iid.summary.accuracy * 100)} %`,
    pct(iid.scores.overall),
    f(ci.usPerStep, 0),
  ]);
  all[name] = {
    shape: entry.shape,
    classIncremental: { ...ci.scores, ...ci.summary, usPerStep: ci.usPerStep },
    iid: { ...iid.scores, ...iid.summary, usPerStep: iid.usPerStep },
  };
  console.log(
    `${name}: class-incremental ${f(ci.summary.accuracy * 100, 2)} % (after each task ${pct(ci.scores.overall)}), i.i.d. ${f(iid.summary.accuracy * 100, 2)} % · ${f((performance.now() - t0) / 1000, 0)} s`,
  );
}
console.log("");
table(
  [
    "learner (defaults)",
    "class-incremental final",
    "after each task",
    "forgetting (points)",
    "i.i.d. final",
    "i.i.d. after each fifth",
    "µs/step",
  ],
  rows,
);
const json = arg("json", "");
if (json) writeFileSync(json, JSON.stringify({ trainN, evalN, validation: held, seed, tasks, learners: all }, null, 1));
