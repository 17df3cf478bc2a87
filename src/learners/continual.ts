import { defineLearner } from "../engine.js";
import { EngramError } from "../errors.js";
import { batchRows, checkLabel, checkLabels, type Label, type Vector } from "../input.js";
import { type LearnStats, SupervisedLearner } from "../classifier.js";
import { checkParams, MAX_UNITS, Options } from "../options.js";
import type { Wasm } from "../wasm.js";

/** The shape of image inputs: `inputs` = width × height × channels, row-major, channels last. */
export interface ImageShape {
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
  /** Values per pixel. Default 1. */
  channels?: number;
}

/** Options of {@link Continual}. */
export interface ContinualOptions {
  /** Values per sample. Required. */
  inputs: number;
  /**
   * Capacity: labels are integers in [0, classes). A label may first appear at any time;
   * classes never seen score 0. Required.
   */
  classes: number;
  /**
   * Image inputs: learn convolutional patch features (see {@link Continual}). Without it the
   * head works on the raw inputs. Image-shaped processing is never implied by `inputs`.
   */
  image?: ImageShape;
  /** Patch side p (image mode). Default 5. */
  patch?: number;
  /** Patch stride (image mode). Default 2. */
  stride?: number;
  /** Patch detectors K, the competitive units (image mode). Default 256. */
  detectors?: number;
  /** Pooling grid G: the features are G × G regions × K detectors (image mode). Default 2. */
  grid?: number;
  /** Samples after which the detectors stop learning (image mode). Default 1000. */
  consolidateAfter?: number;
  /** Shrinkage λ ∈ (0, 1] of the covariance toward τ I (τ its mean variance). Default 0.0001 (chosen on the validation split: flat from 1e-5 to 3e-4 on Split MNIST). */
  shrinkage?: number;
  /** Integer seed. The learner draws no random numbers (same data ⇒ same bits); kept for a uniform API. Default 1. */
  seed?: number;
}

/**
 * A class-incremental stream classifier: it learns classes one sample at a time, in any
 * order, with no task labels or boundaries, and stores no samples. Its head is streaming
 * linear discriminant analysis on exact sufficient statistics (per-class counts and means,
 * one shared within-class scatter, Welford's update), so the head's state does not depend
 * on the order of the stream and two learners that saw different streams merge exactly
 * ({@link Continual.merge}). A label never seen before is learned from its first sample.
 *
 * With `image`, it first learns convolutional features: every p × p patch is compared to K
 * detectors learned by online competitive learning (each detector is the running mean of the
 * patches it won, rate 1/wins: plasticity decays with use), encoded by the triangle code
 * max(0, mean distance − distance) and summed over a G × G grid. The detectors learn from the
 * first `consolidateAfter` samples only and are then frozen, so features never drift under
 * the class means the head has accumulated.
 *
 * Cost: `learn` is one feature pass plus a rank-1 update of the d × d scatter (d = G² K, or
 * `inputs`). The first `scores`/`predict` after a `learn` factors the shrunk covariance
 * (d³/6 multiply-adds), computes tr A⁻¹ for the small-sample bias correction (another d³/6;
 * ≈ 0.35 s together at d = 1024 on a shared core) and solves one system per seen class; later
 * predictions reuse the cached solution. So predict in bursts, not after every learn.
 * The head adds ½ tr(A⁻¹Σ)/n_c to each class's bias: the plug-in quadratic term overestimates
 * by that much on average, which would otherwise handicap a class seen only a few times.
 *
 * Numeric safety: the input's scratch copy is scaled into ‖x‖₂ ≤ 1e9, detectors are convex
 * combinations of patches, the factor's pivots are floored at λτ > 0 and logits clamped to
 * ±1e15 (assembly/learners/continual.ts gives the bounds). None of it binds on ordinary data.
 *
 *     const cl = engram.continual({ inputs: 784, classes: 10, image: { width: 28, height: 28 } });
 *     cl.learn(image, label); cl.predict(image);
 */
export class Continual extends SupervisedLearner<LearnStats> {
  /** "continual". */
  readonly kind = "continual";
  /** Values per sample. */
  readonly inputs: number;
  /** Number of classes: labels are integers in [0, classes). */
  readonly classes: number;
  declare readonly config: Readonly<ContinualOptions & Required<Omit<ContinualOptions, "image">>>;
  private labels = 0;
  private labelCap = 0;

