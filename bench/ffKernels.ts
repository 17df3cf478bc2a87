// Forward-Forward's online step, piece by piece (issue #18): the four kernels that make most of
// the default 784-500-500 step, timed alone at the step's shapes, beside the whole step and
// `predict` through the public API; optionally against another build in the same run.
//
// Why: `node --cpu-prof` does not see inside wasm, and the roofline's one figure per step does
// not say which pass is slow. Each kernel's floor here counts the f32x4 arithmetic it must issue
// (comparisons, min/max and subtractions included, bitwise ANDs not), divided by the vector rate
// of the f32x4 mul+add peak measured in the same run (peak / 4 FLOP per vector operation):
//   W₁x̂ (matvec 500 × 784): a multiply and an add per vector of W₁ — 2;
//   factored Adam on W₁ (the image is shared by the positive and negative passes, so the
//     gradient is rank 1): m ← β₁m + e·x (3), m·(γ_j k_i) (2), the clip (2), w − step (1) — 8
//     (on 63 steps of 64: the flush of tiny moments, a comparison more, runs on every 64th,
//     rules/optim.ts);
//   W₂ times the positive, negative and label-free inputs (matvecs, k = 3) — 6;
//   factored Adam on W₂ (rank-2 gradient a xᵀ + b zᵀ): the gradient (3) and the same 7 — 10.
// Timing: fastest of short samples (harness `timeShort`); with --against the two builds are
// sampled in alternation, round by round, so both see the same machine.
//
//   node scripts/ts.mjs bench/ffKernels.ts [--against other/engram.test.wasm] [--rounds 8]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../cli/idx.js";
import { createEngram, pixels } from "../src/index.js";
import { machine, measureCeilings, table, timeShort, type Raw } from "./harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const own = process.env["ENGRAM_TEST_WASM"] ?? fileURLToPath(new URL("../build/engram.test.wasm", import.meta.url));
const other = arg("against", "");
const rounds = +arg("rounds", "8");
const D = 784,
  N1 = 500,
  N2 = 500,
  C = 10;
const mnist = loadDataset("mnist");
// a validation image (the last 10 000 training images), as the roofline times it
const x = pixels(mnist.train.images.subarray(50000 * D, 50001 * D));

interface Piece {
  name: string;
  /** f32x4 arithmetic operations the piece must issue (see the header). */
  vectorOps: number;
  fn: () => unknown;
}

/** The pieces of one build: its raw kernels on buffers at the step's shapes, and a learner through the API. */
async function pieces(path: string): Promise<{ raw: Raw; list: Piece[] }> {
  const bytes = readFileSync(path);
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: {
      abort: () => {
        throw new Error("abort");
      },
    },
  });
  const raw = instance.exports as Raw;
  const buf = (n: number, v: number) => {
    const p = raw.alloc(n * 4) >>> 0;
    new Float32Array(raw.memory.buffer, p, n).fill(v);
    return p;
  };
  // W, m, the factored moments r (rows), c (cols), γ scratch (cols); inputs and row factors
  const w1 = [buf(N1 * D, 0.01), buf(N1 * D, 0.001), buf(N1, 0.01), buf(D, 0.01), buf(D, 0)] as const;
  const w2 = [buf(N2 * N1, 0.01), buf(N2 * N1, 0.001), buf(N2, 0.01), buf(N1, 0.01), buf(N1, 0)] as const;
  const xin = buf(D, 0.03),
    a = buf(N1, 0.001),
    b = buf(N1, -0.002),
    z1 = buf(N1, 0);
  const S = 512; // the learner's row stride for the upper layer's inputs and outputs
  const ins = buf(3 * S, 0.02),
    outs = buf(3 * S, 0);
  const opt = [1e-4, 0.9, 0.999, 1e-4, 1e-3, 0] as const; // η̂, β₁, β₂, √ε̂, the clip, no flush
  const engram = await createEngram(new WebAssembly.Module(bytes));
  const ff = engram.forwardForward({ inputs: D, hidden: [N1, N2], classes: C, seed: 1 });
  for (let c = 0; c < C; c++) ff.learn(x, c); // every label seen: every timed step has a negative pass
  const v1 = (N1 * D) / 4,
    v2 = (N2 * N1) / 4;
  return {
    raw,
    list: [
      { name: "learn (defaults, public API)", vectorOps: NaN, fn: () => ff.learn(x, 3) },
      { name: "predict (public API)", vectorOps: NaN, fn: () => ff.predict(x) },
      { name: "W₁x̂: matvec 500 × 784", vectorOps: 2 * v1, fn: () => raw.matvec(z1, w1[0], xin, N1, D) },
      {
        name: "factored Adam on W₁, rank 1",
        vectorOps: 8 * v1,
        fn: () => raw.factoredRows(...w1, a, xin, b, xin, N1, D, ...opt),
      },
      {
        name: "W₂ × 3 inputs: matvecs 500 × 500",
        vectorOps: 6 * v2,
        fn: () => raw.matvecs(outs, S, w2[0], ins, S, N2, N1, 3),
      },
      {
        name: "factored Adam on W₂, rank 2",
        vectorOps: 10 * v2,
        fn: () => raw.factoredRows(...w2, a, ins, b, ins + 4 * S, N2, N1, ...opt),
      },
    ],
  };
}

console.log(machine());
const A = await pieces(own);
const B = other ? await pieces(other) : null;
const peak = measureCeilings(A.raw, (fn, ms) => timeShort(fn, ms).min).peakFlops;
const best = A.list.map(() => [Infinity, Infinity]);
for (let r = 0; r < rounds; r++)
  A.list.forEach((p, i) => {
    best[i]![0] = Math.min(best[i]![0]!, timeShort(p.fn, 60).min);
    if (B) best[i]![1] = Math.min(best[i]![1]!, timeShort(B.list[i]!.fn, 60).min);
  });
const floor = (ops: number) => (ops / (peak / 4)) * 1e6;
console.log(
  `f32x4 mul+add peak ${(peak / 1e9).toFixed(1)} GFLOP/s (${(peak / 4e9).toFixed(2)} G vector operations/s); ${rounds} rounds; this build: ${own}` +
    (B ? `; other: ${other}` : ""),
);
table(
  ["piece", "vector ops", "floor µs", "µs", "% of floor", ...(B ? ["other build µs", "this / other"] : [])],
  A.list.map((p, i) => {
    const [ta, tb] = best[i]!.map((t) => t * 1e6) as [number, number];
    const fl = floor(p.vectorOps);
    return [
      p.name,
      Number.isNaN(p.vectorOps) ? "—" : p.vectorOps.toLocaleString("en"),
      Number.isNaN(fl) ? "—" : fl.toFixed(1),
      ta.toFixed(1),
      Number.isNaN(fl) ? "—" : `${((100 * fl) / ta).toFixed(0)} %`,
      ...(B ? [tb.toFixed(1), (ta / tb).toFixed(3)] : []),
    ];
  }),
);
const sum = best.slice(2).reduce((s, t) => s + t[0]!, 0) * 1e6;
const floors = A.list.slice(2).reduce((s, p) => s + floor(p.vectorOps), 0);
console.log(
  `the four kernels: ${sum.toFixed(0)} µs of the step's ${(best[0]![0]! * 1e6).toFixed(0)} µs; their floor ${floors.toFixed(0)} µs`,
);
