// The conformance runner, bundled into every host (Node, Chromium, Firefox,
// WebKit, workerd) and run against the published bundle that host imports.
// It returns plain JSON: per learner kind a hash of its persisted state and of
// its predictions on a probe set after a fixed stream, plus the same for a
// fixed sequence of raw kernel calls. Every host must return the same hashes.
import { CASES, PROBES, sample, type Case } from "./cases.js";
import { canonicalBits, fnv1a64, Stream, toHex } from "./hash.js";

/** What the runner needs of an engine (the public one, as a user imports it). */
export interface EngineLike {
  readonly kinds: string[];
  /** Whether engram.wasm (true) or engram.scalar.wasm (false) runs. */
  readonly simd: boolean;
  create(kind: string, options?: unknown): { save(): Uint8Array; dispose(): void };
  /** engram.merge (merge cases only). */
  merge?(learners: readonly unknown[], options?: unknown): { save(): Uint8Array; dispose(): void };
  readonly wasm: { readonly exports: Record<string, unknown>; readonly u8: Uint8Array };
}

/** One hashed result: `hash` decides, `state`/`outputs` (hex) locate a difference. */
export interface Hashed {
  hash: string;
  /** Canonical bits of the persisted state (or kernel log), hex. */
  state: string;
  /** Canonical bits of the probe outputs, hex. */
  outputs: string;
}

/** What one host returns. */
export interface Report {
  /** Which build ran (`engram.simd`): hosts compare both builds against each other. */
  simd: boolean;
  /** The module's in-wasm scenario hash (`selftest()`, as u32): compared with wasm-interp's. */
  selftest: number;
  /** Learner kinds the engine registers (`engram.kinds`). */
  kinds: string[];
  /** Kinds registered but without a conformance case: the suite fails on any. */
  missing: string[];
  kernels: Hashed;
  /** By case: `kind` or `kind/name`. */
  learners: Record<string, Hashed>;
  /** Cases (`kind` or `kind/name`) that threw, with the message. */
  errors: Record<string, string>;
}

/**
 * Runs every case on `engram` (the published bundle), its selftest, and the kernel sequence
 * on `test`, the same loader over the test module of the same build (assembly/testing.ts:
 * the release module exports only the API).
 */
