import { defineLearner } from "../engine.js";
import { EngramError } from "../errors.js";
import { batchRows, checkLabel, checkLabels, type Label, type Vector } from "../input.js";
import { type LearnStats, SupervisedLearner } from "../classifier.js";
import { blockSize, isRestoring, pad4, zeroRng } from "../learner.js";
import { checkParams, MAX_UNITS, Options } from "../options.js";
import type { Wasm } from "../wasm.js";

/** The Hebbian rules, in the order of their wasm ids (see assembly/rules/hebbian.ts). */
export const HEBBIAN_RULES = ["hebb", "oja", "sanger", "bcm", "krotov", "softhebb"] as const;
/** A Hebbian rule (see {@link HEBBIAN_RULES}). */
export type HebbianRule = (typeof HEBBIAN_RULES)[number];

/** Default learning rate per rule: each learns well from its default initialisation. */
const DEFAULT_RATE: Record<HebbianRule, number> = {
  hebb: 0.01,
  oja: 0.01,
  sanger: 0.01,
  bcm: 0.001,
  krotov: 0.1,
  softhebb: 0.05,
};

/** Default decay κ of the feature rate per rule (0: constant), see {@link HebbianOptions.learningRateDecay}. */
const DEFAULT_DECAY: Record<HebbianRule, number> = { hebb: 0, oja: 0, sanger: 0, bcm: 0, krotov: 0, softhebb: 1e-3 };
/** Default floor f of that decay per rule. */
const DEFAULT_FLOOR: Record<HebbianRule, number> = { hebb: 0, oja: 0, sanger: 0, bcm: 0, krotov: 0, softhebb: 0 };

/** The optional local readout of {@link Hebbian}. */
export interface HebbianReadoutOptions {
  /** Number of classes (≥ 2). Required. */
  classes: number;
  /**
   * Delta-rule learning rate of the readout (its inputs have unit norm). Default 0.6 (chosen
   * on MNIST's validation split and on Glyphs, bench/glyphs.ts, never a test set: BENCHMARKS.md,
   * "Learning curves and learning-rate sensitivity"; 2 was 2 points below the best rate on
   * MNIST and 5 on Glyphs).
   */
  learningRate?: number;
}

/** Options of {@link Hebbian}. */
export interface HebbianOptions {
  /** Input width N. Required. */
  inputs: number;
  /** Number of Hebbian units K (the feature width). Required. */
  outputs: number;
  /**
   * The rule. Default `"softhebb"`.
   * - `"hebb"`: Δw_i = η y_i x, then each row is renormalised to ‖w_i‖₂ = 1;
   * - `"oja"`: Δw_i = η y_i (x − y_i w_i) (Oja 1982): each row → the leading eigenvector;
   * - `"sanger"`: Δw_i = η y_i (x − Σ_{k≤i} y_k w_k) (Sanger 1989): row i → the i-th eigenvector;
   * - `"bcm"`: Δw_i = η y_i (y_i − θ_i) x, θ_i ← θ_i + ρ (y_i² − θ_i) (Bienenstock, Cooper, Munro 1982);
   * - `"krotov"`: the unit with the largest p-norm current learns Δw = η (x − I w)/max, the
   *   `rank`-th is pushed away with −Δ (Krotov & Hopfield 2019);
   * - `"softhebb"`: Δw_i = η y_i (x − u_i w_i) with y = softmax(u/τ), negated for every unit
   *   but the winner (Journé et al. 2023).
   */
  rule?: HebbianRule;
  /**
   * Learning rate η > 0. Default per rule: hebb, oja, sanger 0.01; bcm 0.001; krotov 0.1;
   * softhebb 0.05. For krotov and softhebb it is the largest change of any weight per sample.
   */
  learningRate?: number;
  /** Integer seed of the initial weights: normal, std 1/√N (krotov and softhebb: std 1, as in the paper). Default 1. */
  seed?: number;
  /** Krotov: the norm p (integer ≥ 2) of the currents and weights. Default 3. */
  p?: number;
  /** Krotov: the rank k of the unit pushed away (anti-Hebbian). Default min(7, outputs). */
  rank?: number;
  /** Krotov: strength Δ of the anti-Hebbian push. Default 0.4. */
  delta?: number;
  /**
   * SoftHebb: softmax temperature τ > 0, in the units of u = W x, so scale it with the
   * inputs' norm: 0.5 suits MNIST pixels in [0, 1] (norm ≈ 9), ≈ 0.05 inputs of norm ≈ 1
   * such as another layer's features. Units below 10⁻⁴ of the softmax skip the step. Default 0.5.
   */
  temperature?: number;
  /** BCM: rate ρ in (0, 1] at which θ tracks y². Default 0.01. */
  thetaRate?: number;
  /**
   * Features `transform` returns and the readout sees: max(W x, 0)^power, or W x when
   * 0. Default 4.5 for krotov (as in the paper), 1 for softhebb, 0 for the others.
   */
  power?: number;
  /**
   * Oja only: rate μ ≥ 0 of lateral anti-Hebbian connections L (unit k → unit i for k < i,
   * Rubner & Tavan 1989): y_i = w_i·x + Σ_{k<i} L_ik y_k, ΔL_ik = −μ y_i y_k. They
   * decorrelate the outputs, so the rows become the principal components in order. Default 0 (none).
   */
  lateral?: number;
  /**
   * Decay κ ≥ 0 of the feature rule's rate: η_t = η (f + (1 − f)/(1 + κ t)), t = samples
   * learned, f = {@link learningRateFloor}. Default 10⁻³ for softhebb, 0 (a constant η) for
   * the others. SoftHebb's step is normalised (its largest weight change is η whatever the
   * state), so at a constant rate the anti-Hebbian push on losing units never stops: on
   * MNIST (784→256) one unit ends up winning most inputs and the readout fell from 89 % to
   * 68 % between 30 000 and 60 000 samples; the decay bounds that push (Σ η_t grows like
   * ln t). Chosen on MNIST's and Glyphs' validation splits (issue 17). Snapshots saved
   * before the decay existed restore with 0.
   */
  learningRateDecay?: number;
  /** Floor f in [0, 1] of that decay, as a fraction of η (η_t → η f). Default 0 (the features settle). */
  learningRateFloor?: number;
  /** A local readout trained by the delta rule on the true label. Default none. */
  readout?: HebbianReadoutOptions;
}

