// npm run bench: every kernel's speed against this machine's ceilings measured
// in the same run (f32x4 mul+add peak, streaming bandwidth), against its scalar
// twin inside wasm, and against the same operation in plain JavaScript.
// Each kernel is checked against the JavaScript result before it is timed.
import { f, loadRaw, machine, measureCeilings, randomF32, randomJs, table, timeShort, type Raw } from "./harness.js";

// the fastest of short samples, ceilings alike: on a shared machine a long batch always contains
// preemptions and measures our share of the CPU, not the code (see harness.timeShort)
const timeIt = (fn: () => unknown, ms = 300) => timeShort(fn, ms).min;

const raw: Raw = await loadRaw();
const mem = () => new Float32Array(raw.memory.buffer);
console.log(`# Kernel benchmark — ${machine()}, ${new Date().toISOString().slice(0, 10)}\n`);

const c = measureCeilings(raw, timeIt);
console.log(
  `Ceilings: f32x4 mul+add peak ${f(c.peakFlops / 1e9)} GFLOP/s; read-modify-write ${f(c.cacheBw / 1e9)} GB/s in cache (64 KiB), ${f(c.memBw / 1e9)} GB/s at 64 MiB\n`,
);

interface Case {
  name: string;
  shape: string;
  flops: number;
  bytes: number;
  /** Runs the SIMD kernel, the scalar twin, and plain JS; `check` compares outputs. */
  simd: () => unknown;
  ref: () => unknown;
  js: () => unknown;
  check: () => number; // max abs difference between the wasm result and plain JS after one call each
}

function vecCase(
  name: string,
  n: number,
  flopsPer: number,
  bytesPer: number,
  kernel: string,
  jsFn: (y: Float32Array, x: Float32Array) => void,
  extra: number[] = [],
): Case {
  const x = randomF32(raw, n, 3),
    y = randomF32(raw, n, 4);
  const jx = randomJs(n, 3),
    jy = new Float32Array(n);
  return {
    name,
    shape: `n=${n}`,
    flops: flopsPer * n,
    bytes: bytesPer * n,
    simd: () => raw[kernel](y, x, n, ...extra),
    ref: () => raw[`${kernel}Ref`](y, x, n, ...extra),
    js: () => jsFn(jy, jx),
    check: () => {
      raw[kernel](y, x, n, ...extra);
      jsFn(jy, jx);
      const m = mem();
      let d = 0;
      for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(m[(y >>> 2) + i]! - jy[i]!));
      return d;
    },
  };
}

const R = 500,
  C = 784;
const w = randomF32(raw, R * C, 1),
  xw = randomF32(raw, C, 2),
  yw = randomF32(raw, R, 5),
  xr = randomF32(raw, R, 6),
  yc = randomF32(raw, C, 7);
const jw = randomJs(R * C, 1),
  jx = randomJs(C, 2),
  jyr = new Float32Array(R),
  jxr = randomJs(R, 6),
  jyc = new Float32Array(C);
const jsMatvec = (y: Float32Array, W: Float32Array, x: Float32Array, rows: number, cols: number) => {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += W[o + j]! * x[j]!;
    y[i] = s;
  }
};
const jsMatvecT = (y: Float32Array, W: Float32Array, x: Float32Array, rows: number, cols: number) => {
  y.fill(0);
  for (let i = 0; i < rows; i++) {
    const xi = x[i]!,
      o = i * cols;
    for (let j = 0; j < cols; j++) y[j] += W[o + j]! * xi;
  }
};
const jsRank1 = (W: Float32Array, a: Float32Array, b: Float32Array, rows: number, cols: number, eta: number) => {
  for (let i = 0; i < rows; i++) {
    const s = eta * a[i]!,
      o = i * cols;
    for (let j = 0; j < cols; j++) W[o + j] += s * b[j]!;
  }
};
// One online Hebbian step: y = W x, then W += η y xᵀ (the fused denseStep with decay 0).
const eta = 1e-7; // tiny, so repeated timing never blows the weights up
const jsDense = () => {
  jsMatvec(jyr, jw, jx, R, C);
  jsRank1(jw, jyr, jx, R, C, eta);
};
const maxDiff = (p: number, j: Float32Array) => {
  const m = mem();
  let d = 0;
  for (let i = 0; i < j.length; i++) d = Math.max(d, Math.abs(m[(p >>> 2) + i]! - j[i]!));
  return d;
};

