// One descriptor per learner kind: how to build a small one, how to feed it,
// which public methods it has and what their arguments look like. Every suite
// in test/robustness/ iterates `engram.kinds`, so a registered kind without a
// descriptor here FAILS (test/robustness/coverage.test.ts): a new learner must
// be covered by snapshots, bad-input, numeric-safety and memory tests.
// This file does not import vitest: scripts/soak.ts and scripts/make-fixtures.ts use it too.
import fc from "fast-check";
import type { Engram, Learner } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { rng } from "../helpers/rng.js";

/** The shape of one argument of a public method. */
export type Arg =
  | "x" // one sample: `inputs` finite values
  | "label" // an integer in [0, classes)
  | "xs" // BATCH samples row-major
  | "labels" // BATCH labels
  | "reward"; // a finite number

/** A public method and its argument shapes. */
export interface MethodSpec {
  name: string;
  args: Arg[];
  /** Arguments from this index on may be left out (undefined is then valid, not bad). */
  optionalFrom?: number;
}

/** Loosely typed: the suites call methods by name. */
export type AnyLearner = Learner & Record<string, any>;

export interface Descriptor {
  /** A small learner: exhaustive snapshot corruption, soak. Sizes only plus a seed. */
  small: Record<string, unknown>;
  /** A larger learner: random multi-byte corruption. */
  large: Record<string, unknown>;
  /** Width of one sample for options `o`. */
  inputs(o: Record<string, unknown>): number;
  /** Number of classes if the learner takes labels. */
  classes?(o: Record<string, unknown>): number;
  /** Every public method that takes input. */
  methods: MethodSpec[];
  /** Methods without arguments that must throw E_DISPOSED once disposed. */
  getters: string[];
  /** One ordinary learning step on `x`; `k` is a class index (or reward sign) the harness picks. */
  step(l: AnyLearner, x: Float32Array, k: number): void;
  /** Deterministic outputs for `x` that leave the learner unchanged. */
  probe(l: AnyLearner, x: Float32Array): number[];
  /** Bytes of the state block for resolved options `o`, as docs/snapshot-format.md lays it out. */
  stateBytes(o: Record<string, unknown>): number;
  /** Every f32 parameter (weights, biases, moments), for the finiteness checks. */
  params(l: AnyLearner): Float32Array;
  /** Option keys that are layer widths or counts: absurd values must fail at construction. */
  sizeKeys: string[];
  /** A configuration of about n × n parameters (for the host-memory-limit test). */
  sized(n: number): Record<string, unknown>;
  /** Configurations too large for any host: must throw E_MEMORY (or E_CONFIG) at construction. */
  huge: Record<string, unknown>[];
  /** The guard that keeps parameters finite on adversarial input (documented in the learner). */
  guard: string;
  /** Option sets merged over `small` that change the learning rule (each gets the numeric and continuation tests). */
  variants: Record<string, unknown>[];
  /**
   * A learner and a batch whose per-call buffers need more than wasm32 can address
   * (e.g. rows × width × 4 bytes past 4 GiB): learnBatch must throw E_MEMORY (or
   * E_SHAPE) and leave the learner unchanged, not wrap a 32-bit size.
   */
  hugeBatch?: { options: Record<string, unknown>; rows: number };
  /**
   * Rows one call takes at most (a learner's documented limit, E_SHAPE beyond it, checked on
   * the length before any value is read): e-prop's MAX_STEPS time steps per sequence.
   */
  rowLimit?: number;
  /** Property getters that read state (must throw E_DISPOSED once disposed). */
  props?: string[];
  /** Property setters: a valid value, and bad ones that must throw E_CONFIG leaving save() unchanged. */
  setters?: { name: string; valid: number; bad: unknown[] }[];
}

/** Rows in xs/labels arguments. */
export const BATCH = 3;

export const DESCRIPTORS: Record<string, Descriptor> = {};

/** The descriptor of `kind`; throws (failing the suite) when the kind is not covered. */
export function descriptor(kind: string): Descriptor {
  const d = DESCRIPTORS[kind];
  if (!d)
    throw new Error(
      `learner kind "${kind}" has no descriptor in test/robustness/learners.ts: add one so robustness covers it`,
    );
  return d;
}

export { rng };

/** A sample of `n` values in [-1, 1). */
export function sample(r: () => number, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r() * 2 - 1;
  return x;
}

