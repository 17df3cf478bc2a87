// One conformance case per learner kind: a fixed configuration, a number of
// steps on a synthetic stream from our own integer PRNG (never Math.random),
// how to feed one sample, and what to read on the probe set. The runner fails
// the suite for any kind `engram.kinds` lists without an entry here, so a new
// learner must add one. Keep configurations small: five hosts run them all.
import { Stream } from "./hash.js";

/** Learners are driven through their public methods, whatever their class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyLearner = any;

export interface Case {
  /** Names the variant when a kind has several cases (results are keyed `kind/name`). */
  name?: string;
  /** Options passed to `engram.create(kind, options)`. */
  options: Record<string, unknown>;
  /** Input width. */
  inputs: number;
  /** Classes in the stream (labels in [0, classes)). */
  classes: number;
  /** Learning steps (one sample each). */
  steps: number;
  /** One learning step on sample x with its label, at step t. */
  learn(learner: AnyLearner, x: Float32Array, label: number, t: number): void;
  /** What the learner outputs for a probe x (must not change its state). */
  probe(learner: AnyLearner, x: Float32Array): ArrayLike<number> | number;
  /**
   * A merge case (engram.merge, issue 16): `members` learners of these options each learn the
   * samples of the stream whose label is in their own `labels` (a non-i.i.d. split), then
   * are merged with `options`; the merged learner is probed and hashed.
   */
  merge?: { members: number[][]; options?: Record<string, unknown> };
}

/** Probe inputs per case. */
export const PROBES = 16;

/**
 * A sample from a fixed mixture: one prototype per class (drawn from a stream
 * seeded by the shape), plus uniform noise of a third of its amplitude.
 */
export function sample(data: Stream, inputs: number, classes: number): { x: Float32Array; label: number } {
  const protos = prototypes(inputs, classes);
  const label = data.below(Math.max(classes, 1));
  const x = data.vector(inputs, -0.3, 0.3);
  const p = protos[label]!;
  for (let i = 0; i < inputs; i++) x[i] = Math.fround(x[i]! + p[i]!);
  return { x, label };
}

const protoCache = new Map<string, Float32Array[]>();
function prototypes(inputs: number, classes: number): Float32Array[] {
  const key = `${inputs}x${classes}`;
  let p = protoCache.get(key);
  if (!p) {
    const s = new Stream(inputs * 1000 + classes);
    p = Array.from({ length: Math.max(classes, 1) }, () => s.vector(inputs, -1, 1));
    protoCache.set(key, p);
  }
  return p;
}

/** Feeds every `size` samples as one `learnBatch` call (the rest of the stream is dropped). */
function batched(size: number, labelled: boolean): Case["learn"] {
  let xs: number[] = [],
    ys: number[] = [];
  return (l, x, label) => {
    xs.push(...x);
    ys.push(label);
    if (ys.length < size) return;
    if (labelled) l.learnBatch(Float32Array.from(xs), ys);
    else l.learnBatch(Float32Array.from(xs));
    xs = [];
    ys = [];
  };
}

const learnLabelled: Case["learn"] = (l, x, label) => l.learn(x, label);
const scores: Case["probe"] = (l, x) => l.scores(x);

/** Contextual bandit: act on x, then a reward that favours the label's action (every `every` steps). */
function bandit(every: number): Case["learn"] {
  return (l, x, label, t) => {
    const a = l.act(x) as number;
    if ((t + 1) % every === 0) l.reward(a === label ? 1 : -0.25 * Math.abs(a - label));
  };
}