  /** @internal Use `engram.continual(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("continual", options);
    const inputs = o.int("inputs", undefined, 1, MAX_UNITS);
    const classes = o.int("classes", undefined, 1, MAX_UNITS);
    const rawImage = o.object("image");
    let image: Required<ImageShape> | undefined;
    if (rawImage) {
      const io = new Options("continual.image", rawImage);
      image = {
        width: io.int("width", undefined, 1, MAX_UNITS),
        height: io.int("height", undefined, 1, MAX_UNITS),
        channels: io.int("channels", 1, 1, MAX_UNITS),
      };
      io.done();
      if (image.width * image.height * image.channels !== inputs) {
        throw new EngramError(
          "E_CONFIG",
          `continual: image ${image.width} × ${image.height} × ${image.channels} holds ${image.width * image.height * image.channels} values but inputs is ${inputs}`,
        );
      }
    }
    const imageKeys = ["patch", "stride", "detectors", "grid", "consolidateAfter"] as const;
    if (!image) {
      for (const k of imageKeys) {
        if (o.given(k))
          throw new EngramError(
            "E_CONFIG",
            `continual: option '${k}' needs 'image' (patch features are for images only)`,
          );
      }
    }
    const side = image ? Math.min(image.width, image.height) : 1;
    const config: Record<string, unknown> = { inputs, classes };
    if (image) {
      config["image"] = image;
      config["patch"] = o.int("patch", Math.min(5, side), 1, side);
      config["stride"] = o.int("stride", 2, 1, side);
      config["detectors"] = o.int("detectors", 256, 1, MAX_UNITS);
      const positions = Math.min(
        Math.floor((image.width - (config["patch"] as number)) / (config["stride"] as number)) + 1,
        Math.floor((image.height - (config["patch"] as number)) / (config["stride"] as number)) + 1,
      );
      config["grid"] = o.int("grid", Math.min(2, positions), 1, positions);
      config["consolidateAfter"] = o.int("consolidateAfter", 1000, 0, Number.MAX_SAFE_INTEGER);
    }
    config["shrinkage"] = o.num("shrinkage", 0.0001, 1e-6, 1);
    config["seed"] = o.int("seed", 1, 0, 0xffffffff);
    o.done();
    const K = image ? (config["detectors"] as number) : 0;
    const G = image ? (config["grid"] as number) : 0;
    const d = image ? G * G * K : inputs;
    const P = image ? (config["patch"] as number) ** 2 * image.channels : 0;
    // state: d² scatter + C d means + (P + 1) K detectors; scratch: d² factor + C d weights + a few d
    checkParams("continual", 2 * d * d + 2 * classes * d + (P + 4) * K + 8 * d + 8 * classes + inputs);
    super(wasm, config);
    this.inputs = inputs;
    this.classes = classes;
    this.attach(() =>
      wasm.fn["clNew"]!(
        inputs,
        classes,
        image?.width ?? 0,
        image?.height ?? 0,
        image?.channels ?? 0,
        (config["patch"] as number) ?? 0,
        (config["stride"] as number) ?? 0,
        G,
        K,
        (config["consolidateAfter"] as number) ?? 0,
        config["shrinkage"] as number,
      ),
    );
  }

  /**
   * Learns one sample `x` of class `label` (one wasm call). `loss` is NaN: the head updates
   * exact statistics and computes no loss (scoring the sample first would cost a factorisation).
   */
  learn(x: Vector, label: Label): LearnStats {
    const ptr = this.input(x, this.config.inputs);
    checkLabel(label, this.config.classes);
    this.run(() => this.wasm.fn["clLearn"]!(this.h, ptr, label));
    return { loss: NaN };
  }

  /** Learns `n` samples in row order (the same bits as `n` calls of `learn`); `xs` holds n × inputs values row-major. `loss` is NaN. */
  learnBatch(xs: Vector, labels: ArrayLike<number>): LearnStats {
    const n = batchRows(xs, this.config.inputs);
    const ls = checkLabels(labels, n, this.config.classes);
    const ptr = this.input(xs, this.config.inputs, "xs", n);
    if (n > this.labelCap) {
      const p = this.wasm.alloc(n * 4);
      this.wasm.free(this.labels);
      this.labels = p;
      this.labelCap = n;
    }
    const u32 = this.wasm.u32;
    for (let i = 0; i < n; i++) u32[(this.labels >>> 2) + i] = ls[i]!;
    this.run(() => this.wasm.fn["clLearnBatch"]!(this.h, ptr, this.labels, n));
    return { loss: NaN };
  }