export function runConformance(engram: EngineLike, test: EngineLike = engram): Report {
  const selftest = engram.wasm.exports["selftest"] as () => number;
  const report: Report = {
    simd: engram.simd,
    selftest: selftest() >>> 0,
    kinds: engram.kinds,
    missing: [],
    kernels: kernelSequence(test),
    learners: {},
    errors: {},
  };
  for (const kind of engram.kinds) {
    const cases = CASES[kind];
    if (!cases?.length) report.missing.push(kind);
    for (const c of cases ?? []) {
      const key = c.name ? `${kind}/${c.name}` : kind;
      try {
        report.learners[key] = runCase(engram, kind, c);
      } catch (e) {
        report.errors[key] = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
  }
  return report;
}

/**
 * Creates the learner, feeds the stream, probes it, hashes state and outputs. A merge case
 * feeds each member the samples of its labels (its own step count t), then merges them.
 */
function runCase(engram: EngineLike, kind: string, c: Case): Hashed {
  let learner: { save(): Uint8Array; dispose(): void };
  if (c.merge) {
    const members = c.merge.members.map(() => engram.create(kind, c.options));
    try {
      const data = new Stream(0xc0ffee);
      const steps = members.map(() => 0);
      for (let t = 0; t < c.steps; t++) {
        const { x, label } = sample(data, c.inputs, c.classes);
        c.merge.members.forEach((labels, j) => {
          if (labels.includes(label)) c.learn(members[j], x, label, steps[j]!++);
        });
      }
      if (!engram.merge) throw new Error("this engine has no merge");
      learner = engram.merge(members, c.merge.options);
    } finally {
      members.forEach((m) => m.dispose());
    }
  } else {
    learner = engram.create(kind, c.options);
    try {
      const data = new Stream(0xc0ffee);
      for (let t = 0; t < c.steps; t++) {
        const { x, label } = sample(data, c.inputs, c.classes);
        c.learn(learner, x, label, t);
      }
    } catch (e) {
      learner.dispose();
      throw e;
    }
  }
  try {
    const probes = new Stream(0x9e0be);
    const outputs: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const out = c.probe(learner, sample(probes, c.inputs, c.classes).x);
      if (typeof out === "number") outputs.push(out);
      else for (let j = 0; j < out.length; j++) outputs.push(out[j]!);
    }
    return hashed(snapshotState(learner.save()), Float32Array.from(outputs));
  } finally {
    learner.dispose();
  }
}

function hashed(state: Uint8Array, outputs: Float32Array): Hashed {
  const s = canonicalBytes(state);
  const o = new Uint8Array(canonicalBits(outputs).buffer);
  const both = new Uint8Array(s.length + o.length);
  both.set(s);
  both.set(o, s.length);
  return { hash: fnv1a64(both), state: toHex(s), outputs: toHex(o) };
}

/**
 * State bytes with every f32-aligned NaN word canonicalised (state blocks are 4-byte
 * words; wasm leaves NaN payloads to the engine). A u32 word, such as a PRNG word,
 * that happens to look like a NaN (1 in 256) is canonicalised too; a host whose
 * PRNG diverged still differs in the weights and outputs that the stream drove.
 */
function canonicalBytes(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice(0, bytes.length & ~3);
  const bits = canonicalBits(new Float32Array(copy.buffer));
  const out = new Uint8Array(bytes.length);
  out.set(new Uint8Array(bits.buffer));
  out.set(bytes.subarray(copy.length), copy.length);
  return out;
}

/** The state section of a snapshot (format in src/snapshot.ts), read independently of the library. */
export function snapshotState(snap: Uint8Array): Uint8Array {
  const dv = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
  let at = 12;
  at += 2 + dv.getUint16(at, true); // kind
  at += 4 + dv.getUint32(at, true); // config
  const n = dv.getUint32(at, true);
  return snap.subarray(at + 4, at + 4 + n);
}

type Kernel = (...args: number[]) => number;

/**
 * Issue 2's smoke test: one fixed sequence of raw kernel calls (PRNG, matvec,
 * matvecT, activations, normalisation, rank-1 and Hebbian updates, scalar
 * math) on odd sizes so SIMD tails run too; every f32 and u32 produced is logged.
 */
function kernelSequence(engram: EngineLike): Hashed {
  const ex = engram.wasm.exports;
  const k = (name: string): Kernel => {
    const f = ex[name];
    if (typeof f !== "function") throw new Error(`engram.wasm does not export the kernel ${name}`);
    return f as Kernel;
  };
  const alloc = k("alloc");
  const log: number[] = []; // f32 values
  const words: number[] = []; // u32 values
  const R = 37,
    C = 53;
  const rng = alloc(16),
    w = alloc(R * C * 4),
    x = alloc(C * 4),
    y = alloc(R * 4),
    t = alloc(R * 4),
    z = alloc(C * 4);
  const read = (ptr: number, n: number) => {
    const v = new Float32Array(engram.wasm.u8.buffer, ptr, n); // re-fetched: views detach on growth
    for (let i = 0; i < n; i++) log.push(v[i]!);
  };
  k("rngSeed")(rng, 20240601);
  k("rngFillNormal")(rng, w, R * C, 0, 0.2);
  k("rngFillUniform")(rng, x, C, -1, 1);
  k("matvec")(y, w, x, R, C);
  read(y, R);
  for (const act of [
    "actRelu",
    "actTanh",
    "actSigmoid",
    "actSoftplus",
    "actStep",
    "actSign",
    "actTanhGrad",
    "actSigmoidGrad",
  ]) {
    k(act)(t, y, R);
    read(t, R);
  }
  k("actLeakyRelu")(t, y, R, 0.01);
  read(t, R);
  k("softmax")(t, y, R);
  read(t, R);
  log.push(k("normalize")(t, y, R, 1e-6));
  read(t, R);
  k("kWinnersTakeAll")(t, y, R, 5);
  read(t, R);
  k("actTanh")(t, y, R);
  k("matvecT")(z, w, t, R, C);
  read(z, C);
  log.push(k("dot")(x, z, C));
  k("axpy")(z, 0.5, x, C);
  k("scale")(z, 0.9, C);
  read(z, C);
  k("rank1Update")(w, t, x, R, C, 0.01);
  k("denseStep")(w, y, x, R, C, 0.01, 1);
  read(y, R);
  read(w, R * C);
  const xs = new Float32Array(engram.wasm.u8.buffer, x, C).slice();
  for (const v of xs) {
    log.push(
      k("expf")(v * 20),
      k("logf")(v * v + 1e-3),
      k("tanhf")(v * 4),
      k("sigmoidf")(v * 8),
      k("softplusf")(v * 30),
    );
  }
  for (let i = 0; i < 16; i++) words.push(k("rngNextU32")(rng) >>> 0, k("rngBelow")(rng, 10) >>> 0);
  for (let i = 0; i < 16; i++) log.push(k("rngNormal")(rng), k("rngUniform")(rng));
  for (const p of [rng, w, x, y, t, z]) k("free")(p);
  const f = canonicalBits(Float32Array.from(log));
  const all = new Uint8Array((f.length + words.length) * 4);
  all.set(new Uint8Array(f.buffer));
  all.set(new Uint8Array(Uint32Array.from(words).buffer), f.length * 4);
  return { hash: fnv1a64(all), state: toHex(all), outputs: "" };
}

/** The entry the host stage calls (see test/hosts/stage.ts): run(engram, testEngine). */
export const run = runConformance;