const N = 4096;
const cases: Case[] = [
  (() => {
    const a = randomF32(raw, N, 8),
      b = randomF32(raw, N, 9),
      ja = randomJs(N, 8),
      jb = randomJs(N, 9);
    const js = () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += ja[i]! * jb[i]!;
      return s;
    };
    return {
      name: "dot",
      shape: `n=${N}`,
      flops: 2 * N,
      bytes: 8 * N,
      simd: () => raw.dot(a, b, N),
      ref: () => raw.dotRef(a, b, N),
      js,
      check: () => Math.abs(raw.dot(a, b, N) - js()),
    };
  })(),
  (() => {
    const a = randomF32(raw, N, 8),
      b = randomF32(raw, N, 9),
      ja = randomJs(N, 8),
      jb = randomJs(N, 9);
    const js = () => {
      for (let i = 0; i < N; i++) jb[i] += 1e-9 * ja[i]!;
    };
    return {
      name: "axpy",
      shape: `n=${N}`,
      flops: 2 * N,
      bytes: 12 * N,
      simd: () => raw.axpy(b, 1e-9, a, N),
      ref: () => raw.axpyRef(b, 1e-9, a, N),
      js,
      check: () => {
        raw.axpy(b, 1e-9, a, N);
        js();
        return maxDiff(b, jb);
      },
    };
  })(),
  {
    name: "matvec",
    shape: `${R}×${C}`,
    flops: 2 * R * C,
    bytes: 4 * R * C,
    simd: () => raw.matvec(yw, w, xw, R, C),
    ref: () => raw.matvecRef(yw, w, xw, R, C),
    js: () => jsMatvec(jyr, jw, jx, R, C),
    check: () => {
      raw.matvec(yw, w, xw, R, C);
      jsMatvec(jyr, jw, jx, R, C);
      return maxDiff(yw, jyr);
    },
  },
  {
    name: "matvecT",
    shape: `${R}×${C}`,
    flops: 2 * R * C,
    bytes: 4 * R * C,
    simd: () => raw.matvecT(yc, w, xr, R, C),
    ref: () => raw.matvecTRef(yc, w, xr, R, C),
    js: () => jsMatvecT(jyc, jw, jxr, R, C),
    check: () => {
      raw.matvecT(yc, w, xr, R, C);
      jsMatvecT(jyc, jw, jxr, R, C);
      return maxDiff(yc, jyc);
    },
  },
  {
    name: "rank1Update",
    shape: `${R}×${C}`,
    flops: 2 * R * C,
    bytes: 8 * R * C,
    simd: () => raw.rank1Update(w, xr, xw, R, C, eta),
    ref: () => raw.rank1UpdateRef(w, xr, xw, R, C, eta),
    js: () => jsRank1(jw, jxr, jx, R, C, eta),
    check: () => {
      raw.rank1Update(w, xr, xw, R, C, eta);
      jsRank1(jw, jxr, jx, R, C, eta);
      return maxDiff(w, jw);
    },
  },
  {
    name: "denseStep (online Hebbian step: W x, then W += η y xᵀ)",
    shape: `${R}×${C}`,
    flops: 4 * R * C,
    bytes: 8 * R * C,
    simd: () => raw.denseStep(w, yw, xw, R, C, eta, 0),
    ref: () => raw.denseStepRef(w, yw, xw, R, C, eta, 0),
    js: jsDense,
    check: () => {
      raw.denseStep(w, yw, xw, R, C, eta, 0);
      jsDense();
      return maxDiff(w, jw);
    },
  },
  vecCase("actRelu", N, 1, 8, "actRelu", (y, x) => {
    for (let i = 0; i < N; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
  }),
  // f32 arithmetic per element of tanh (26) and sigmoid (25): counted in bench/activations.ts
  vecCase("actTanh", N, 26, 8, "actTanh", (y, x) => {
    for (let i = 0; i < N; i++) y[i] = Math.tanh(x[i]!);
  }),
  vecCase("actSigmoid", N, 25, 8, "actSigmoid", (y, x) => {
    for (let i = 0; i < N; i++) y[i] = 1 / (1 + Math.exp(-x[i]!));
  }),
  vecCase("softmax", 1000, 25, 8, "softmax", (y, x) => {
    let m = -Infinity;
    for (let i = 0; i < 1000; i++) m = Math.max(m, x[i]!);
    let s = 0;
    for (let i = 0; i < 1000; i++) s += y[i] = Math.exp(x[i]! - m);
    for (let i = 0; i < 1000; i++) y[i] /= s;
  }),
  vecCase(
    "normalize",
    N,
    3,
    8,
    "normalize",
    (y, x) => {
      let s = 0;
      for (let i = 0; i < N; i++) s += x[i]! * x[i]!;
      const r = 1 / (Math.sqrt(s) + 1e-8);
      for (let i = 0; i < N; i++) y[i] = x[i]! * r;
    },
    [1e-8],
  ),
];

