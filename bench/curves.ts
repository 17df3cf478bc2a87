// Learning curves and learning-rate sensitivity of every classifier with its defaults
// (issue #17). Online, batch 1 (one `learn` call per sample), in a fixed seeded order.
//
//   npm run bench:curves -- sens [--data mnist|glyphs|both] [--only dfa-tanh,...] [--samples 20000] [--seeds 1] [--out f.json]
//       accuracy after `samples` online samples at η/10, η/3, η, 3η, 10η (η = the default),
//       on MNIST's validation split (train on the first 50 000 images, score the last 10 000)
//       and on Glyphs (bench/glyphs.ts: 20 000 train, 5 000 validation); with --seeds S each
//       cell is the mean over S runs, run s with learner seed s and sample order seed 6 + s
//       (s = 1 is the single-seed run: seed 1, order 7), and the spread (max − min) is kept
//   npm run bench:curves -- curve [--only ...] [--test] [--out f.json]
//       accuracy after 100, 1 000, 10 000 and 50 000 MNIST samples on the validation split,
//       or with --test after 100, 1 000, 10 000 and 60 000 samples of the whole training set,
//       scored on the test set (run once, at the end, for the report)
//   npm run bench:curves -- render a.json b.json ...
//       the markdown tables and docs/curves-*.svg from saved results; a later file's row replaces
//       an earlier file's row for the same kind, data set and learner (its factors, its seeds)
//
// Every learner is built with shapes only (and, for the sweep, learningRate = k·η); the
// shapes are those of the issue: 784-256-10 perceptrons (FA 784-256-256-10: with one hidden
// layer FA and DFA are the same rule), Forward-Forward 784-500-500,
// Hebbian softhebb 784→256 with its readout, the reward-modulated policy 784→10 learning
// from reward 1 for the right class and 0 otherwise, continual (image mode) and e-prop on
// row-wise MNIST (28 steps of 28 values; curve only, its sweep would take an hour here).
// ENGRAM_WASM picks another build. Long runs go under `nice -n 15`.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, pixels, type Engram } from "../src/index.js";
import { loadDataset } from "../cli/idx.js";
import { rng } from "../test/helpers/rng.js";
import { glyphs } from "./glyphs.js";
import { permutation } from "./harness.js";
import { renderPlot, type Line } from "./variance/svg.js";

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1]! : dflt;
};
const mode = argv[0] ?? "sens";
const flag = (name: string) => argv.includes(`--${name}`);
const D = 784,
  C = 10;
const FACTORS = arg("factors", "").split(",").filter(Boolean).map(Number);
if (FACTORS.length === 0) FACTORS.push(0.1, 1 / 3, 1, 3, 10);
// --eta name=value,... : sweep around `value` instead of the learner's default (the "before" table)
const ETA_OVERRIDE = new Map(
  arg("eta", "")
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.split("=")[0]!, +kv.split("=")[1]!] as const),
);
const FACTOR_NAMES = ["η/10", "η/3", "η", "3η", "10η"];

/** What the benchmark needs of a learner. */
interface Model {
  learn(x: Float32Array, label: number): void;
  predict(x: Float32Array): number;
  dispose(): void;
}
/**
 * A classifier under test: `make(k, seed)` builds it with learningRate = k × its default (k
 * undefined: untouched defaults) and the learner seed `seed` (1, the default, when omitted).
 */
interface Spec {
  name: string;
  note: string;
  make(e: Engram, k?: number, seed?: number): Model;
  /** The default η, read back from a learner built with shapes only (undefined: no learning rate). */
  eta(e: Engram): number | undefined;
  sweep: boolean;
  rowwise?: boolean;
}

const perceptron = (name: string, kind: "feedbackAlignment" | "perturbation", extra: object, hidden = [256]): Spec => ({
  name,
  note: `${kind} 784-${hidden.join("-")}-10 ${JSON.stringify(extra)}`,
  eta: (e) => (e.create(kind, { inputs: D, hidden, classes: C, ...extra }) as any).config.learningRate,
  make(e, k, seed = 1) {
    const base = { inputs: D, hidden, classes: C, ...extra, seed };
    const eta = this.eta(e)!;
    return e.create(kind, k === undefined ? base : { ...base, learningRate: k * eta }) as unknown as Model;
  },
  sweep: true,
});