/** Every learner kind's cases, by kind. */
export const CASES: Record<string, Case[]> = {
  forwardForward: [
    {
      name: "adam-hard",
      options: { sizes: [24, 20, 16], classes: 5, optimizer: "adam", seed: 31 },
      inputs: 24,
      classes: 5,
      steps: 200,
      learn: learnLabelled,
      probe: (l, x) => [...l.scores(x), ...l.readoutScores(x)],
    },
    {
      name: "sgd-random-replace",
      options: {
        sizes: [24, 16],
        classes: 5,
        optimizer: "sgd",
        negatives: "random",
        labelInputs: "replace",
        readout: false,
        seed: 32,
      },
      inputs: 24,
      classes: 5,
      steps: 200,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "adam-batch",
      options: { sizes: [24, 20, 16], classes: 5, optimizer: "adam", seed: 33 },
      inputs: 24,
      classes: 5,
      steps: 200,
      learn: batched(8, true),
      probe: scores,
    },
    {
      name: "adafactor-hard",
      options: { sizes: [24, 20, 16], classes: 5, optimizer: "adafactor", seed: 34 },
      inputs: 24,
      classes: 5,
      steps: 200,
      learn: learnLabelled,
      probe: (l, x) => [...l.scores(x), ...l.readoutScores(x)],
    },
    {
      name: "adafactor-batch",
      options: { sizes: [24, 20, 16], classes: 5, optimizer: "adafactor", seed: 35 },
      inputs: 24,
      classes: 5,
      steps: 200,
      learn: batched(8, true),
      probe: scores,
    },
  ],
  feedbackAlignment: [
    {
      name: "dfa-tanh",
      options: { sizes: [24, 20, 16, 5], mode: "dfa", seed: 11 },
      inputs: 24,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "fa-relu",
      options: { sizes: [24, 20, 5], mode: "fa", activation: "relu", learningRateDecay: 0.01, seed: 12 },
      inputs: 24,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "dfa-step-batch",
      options: { sizes: [24, 18, 5], activation: "step", seed: 13 },
      inputs: 24,
      classes: 5,
      steps: 320,
      learn: batched(8, true),
      probe: scores,
    },
  ],
  perturbation: [
    {
      name: "tanh",
      options: { sizes: [24, 16, 5], seed: 41 },
      inputs: 24,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "sign-sigma",
      options: { sizes: [24, 16, 12, 5], activation: "sign", sigma: 0.05, learningRateDecay: 0.01, seed: 42 },
      inputs: 24,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "relu-batch",
      options: { sizes: [24, 16, 5], activation: "relu", seed: 43 },
      inputs: 24,
      classes: 5,
      steps: 320,
      learn: batched(8, true),
      probe: scores,
    },
  ],
  rewardModulated: [
    {
      name: "bandit",
      options: { inputs: 24, actions: 5, seed: 51 },
      inputs: 24,
      classes: 5,
      steps: 400,
      learn: bandit(1),
      probe: scores,
    },
    {
      name: "traces",
      options: { inputs: 24, actions: 5, traceDecay: 0.5, baselineRate: 0, learningRate: 0.05, seed: 52 },
      inputs: 24,
      classes: 5,
      steps: 400,
      learn: bandit(3),
      probe: scores,
    },
  ],
  hebbian: [
    ...(["hebb", "oja", "sanger", "bcm", "krotov"] as const).map((rule): Case => ({
      name: rule,
      options: { inputs: 20, outputs: 9, rule, seed: 21 },
      inputs: 20,
      classes: 4,
      steps: 300,
      learn: (l, x) => l.learn(x),
      probe: (l, x) => l.transform(x),
    })),
    {
      name: "softhebb-readout",
      options: { inputs: 20, outputs: 9, rule: "softhebb", seed: 22, readout: { classes: 4 } },
      inputs: 20,
      classes: 4,
      steps: 300,
      learn: learnLabelled,
      probe: (l, x) => [...l.transform(x), ...l.scores(x)],
    },
    {
      name: "oja-batch",
      options: { inputs: 20, outputs: 9, rule: "oja", seed: 23 },
      inputs: 20,
      classes: 4,
      steps: 320,
      learn: batched(16, false),
      probe: (l, x) => l.transform(x),
    },
  ],
  continual: [
    {
      name: "raw",
      options: { inputs: 24, classes: 6, seed: 61 },
      inputs: 24,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: (l, x) => [...l.scores(x), l.predict(x)],
    },
    {
      name: "patches",
      options: {
        inputs: 36,
        classes: 5,
        image: { width: 6, height: 6 },
        patch: 3,
        stride: 1,
        detectors: 7,
        consolidateAfter: 120,
        shrinkage: 0.01,
        seed: 62,
      },
      inputs: 36,
      classes: 5,
      steps: 300,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "patches-batch",
      options: {
        inputs: 36,
        classes: 5,
        image: { width: 6, height: 6 },
        patch: 2,
        stride: 2,
        detectors: 5,
        grid: 3,
        seed: 63,
      },
      inputs: 36,
      classes: 5,
      steps: 320,
      learn: batched(8, true),
      probe: scores,
    },
  ],
  eprop: [
    // a sample of 24 values is a sequence of 6 steps of 4 inputs
    {
      name: "alif-random",
      options: { inputs: 4, hidden: 12, outputs: 5, seed: 61 },
      inputs: 24,
      classes: 5,
      steps: 150,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "mixed-symmetric",
      options: { inputs: 4, hidden: 12, adaptive: 5, outputs: 5, feedback: "symmetric", readoutSteps: 2, seed: 62 },
      inputs: 24,
      classes: 5,
      steps: 150,
      learn: learnLabelled,
      probe: scores,
    },
    {
      name: "lif-streaming",
      options: { inputs: 4, hidden: 12, outputs: 5, neuron: "lif", learningRate: 0.01, seed: 63 },
      inputs: 24,
      classes: 5,
      steps: 150,
      learn: (l, x, label) => {
        for (let t = 0; t < 6; t++) l.step(x.subarray(4 * t, 4 * t + 4), t >= 4 ? label : undefined);
        if (label === 0) l.reset();
      },
      probe: (l, x) => [...l.scores(x), ...l.step(x.subarray(0, 4))].slice(0, 5),
    },
  ],
  spiking: [
    // short presentations keep five hosts fast; the probe reads votes-based scores and raw spike counts
    {
      name: "nearest-poisson",
      options: { inputs: 24, neurons: 10, classes: 5, presentationTime: 40, maxRate: 400, seed: 61 },
      inputs: 24,
      classes: 5,
      steps: 60,
      learn: learnLabelled,
      probe: (l, x) => [...l.scores(x), ...l.spikes(x)],
    },
    {
      name: "paper-regular",
      options: {
        inputs: 24,
        neurons: 10,
        classes: 5,
        rule: "paper",
        coding: "regular",
        presentationTime: 40,
        maxRate: 400,
        seed: 62,
      },
      inputs: 24,
      classes: 5,
      steps: 60,
      learn: (l, x, label, t) => l.learn(x, t % 2 ? label : undefined),
      probe: (l, x) => [...l.scores(x), ...l.spikes(x)],
    },
  ],
};