/** A learner of `kind` built from options merged over the small config. */
export function make(engram: Engram, kind: string, over: Record<string, unknown> = {}): AnyLearner {
  return engram.create(kind, { ...descriptor(kind).small, ...over }) as AnyLearner;
}

/** Trains `l` for `steps` steps on seeded data (labels cycle through the classes). */
export function train(l: AnyLearner, kind: string, steps: number, seed = 7): void {
  const d = descriptor(kind);
  const n = d.inputs(l.config as Record<string, unknown>);
  const c = d.classes?.(l.config as Record<string, unknown>) ?? 2;
  const r = rng(seed);
  for (let i = 0; i < steps; i++) d.step(l, sample(r, n), i % c);
}

/** Valid arguments for `spec`. */
export function validArgs(d: Descriptor, o: Record<string, unknown>, spec: MethodSpec, r: () => number): unknown[] {
  const n = d.inputs(o);
  const c = d.classes?.(o) ?? 2;
  return spec.args.map((a) => {
    switch (a) {
      case "x":
        return sample(r, n);
      case "label":
        return Math.floor(r() * c);
      case "xs":
        return sample(r, n * BATCH);
      case "labels":
        return Array.from({ length: BATCH }, () => Math.floor(r() * c));
      case "reward":
        return r() * 2 - 1;
    }
  });
}

/** A bad value for one argument and the error code it must raise. */
export interface Bad {
  value: unknown;
  code: string;
  why: string;
}

const wrongTypes: unknown[] = [
  null,
  undefined,
  "abc",
  42,
  true,
  {},
  { length: 3 },
  new Int32Array(3),
  new ArrayBuffer(12),
  () => 0,
  Symbol("x"),
  10n,
];

/** fast-check arbitrary of bad values for an argument of shape `a`. */
export function badArg(a: Arg, n: number, classes: number): fc.Arbitrary<Bad> {
  const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);
  const vec = (len: number) =>
    fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 }), { minLength: len, maxLength: len });
  const wrongType = fc.constantFrom(...wrongTypes).map((value): Bad => ({ value, code: "E_TYPE", why: "wrong type" }));
  const vector = (len: number, what: string, shapeOk: (m: number) => boolean) =>
    fc.oneof(
      wrongType,
      fc
        .integer({ min: 0, max: 2 * len + 5 })
        .filter((m) => !shapeOk(m))
        .chain((m) =>
          fc.tuple(vec(m), fc.boolean()).map(([v, typed]): Bad => ({
            value: typed ? new Float32Array(v) : v,
            code: "E_SHAPE",
            why: `${what} of length ${m}`,
          })),
        ),
      fc
        .tuple(vec(len), fc.nat(len - 1), nonFinite, fc.constantFrom("f32", "f64", "array"))
        .map(([v, i, bad, as]): Bad => {
          v[i] = bad;
          const value = as === "f32" ? new Float32Array(v) : as === "f64" ? new Float64Array(v) : v;
          return { value, code: "E_NONFINITE", why: `${what}[${i}] = ${bad}` };
        }),
      // finite in float64, not in float32
      fc.tuple(vec(len), fc.nat(len - 1), fc.constantFrom(1e39, -1e39, Number.MAX_VALUE)).map(([v, i, big]): Bad => {
        v[i] = big;
        return { value: v, code: "E_NONFINITE", why: `${what}[${i}] = ${big}` };
      }),
      fc
        .tuple(vec(len), fc.nat(len - 1), fc.constantFrom<unknown>("1", null, undefined, {}, true, [1]))
        .map(([v, i, junk]): Bad => {
          const value: unknown[] = v.slice();
          value[i] = junk;
          return { value, code: "E_TYPE", why: `${what}[${i}] is ${typeof junk}` };
        }),
    );
  const label = fc
    .oneof(
      fc.constantFrom<unknown>(
        -1,
        classes,
        classes + 1,
        2 ** 31,
        2 ** 53,
        0.5,
        1.5,
        -0.5,
        NaN,
        Infinity,
        -Infinity,
        "0",
        null,
        undefined,
        {},
        true,
        [0],
        0n,
      ),
      fc.integer({ min: classes, max: 2 ** 31 }),
      fc.integer({ min: -(2 ** 31), max: -1 }),
      fc.double({ noNaN: true, min: 0, max: classes }).filter((v) => !Number.isInteger(v)),
    )
    .map((value): Bad => ({ value, code: "E_LABEL", why: `label ${String(value)}` }));
  switch (a) {
    case "x":
      return vector(n, "x", (m) => m === n);
    case "xs":
      // never a whole number of rows: that is valid for a method without labels
      return vector(n * BATCH, "xs", (m) => m > 0 && m % n === 0);
    case "label":
      return label;
    case "labels":
      return fc.oneof(
        fc
          .constantFrom<unknown>(null, undefined, "012", 3, {}, true)
          .map((value): Bad => ({ value, code: "E_TYPE", why: "labels of wrong type" })),
        fc
          .integer({ min: 0, max: 2 * BATCH + 2 })
          .filter((m) => m !== BATCH)
          .map((m): Bad => ({ value: new Array(m).fill(0), code: "E_SHAPE", why: `${m} labels` })),
        fc.tuple(label, fc.nat(BATCH - 1)).map(([b, i]): Bad => {
          const value: unknown[] = new Array(BATCH).fill(0);
          value[i] = b.value;
          return { value, code: "E_LABEL", why: `labels[${i}] = ${String(b.value)}` };
        }),
      );
    case "reward":
      return fc.oneof(
        fc
          .constantFrom(NaN, Infinity, -Infinity, 1e39, -1e39, Number.MAX_VALUE)
          .map((value): Bad => ({ value, code: "E_NONFINITE", why: `reward ${value}` })),
        fc
          .constantFrom<unknown>(null, undefined, "1", {}, true, [1], 1n)
          .map((value): Bad => ({ value, code: "E_TYPE", why: "reward of wrong type" })),
      );
  }
}

