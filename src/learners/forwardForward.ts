import { defineLearner } from "../engine.js";
import { EngramError } from "../errors.js";
import { batchRows, checkLabel, checkLabels, type Label, type Vector } from "../input.js";
import { type LearnStats, SupervisedLearner } from "../classifier.js";
import { type BlockSize, blockSize, isRestoring, zeroRng } from "../learner.js";
import { checkParams, Options } from "../options.js";
import { readShape } from "./shape.js";
import type { Wasm } from "../wasm.js";

/** Options of {@link ForwardForward}. */
export interface ForwardForwardOptions {
  /** Values per sample, e.g. 784. Required. */
  inputs: number;
  /** Widths of the hidden layers, input side first, e.g. `[500, 500]`. At least one. Required. */
  hidden: number[];
  /** Number of classes C ≥ 2. Required. */
  classes: number;
  /** Integer seed: initial weights and the negative-label stream come from it alone. Default 1. */
  seed?: number;
  /** Learning rate η > 0 of the layers' optimizer. Default 0.03 (factored Adam: chosen on MNIST's validation split with the decay below), 0.01 (Adam) or 6 (SGD: the per-weight gradients of unit-length inputs are small). */
  learningRate?: number;
  /**
   * Learning-rate decay κ ≥ 0: η_t = η / (1 + κ t), t = updates so far (samples online,
   * batches in `learnBatch`). Default 2·10⁻⁴ with factored Adam (η falls to η/3 after 10 000
   * updates: fast early, steadier later; chosen on MNIST's validation split), 0 otherwise.
   */
  learningRateDecay?: number;
  /**
   * Floor f in [0, 1] of the decay, as a fraction of η: η_t = η (f + (1 − f)/(1 + κ t)),
   * which falls like η/(1 + κ t) early and levels off at η f, so long runs keep learning
   * (0: the plain decay, which tends to 0). Default 0.2 (chosen on MNIST's validation split,
   * issue 17); snapshots saved before the floor existed restore with 0.
   */
  learningRateFloor?: number;
  /** Threshold θ per unit: a layer calls data positive when its mean squared activity exceeds θ. Default 6. */
  threshold?: number;
  /**
   * Threshold warm-up T ≥ 0 (updates): θ rises linearly to θ over the first T updates,
   * θ_t = θ min(1, (t + 1)/T) (0: θ from the start). A fresh network's goodness is far
   * below θ, and every pass is first pushed up alike until it gets there; a low θ early lets
   * the positive and negative passes part from the first samples. Default 3000 (chosen on
   * MNIST's validation split, issue 17).
   */
  thresholdWarmup?: number;
  /**
   * Where the warm-up starts, as a fraction s in [0, 1] of θ: θ_t = θ max(s, min(1, (t + 1)/T)).
   * Default 0. On data whose images share a large uniform background (Glyphs), a warm-up from
   * 0 lets a large η (3× the default) silence every unit within 100 samples: θ_t is then below
   * a fresh network's goodness and the negative passes push every unit down. s = 0.2 keeps
   * them alive there (Glyphs at 3η: 74.5 % instead of 10 %), but costs on MNIST (10η
   * collapses; 90.5 % instead of 91.0 % after 10 000 samples), so it is not the default
   * (BENCHMARKS.md, issue 17).
   */
  thresholdWarmupStart?: number;
  /**
   * `"adafactor"` (default): Adam whose second moment is factored as in Adafactor
   * (Shazeer & Stern 2018): for each weight matrix, running means of the squared gradient's
   * row and column sums instead of one per weight (the label weights and biases keep
   * Adam's per-weight one); β1 0.9, β2 0.999, ε 1e-8 and bias correction as Adam, each
   * step capped at the bound Adam's own step obeys, (1 − β1)/√(1 − β2) · η. It keeps 2
   * floats per weight instead of 3 and needs no square root or division per weight, so a
   * step costs about what SGD's does (0.36 ms against Adam's 0.79 ms for 784-500-500).
   * On MNIST it trails Adam a little per epoch and leads per second of training
   * (BENCHMARKS.md).
   * `"adam"`: Adam (β1 0.9, β2 0.999, ε 1e-8). `"sgd"`: SGD with momentum.
   */
  optimizer?: "adam" | "adafactor" | "sgd";
  /** Momentum μ in [0, 1) of `"sgd"` (ignored by Adam and factored Adam, whose β1 is 0.9). Default 0.9. */
  momentum?: number;
  /**
   * `"seen"` (default): as `"hard"`, but only among the labels that have already been a
   * positive (the true label of a learnt sample); while there is none, the step has no
   * negative pass. On a class-ordered stream `"hard"` and `"random"` push the labels of
   * classes still to come towards silence before their first sample, and `"hard"` collapses
   * (every unit silent, every input predicted 0); on a shuffled stream every label is seen
   * within the first few dozen samples and `"seen"` is `"hard"`.
   * `"hard"`: the wrong label is drawn in proportion to the model's current belief,
   * as in the paper (here a softmax over labels of the first layer's goodness, which costs
   * a few vector operations since every label shares the first layer's image product);
   * `"random"`: uniformly among the wrong labels.
   */
  negatives?: "seen" | "hard" | "random";
  /**
   * Peer normalisation weight w ≥ 0 (the paper's MNIST runs use it): each unit's running mean
   * positive activity is pulled towards the layer's mean, through the ReLU, so units that
   * fell silent come back. Default 0.1; 0 turns it off.
   */
  peerNormalization?: number;
  /**
   * Train a softmax readout on the normalised activity of every layer for the input with no
   * label (label inputs 0; the paper's neutral label 1/C drifts with the label weights), by
   * the delta rule with rate 0.05, no gradient into the layers, for one-pass
   * {@link ForwardForward.predictFast}. Default true.
   */
  readout?: boolean;
  /**
   * `"prepend"` (default): the label's one-hot is prepended to the input (nothing is lost);
   * `"replace"`: it replaces the first `classes` inputs, as in the paper's MNIST setup (those
   * inputs are then ignored). Either way the one-hot's value is ½ max(‖x‖, 1), so the label
   * carries a fifth of the input's energy whatever the input's scale.
   */
  labelInputs?: "prepend" | "replace";
  /**
   * @deprecated Write `inputs` and `hidden`: `sizes` = [inputs, ...hidden] (classes apart),
   * accepted only together with `classes` (snapshots written before 0.2 hold it).
   */
  sizes?: number[];
}

