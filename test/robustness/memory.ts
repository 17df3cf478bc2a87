// Memory harnesses shared by test/robustness/memory.test.ts (CI sizes),
// scripts/soak.ts (the full soak) and test/robustness/hostLimit.ts (a host
// that allows little memory). No vitest here: they return figures, callers judge.
import type { Engram } from "../../src/index.js";
import { descriptor, make, rng, sample, validArgs, type AnyLearner } from "./learners.js";

/** wasm memory in bytes at points of a run. */
export interface MemoryFigures {
  /** Before the run. */
  start: number;
  /** After the warm-up (the first tenth of the run). */
  warm: number;
  /** At the end. */
  end: number;
  /** Iterations run. */
  count: number;
  /** Wall time in ms. */
  ms: number;
}

/**
 * Creates, uses and disposes `count` learners of `kind`: small, large and
 * n × n ones (n from 32 to 224) interleaved, each learning a few steps; every tenth one is saved, restored
 * and both copies disposed. Bounded memory means `end === warm`.
 */
export function cycleLearners(engram: Engram, kind: string, count: number): MemoryFigures {
  const d = descriptor(kind);
  const r = rng(3);
  const start = engram.memoryBytes;
  const t0 = performance.now();
  let warm = start;
  for (let i = 0; i < count; i++) {
    // small, large and n × n learners of seven sizes interleaved: reuse must survive fragmentation
    const l = make(engram, kind, i % 3 === 0 ? {} : i % 3 === 1 ? d.large : d.sized(32 * (1 + (i % 7))));
    const o = l.config as Record<string, unknown>;
    const n = d.inputs(o);
    const c = d.classes?.(o) ?? 2;
    for (let k = 0; k < 2; k++) d.step(l, sample(r, n), (i + k) % c);
    if (i % 10 === 0) {
      const back = engram.restore(l.save()) as AnyLearner;
      d.step(back, sample(r, n), 0);
      back.dispose();
    }
    l.dispose();
    if (i + 1 === Math.ceil(count / 10)) warm = engram.memoryBytes;
  }
  return { start, warm, end: engram.memoryBytes, count, ms: performance.now() - t0 };
}

/**
 * `count` learning steps on one small learner of `kind`, cycling through 64
 * fixed samples; every 1000th step also runs every public method once (batch
 * calls included). Bounded memory means `end === warm`.
 */
export function longRun(engram: Engram, kind: string, count: number): MemoryFigures & { finite: boolean } {
  const d = descriptor(kind);
  const r = rng(5);
  const l = make(engram, kind);
  const o = l.config as Record<string, unknown>;
  const n = d.inputs(o);
  const c = d.classes?.(o) ?? 2;
  const xs = Array.from({ length: 64 }, () => sample(r, n));
  const start = engram.memoryBytes;
  const t0 = performance.now();
  let warm = start;
  for (let i = 0; i < count; i++) {
    d.step(l, xs[i & 63]!, i % c);
    if (i % 1000 === 999) {
      for (const m of d.methods) {
        l[m.name](...validArgs(d, o, m, r));
      }
    }
    if (i + 1 === Math.ceil(count / 10)) warm = engram.memoryBytes;
  }
  const finite = d.params(l).every(Number.isFinite);
  l.dispose();
  return { start, warm, end: engram.memoryBytes, count, ms: performance.now() - t0, finite };
}

/** One attempt to build a learner larger than the host allows. */
export interface LimitAttempt {
  n: number;
  ok: boolean;
  code?: string;
  /** Memory before and after the attempt. */
  before: number;
  after: number;
}

/**
 * Builds learners of `kind` of about n × n parameters for n = 64, 128, ...
 * keeping each alive, until one is refused; then a 48 MiB batch on a small
 * witness learner. Under a host memory limit (node --wasm-max-mem-pages) both
 * refusals must be E_MEMORY, with memory unchanged by the refused construction,
 * the witness intact, and the engine still working.
 */
export function hostLimit(
  engram: Engram,
  kind: string,
): { attempts: LimitAttempt[]; batchCode: string; witnessIntact: boolean; worksAfter: boolean; reuses: boolean } {
  const d = descriptor(kind);
  const witness = make(engram, kind);
  d.step(witness, sample(rng(1), d.inputs(witness.config as Record<string, unknown>)), 0);
  const kept = witness.save();
  const held: AnyLearner[] = [];
  const attempts: LimitAttempt[] = [];
  let largest = 0;
  for (let n = 64; n <= 1 << 16; n *= 2) {
    const before = engram.memoryBytes;
    try {
      held.push(engram.create(kind, { ...d.small, ...d.sized(n) }) as AnyLearner);
      attempts.push({ n, ok: true, before, after: engram.memoryBytes });
      largest = n;
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      attempts.push({
        n,
        ok: false,
        code: err.name === "EngramError" ? err.code! : `raw ${err.name}: ${err.message}`,
        before,
        after: engram.memoryBytes,
      });
      break;
    }
  }
  // a batch larger than the host's memory: E_MEMORY, and the learner unchanged
  const batch = d.methods.find((m) => m.args[0] === "xs");
  let batchCode = "no batch method";
  if (batch) {
    const o = witness.config as Record<string, unknown>;
    const rows = Math.ceil((48 << 20) / (4 * d.inputs(o)));
    const args: unknown[] = batch.args.map((a) =>
      a === "xs" ? new Float32Array(rows * d.inputs(o)).fill(0.5) : new Array(rows).fill(0),
    );
    try {
      witness[batch.name](...args);
      batchCode = "accepted";
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      batchCode = err.name === "EngramError" ? err.code! : `raw ${err.name}: ${err.message}`;
    }
  }
  const saved = witness.save();
  const witnessIntact = saved.length === kept.length && saved.every((b, i) => b === kept[i]);
  for (const l of held) l.dispose();
  let worksAfter = false;
  let reuses = false;
  try {
    const l = make(engram, kind);
    d.step(l, sample(rng(2), d.inputs(l.config as Record<string, unknown>)), 0);
    worksAfter = d.params(l).every(Number.isFinite);
    l.dispose();
    // the freed memory is reused: the largest learner fits again without growth
    const before = engram.memoryBytes;
    if (largest) engram.create(kind, { ...d.small, ...d.sized(largest) }).dispose();
    reuses = engram.memoryBytes === before;
  } catch {
    worksAfter = false;
  }
  witness.dispose();
  return { attempts, batchCode, witnessIntact, worksAfter, reuses };
}