/** Bad values for a numeric option that every learner must refuse with E_CONFIG. */
export const BAD_NUMBERS: unknown[] = [NaN, Infinity, -Infinity, "1", true, {}, [1]];

/** Bad values for a width-like option (E_CONFIG or E_MEMORY). */
export const BAD_SIZES: unknown[] = [0, -1, 1.5, 1e9, 2 ** 53, NaN, Infinity, "8", [], [0], [-1], [1e9, 1e9]];

/** Asserts `fn` throws EngramError (never a raw Error or RuntimeError); returns it. */
export function engramError(fn: () => unknown): (Error & { code: string }) | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err?.name !== "EngramError" || typeof err.code !== "string") {
      throw new Error(`a raw ${err?.name ?? typeof e} escaped: ${err?.message ?? String(e)}`, { cause: e });
    }
    return err as Error & { code: string };
  }
}

/** Byte equality of two snapshots, with the first differing offset in the message. */
export function sameBytes(a: Uint8Array, b: Uint8Array): string | undefined {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `first difference at byte ${i}`;
  return undefined;
}

/** fast-check settings: seeded for reproducible CI (override with FC_SEED). */
export const FC = { seed: Number(process.env["FC_SEED"] ?? 20261127) };

/** The f32 values of `l`'s persisted state from byte `from` to `to` (relative to the state block), read through save(). */
export function stateF32(l: AnyLearner, from: number, to?: number): Float32Array {
  const { state } = decodeSnapshot(l.save());
  const bytes = state.slice(from, to ?? state.length);
  return new Float32Array(bytes.buffer, 0, bytes.length >>> 2);
}

/** Bytes of `floats` f32 values padded to a multiple of 16 bytes. */
const pad16 = (floats: number) => Math.ceil(floats / 4) * 16;
const num = (o: Record<string, unknown>, k: string) => o[k] as number;
const last = (o: Record<string, unknown>) => o["classes"] as number;
const first = (o: Record<string, unknown>) => o["inputs"] as number;
/** A resolved { inputs, hidden, classes } as the list of layer widths. */
const widths = (o: Record<string, unknown>, withClasses: boolean) => [
  first(o),
  ...(o["hidden"] as number[]),
  ...(withClasses ? [last(o)] : []),
];

