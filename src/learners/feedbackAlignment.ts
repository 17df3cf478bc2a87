import { defineLearner } from "../engine.js";
import { EngramError } from "../errors.js";
import { batchRows, checkLabel, checkLabels, type Label, type Vector } from "../input.js";
import { type LearnStats, SupervisedLearner } from "../classifier.js";
import { type BlockSize, blockSize, isRestoring, pad4, zeroRng } from "../learner.js";
import { checkParams, MAX_UNITS, Options } from "../options.js";
import { readShape } from "./shape.js";
import type { Wasm } from "../wasm.js";

/** Hidden activations of the perceptron learners; `step` and `sign` have zero derivative almost everywhere. */
export const ACTIVATIONS = ["tanh", "relu", "sigmoid", "step", "sign"] as const;
/** A hidden activation (see {@link ACTIVATIONS}). */
export type Activation = (typeof ACTIVATIONS)[number];

/** Options shared by {@link FeedbackAlignment} and the node-perturbation learner. */
export interface PerceptronOptions {
  /** Values per sample, e.g. 784. Required. */
  inputs: number;
  /** Widths of the hidden layers, input side first, e.g. `[800, 800]`. Default `[]` (softmax regression). */
  hidden?: number[];
  /** Number of classes (≥ 2): the softmax output's width. Required. */
  classes: number;
  /**
   * @deprecated Write `inputs`, `hidden` and `classes`: `sizes` = [inputs, ...hidden, classes],
   * accepted only alone (snapshots written before 0.2 hold it).
   */
  sizes?: number[];
  /** Hidden activation. Default `"tanh"`. */
  activation?: Activation;
  /** Learning rate η > 0 of online SGD (with {@link normalize}: the fraction of each layer's error removed per step). */
  learningRate?: number;
  /**
   * Normalised step size (normalised LMS, Nagumo & Noda 1967): each layer steps at
   * η / (1 + ‖h‖²), h the layer's input (the sample for the first layer, the activity of the
   * layer below otherwise), so one step moves the layer's pre-activation by η times its error
   * signal whatever the input's contrast or the layer's width, and one default η fits images,
   * low-contrast images and small feature vectors alike. Default `true`; `false` is the plain
   * rate η (snapshots saved before this option existed restore with `false`, their old rule).
   */
  normalize?: boolean;
  /** Learning-rate decay κ ≥ 0: η_t = η / (1 + κ t), t = samples seen. Default 0. */
  learningRateDecay?: number;
  /** Integer seed: initial weights (and fixed feedback) come from it alone. Default 1. */
  seed?: number;
}

/** The largest learning rate the perceptron learners accept. */
const MAX_PERCEPTRON_RATE = 10;

/**
 * @internal Reads the options every perceptron learner shares; returns them resolved.
 * `learningRate` is the default η, or a function of the activation that gives it.
 */
export function perceptronOptions(
  name: string,
  o: Options,
  learningRate: (a: Activation, normalize: boolean) => number,
) {
  const { inputs, hidden, classes } = readShape(name, o, "perceptron", 0);
  const activation = o.oneOf("activation", "tanh", ACTIVATIONS);
  // snapshots made before the normalised step existed lack the key: they keep the plain rate
  const normalize = o.bool("normalize", !isRestoring());
  return {
    inputs,
    hidden,
    classes,
    activation,
    learningRate: o.num("learningRate", learningRate(activation, normalize), 0, MAX_PERCEPTRON_RATE, true),
    normalize,
    learningRateDecay: o.num("learningRateDecay", 0, 0, 1),
    seed: o.int("seed", 1, 0, 0xffffffff),
  };
}

/**
 * @internal The exact block of a perceptron (assembly/learners/feedbackAlignment.ts
 * `mlpNew`): state = PRNG, counter, then W_l, b_l per layer; scratch = the feedback
 * PRNG, the fixed feedback matrices (`feedback`: n_L rows per hidden layer for DFA,
 * n_{l+2} for FA) and 8 per-layer buffers; layout = 10 + (L + 1) + 11 L words.
 */
export function perceptronSize(sizes: readonly number[], feedback: boolean, dfa: boolean): BlockSize {
  const L = sizes.length - 1;
  let state = 32,
    scratch = 16;
  for (let l = 0; l < L; l++) {
    const rows = sizes[l + 1]!,
      cols = sizes[l]!;
    state += pad4(rows * cols) + pad4(rows);
    if (feedback && l < L - 1) scratch += pad4((dfa ? sizes[L]! : sizes[l + 2]!) * rows);
    scratch += 8 * pad4(rows);
  }
  return blockSize((10 + L + 1 + 11 * L) * 4, state, scratch);
}