/** Upper bounds of η and η_r, shared by the options and the setters. */
const MAX_RATE = 10,
  MAX_READOUT_RATE = 100;

/**
 * One layer of Hebbian units with an optional local readout. `learn(x)` updates
 * the weights from pre- and post-synaptic activity only. With `readout`, a softmax
 * layer on the normalised features learns by the delta rule on the true label;
 * no error goes back into the features. Stack layers by feeding one layer's
 * `transform(x)` to the next.
 *
 *     const layer = engram.hebbian({ inputs: 784, outputs: 2000, rule: "krotov", readout: { classes: 10 } });
 *     layer.learn(image);            // unsupervised
 *     layer.learnReadout(image, label);
 *     layer.predict(image);
 *
 * Numeric safety: no finite input makes a parameter NaN or infinite, and on ordinary data the
 * guard never binds (results are bit-identical to the unguarded rule): docs/numerics.md.
 */
export class Hebbian extends SupervisedLearner<LearnStats> {
  /** "hebbian". */
  readonly kind = "hebbian";
  declare readonly config: Readonly<Required<Omit<HebbianOptions, "readout">>> & {
    readonly readout?: Required<HebbianReadoutOptions>;
  };
  /** Input width N. */
  readonly inputs: number;
  /** Number of units K. */
  readonly outputs: number;
  /** Readout classes (0: no readout). */
  readonly classes: number;
  private labels = 0;
  private labelCap = 0;