/**
 * @internal The exact block of assembly/learners/forwardForward.ts `ffNew`. Per layer k
 * (n = sizes[k+1] units over nin = sizes[k] inputs) P_k = W, the first layer's label
 * weights U, b; the state holds P_k, its first moments and Adam's second moments (or the
 * factored ones), then the readout over all A = Σ n units, then the peer means; the
 * scratch holds per-unit buffers and one sample's work area.
 */
export function forwardForwardSize(
  sizes: readonly number[],
  classes: number,
  optimizer: "adam" | "adafactor" | "sgd",
  seen = false,
): BlockSize {
  const al4 = (n: number) => Math.ceil(n / 4) * 4;
  const L = sizes.length - 1,
    c = classes,
    d = sizes[0]!;
  let state = 32,
    maxW = 0,
    maxP = 0,
    A = 0;
  for (let k = 0; k < L; k++) {
    const n = sizes[k + 1]!,
      nin = sizes[k]!;
    const pc = al4(n * nin) + (k === 0 ? al4(c * n) : 0) + al4(n);
    const fc = al4(n) + al4(nin) + (k === 0 ? al4(c * n) : 0) + al4(n);
    state += 4 * (2 * pc + (optimizer === "adam" ? pc : optimizer === "adafactor" ? fc : 0));
    maxW = Math.max(maxW, n);
    maxP = Math.max(maxP, pc);
    A += n;
  }
  state += 4 * (al4(c * A) + al4(c));
  for (let k = 0; k < L; k++) state += 4 * al4(sizes[k + 1]!);
  if (seen) state += 4 * al4(c); // one u32 flag per label (negatives: "seen")
  const n1 = sizes[1]!;
  const gam = optimizer === "adafactor" ? al4(Math.max(d, maxW)) : 0;
  const many = 2 * Math.max(c, 3) * al4(maxW); // the passes' layer inputs and outputs, one row per pass
  const scratch = 4 * (al4(n1) + 6 * al4(maxW) + al4(A) + 4 * al4(c) + 8 + 4 + gam + many) + 4 * (3 + 4 * maxW + n1);
  return blockSize((34 + 6 * L) * 4, state, scratch);
}