const SPECS: Spec[] = [
  perceptron("dfa-tanh", "feedbackAlignment", { mode: "dfa" }),
  perceptron("dfa-step", "feedbackAlignment", { mode: "dfa", activation: "step" }),
  perceptron("fa-tanh", "feedbackAlignment", { mode: "fa" }, [256, 256]),
  perceptron("fa-step", "feedbackAlignment", { mode: "fa", activation: "step" }, [256, 256]),
  perceptron("perturbation-tanh", "perturbation", {}),
  perceptron("perturbation-step", "perturbation", { activation: "step" }),
  {
    name: "hebbian-readout",
    note: "hebbian softhebb 784→256 + readout; η = the readout's rate (the features keep theirs)",
    eta: (e) => e.hebbian({ inputs: D, outputs: 256, readout: { classes: C } }).config.readout!.learningRate,
    make(e, k) {
      const readout = k === undefined ? { classes: C } : { classes: C, learningRate: k * this.eta(e)! };
      return e.hebbian({ inputs: D, outputs: 256, readout }) as unknown as Model;
    },
    sweep: true,
  },
  {
    name: "hebbian-features",
    note: "hebbian softhebb 784→256 + readout; η = the features' rate (the readout keeps its own)",
    eta: (e) => e.hebbian({ inputs: D, outputs: 256, readout: { classes: C } }).config.learningRate,
    make(e, k) {
      const base = { inputs: D, outputs: 256, readout: { classes: C } };
      return e.hebbian(k === undefined ? base : { ...base, learningRate: k * this.eta(e)! }) as unknown as Model;
    },
    sweep: true,
  },
  {
    name: "rewardModulated",
    note: "rewardModulated 784→10 actions, reward 1 for the label's action, else 0; accuracy of predict (greedy)",
    eta: (e) => e.rewardModulated({ inputs: D, actions: C }).config.learningRate,
    make(e, k, seed = 1) {
      const base = { inputs: D, actions: C, seed };
      const p = e.rewardModulated(k === undefined ? base : { ...base, learningRate: k * this.eta(e)! });
      return {
        learn: (x, y) => void p.reward(p.act(x) === y ? 1 : 0),
        predict: (x) => p.predict(x),
        dispose: () => p.dispose(),
      };
    },
    sweep: true,
  },
  {
    name: "forwardForward",
    note: "forwardForward 784-500-500 (predict: goodness over all labels)",
    eta: (e) => e.forwardForward({ inputs: D, hidden: [500, 500], classes: C }).config.learningRate,
    make(e, k) {
      const base = { inputs: D, hidden: [500, 500], classes: C };
      return e.forwardForward(k === undefined ? base : { ...base, learningRate: k * this.eta(e)! }) as unknown as Model;
    },
    sweep: true,
  },
  {
    name: "continual",
    note: "continual, image mode 28×28 (streaming LDA on competitive patch features: no learning rate)",
    eta: () => undefined,
    make: (e) => e.continual({ inputs: D, classes: C, image: { width: 28, height: 28 } }) as unknown as Model,
    sweep: false,
  },
  {
    name: "eprop",
    note: "eprop 28 inputs × 28 rows, 256 ALIF, 10 classes (row-wise MNIST; curve only)",
    eta: (e) => e.eprop({ inputs: 28, outputs: C }).config.learningRate,
    make: (e) => e.eprop({ inputs: 28, outputs: C }) as unknown as Model,
    sweep: false,
    rowwise: true,
  },
];

for (const spec of SPECS) {
  const v = ETA_OVERRIDE.get(spec.name);
  if (v !== undefined) spec.eta = () => v;
}

interface Split {
  x: Float32Array;
  y: Uint8Array;
}
function mnistSplits(test: boolean): { train: Split; score: Split } {
  const m = loadDataset("mnist");
  const conv = (images: Uint8Array, labels: Uint8Array, from: number, to: number): Split => {
    const x = new Float32Array((to - from) * D);
    for (let i = from; i < to; i++) x.set(pixels(images.subarray(i * D, i * D + D)), (i - from) * D);
    return { x, y: labels.slice(from, to) };
  };
  if (test)
    return {
      train: conv(m.train.images, m.train.labels, 0, 60000),
      score: conv(m.test.images, m.test.labels, 0, m.test.labels.length),
    };
  return {
    train: conv(m.train.images, m.train.labels, 0, 50000),
    score: conv(m.train.images, m.train.labels, 50000, 60000),
  };
}
function glyphSplits(n: number): { train: Split; score: Split } {
  const t = glyphs("train", n),
    v = glyphs("validation", 5000);
  return { train: { x: t.images, y: t.labels }, score: { x: v.images, y: v.labels } };
}

function accuracy(m: Model, s: Split): number {
  let right = 0;
  for (let i = 0; i < s.y.length; i++) if (m.predict(s.x.subarray(i * D, i * D + D)) === s.y[i]) right++;
  return right / s.y.length;
}