  /** @internal Use `engram.hebbian(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("hebbian", options);
    const inputs = o.int("inputs", undefined, 1, MAX_UNITS);
    const outputs = o.int("outputs", undefined, 1, MAX_UNITS);
    const rule = o.oneOf("rule", "softhebb", HEBBIAN_RULES);
    const config: Record<string, unknown> = {
      inputs,
      outputs,
      rule,
      learningRate: o.num("learningRate", DEFAULT_RATE[rule], 0, MAX_RATE, true),
      seed: o.int("seed", 1, 0, 0xffffffff),
      p: o.int("p", 3, 2, 16),
      rank: o.int("rank", Math.min(7, outputs), 1, outputs),
      delta: o.num("delta", 0.4, 0, 10),
      temperature: o.num("temperature", 0.5, 0, 1e6, true),
      thetaRate: o.num("thetaRate", 0.01, 0, 1, true),
      power: o.num("power", rule === "krotov" ? 4.5 : rule === "softhebb" ? 1 : 0, 0, 16),
      lateral: o.num("lateral", 0, 0, 10),
      // snapshots made before the schedule existed lack the keys: they keep a constant η
      learningRateDecay: o.num("learningRateDecay", isRestoring() ? 0 : DEFAULT_DECAY[rule], 0, 1),
      learningRateFloor: o.num("learningRateFloor", isRestoring() ? 0 : DEFAULT_FLOOR[rule], 0, 1),
    };
    if (config["lateral"] !== 0 && rule !== "oja")
      throw new EngramError(
        "E_CONFIG",
        `hebbian: option 'lateral' (anti-Hebbian decorrelation) works with rule "oja", got rule "${rule}"`,
      );
    const ro = o.object("readout");
    o.done();
    if (ro !== undefined) {
      const r = new Options("hebbian.readout", ro);
      config["readout"] = {
        classes: r.int("classes", undefined, 2, MAX_UNITS),
        learningRate: r.num("learningRate", 0.6, 0, MAX_READOUT_RATE, true),
      };
      r.done();
    }
    super(wasm, config);
    const c = this.config;
    this.inputs = inputs;
    this.outputs = outputs;
    this.classes = c.readout?.classes ?? 0;
    checkParams(
      "hebbian",
      outputs * (inputs + 1) + this.classes * (outputs + 1) + (c.lateral > 0 ? outputs * outputs : 0),
    );
    // the block of assembly/learners/hebbian.ts hebbNew: state = header, W, θ, V, b_r (and L);
    // scratch = 4 unit vectors, one input, one class vector and Krotov's ranking
    const K = outputs,
      N = inputs,
      C = this.classes;
    const size = blockSize(
      26 * 4,
      32 + pad4(K * N) + pad4(K) + pad4(C * K) + pad4(C) + (c.lateral > 0 ? pad4(K * K) : 0),
      4 * pad4(K) + pad4(N) + pad4(C) + pad4(c.rank),
    );
    this.attach(
      () =>
        this.wasm.fn["hebbNew"]!(
          inputs,
          outputs,
          HEBBIAN_RULES.indexOf(c.rule),
          this.classes,
          c.seed,
          c.learningRate,
          c.readout?.learningRate ?? 0,
          c.p,
          c.rank,
          c.delta,
          c.temperature,
          c.thetaRate,
          c.power,
          c.lateral,
          c.learningRateDecay,
          c.learningRateFloor,
        ),
      size,
    );
  }

  /**
   * One online step on `x`: the rule updates the weights (unsupervised). With a
   * `label` (and a readout) the readout first learns from the current features.
   * `loss`: the readout's cross-entropy before the step, or 0 without a label.
   */
  learn(x: Vector, label?: Label): LearnStats {
    const ptr = this.input(x, this.inputs);
    const l = label === undefined ? -1 : checkLabel(label, this.needReadout());
    return { loss: this.run(() => this.wasm.fn["hebbLearn"]!(this.h, ptr, l, l < 0 ? 1 : 3)) };
  }

  /**
   * `n` steps of `learn` in one call, in row order (the same bits as n calls).
   * `xs` holds n × inputs values row-major. `loss`: the mean readout loss (0 without labels).
   */
  learnBatch(xs: Vector, labels?: ArrayLike<number>): LearnStats {
    return { loss: this.batch(xs, labels, labels === undefined ? 1 : 3) };
  }

  /** Trains only the readout on `x` with `label` (the features stay as they are). Returns the loss before the step. */
  learnReadout(x: Vector, label: Label): number {
    const ptr = this.input(x, this.inputs);
    const l = checkLabel(label, this.needReadout());
    return this.run(() => this.wasm.fn["hebbLearn"]!(this.h, ptr, l, 2));
  }

  /** `learnReadout` over n samples row-major in one call; returns the mean loss. */
  learnReadoutBatch(xs: Vector, labels: ArrayLike<number>): number {
    return this.batch(xs, labels, 2, true);
  }

  // `required`: labels may not be left out (undefined is then E_TYPE, never "no labels")
  private batch(xs: Vector, labels: ArrayLike<number> | undefined, mode: number, required = false): number {
    const n = batchRows(xs, this.inputs);
    const ls = labels === undefined && !required ? undefined : checkLabels(labels, n, this.needReadout());
    const ptr = this.input(xs, this.inputs, "xs", n);
    this.h;
    if (ls && n > this.labelCap) {
      const p = this.wasm.alloc(n * 4);
      this.wasm.free(this.labels);
      this.labels = p;
      this.labelCap = n;
    }
    if (ls) this.wasm.u32.set(ls, this.labels >>> 2);
    return this.run(() => this.wasm.fn["hebbLearnBatch"]!(this.h, ptr, ls ? this.labels : 0, n, mode));
  }