  /** Class probabilities for `x`: a softmax over the classes seen so far; unseen classes get 0 (all equal before any sample). */
  scores(x: Vector): Float32Array {
    const ptr = this.input(x, this.config.inputs);
    const out = this.run(() => this.wasm.fn["clScores"]!(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.config.classes);
  }

  /** The most probable class for `x` among those seen so far (0 before any sample). */
  predict(x: Vector): number {
    const ptr = this.input(x, this.config.inputs);
    return this.run(() => this.wasm.fn["clPredict"]!(this.h, ptr));
  }

  /** A snapshot (see {@link Learner.save}); scatter terms still waiting in scratch are added to the state first (same bits). */
  override save(): Uint8Array {
    const h = this.h;
    this.run(() => this.wasm.fn["clFlush"]!(h));
    return super.save();
  }

  /**
   * Always `undefined`: this learner has no step size. Its head holds exact sufficient
   * statistics (counts, means, scatter), so every sample weighs the same whatever the order;
   * its detectors learn at rate 1/wins. Setting it throws E_CONFIG (the only numeric knob is
   * the `shrinkage` option).
   */
  get learningRate(): undefined {
    this.h;
    return undefined;
  }
  set learningRate(_rate: number) {
    this.h;
    throw new EngramError(
      "E_CONFIG",
      "continual has no learning rate: it keeps exact statistics, so every sample counts the same (see the shrinkage option)",
    );
  }

  /** Samples learned so far: one per `learn`, n per `learnBatch` of n rows (saved in snapshots). */
  get samples(): number {
    return this.wasm.fn["clSamples"]!(this.h);
  }

  /** The labels seen so far, ascending. */
  get classesSeen(): number[] {
    const h = this.h,
      out: number[] = [];
    for (let c = 0; c < this.config.classes; c++) if (this.wasm.fn["clCount"]!(h, c) > 0) out.push(c);
    return out;
  }

  /**
   * Folds `from`'s statistics into `into`: afterwards `into` holds the statistics of both
   * streams (exact up to float32 rounding of the sums; the counts exactly), as if it had
   * seen `from`'s samples too. Both must have one config and identical features (raw mode,
   * or detectors frozen from one shared snapshot): otherwise E_CONFIG and nothing changes.
   * `from` is unchanged. Statistics add: samples both learners saw (say, a shared snapshot's)
   * count twice, so fan out a snapshot taken right after consolidation when that matters.
   */
  static merge(into: Continual, from: Continual): void {
    if (!(into instanceof Continual) || !(from instanceof Continual))
      throw new EngramError("E_CONFIG", "Continual.merge takes two continual learners");
    if (into === from) throw new EngramError("E_CONFIG", "Continual.merge: a learner cannot be merged into itself");
    if (into.wasm !== from.wasm)
      throw new EngramError("E_CONFIG", "Continual.merge: both learners must come from one engram instance");
    const a = into.h,
      b = from.h;
    if (JSON.stringify(into.config) !== JSON.stringify(from.config))
      throw new EngramError("E_CONFIG", "Continual.merge: the learners have different configs");
    if (!into.wasm.fn["clSameFeatures"]!(a, b)) {
      throw new EngramError(
        "E_CONFIG",
        "Continual.merge: the learners' detectors differ; merge learners that consolidated their features in one run (restore one snapshot on every device)",
      );
    }
    into.run(() => into.wasm.fn["clMerge"]!(a, b));
  }

  /** Frees the learner's memory, including its label buffer. */
  override dispose(): void {
    if (this.disposed) return;
    this.wasm.free(this.labels);
    this.labels = this.labelCap = 0;
    super.dispose();
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    continual: { options: ContinualOptions; learner: Continual };
  }
  interface Engram {
    /** A class-incremental stream classifier (streaming LDA on learned patch features); see {@link Continual}. */
    continual(options: ContinualOptions): Continual;
  }
}

defineLearner("continual", (wasm, o) => new Continual(wasm, o));