/** The default floor of factored Adam's decay, as a fraction of η (issue 17). */
const FLOOR_DEFAULT = 0.2;

/** The largest learning rate Forward-Forward accepts. */
const MAX_FF_RATE = 100;

/** What one learning step reports: the common {@link LearnStats} and the goodness behind it. */
export interface ForwardForwardStats extends LearnStats {
  /** Σ over layers of the goodness loss softplus(θ − G⁺) + softplus(G⁻ − θ), mean over the samples, before the step. */
  loss: number;
  /** Mean goodness G⁺ (mean squared activity) of the positive passes, over layers and samples. */
  goodnessPos: number;
  /** Mean goodness G⁻ of the negative passes. */
  goodnessNeg: number;
  /** The wrong label used for the (last) sample's negative pass; −1 if it had none (see `negatives: "seen"`). */
  negativeLabel: number;
}

/**
 * Hinton's Forward-Forward algorithm (arXiv:2212.13345), supervised: each ReLU layer
 * learns on its own, without backpropagation, to give high goodness (mean squared
 * activity) to the image with its true label and low goodness to the image with a wrong
 * label; only the direction of a layer's activity passes to the next. Prediction tries
 * every label and picks the one with the most goodness summed over all layers (the paper
 * skips the first; after a few epochs the first is the best trained, so it counts here);
 * {@link predictFast} uses the one-pass readout.
 * Training memory is the parameters, their optimizer moments and buffers of one layer's
 * width (times the batch for `learnBatch`).
 *
 *     const ff = engram.forwardForward({ inputs: 784, hidden: [500, 500], classes: 10 });
 *     ff.learn(image, label); ff.predict(image);
 */
export class ForwardForward extends SupervisedLearner<ForwardForwardStats> {
  /** "forwardForward". */
  readonly kind = "forwardForward";
  declare readonly config: Readonly<Required<Omit<ForwardForwardOptions, "sizes">>>;
  /** Number of classes. */
  readonly classes: number;
  /** Values per sample. */
  readonly inputs: number;
  private work = 0;
  private workBytes = 0;