/**
 * Trains `m` online on `train` in permutation order; calls `at(t)` after t samples for each t in
 * `marks`. The order is mulberry32 seed 6 + `seed`: seed 1 is the fixed order 7 of every single-seed run.
 */
function run(m: Model, train: Split, marks: number[], at: (t: number) => void, seed = 1): void {
  const n = train.y.length,
    order = permutation(n, rng(6 + seed));
  const last = marks[marks.length - 1]!;
  for (let t = 0; t < last;) {
    const i = order[t % n]!;
    m.learn(train.x.subarray(i * D, i * D + D), train.y[i]!);
    t++;
    if (marks.includes(t)) at(t);
  }
}

interface Result {
  kind: "sens" | "curve";
  data: string;
  learner: string;
  note: string;
  eta?: number;
  /** acc: the mean over the seeds; accs: each seed's (absent for one seed). */
  points: { x: number; acc: number; accs?: number[] }[];
  /** Seeds per point (absent: 1). */
  seeds?: number;
  seconds: number;
  protocol: string;
}

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));

async function measure(): Promise<void> {
  const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));
  const only = arg("only", "");
  const specs = SPECS.filter((s) => (only ? only.split(",").includes(s.name) : true));
  const out = arg("out", "");
  const results: Result[] = [];
  const save = () => out && writeFileSync(out, JSON.stringify(results, null, 1));
  if (mode === "sens") {
    const samples = +arg("samples", "20000"),
      seeds = +arg("seeds", "1");
    const which = arg("data", "both");
    const sets: [string, () => { train: Split; score: Split }][] = [];
    if (which !== "glyphs") sets.push(["mnist", () => mnistSplits(false)]);
    if (which !== "mnist") sets.push(["glyphs", () => glyphSplits(samples)]);
    for (const [data, load] of sets) {
      const { train, score } = load();
      for (const spec of specs.filter((s) => s.sweep)) {
        const eta = spec.eta(engram);
        const points: Result["points"] = [];
        const t0 = performance.now();
        for (const k of FACTORS) {
          const accs: number[] = [];
          for (let seed = 1; seed <= seeds; seed++) {
            const m = spec.make(engram, k, seed);
            run(m, train, [samples], () => accs.push(accuracy(m, score)), seed);
            m.dispose();
          }
          const acc = accs.reduce((a, b) => a + b, 0) / accs.length;
          points.push(seeds > 1 ? { x: k, acc, accs } : { x: k, acc });
        }
        const seconds = (performance.now() - t0) / 1000;
        results.push({
          kind: "sens",
          data,
          learner: spec.name,
          note: spec.note,
          eta,
          points,
          ...(seeds > 1 ? { seeds } : {}),
          seconds,
          protocol: `${samples} online samples, scored on ${data} validation`,
        });
        const best = Math.max(...points.map((p) => p.acc));
        console.log(
          `${data.padEnd(6)} ${spec.name.padEnd(18)} η=${eta} ` +
            points.map((p) => (100 * p.acc).toFixed(1).padStart(5) + spread(p)).join(" ") +
            `  default−best ${(100 * (points[2]!.acc - best)).toFixed(1)}  (${seconds.toFixed(0)} s)`,
        );
        save();
      }
    }
  } else {
    const test = flag("test");
    const { train, score } = mnistSplits(test);
    const marks = [100, 1000, 10000, test ? 60000 : 50000];
    for (const spec of specs) {
      const points: Result["points"] = [];
      const t0 = performance.now();
      // e-prop reads the image as 28 rows of 28 values (the same x, another shape) and costs
      // ~6 ms a sequence here: its curve stops at 10 000 samples
      const m = spec.make(engram);
      run(m, train, spec.rowwise ? marks.filter((t) => t <= 10000) : marks, (t) => {
        points.push({ x: t, acc: accuracy(m, score) });
        console.log(`  ${spec.name} ${t}: ${(100 * points.at(-1)!.acc).toFixed(2)} %`);
      });
      m.dispose();
      const seconds = (performance.now() - t0) / 1000;
      results.push({
        kind: "curve",
        data: test ? "mnist-test" : "mnist-validation",
        learner: spec.name,
        note: spec.note,
        eta: spec.eta(engram),
        points,
        seconds,
        protocol: test
          ? "online on the 60 000 training images, scored on the 10 000 test images"
          : "online on the first 50 000 training images, scored on the last 10 000",
      });
      console.log(
        `${spec.name.padEnd(18)} ` +
          points.map((p) => `${p.x}: ${(100 * p.acc).toFixed(2)} %`).join("  ") +
          `  (${seconds.toFixed(0)} s)`,
      );
      save();
    }
  }
}

