// Shared benchmark plumbing: load the built module, time a call robustly,
// measure the machine's ceilings in the same run, print aligned tables.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

/** Raw exports of build/engram.test.wasm, the test module (kernels and ceilings by name). */
export type Raw = Record<string, any> & { memory: WebAssembly.Memory };

/** Instantiates build/engram.test.wasm (or $ENGRAM_TEST_WASM). */
export async function loadRaw(): Promise<Raw> {
  const path = process.env["ENGRAM_TEST_WASM"] ?? fileURLToPath(new URL("../build/engram.test.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(readFileSync(path), {
    env: {
      abort: () => {
        throw new Error("abort");
      },
    },
  });
  return instance.exports as Raw;
}

/** Allocates n f32 in wasm memory filled with values in [-1, 1) from a fixed LCG. */
export function randomF32(raw: Raw, n: number, seed = 1): number {
  const p = raw.alloc(n * 4) >>> 0;
  const v = new Float32Array(raw.memory.buffer, p, n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return p;
}

/** Same values as `randomF32`, in a plain JS Float32Array. */
export function randomJs(n: number, seed = 1): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/**
 * Seconds per call of `fn`: calibrates a batch to ~`ms`/7 ms, runs 7 batches
 * after a warm-up and returns the FASTEST batch. On a shared machine other
 * processes only ever add time, so the minimum is the least disturbed figure;
 * ceilings are measured the same way, so the ratios stay fair.
 */
export function timeIt(fn: () => unknown, ms = 300): number {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt > ms / 7 || reps > 1e7) break;
    reps *= dt < 1 ? 10 : Math.ceil(ms / 7 / dt);
  }
  const samples: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t0) / reps);
  }
  return Math.min(...samples) / 1000;
}

/**
 * Seconds per call over short samples: each sample is as many calls as fill ~2 ms (one call if
 * it takes longer), and samples are taken for `ms` (at least 15). On a shared machine a long
 * batch always contains preemptions and so measures our share of the CPU; short samples mostly
 * run uninterrupted. Returns the fastest sample (the least disturbed: what the limits are
 * compared with, ceilings timed the same way) and the median (printed beside it).
 */
export function timeShort(fn: () => unknown, ms = 300): { min: number; median: number } {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= 2 || reps > 1e6) break;
    reps *= dt < 0.2 ? 10 : Math.ceil(2 / dt);
  }
  const s: number[] = [];
  const end = performance.now() + ms;
  while (s.length < 15 || performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    s.push((performance.now() - t0) / reps);
  }
  s.sort((a, b) => a - b);
  return { min: s[0]! / 1000, median: s[s.length >> 1]! / 1000 };
}
/** The machine's ceilings, measured now. */
export interface Ceilings {
  /** f32x4 mul+add peak, FLOP/s. */
  peakFlops: number;
  /** Read-modify-write bandwidth for an array in L1/L2 (64 KiB), bytes/s. */
  cacheBw: number;
  /** Read-modify-write bandwidth for a 64 MiB array, bytes/s. */
  memBw: number;
}

/** Measures the f32x4 peak and streaming bandwidth with the module's ceiling kernels (`time`: seconds per call). */
export function measureCeilings(raw: Raw, time: (fn: () => unknown, ms: number) => number = timeIt): Ceilings {
  const iters = 100_000;
  const peak = (iters * 12 * 8) / time(() => raw.ceilingMulAdd(iters), 400);
  const small = 16 * 1024;
  const ps = raw.alloc(small * 4) >>> 0;
  const cacheBw = (small * 8 * 50) / time(() => raw.ceilingStream(ps, small, 50), 400);
  const big = 16 * 1024 * 1024;
  const pb = raw.alloc(big * 4) >>> 0;
  const memBw = (big * 8) / time(() => raw.ceilingStream(pb, big, 1), 600);
  raw.free(ps);
  raw.free(pb);
  return { peakFlops: peak, cacheBw, memBw };
}

/** One line describing this machine and runtime. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? "unknown CPU"}, ${c.length} cores, Node ${process.version}`;
}

/** Prints rows as an aligned Markdown table. */
export function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`| ${w.map((n) => "-".repeat(n)).join(" | ")} |`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Formats x with `d` decimals. */
export const f = (x: number, d = 1) => x.toFixed(d);

/** 0 … n−1 shuffled by Fisher–Yates with `rand` (uniform in [0, 1)), for a bench's training order. */
export function permutation(n: number, rand: () => number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}
