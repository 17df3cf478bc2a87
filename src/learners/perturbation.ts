import { defineLearner } from "../engine.js";
import { Options } from "../options.js";
import type { Wasm } from "../wasm.js";
import {
  ACTIVATIONS,
  Perceptron,
  perceptronSize,
  type PerceptronOptions,
  perceptronOptions,
} from "./feedbackAlignment.js";

/** Options of {@link Perturbation}. */
export interface PerturbationOptions extends PerceptronOptions {
  /**
   * Learning rate η. With the normalised step (`normalize`, the default): 0.3, and 0.03 for
   * `step` and `sign` units, whose loss differences are rarer and noisier; each layer then steps
   * at η / (1 + ‖h‖²). With `normalize: false`: 0.0015, and 0.0005 for `step` and `sign`. Chosen on
   * MNIST's validation split and on Glyphs (bench/glyphs.ts), 3 seeds per rate, never a test set:
   * BENCHMARKS.md, "Normalised steps".
   */
  learningRate?: number;
  /** Perturbation size σ > 0 added to hidden pre-activations (times unit Gaussian noise). Default 0.1. */
  sigma?: number;
}

/**
 * A multilayer perceptron (softmax + cross-entropy output) whose hidden layers learn
 * by node perturbation: each step adds seeded Gaussian noise ±σξ to every hidden
 * pre-activation (an antithetic pair), compares the two losses and moves each unit's
 * weights along its own noise, (L+ − L−)/(2σ) ξ times its input. No derivative of the
 * hidden activation is ever taken, so it learns through `step` and `sign` units.
 * The output layer learns from its own error p − onehot(y). Three forward passes per step.
 *
 * Numeric safety: no finite input makes a parameter NaN or infinite, and on ordinary data the
 * guard never binds (results are bit-identical to the unguarded rule): docs/numerics.md.
 *
 *     const net = engram.perturbation({ inputs: 784, hidden: [256], classes: 10, activation: "step" });
 */
export class Perturbation extends Perceptron {
  /** "perturbation". */
  readonly kind = "perturbation";
  declare readonly config: Readonly<Required<Omit<PerturbationOptions, "sizes">>>;

  /** @internal Use `engram.perturbation(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("perturbation", options);
    const base = perceptronOptions("perturbation", o, (a, normalize) =>
      a === "step" || a === "sign" ? (normalize ? 0.03 : 0.0005) : normalize ? 0.3 : 0.0015,
    );
    const config = { ...base, sigma: o.num("sigma", 0.1, 0, 100, true) };
    o.done();
    super(
      wasm,
      config,
      "perturbation",
      "np",
      (sizes, count) =>
        wasm.fn["npNew"]!(
          sizes,
          count,
          ACTIVATIONS.indexOf(config.activation),
          config.learningRate,
          config.learningRateDecay,
          config.sigma,
          config.seed,
          config.normalize ? 1 : 0,
        ),
      perceptronSize([config.inputs, ...config.hidden, config.classes], false, false),
    );
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    perturbation: { options: PerturbationOptions; learner: Perturbation };
  }
  interface Engram {
    /** A perceptron trained by node perturbation; see {@link Perturbation}. */
    perturbation(options: PerturbationOptions): Perturbation;
  }
}

defineLearner("perturbation", (wasm, o) => new Perturbation(wasm, o));