  /** The features for `x`: max(W x, 0)^power, or W x when power is 0 (`outputs` values). */
  transform(x: Vector): Float32Array {
    const ptr = this.input(x, this.inputs);
    const out = this.run(() => this.wasm.fn["hebbTransform"]!(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.outputs);
  }

  /** The readout's class probabilities for `x`. Needs `readout`. */
  scores(x: Vector): Float32Array {
    this.needReadout();
    const ptr = this.input(x, this.inputs);
    const out =
      this.run(() => (this.wasm.fn["hebbPredict"]!(this.h, ptr), this.wasm.fn["hebbScoresPtr"]!(this.h))) >>> 2;
    return this.wasm.f32.slice(out, out + this.classes);
  }

  /** The readout's most probable class for `x`. Needs `readout`. */
  predict(x: Vector): number {
    this.needReadout();
    const ptr = this.input(x, this.inputs);
    return this.run(() => this.wasm.fn["hebbPredict"]!(this.h, ptr));
  }

  /** A copy of the weights W, `outputs` × `inputs` row-major. */
  weights(): Float32Array {
    return this.f32At(this.wasm.fn["hebbWeights"]!(this.h), this.outputs * this.inputs);
  }

  /** BCM: a copy of the sliding thresholds θ (one per unit; zeros for other rules). */
  thresholds(): Float32Array {
    return this.f32At(this.wasm.fn["hebbThresholds"]!(this.h), this.outputs);
  }

  /**
   * The current learning rate η (starts at `learningRate`; saved in snapshots): the number
   * set, or the float32 in use when a snapshot from before 0.2 holds a rate set after creation.
   */
  get learningRate(): number {
    const used = this.f32At(this.wasm.fn["hebbRate"]!(this.h), 1)[0]!;
    return Math.fround(this.config.learningRate) === used ? this.config.learningRate : used;
  }

  /** Sets η, e.g. to anneal it between epochs: a number in (0, 10] as at construction (else E_CONFIG, nothing changed). */
  set learningRate(rate: number) {
    this.setRate("hebbRate", "hebbian", rate, MAX_RATE);
  }

  // validated by the constructor's rule: a JS-finite 1e39 would be +∞ as an f32
  private setRate(where: "hebbRate" | "hebbReadoutRate", owner: string, rate: number, max: number): void {
    const value = new Options(owner, { learningRate: rate }).num("learningRate", undefined, 0, max, true);
    const h = this.h;
    const at = this.run(() => this.wasm.fn[where](h)) >>> 2;
    this.wasm.f32[at] = value;
    // the config says what a learner created now would use, so save() of a learner whose rate
    // was set equals that of one created with the rate
    if (where === "hebbRate") this.setOption("learningRate", value);
    else this.setOption("readout", { ...this.config.readout, learningRate: value });
  }

  // f32 values at a byte offset the module reports (the layout lives in assembly/learners/hebbian.ts only)
  private f32At(ptr: number, count: number): Float32Array {
    const at = ptr >>> 2;
    return this.wasm.f32.slice(at, at + count);
  }

  /** The readout's current learning rate η_r (starts at `readout.learningRate`; saved in snapshots). */
  get readoutLearningRate(): number {
    this.needReadout();
    const used = this.f32At(this.wasm.fn["hebbReadoutRate"]!(this.h), 1)[0]!,
      set = this.config.readout!.learningRate;
    return Math.fround(set) === used ? set : used;
  }

  /** Sets η_r, e.g. to anneal it: a number in (0, 100] as `readout.learningRate` (else E_CONFIG, nothing changed). */
  set readoutLearningRate(rate: number) {
    this.needReadout();
    this.setRate("hebbReadoutRate", "hebbian.readout", rate, MAX_READOUT_RATE);
  }

  /** Samples learned so far: one per `learn`/`learnReadout`, n per batch of n rows (saved in snapshots). */
  get samples(): number {
    return this.steps;
  }

  /** Number of `learn` steps taken (all modes), saved in snapshots; the same as {@link samples}. */
  get steps(): number {
    const h = this.h;
    return this.run(() => this.wasm.fn.hebbSteps(h)) >>> 0;
  }

  private needReadout(): number {
    this.h;
    if (!this.classes)
      throw new EngramError(
        "E_CONFIG",
        "hebbian: this layer has no readout; pass readout: { classes } to use labels, scores and predict",
      );
    return this.classes;
  }

  /** @internal The PRNG opens the state. */
  protected override checkState(state: Uint8Array): string | undefined {
    return zeroRng(state, 0);
  }

  /** Frees the learner's memory, including its label buffer. */
  override dispose(): void {
    if (this.disposed) return;
    const labels = this.labels;
    this.labels = this.labelCap = 0;
    super.dispose();
    this.wasm.free(labels);
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    hebbian: { options: HebbianOptions; learner: Hebbian };
  }
  interface Engram {
    /** A layer of Hebbian units (hebb, oja, sanger, bcm, krotov, softhebb) with an optional local readout; see {@link Hebbian}. */
    hebbian(options: HebbianOptions): Hebbian;
  }
}

defineLearner("hebbian", (wasm, o) => new Hebbian(wasm, o));