// ---------------------------------------------------------------- merge cases (issue 16)
// One exact merge (continual: the statistics add; spiking: the votes add) and federated
// averages (DFA by samples seen; Forward-Forward with Adam's moments averaged, with weights).
CASES["continual"]!.push({
  name: "merge-exact",
  options: { inputs: 24, classes: 5, seed: 61 },
  inputs: 24,
  classes: 5,
  steps: 300,
  learn: learnLabelled,
  probe: (l, x) => [...l.scores(x), l.predict(x)],
  merge: { members: [[0, 1], [2], [3, 4]] },
});
CASES["feedbackAlignment"]!.push({
  name: "merge-fedavg",
  options: { sizes: [24, 20, 5], mode: "dfa", seed: 11 },
  inputs: 24,
  classes: 5,
  steps: 300,
  learn: learnLabelled,
  probe: scores,
  merge: {
    members: [
      [0, 1, 2],
      [2, 3, 4],
      [4, 0],
    ],
  },
});
CASES["forwardForward"]!.push({
  name: "merge-fedavg-adam",
  options: { sizes: [24, 16], classes: 5, optimizer: "adam", seed: 31 },
  inputs: 24,
  classes: 5,
  steps: 200,
  learn: learnLabelled,
  probe: (l, x) => [...l.scores(x), ...l.readoutScores(x)],
  merge: {
    members: [
      [0, 1, 2],
      [3, 4],
    ],
    options: { weights: [0.3, 0.7], optimizer: "average" },
  },
});
CASES["spiking"]!.push({
  name: "merge-votes",
  options: { inputs: 24, neurons: 8, classes: 5, presentationTime: 40, maxRate: 400, seed: 61 },
  inputs: 24,
  classes: 5,
  steps: 60,
  learn: learnLabelled,
  probe: (l, x) => [...l.scores(x), ...l.spikes(x)],
  merge: {
    members: [
      [0, 1],
      [2, 3, 4],
    ],
  },
});
// the plain (un-normalised) step that `normalize: false` and snapshots older than the option keep
CASES["feedbackAlignment"]!.push({
  name: "dfa-tanh-plain",
  options: { sizes: [24, 20, 16, 5], mode: "dfa", normalize: false, learningRate: 0.01, seed: 13 },
  inputs: 24,
  classes: 5,
  steps: 300,
  learn: learnLabelled,
  probe: scores,
});
CASES["rewardModulated"]!.push({
  name: "bandit-plain",
  options: { inputs: 24, actions: 5, normalize: false, learningRate: 0.03, seed: 53 },
  inputs: 24,
  classes: 5,
  steps: 400,
  learn: bandit(1),
  probe: scores,
});