/** The softmax perceptrons (feedbackAlignment, perturbation) share one shape. */
function perceptron(
  small: Record<string, unknown>,
  large: Record<string, unknown>,
  guard: string,
  variants: Record<string, unknown>[],
): Descriptor {
  return {
    small,
    large,
    inputs: first,
    classes: last,
    methods: [
      { name: "learn", args: ["x", "label"] },
      { name: "learnBatch", args: ["xs", "labels"] },
      { name: "scores", args: ["x"] },
      { name: "predict", args: ["x"] },
    ],
    getters: ["save"],
    props: ["samples", "learningRate"],
    setters: [
      {
        name: "learningRate",
        valid: 0.005,
        bad: [0, -1, NaN, Infinity, -Infinity, 1e39, "0.1", null, undefined, {}, 11],
      },
    ],
    step: (l, x, k) => l.learn(x, k),
    probe: (l, x) => [...l.scores(x), l.predict(x)],
    // state: [PRNG 16 B][samples seen f64][pad 8 B][W_0 b_0 W_1 b_1 ...] (assembly/learners/feedbackAlignment.ts)
    stateBytes: (o) => {
      const n = widths(o, true);
      let bytes = 32;
      for (let l = 0; l + 1 < n.length; l++) bytes += pad16(n[l + 1]! * n[l]!) + pad16(n[l + 1]!);
      return bytes;
    },
    params: (l) => stateF32(l, 32),
    // hidden: [] is valid here (softmax regression), so BAD_SIZES' [] does not apply; bad hidden lists: test/learners/feedbackAlignment.test.ts
    sizeKeys: ["inputs", "classes"],
    sized: (n) => ({ inputs: n, hidden: [n], classes: 10 }),
    huge: [
      { inputs: 1e6, hidden: [], classes: 1e6 },
      { inputs: 1 << 20, hidden: [1 << 20], classes: 10 },
      { inputs: 100_000, hidden: [100_000], classes: 2 },
      { inputs: 2, hidden: [1e6, 1e6, 1e6], classes: 2 },
    ],
    guard,
    variants: [...variants, ...["relu", "sigmoid", "step", "sign"].map((activation) => ({ activation }))],
  };
}

DESCRIPTORS["feedbackAlignment"] = perceptron(
  { inputs: 4, hidden: [5], classes: 3, seed: 3 },
  { inputs: 64, hidden: [96], classes: 10, seed: 3 },
  "assembly/rules/guard.ts: the input's scratch copy scaled into ‖x‖₂ ≤ R = 1e9 (overflow-safe norm), pre-activations clamped to ±1e15, " +
    "each unit's step bounded (‖η δ_i (h, 1)‖ ≤ C = 1e6), then the max-norm constraint ‖W_i‖₂ ≤ C and |b_i| ≤ C; never binds on ordinary data",
  [{ mode: "dfa" }, { mode: "fa" }, { mode: "dfa", hidden: [6, 5] }, { mode: "fa", hidden: [6, 5] }],
);

DESCRIPTORS["perturbation"] = perceptron(
  { inputs: 4, hidden: [5], classes: 3, seed: 3 },
  { inputs: 64, hidden: [96], classes: 10, seed: 3 },
  "the perceptron guard (assembly/rules/guard.ts: ‖x‖₂ ≤ 1e9, pre-activations in ±1e15, unit steps ≤ C = 1e6, ‖W_i‖₂ ≤ C, |b_i| ≤ C) " +
    "plus the quotient (L⁺ − L⁻)/2σ clamped to the float32 range (|L±| ≤ 69, a tiny σ cannot give ∞ or NaN); never binds on ordinary data",
  [{ sigma: 0.01 }, { sigma: 1 }, { hidden: [6, 5] }],
);

