// The learners the CLI can train: name → how to build one for a data set of
// `inputs` values per sample and `classes` classes. `options` holds --seed,
// --lr (as learningRate), --hidden and every --set key=value. Adding a
// learner is one line.
import type { Engram, Learner, Vector } from "../bindings/node.js";

/** A learner the CLI can train and score: one sample per call. */
export type Classifier = Learner & {
  learn(x: Vector, label: number): unknown;
  predict(x: Vector): number;
  /** A cheaper predictor, if the learner has one (used for the running accuracy). */
  predictFast?(x: Vector): number;
};

/** What the CLI passes on: learner options, plus `hidden` layer widths if given. */
export type CliOptions = Record<string, unknown> & { hidden?: number[] };

/** What the CLI knows of the data beside its width: an image's size when the IDX file has two dimensions per sample. */
export interface DataShape {
  image?: { width: number; height: number };
}

type Make = (engram: Engram, inputs: number, classes: number, options: CliOptions, shape: DataShape) => Classifier;

/** A layered network: the data's input width and classes, --hidden (or the default). */
const layered =
  (kind: string, hidden: number[], fixed: Record<string, unknown> = {}): Make =>
  (engram, inputs, classes, { hidden: h = hidden, ...o }) =>
    engram.create(kind, { inputs, hidden: h, classes, ...fixed, ...o }) as Classifier;

/** Every learner the CLI knows, by its --learner name. */
export const LEARNERS: Record<string, Make> = {
  ff: layered("forwardForward", [500, 500]),
  dfa: layered("feedbackAlignment", [800, 800], { mode: "dfa" }),
  fa: layered("feedbackAlignment", [800, 800], { mode: "fa" }),
  perturbation: layered("perturbation", [256]),
  softhebb: (engram, inputs, classes, { hidden: [outputs = 2000] = [], ...o }) =>
    engram.create("hebbian", { inputs, outputs, rule: "softhebb", readout: { classes }, ...o }) as Classifier,
  // labels only count votes: each neuron's class is the one it fires for most (Diehl & Cook 2015)
  spiking: (engram, inputs, classes, { hidden: [neurons = 400] = [], ...o }) =>
    engram.create("spiking", { inputs, neurons, classes, ...o }) as Classifier,
  krotov: (engram, inputs, classes, { hidden: [outputs = 2000] = [], ...o }) =>
    engram.create("hebbian", { inputs, outputs, rule: "krotov", readout: { classes }, ...o }) as Classifier,
  // the class-incremental stream learner (issue #13); --hidden does not apply to it
  continual: (engram, inputs, classes, { hidden: _, ...o }, { image }) =>
    engram.create("continual", { inputs, classes, ...(image ? { image } : {}), ...o }) as Classifier,
  // a square image is read row by row: a sequence of √inputs steps of √inputs values (MNIST: 28 × 28)
  eprop: (engram, inputs, classes, { hidden: [hidden = 256] = [], ...o }) =>
    engram.create("eprop", {
      inputs: Number.isInteger(Math.sqrt(inputs)) ? Math.sqrt(inputs) : inputs,
      hidden,
      adaptive: Math.min(100, hidden),
      outputs: classes,
      ...o,
    }) as Classifier,
};

/** The data shape the learners are told about: an image's width and height from a split's IDX dimensions [rows, columns]. */
export function dataShape(shape: readonly number[]): DataShape {
  return shape.length === 2 ? { image: { width: shape[1]!, height: shape[0]! } } : {};
}