  /** @internal Use `engram.forwardForward(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("forwardForward", options);
    const { inputs, hidden, classes } = readShape("forwardForward", o, "forwardForward", 1);
    const sizes = [inputs, ...hidden];
    const optimizer = o.oneOf("optimizer", "adafactor", ["adafactor", "adam", "sgd"] as const);
    const config = {
      inputs,
      hidden,
      classes,
      seed: o.int("seed", 1, 0, 0xffffffff),
      // factored Adam's η and κ were chosen on MNIST's validation split for few samples (issue 17)
      learningRate: o.num(
        "learningRate",
        optimizer === "sgd" ? 6 : optimizer === "adam" ? 0.01 : 0.03,
        0,
        MAX_FF_RATE,
        true,
      ),
      learningRateDecay: o.num("learningRateDecay", optimizer === "adafactor" ? 2e-4 : 0, 0, 1),
      // snapshots made before the floor existed lack the key: they keep the plain decay
      learningRateFloor: o.num("learningRateFloor", isRestoring() ? 0 : FLOOR_DEFAULT, 0, 1),
      threshold: o.num("threshold", 6, 0, 1e6),
      // snapshots made before the warm-up existed lack the key: they keep θ from the start
      thresholdWarmup: o.num("thresholdWarmup", isRestoring() ? 0 : 3000, 0, 1e9),
      thresholdWarmupStart: o.num("thresholdWarmupStart", 0, 0, 1),
      optimizer,
      momentum: o.num("momentum", 0.9, 0, 0.999999),
      peerNormalization: o.num("peerNormalization", 0.1, 0, 100),
      negatives: o.oneOf("negatives", "seen", ["seen", "hard", "random"] as const),
      readout: o.bool("readout", true),
      labelInputs: o.oneOf("labelInputs", "prepend", ["prepend", "replace"] as const),
    };
    o.done();
    if (config.labelInputs === "replace" && sizes[0]! < classes) {
      throw new EngramError(
        "E_CONFIG",
        `forwardForward: labelInputs "replace" needs inputs ≥ classes (${classes}), got ${inputs}`,
      );
    }
    let params = classes * sizes[1]! + classes * (sizes.slice(1).reduce((a, b) => a + b, 0) + 1);
    for (let l = 0; l + 1 < sizes.length; l++) params += sizes[l + 1]! * (sizes[l]! + 1);
    // parameters and first moments, plus Adam's second moments (factored: W's rows and columns, U's and b's in full)
    const factored =
      optimizer === "adafactor"
        ? sizes.slice(1).reduce((a, n, k) => a + 2 * n + sizes[k]! + (k === 0 ? classes * n : 0), 0)
        : 0;
    checkParams("forwardForward", params * (optimizer === "adam" ? 3 : 2) + factored);
    super(wasm, config);
    this.classes = classes;
    this.inputs = sizes[0]!;
    const flags =
      (optimizer === "adam" ? 1 : optimizer === "adafactor" ? 16 : 0) |
      (config.negatives === "random" ? 0 : 2) |
      (config.negatives === "seen" ? 32 : 0) |
      (config.readout ? 4 : 0) |
      (config.labelInputs === "replace" ? 8 : 0);
    const size = forwardForwardSize(sizes, classes, optimizer, config.negatives === "seen");
    const tmp = wasm.alloc(sizes.length * 4);
    try {
      wasm.u32.set(sizes, tmp >>> 2);
      this.attach(
        () =>
          this.wasm.fn["ffNew"]!(
            tmp,
            sizes.length,
            classes,
            config.seed,
            config.learningRate,
            config.learningRateDecay,
            config.threshold,
            config.momentum,
            config.peerNormalization,
            config.thresholdWarmup,
            flags,
            config.learningRateFloor,
            config.thresholdWarmupStart,
          ),
        size,
      );
    } finally {
      wasm.free(tmp);
    }
  }

  /** @internal The PRNG opens the state. */
  protected override checkState(state: Uint8Array): string | undefined {
    return zeroRng(state, 0);
  }

  private stats(): ForwardForwardStats {
    const h = this.h;
    const at = this.run(() => this.wasm.fn["ffStats"]!(h)) >>> 2;
    const f = this.wasm.f32;
    return { loss: f[at]!, goodnessPos: f[at + 1]!, goodnessNeg: f[at + 2]!, negativeLabel: f[at + 3]! };
  }

  /** One online step on `x` (sizes[0] values) with class `label`: positive and negative pass and the update of every layer. */
  learn(x: Vector, label: Label): ForwardForwardStats {
    const ptr = this.input(x, this.inputs);
    checkLabel(label, this.classes);
    this.run(() => this.wasm.fn["ffLearn"]!(this.h, ptr, label));
    return this.stats();
  }

  /**
   * One mini-batch step: every layer moves once, by its mean gradient over the batch
   * (the readout still learns sample by sample). `xs` holds n × sizes[0] values row-major.
   */
  learnBatch(xs: Vector, labels: ArrayLike<number>): ForwardForwardStats {
    const n = batchRows(xs, this.inputs);
    const ls = checkLabels(labels, n, this.classes);
    const ptr = this.input(xs, this.inputs, "xs", n);
    const h = this.h;
    const bytes = this.run(() => this.wasm.fn["ffWorkBytes"]!(h, n));
    if (bytes > this.workBytes) {
      const p = this.wasm.alloc(bytes);
      this.wasm.free(this.work);
      this.work = p;
      this.workBytes = bytes;
    }
    this.wasm.u32.set(ls, this.work >>> 2); // labels were checked: integers in [0, classes)
    this.run(() => this.wasm.fn["ffLearnBatch"]!(this.h, ptr, this.work, n));
    return this.stats();
  }