DESCRIPTORS["hebbian"] = {
  small: { inputs: 4, outputs: 3, seed: 3, readout: { classes: 2 } },
  large: { inputs: 48, outputs: 40, seed: 3, readout: { classes: 10 } },
  inputs: (o) => o["inputs"] as number,
  classes: (o) => (o["readout"] as { classes: number }).classes,
  methods: [
    { name: "learn", args: ["x"] },
    { name: "learn", args: ["x", "label"], optionalFrom: 1 },
    { name: "learnBatch", args: ["xs"] },
    { name: "learnBatch", args: ["xs", "labels"], optionalFrom: 1 },
    { name: "learnReadout", args: ["x", "label"] },
    { name: "learnReadoutBatch", args: ["xs", "labels"] },
    { name: "transform", args: ["x"] },
    { name: "scores", args: ["x"] },
    { name: "predict", args: ["x"] },
  ],
  getters: ["save", "weights", "thresholds"],
  step: (l, x, k) => l.learn(x, k),
  probe: (l, x) => [...l.transform(x), ...l.scores(x), l.predict(x)],
  // state: [rng 16 B][steps u32, η f32, η_r f32, pad][W K×N][θ K][V C×K][b C][L K×K if lateral] (assembly/learners/hebbian.ts)
  stateBytes: (o) => {
    const [n, k, c] = [
      num(o, "inputs"),
      num(o, "outputs"),
      (o["readout"] as { classes: number } | undefined)?.classes ?? 0,
    ];
    return 32 + pad16(k * n) + pad16(k) + pad16(c * k) + pad16(c) + (num(o, "lateral") > 0 ? pad16(k * k) : 0);
  },
  params: (l) => stateF32(l, 32),
  sizeKeys: ["inputs", "outputs", "readout.classes"],
  sized: (n) => ({ inputs: n, outputs: n }),
  huge: [
    { inputs: 1e6, outputs: 1e6 },
    { inputs: 1 << 20, outputs: 1 << 20 },
    { inputs: 100_000, outputs: 100_000 },
    { inputs: 16, outputs: 1e6, readout: { classes: 1e6 } },
  ],
  guard:
    "the shared guard (assembly/rules/guard.ts), bounds derived in assembly/rules/hebbian.ts: input scaled into ‖x‖₂ ≤ 1e9 (overflow-safe norm); " +
    "outputs W x, Krotov currents, lateral sums and BCM θ clamped to ±1e15; bounded steps (krotov, softhebb: step factor η/m capped at the f32 max, " +
    "so |Δw_ij| ≤ η even on denormals; sanger |η y| ≤ 1e9; bcm |η y (y − θ)| ≤ 1e9); max-norm ‖w_i‖₂ ≤ 1e6 after each step " +
    "(krotov p ≥ 6: min(1e6, 1e28^(1/(p−1)))), lateral L ∈ ±1e6; hebb renormalises via an overflow-safe norm; " +
    "features clamped to the f32 range, readout normalised overflow-safely. Bit-identical on ordinary data",
  variants: [
    ...["hebb", "oja", "sanger", "bcm", "krotov", "softhebb"].map((rule) => ({ rule })),
    { rule: "oja", lateral: 0.05 },
  ],
  props: ["learningRate", "readoutLearningRate", "steps", "samples"],
  setters: ["learningRate", "readoutLearningRate"].map((name) => ({
    name,
    valid: 0.005,
    bad: [0, -1, NaN, Infinity, -Infinity, 1e39, "0.1", null, undefined, {}],
  })),
};

DESCRIPTORS["forwardForward"] = {
  small: { inputs: 3, hidden: [4, 3], classes: 2, seed: 3 },
  large: { inputs: 32, hidden: [48, 32], classes: 10, seed: 3 },
  inputs: first,
  classes: (o) => o["classes"] as number,
  methods: [
    { name: "learn", args: ["x", "label"] },
    { name: "learnBatch", args: ["xs", "labels"] },
    { name: "scores", args: ["x"] },
    { name: "predict", args: ["x"] },
    { name: "goodness", args: ["x"] },
    { name: "readoutScores", args: ["x"] },
    { name: "predictFast", args: ["x"] },
  ],
  getters: ["save"],
  props: ["samples", "learningRate"],
  setters: [
    {
      name: "learningRate",
      valid: 0.005,
      bad: [0, -1, NaN, Infinity, -Infinity, 1e39, "0.1", null, undefined, {}, 101],
    },
  ],
  step: (l, x, k) => l.learn(x, k),
  // goodness: what `scores` returned when the v1 fixtures were recorded (scores is now its softmax)
  probe: (l, x) => [
    ...l.goodness(x),
    l.predict(x),
    ...(l.config["readout"] ? [...l.readoutScores(x), l.predictFast(x)] : []),
  ],
  // state: [rng 16 B][t, β1ᵗ, β2ᵗ, pad][per layer: params | moments (| Adam's second moments | factored
  // Adam's W row and column moments, U's and b's full ones)][readout][peer means] (assembly/learners/forwardForward.ts)
  stateBytes: (o) => {
    const n = widths(o, false);
    const c = num(o, "classes");
    const copies = o["optimizer"] === "adam" ? 3 : 2;
    let bytes = 32;
    for (let k = 0; k + 1 < n.length; k++) {
      const out = n[k + 1]!,
        inp = n[k]!;
      bytes += copies * (pad16(out * inp) + (k === 0 ? pad16(c * out) : 0) + pad16(out));
      if (o["optimizer"] === "adafactor")
        bytes += pad16(out) + pad16(inp) + (k === 0 ? pad16(c * out) : 0) + pad16(out);
    }
    const hidden = n.slice(1);
    const a = hidden.reduce((x, y) => x + y, 0);
    // readout over every hidden layer, then each layer's running mean activity (peer normalisation)
    // and with negatives "seen" (the default) one flag per class
    return (
      bytes +
      pad16(c * a) +
      pad16(c) +
      hidden.reduce((x, w) => x + pad16(w), 0) +
      ((o["negatives"] ?? "seen") === "seen" ? pad16(c) : 0)
    );
  },
  params: (l) => stateF32(l, 32),
  sizeKeys: ["inputs", "hidden", "classes"],
  sized: (n) => ({ inputs: n, hidden: [n], classes: 10 }),
  huge: [
    { inputs: 1e6, hidden: [1e6], classes: 10 },
    { inputs: 1 << 20, hidden: [1 << 20], classes: 10 },
    { inputs: 100_000, hidden: [100_000], classes: 10 },
    { inputs: 16, hidden: [1e6, 1e6], classes: 10 },
    { inputs: 2, hidden: [1 << 20], classes: 65536 },
  ],
  guard:
    "every layer sees its input scaled to (almost) unit length, x̂ = x / √(‖x‖² + 1), so input magnitude never reaches the weights; " +
    "the goodness loss's derivative is σ-bounded; Adam's step is at most ≈ η per parameter, factored Adam's is clipped to 3.2 η (SGD: momentum over bounded gradients)",
  // learnBatch's work buffer is rows × (3 + 4·maxWidth + n₁) × 4 bytes: 205 rows of a 2²⁰-wide layer need 4.3 GB
  hugeBatch: { options: { inputs: 1, hidden: [1 << 20], classes: 2 }, rows: 205 },
  variants: [
    { optimizer: "sgd" },
    { optimizer: "adam" },
    { optimizer: "adafactor" },
    { negatives: "random" },
    { negatives: "hard" },
    { readout: false },
    { labelInputs: "replace" },
  ],
};