/**
 * A softmax perceptron in wasm memory, trained one sample per call: what
 * {@link FeedbackAlignment} and {@link Perturbation} share.
 */
export abstract class Perceptron extends SupervisedLearner<LearnStats> {
  /** Number of classes (the last layer's width). */
  readonly classes: number;
  /** Input width (the first layer's width). */
  readonly inputs: number;
  private labels = 0;
  private labelCap = 0;
  private readonly fn: {
    learn: (h: number, x: number, y: number) => number;
    batch: (h: number, xs: number, ys: number, n: number) => number;
    scores: (h: number, x: number) => number;
    predict: (h: number, x: number) => number;
  };

  /** Samples learned so far: the counter t of the learning-rate decay (a merge sets it to the members' sum). */
  get samples(): number {
    const h = this.h;
    return this.run(() => this.wasm.fn.mlpSamples(h));
  }

  /**
   * The base learning rate η of the next steps (η_t = η / (1 + κ t), κ the decay, t =
   * {@link samples}), a number in (0, 10]. Setting it validates it (E_CONFIG otherwise,
   * nothing changed) and `save()` keeps it.
   */
  get learningRate(): number {
    this.h;
    return (this.config as { learningRate: number }).learningRate;
  }
  set learningRate(rate: number) {
    this.newRate(rate, MAX_PERCEPTRON_RATE, (v) => this.wasm.fn["mlpSetRate"]!(this.h, v));
  }

  /** @internal Subclasses name their exports (`prefix`New/Learn/LearnBatch/Scores/Predict). */
  protected constructor(
    wasm: Wasm,
    config: Record<string, unknown> & { inputs: number; hidden: number[]; classes: number },
    name: string,
    prefix: "fa" | "np",
    create: (sizesPtr: number, count: number) => number,
    size?: BlockSize,
  ) {
    super(wasm, config);
    const sizes = [config.inputs, ...config.hidden, config.classes];
    this.inputs = sizes[0]!;
    this.classes = sizes[sizes.length - 1]!;
    let params = 0;
    for (let l = 0; l + 1 < sizes.length; l++) params += sizes[l + 1]! * (sizes[l]! + 2);
    checkParams(name, params);
    const e = wasm.fn;
    this.fn = {
      learn: e[`${prefix}Learn`]!,
      batch: e[`${prefix}LearnBatch`]!,
      scores: e[`${prefix}Scores`]!,
      predict: e[`${prefix}Predict`]!,
    };
    const tmp = wasm.alloc(sizes.length * 4);
    try {
      wasm.u32.set(sizes, tmp >>> 2);
      this.attach(() => create(tmp, sizes.length), size);
    } finally {
      wasm.free(tmp);
    }
  }

  /** One online step on sample `x` with class `label`; `loss`: the cross-entropy before the step. */
  learn(x: Vector, label: Label): LearnStats {
    const ptr = this.input(x, this.inputs);
    checkLabel(label, this.classes);
    return { loss: this.run(() => this.fn.learn(this.h, ptr, label)) };
  }

  /**
   * `n` online steps in one call, in row order (the same bits as `n` calls of
   * `learn`). `xs` holds n × inputs values row-major; `loss`: the mean of the steps' losses.
   */
  learnBatch(xs: Vector, labels: ArrayLike<number>): LearnStats {
    const n = batchRows(xs, this.inputs);
    const ls = checkLabels(labels, n, this.classes);
    const ptr = this.input(xs, this.inputs, "xs", n);
    this.h;
    if (n > this.labelCap) {
      const p = this.wasm.alloc(n * 4);
      this.wasm.free(this.labels);
      this.labels = p;
      this.labelCap = n;
    }
    this.wasm.u32.set(ls, this.labels >>> 2); // an owned, checked copy
    return { loss: this.run(() => this.fn.batch(this.h, ptr, this.labels, n)) };
  }