const COLORS = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#ca8a04",
  "#db2777",
  "#4b5563",
  "#65a30d",
  "#7c3aed",
  "#0f766e",
];

/** " ±s" with s = (max − min)/2 over the seeds, in points (empty for one seed). */
function spread(p: Result["points"][number]): string {
  return p.accs ? ` ±${((100 * (Math.max(...p.accs) - Math.min(...p.accs))) / 2).toFixed(1)}` : "";
}

function render(): void {
  // a later file's row replaces an earlier one's for the same kind, data set and learner, in place
  const results: Result[] = [];
  for (const f of argv.slice(1))
    for (const r of JSON.parse(readFileSync(f, "utf8")) as Result[]) {
      const i = results.findIndex((q) => q.kind === r.kind && q.data === r.data && q.learner === r.learner);
      if (i >= 0) results[i] = r;
      else results.push(r);
    }
  const pct = (v: number) => (100 * v).toFixed(1);
  const lines: string[] = [];
  for (const data of [...new Set(results.filter((r) => r.kind === "sens").map((r) => r.data))]) {
    const rows = results.filter((r) => r.kind === "sens" && r.data === data);
    lines.push(
      `\nLearning-rate sensitivity, ${data} (${rows[0]!.protocol}), accuracy % (mean ± half the range over the seeds):\n`,
    );
    lines.push(`| learner | default η | seeds | ${FACTOR_NAMES.join(" | ")} | default − best |`);
    lines.push(`|---|---:|---:|${FACTOR_NAMES.map(() => "---:").join("|")}|---:|`);
    for (const r of rows) {
      const best = Math.max(...r.points.map((p) => p.acc));
      const cell = (p: Result["points"][number]) => pct(p.acc) + spread(p);
      lines.push(
        `| ${r.learner} | ${r.eta} | ${r.seeds ?? 1} | ${r.points.map((p, i) => (i === 2 ? `**${cell(p)}**` : cell(p))).join(" | ")} | ${(100 * (r.points[2]!.acc - best)).toFixed(1)} |`,
      );
    }
    const svg = renderPlot({
      title: `Learning-rate sensitivity — ${data}`,
      subtitle: `${rows[0]!.protocol}; η = each learner's default`,
      xLabel: "learning rate / default η",
      yLabel: "accuracy (%)",
      logX: true,
      xTicks: [0.1, 0.3, 1, 3, 10],
      yTicks: [0, 20, 40, 60, 80, 100],
      lines: rows.map((r, i): Line => ({
        name: r.learner,
        color: COLORS[i % COLORS.length]!,
        points: r.points.map((p) => ({ x: p.x, y: 100 * p.acc })),
      })),
    });
    writeFileSync(fileURLToPath(new URL(`../docs/curves-sensitivity-${data}.svg`, import.meta.url)), svg);
  }
  for (const data of [...new Set(results.filter((r) => r.kind === "curve").map((r) => r.data))]) {
    const rows = results.filter((r) => r.kind === "curve" && r.data === data);
    const xs = rows[0]!.points.map((p) => p.x);
    lines.push(`\nLearning curves, ${data} (${rows[0]!.protocol}), accuracy %:\n`);
    lines.push(`| learner | ${xs.join(" | ")} | time |`);
    lines.push(`|---|${xs.map(() => "---:").join("|")}|---:|`);
    for (const r of rows)
      lines.push(
        `| ${r.learner} | ${xs
          .map((x) => r.points.find((p) => p.x === x))
          .map((p) => (p ? (100 * p.acc).toFixed(2) : "—"))
          .join(" | ")} | ${r.seconds.toFixed(0)} s |`,
      );
    const svg = renderPlot({
      title: `Learning curves — ${data}`,
      subtitle: `${rows[0]!.protocol}; defaults, batch 1`,
      xLabel: "online samples",
      yLabel: "accuracy (%)",
      logX: true,
      xTicks: [100, 1000, 10000, 100000],
      yTicks: [0, 20, 40, 60, 80, 100],
      lines: rows.map((r, i): Line => ({
        name: r.learner,
        color: COLORS[i % COLORS.length]!,
        points: r.points.map((p) => ({ x: p.x, y: 100 * p.acc })),
      })),
    });
    writeFileSync(fileURLToPath(new URL(`../docs/curves-${data}.svg`, import.meta.url)), svg);
  }
  console.log(lines.join("\n"));
}

if (mode === "render") render();
else await measure();