DESCRIPTORS["rewardModulated"] = {
  small: { inputs: 4, actions: 3, seed: 3 },
  large: { inputs: 64, actions: 10, seed: 3 },
  inputs: (o) => o["inputs"] as number,
  classes: (o) => o["actions"] as number,
  methods: [
    { name: "act", args: ["x"] },
    { name: "reward", args: ["reward"] },
    { name: "scores", args: ["x"] },
    { name: "predict", args: ["x"] },
  ],
  getters: ["save"],
  props: ["baseline"],
  // a contextual bandit: the action k is the rewarded one
  step: (l, x, k) => l.reward(l.act(x) === k ? 1 : 0),
  probe: (l, x) => [...l.scores(x), l.predict(x)],
  // state: [PRNG 16 B][r̄ f32, pad][W][b][E][E_b] (assembly/learners/rewardModulated.ts)
  stateBytes: (o) => 32 + 2 * (pad16(num(o, "actions") * num(o, "inputs")) + pad16(num(o, "actions"))),
  params: (l) => stateF32(l, 16),
  sizeKeys: ["inputs", "actions"],
  sized: (n) => ({ inputs: n, actions: n }),
  huge: [
    { inputs: 1e6, actions: 1e6 },
    { inputs: 1 << 20, actions: 1 << 20 },
    { inputs: 100_000, actions: 100_000 },
  ],
  guard:
    "assembly/rules/guard.ts: the context's scratch copy scaled into ‖x‖₂ ≤ 1e9, logits clamped to ±1e15, r − r̄ to the float32 range; " +
    "each row's step bounded (‖η (r − r̄)(E_i, E_b,i)‖ ≤ C = 1e6), then ‖W_i‖₂ ≤ C and |b_i| ≤ C (max-norm); a trace grows by at most ‖x‖ ≤ 1e9 per action; never binds on ordinary data",
  variants: [{ baselineRate: 0 }, { traceDecay: 0.9 }, { traceDecay: 1 }, { learningRate: 10 }],
};

/** Bytes of the continual learner's f64 counters (samples, seeded detectors, class counts, detector wins). */
const continualCounters = (o: Record<string, unknown>) =>
  16 +
  8 * (Math.ceil(num(o, "classes") / 2) * 2) +
  8 * (Math.ceil(((o["detectors"] as number | undefined) ?? 0) / 2) * 2);
const continualShape = (o: Record<string, unknown>) => {
  const img = o["image"] as { channels: number } | undefined;
  const K = img ? num(o, "detectors") : 0;
  return { K, d: img ? num(o, "grid") ** 2 * K : num(o, "inputs"), P: img ? num(o, "patch") ** 2 * img.channels : 0 };
};