  /**
   * The learning rate η of the next optimizer steps (η (f + (1 − f)/(1 + κ t)) with the decay κ and its floor f), a number
   * in (0, 100]. Setting it validates it (E_CONFIG otherwise, nothing changed) and `save()` keeps it.
   */
  get learningRate(): number {
    this.h;
    return this.config.learningRate;
  }
  set learningRate(rate: number) {
    this.newRate(rate, MAX_FF_RATE, (v) => this.wasm.fn["ffSetRate"]!(this.h, v));
  }

  /**
   * Samples learned so far: one per `learn`, n per `learnBatch` of n rows (saved in snapshots;
   * a snapshot written before 0.2 counted optimizer steps only, so after restoring one this
   * counts each earlier batch as one sample).
   */
  get samples(): number {
    const h = this.h;
    return this.run(() => this.wasm.fn["ffSamples"]!(h));
  }

  /** Goodness of `x` under each label (mean squared activity), summed over all layers: what {@link predict} compares. */
  goodness(x: Vector): Float32Array {
    const ptr = this.input(x, this.inputs);
    const out = this.run(() => this.wasm.fn["ffScores"]!(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.classes);
  }

  /**
   * Class probabilities: the softmax of {@link goodness} over labels (computed in the
   * module), so the largest is {@link predict}'s label. Goodness differences of a few units
   * already give confident probabilities; they rank classes well but are not calibrated.
   * (Before 0.2, `scores` returned the goodness itself: that is now `goodness(x)`.)
   */
  scores(x: Vector): Float32Array {
    const ptr = this.input(x, this.inputs);
    const out =
      this.run(() => {
        const g = this.wasm.fn["ffScores"]!(this.h, ptr);
        this.wasm.fn["softmax"]!(g, g, this.classes);
        return g;
      }) >>> 2;
    return this.wasm.f32.slice(out, out + this.classes);
  }

  /** The label with the most goodness: one pass per label (see {@link goodness}). */
  predict(x: Vector): number {
    const ptr = this.input(x, this.inputs);
    return this.run(() => this.wasm.fn["ffArgmax"]!(this.wasm.fn["ffScores"]!(this.h, ptr), this.classes));
  }

  /** Class probabilities from the readout, after one label-free pass. Needs `readout: true`. */
  readoutScores(x: Vector): Float32Array {
    const ptr = this.readoutInput(x);
    const out = this.run(() => this.wasm.fn["ffReadout"]!(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.classes);
  }

  /** The readout's most probable class: one pass instead of one per label. Needs `readout: true`. */
  predictFast(x: Vector): number {
    const ptr = this.readoutInput(x);
    return this.run(() => this.wasm.fn["ffArgmax"]!(this.wasm.fn["ffReadout"]!(this.h, ptr), this.classes));
  }

  private readoutInput(x: Vector): number {
    const ptr = this.input(x, this.inputs);
    if (!this.config.readout)
      throw new EngramError("E_CONFIG", "forwardForward: predictFast and readoutScores need the option readout: true");
    return ptr;
  }

  /** Frees the learner's memory, including its batch buffer. */
  override dispose(): void {
    if (this.disposed) return;
    const work = this.work;
    this.work = this.workBytes = 0;
    super.dispose();
    this.wasm.free(work);
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    forwardForward: { options: ForwardForwardOptions; learner: ForwardForward };
  }
  interface Engram {
    /** A Forward-Forward network; see {@link ForwardForward}. */
    forwardForward(options: ForwardForwardOptions): ForwardForward;
  }
}

defineLearner("forwardForward", (wasm, o) => new ForwardForward(wasm, o));