  /** Class probabilities (softmax of the output layer) for `x`. */
  scores(x: Vector): Float32Array {
    const ptr = this.input(x, this.inputs);
    const out = this.run(() => this.fn.scores(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.classes);
  }

  /** The most probable class for `x`. */
  predict(x: Vector): number {
    const ptr = this.input(x, this.inputs);
    return this.run(() => this.fn.predict(this.h, ptr));
  }

  /** Frees the learner's memory, including its label buffer. */
  override dispose(): void {
    if (this.disposed) return;
    const labels = this.labels;
    this.labels = this.labelCap = 0;
    super.dispose();
    this.wasm.free(labels);
  }

  /** @internal The PRNG opens the state. */
  protected override checkState(state: Uint8Array): string | undefined {
    return zeroRng(state, 0);
  }
}

/** The default η of FA/DFA with the normalised step (see {@link FeedbackAlignmentOptions.learningRate}). */
const FA_RATE = 0.3;

/** Options of {@link FeedbackAlignment}. */
export interface FeedbackAlignmentOptions extends PerceptronOptions {
  /**
   * `"dfa"` (default): each hidden layer gets the output error through its own fixed
   * random matrix (Nøkland 2016). `"fa"`: the error walks down layer by layer through
   * fixed random matrices in place of the transposed weights (Lillicrap et al. 2016).
   */
  mode?: "fa" | "dfa";
  /**
   * Learning rate η. With the normalised step (`normalize`, the default): 0.3, the fraction of
   * each layer's error signal one step removes from its pre-activation (η / (1 + ‖h‖²) per layer).
   * With `normalize: false`: 0.003. Chosen on MNIST's validation split and on Glyphs
   * (bench/glyphs.ts), 3 seeds per rate, never a test set: BENCHMARKS.md, "Normalised steps".
   */
  learningRate?: number;
  /**
   * Dropout probability p ∈ [0, 1) on hidden units, during `learn`/`learnBatch` only
   * (inverted dropout, Srivastava et al. 2014): each step zeroes each hidden unit with
   * probability p and scales the survivors by 1/(1 − p); the same mask gates that step's
   * δ, so dropped units neither send nor learn. `scores`/`predict` use every unit
   * unscaled. Nøkland 2016 trains DFA on MNIST with it. The mask comes from the seeded
   * PRNG in the saved state, so runs and restored runs repeat bit for bit. Default 0
   * (no random draws: the plain rule).
   */
  dropout?: number;
}

/**
 * A multilayer perceptron (softmax + cross-entropy output) trained by feedback
 * alignment or direct feedback alignment: no weight transport, no backward pass
 * through the forward weights. The fixed random feedback matrices are regenerated
 * from `seed`, so snapshots carry only the seed. For `step` and `sign` hidden units
 * the derivative f′ is a surrogate: 1/(1 + 10|a|)² for step (SuperSpike's fast
 * sigmoid) and the straight-through 1 on |a| ≤ 1 for sign.
 *
 * Numeric safety: no finite input makes a parameter NaN or infinite, and on ordinary data the
 * guard never binds (results are bit-identical to the unguarded rule): docs/numerics.md.
 *
 *     const net = engram.feedbackAlignment({ inputs: 784, hidden: [800, 800], classes: 10 });
 *     net.learn(image, label); net.predict(image);
 */
export class FeedbackAlignment extends Perceptron {
  /** "feedbackAlignment". */
  readonly kind = "feedbackAlignment";
  declare readonly config: Readonly<Required<Omit<FeedbackAlignmentOptions, "sizes">>>;

  /** @internal Use `engram.feedbackAlignment(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("feedbackAlignment", options);
    const base = perceptronOptions("feedbackAlignment", o, (_, normalize) => (normalize ? FA_RATE : 0.003));
    const config = {
      ...base,
      mode: o.oneOf("mode", "dfa", ["fa", "dfa"] as const),
      dropout: o.num("dropout", 0, 0, 1, false, true),
    };
    o.done();
    super(
      wasm,
      config,
      "feedbackAlignment",
      "fa",
      (sizes, count) =>
        wasm.fn["faNew"]!(
          sizes,
          count,
          config.mode === "dfa" ? 1 : 0,
          ACTIVATIONS.indexOf(config.activation),
          config.learningRate,
          config.learningRateDecay,
          config.dropout,
          config.seed,
          config.normalize ? 1 : 0,
        ),
      perceptronSize([config.inputs, ...config.hidden, config.classes], true, config.mode === "dfa"),
    );
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    feedbackAlignment: { options: FeedbackAlignmentOptions; learner: FeedbackAlignment };
  }
  interface Engram {
    /** A perceptron trained by (direct) feedback alignment; see {@link FeedbackAlignment}. */
    feedbackAlignment(options: FeedbackAlignmentOptions): FeedbackAlignment;
  }
}

defineLearner("feedbackAlignment", (wasm, o) => new FeedbackAlignment(wasm, o));