DESCRIPTORS["continual"] = {
  small: { inputs: 4, classes: 3, seed: 3 },
  large: { inputs: 64, classes: 10, image: { width: 8, height: 8 }, patch: 3, detectors: 6, seed: 3 },
  inputs: (o) => num(o, "inputs"),
  classes: (o) => num(o, "classes"),
  methods: [
    { name: "learn", args: ["x", "label"] },
    { name: "learnBatch", args: ["xs", "labels"] },
    { name: "scores", args: ["x"] },
    { name: "predict", args: ["x"] },
  ],
  getters: ["save"],
  props: ["samples", "classesSeen", "learningRate"], // learningRate: undefined, its setter always E_CONFIG (test/learners/classifier.rate.test.ts)
  step: (l, x, k) => l.learn(x, k),
  probe: (l, x) => [...l.scores(x), l.predict(x)],
  stateBytes: (o) => {
    const { K, d, P } = continualShape(o);
    return (
      continualCounters(o) +
      4 * num(o, "classes") * Math.ceil(d / 4) * 4 +
      pad16(d * d) +
      Math.ceil(P / 4) * 4 * pad16(K) +
      pad16(K)
    );
  },
  params: (l) => stateF32(l, continualCounters(l.config as Record<string, unknown>)),
  sizeKeys: ["inputs", "classes"],
  sized: (n) => ({ inputs: n, classes: 10 }),
  huge: [
    { inputs: 1e6, classes: 2 },
    { inputs: 1 << 20, classes: 2 },
    { inputs: 100_000, classes: 10 },
    { inputs: 784, classes: 10, image: { width: 28, height: 28 }, detectors: 100_000 },
  ],
  guard:
    "the input's scratch copy scaled into ‖x‖₂ ≤ 1e9 (assembly/rules/guard.ts); detectors are running means of capped patches; " +
    "class means and the Welford scatter are sums of bounded terms; the covariance factor's pivots floored at λτ > 0 (τ = 1 when the scatter's trace is 0 or denormal); logits clamped to ±1e15. Bit-identical on ordinary data",
  variants: [
    { shrinkage: 1 },
    { shrinkage: 1e-6 },
    { inputs: 16, image: { width: 4, height: 4 }, patch: 2, detectors: 3 },
    { inputs: 16, image: { width: 4, height: 4 }, patch: 2, stride: 1, detectors: 4, consolidateAfter: 5 },
  ],
};

DESCRIPTORS["eprop"] = {
  rowLimit: 65536,
  small: { inputs: 3, hidden: 4, outputs: 2, seed: 3 },
  large: { inputs: 16, hidden: 48, outputs: 10, seed: 3 },
  inputs: (o) => o["inputs"] as number,
  classes: (o) => o["outputs"] as number,
  // a sequence is any whole number of rows of `inputs` values ("xs"); step takes one row ("x")
  methods: [
    { name: "learn", args: ["xs", "label"] },
    { name: "scores", args: ["xs"] },
    { name: "predict", args: ["xs"] },
    { name: "gradient", args: ["xs", "label"] },
    { name: "step", args: ["x"] },
    { name: "step", args: ["x", "label"], optionalFrom: 1 },
  ],
  getters: ["save", "reset", "spikes", "weights", "internals"],
  // one streaming step, then a one-row sequence learned
  step: (l, x, k) => {
    l.step(x);
    l.learn(x, k);
  },
  probe: (l, x) => [...l.scores(x), l.predict(x)],
  // state: [counters 32 B][W][W^out][b][B][Adam moments of W, W^out, b][r̄][v, a, s, ε̄, y, z̃][sE, sA][ε^a][ē][g][g^out][g^b]
  // [updates u32, 16 B: only with learningRateDecay > 0]
  // (assembly/learners/eprop.ts; W and the per-synapse arrays are (hidden, cols), cols = inputs + hidden rounded up to 4)
  stateBytes: (o) => {
    const [nin, n, k, nA] = [num(o, "inputs"), num(o, "hidden"), num(o, "outputs"), num(o, "adaptive")];
    const cols = Math.ceil((nin + n) / 4) * 4;
    return (
      32 +
      5 * pad16(n * cols) +
      4 * pad16(k * n) +
      4 * pad16(k) +
      pad16(n * k) +
      6 * pad16(n) +
      2 * pad16(cols) +
      pad16(k) +
      pad16(nA * cols) +
      (num(o, "learningRateDecay") > 0 ? 16 : 0)
    );
  },
  params: (l) => stateF32(l, 32),
  sizeKeys: ["inputs", "hidden", "outputs"],
  sized: (n) => ({ inputs: n, hidden: n }),
  huge: [
    { inputs: 1e6, hidden: 1e6 },
    { inputs: 1 << 20, hidden: 1 << 20 },
    { hidden: 100_000 },
    { hidden: 100_000, outputs: 1e6 },
  ],
  guard:
    "each input row's copy scaled into ‖x‖₂ ≤ 1e9 (assembly/rules/guard.ts), membrane potentials clamped to ±1e15; traces then bounded by ψ ≤ 0.3/v_th, " +
    "|ρ − ψβ| ≤ 1 (β ≤ 3 v_th) and the decays; Adam bounds each parameter's step; never binds on ordinary data",
  variants: [
    { neuron: "lif" },
    { feedback: "symmetric" },
    { adaptive: 2 },
    { rateRegularization: 0 },
    { learningRate: 0.1, readoutSteps: 1 },
    { learningRateDecay: 0.01 },
  ],
};