const rows: (string | number)[][] = [];
let headline = "";
const diffs = cases.map((k) => k.check()); // check every kernel before timing changes any weights
for (const [i, k] of cases.entries()) {
  const diff = diffs[i]!;
  const tS = timeIt(k.simd),
    tR = timeIt(k.ref),
    tJ = timeIt(k.js);
  const gflops = k.flops / tS / 1e9;
  const gbs = k.bytes / tS / 1e9;
  rows.push([
    k.name,
    k.shape,
    f(tS * 1e6, 2),
    f(gflops, 2),
    `${f((100 * k.flops) / tS / c.peakFlops)} %`,
    f(gbs, 1),
    `${f((100 * k.bytes) / tS / c.cacheBw)} %`,
    `${f(tR / tS)}×`,
    `${f(tJ / tS)}×`,
    diff.toExponential(1),
  ]);
  if (k.name.startsWith("denseStep")) {
    headline = `Online dense step 784→500 (batch 1): ${f(tS * 1e6)} µs = ${f((100 * k.flops) / tS / c.peakFlops)} % of the f32x4 peak (target ≥ 60 %), ${f(tJ / tS)}× plain JavaScript (target ≥ 10×)`;
  }
}
table(
  [
    "kernel",
    "shape",
    "µs",
    "GFLOP/s",
    "% peak",
    "GB/s",
    "% cache BW",
    "vs scalar twin",
    "vs plain JS",
    "max |wasm − JS|",
  ],
  rows,
);
console.log(`\n${headline}`);

// matvec and rank1Update at 500×784 stream 1.5 MiB of weights: held to the bandwidth at that size
{
  const n = R * C;
  const p = randomF32(raw, n, 12);
  const readBw = (n * 4 * 4) / timeIt(() => raw.ceilingRead(p, n, 4));
  const rmwBw = (n * 8 * 4) / timeIt(() => raw.ceilingStream(p, n, 4));
  const tM = timeIt(() => raw.matvec(yw, w, xw, R, C)),
    tU = timeIt(() => raw.rank1Update(w, xr, xw, R, C, eta));
  const line = (name: string, t: number, bytes: number, bw: number, kind: string) =>
    `${name} ${R}×${C}: ${f(bytes / t / 1e9)} GB/s = ${f((100 * bytes) / t / bw)} % of the ${kind} bandwidth at its working set (${f(bw / 1e9)} GB/s over ${f((n * 4) / 1024 ** 2, 2)} MiB), ${f((100 * 2 * R * C) / t / c.peakFlops)} % of the peak; bound = max(compute, bandwidth) reached at ${f((100 * Math.max((2 * R * C) / c.peakFlops, bytes / bw)) / t)} %`;
  console.log(line("matvec", tM, 4 * n, readBw, "read"));
  console.log(line("rank1Update", tU, 8 * n, rmwBw, "read-modify-write"));
}
const { statSync } = await import("node:fs");
const { fileURLToPath } = await import("node:url");
const size = statSync(
  process.env["ENGRAM_TEST_WASM"] ?? fileURLToPath(new URL("../build/engram.test.wasm", import.meta.url)),
).size;
console.log(
  `engram.test.wasm (the module measured; the release engram.wasm is smaller): ${size} bytes (${f(size / 1024)} KiB)`,
);