DESCRIPTORS["spiking"] = {
  small: { inputs: 4, neurons: 3, classes: 2, presentationTime: 20, maxRate: 400, seed: 3 },
  large: { inputs: 48, neurons: 40, classes: 10, presentationTime: 20, seed: 3 },
  inputs: (o) => o["inputs"] as number,
  classes: (o) => o["classes"] as number,
  methods: [
    { name: "learn", args: ["x"] },
    { name: "learn", args: ["x", "label"], optionalFrom: 1 },
    { name: "learnBatch", args: ["xs", "labels"] },
    { name: "spikes", args: ["x"] },
    { name: "scores", args: ["x"] },
    { name: "predict", args: ["x"] },
  ],
  getters: ["save", "weights", "thresholds", "lastCounts"],
  props: ["samples", "learningRate"],
  setters: [
    {
      name: "learningRate",
      valid: 0.005,
      bad: [0, -1, NaN, Infinity, -Infinity, 1e39, "0.1", null, undefined, {}, 1.5],
    },
  ],
  step: (l, x, k) => l.learn(x, k),
  probe: (l, x) => [...l.scores(x), ...l.spikes(x), l.predict(x)],
  // state: [PRNG 16 B][samples u32, presentations u32, 8 zero bytes][W N×K̂][θ K̂][votes K̂×C f64][seen C f64],
  // K̂ = neurons rounded up to 4 (assembly/learners/spiking.ts)
  stateBytes: (o) => {
    const k = Math.ceil(num(o, "neurons") / 4) * 4,
      c = num(o, "classes");
    return (
      32 + pad16(num(o, "inputs") * k) + pad16(k) + Math.ceil((k * c * 8) / 16) * 16 + Math.ceil((c * 8) / 16) * 16
    );
  },
  // W and θ (the f32 parameters; the f64 votes are integer sums)
  params: (l) => {
    const k = Math.ceil(num(l.config, "neurons") / 4) * 4;
    return stateF32(l, 32, 32 + pad16(num(l.config, "inputs") * k) + pad16(k));
  },
  sizeKeys: ["inputs", "neurons", "classes"],
  sized: (n) => ({ inputs: n, neurons: n }),
  huge: [
    { inputs: 1e6, neurons: 1e6 },
    { inputs: 1 << 20, neurons: 1 << 20 },
    { inputs: 100_000, neurons: 100_000 },
    { inputs: 16, neurons: 1 << 20, classes: 65536 },
  ],
  guard:
    "assembly/rules/stdp.ts: inputs become spike probabilities clamped to [0, 1] per step (negative never fires, huge fires every step); " +
    "weights clipped to [0, w_max] by the rules' hard bounds, columns renormalised only when their sum is positive; the membrane potential kept in " +
    "[E_inh, E_exc] = [−100, 0] mV (Euler overshoot at huge conductances); θ grows by at most θ₊ per refractory period and decays. Never binds on ordinary data",
  variants: [
    { rule: "paper" },
    { coding: "regular" },
    { rule: "paper", mu: 0.5 },
    { minSpikes: 0 },
    { learningRate: 1, depressionRate: 1, inhibition: 0 },
  ],
};

// the plain (un-normalised) step: `normalize: false`, and what snapshots older than the option restore with
for (const kind of ["feedbackAlignment", "perturbation", "rewardModulated"])
  DESCRIPTORS[kind]!.variants.push({ normalize: false });
