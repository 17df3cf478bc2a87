// What every supervised learner shares: the Classifier interface, and `fit` and
// `evaluate` written once here (SupervisedLearner), never copied per learner.
import { EngramError, describe } from "./errors.js";
import { checkLabels, readUserData, typedKind, typedLength, type Label, type Vector } from "./input.js";
import { Learner } from "./learner.js";
import { Options } from "./options.js";

/** Options of {@link Classifier.fit}. */
export interface FitOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Visit the samples in a fresh random order each epoch (drawn from `seed` by the module's PRNG). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling order: the same seed gives the same order, so the same bits, on every host. Default 1. */
  seed?: number;
  /** Called every `yieldEvery` samples and at the end of each epoch. */
  onProgress?: (progress: FitProgress) => void;
  /** Stops training between two samples; `fit` then rejects with the signal's reason (the steps taken stay). */
  signal?: AbortSignal;
  /** Samples between two yields to the event loop (so a page stays responsive). Default 64. */
  yieldEvery?: number;
}

/** What {@link FitOptions.onProgress} receives. */
export interface FitProgress {
  /** Current epoch, from 0. */
  epoch: number;
  /** Epochs asked for. */
  epochs: number;
  /** Samples learned so far in this epoch. */
  sample: number;
  /** Samples per epoch. */
  samples: number;
  /** Mean training loss over this epoch's samples so far (the `loss` `learn` reports before each step; NaN for a learner without a loss). */
  loss: number;
}

/**
 * What one `learn` or `learnBatch` step reports, the same shape for every supervised learner:
 * `loss`, the training loss before the step (the mean over a batch), or NaN for a learner
 * whose rule has no loss (`continual`'s exact statistics, `spiking`'s STDP). A learner may
 * report more beside it (Forward-Forward's goodness, spiking's spike count): see its `Stats`.
 */
export interface LearnStats {
  /** The training loss before the step (mean over a batch); NaN when the learner has no loss. */
  loss: number;
}

/** What {@link Classifier.evaluate} returns. */
export interface Evaluation {
  /** Fraction of samples whose `predict` equals the label, in [0, 1]. */
  accuracy: number;
  /** Number of correct predictions. */
  correct: number;
  /** Number of samples. */
  total: number;
}

/**
 * What every supervised learner offers (`forwardForward`, `feedbackAlignment`,
 * `perturbation`, `continual`, `spiking`, and `hebbian` with a readout). Online `learn` is the core; `fit`
 * runs it over a data set without freezing the event loop.
 *
 *     const net: Classifier = engram.feedbackAlignment({ inputs: 784, hidden: [256], classes: 10 });
 *     await net.fit(images, labels, { epochs: 2 });
 *     net.evaluate(testImages, testLabels).accuracy;
 *
 * `Stats` is what one `learn` step reports: always an object holding `loss` ({@link LearnStats}),
 * with a learner's own extras beside it (Forward-Forward's {@link ForwardForwardStats},
 * spiking's spike count). Code written for any classifier reads `loss` only.
 */
export interface Classifier<Stats extends LearnStats = LearnStats> extends Disposable {
  /** The learner kind, as written in snapshots. */
  readonly kind: string;
  /** Values per sample. */
  readonly inputs: number;
  /** Number of classes: labels are integers in [0, classes). */
  readonly classes: number;
  /**
   * The learning rate η the next `learn` uses, as a number in the learner's documented range
   * (its `learningRate` option's: set it, e.g. to anneal between epochs, and `save()` keeps
   * it). A value outside the range, or not a finite number, throws E_CONFIG and changes
   * nothing. `undefined` for a learner whose rule has no step size (`continual`'s exact
   * statistics), where setting it throws E_CONFIG. For `hebbian` it is the feature rule's
   * η (the readout's is `readoutLearningRate`); for `spiking` STDP's η_post.
   */
  get learningRate(): number | undefined;
  set learningRate(rate: number);
  /** Samples learned so far: every `learn` counts one, `learnBatch` and `fit` one per row; saved in snapshots. */
  readonly samples: number;
  /** One online step on sample `x` with its label. */
  learn(x: Vector, label: Label): Stats;
  /** Several samples at once: `xs` holds n × inputs values row-major, `labels` n labels. */
  learnBatch(xs: Vector, labels: ArrayLike<number>): Stats;
  /** The most likely class of `x`. */
  predict(x: Vector): number;
  /** Class probabilities for `x` (non-negative, summing to 1; the largest is `predict(x)`'s class). */
  scores(x: Vector): Float32Array;
  /** Accuracy of `predict` on samples `xs` with `labels`. Changes nothing. */
  evaluate(xs: readonly Vector[], labels: ArrayLike<number>): Evaluation;
  /** `learn` over every sample, `epochs` times, yielding to the event loop as it goes. */
  fit(xs: readonly Vector[], labels: ArrayLike<number>, options?: FitOptions): Promise<FitResult>;
  /** A snapshot: `engram.restore(bytes)` brings the learner back. */
  save(): Uint8Array;
  /** Frees the learner's memory; later calls throw E_DISPOSED. */
  dispose(): void;
}

/** What {@link Classifier.fit} resolves to. */
export interface FitResult {
  /** Epochs completed. */
  epochs: number;
  /** Steps taken (samples × epochs). */
  steps: number;
  /** Mean training loss of the last epoch (NaN for a learner without a loss). */
  loss: number;
}

/** `Disposable` as in TypeScript's lib.esnext.disposable, for projects whose `lib` lacks it. */
export interface Disposable {
  /** Same as `dispose()`, for `using learner = engram.…(…)`. */
  [Symbol.dispose](): void;
}

/** Yields to the event loop: scheduler.yield where the host has it, else a macrotask. */
function yieldNow(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (s && typeof s.yield === "function") return s.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function count(value: unknown, name: string, dflt: number, min: number): number {
  const v = value ?? dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > 0xffffffff)
    throw new EngramError(
      "E_CONFIG",
      `fit: option '${name}' must be an integer in [${min}, ${0xffffffff}], got ${describe(v)}`,
    );
  return v;
}

/**
 * Reads `xs` (a list of samples) and `labels` once each into arrays the library owns
 * (main's read-once boundary: a getter or proxy runs at most once per element, and what
 * is checked is what is used). The samples themselves are read by `learn`/`predict`.
 */
function pairs(xs: unknown, labels: unknown, classes: number, what: string): { samples: Vector[]; ys: Uint32Array } {
  const samples = readUserData(`${what}: xs`, "E_TYPE", () => {
    if (!Array.isArray(xs))
      throw new EngramError(
        "E_TYPE",
        `${what}: xs must be an array of samples (one Vector per sample), got ${describe(xs)}`,
      );
    const len: unknown = xs.length;
    if (typeof len !== "number" || !Number.isInteger(len) || len < 0)
      throw new EngramError("E_SHAPE", `${what}: xs must have a non-negative integer length, got ${describe(len)}`);
    const out: Vector[] = [];
    for (let i = 0; i < len; i++) out.push(xs[i] as Vector);
    return out;
  });
  if (labels === null || typeof labels !== "object")
    throw new EngramError("E_TYPE", `${what}: labels must be an array of integers, got ${describe(labels)}`);
  const ys = checkLabels(labels, samples.length, classes); // an owned, checked copy
  return { samples, ys };
}

/** The number of values a sample holds, read once (a typed array's from its internal slot); undefined if it is no array. */
function sampleLength(x: unknown): number | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  if (typedKind(x) !== undefined) return typedLength(x);
  const len: unknown = (x as { length?: unknown }).length;
  return typeof len === "number" ? len : undefined;
}

/**
 * A learner that is a {@link Classifier}: subclasses provide `learn`, `learnBatch`,
 * `predict` and `scores`; `fit` and `evaluate` are written here once.
 */
export abstract class SupervisedLearner<Stats extends LearnStats = LearnStats>
  extends Learner
  implements Classifier<Stats>
{
  /** Values per sample. */
  abstract readonly inputs: number;
  /** Number of classes. */
  abstract readonly classes: number;
  /** One online step on sample `x` with its label. */
  abstract learn(x: Vector, label: Label): Stats;
  /** Several samples at once (row-major `xs`). */
  abstract learnBatch(xs: Vector, labels: ArrayLike<number>): Stats;
  /** The most likely class of `x`. */
  abstract predict(x: Vector): number;
  /** Class probabilities for `x`. */
  abstract scores(x: Vector): Float32Array;
  /** The learning rate the next `learn` uses (see {@link Classifier.learningRate}). */
  abstract get learningRate(): number | undefined;
  abstract set learningRate(rate: number);
  /** Samples learned so far (see {@link Classifier.samples}). */
  abstract get samples(): number;

  /**
   * @internal Validates a new learning rate by the constructor's rule (a finite number in
   * (0, max]; else E_CONFIG naming the learner, nothing changed) and records it in the
   * config, so snapshots keep it. Returns it for the learner to write into wasm first.
   */
  protected newRate(rate: unknown, max: number, write: (rate: number) => void): void {
    this.h;
    const value = new Options(this.kind, { learningRate: rate }).num("learningRate", undefined, 0, max, true);
    this.run(() => write(value));
    this.setOption("learningRate", value);
  }

  /** Accuracy of `predict` on `xs` with `labels` (one label per sample). Changes nothing. */
  evaluate(xs: readonly Vector[], labels: ArrayLike<number>): Evaluation {
    const { samples, ys } = pairs(xs, labels, this.classes, "evaluate");
    const n = samples.length;
    let correct = 0;
    for (let i = 0; i < n; i++) if (this.predict(samples[i]!) === ys[i]) correct++;
    return { accuracy: n ? correct / n : 0, correct, total: n };
  }

  /**
   * Calls `learn(xs[i], labels[i])` over every sample, `epochs` times, in a random order per
   * epoch (`shuffle`, from `seed`), and yields to the event loop every `yieldEvery` samples,
   * so a page or a server stays responsive. The shapes, the labels and the options are
   * checked before the first step (E_SHAPE, E_LABEL, E_CONFIG, nothing learned); a sample
   * whose values are not finite stops training at that sample with E_NONFINITE. An aborted
   * `signal` stops it between two samples and the promise rejects with the signal's reason.
   * The same data, options and seed give the same bits on every host.
   */
  async fit(xs: readonly Vector[], labels: ArrayLike<number>, options: FitOptions = {}): Promise<FitResult> {
    this.h;
    const { samples, ys } = pairs(xs, labels, this.classes, "fit");
    const n = samples.length;
    // each option read once (a getter that throws is E_CONFIG)
    const o = readUserData("fit options", "E_CONFIG", () => {
      if (options === null || typeof options !== "object")
        throw new EngramError("E_CONFIG", `fit: options must be an object, got ${describe(options)}`);
      const { epochs, yieldEvery, seed, shuffle, onProgress, signal } = options;
      return { epochs, yieldEvery, seed, shuffle, onProgress, signal };
    });
    const epochs = count(o.epochs, "epochs", 1, 1);
    const yieldEvery = count(o.yieldEvery, "yieldEvery", 64, 1);
    const seed = count(o.seed, "seed", 1, 0);
    const shuffle = o.shuffle ?? true;
    if (typeof shuffle !== "boolean")
      throw new EngramError("E_CONFIG", `fit: option 'shuffle' must be true or false, got ${describe(shuffle)}`);
    const { onProgress, signal } = o;
    if (onProgress !== undefined && typeof onProgress !== "function")
      throw new EngramError("E_CONFIG", `fit: option 'onProgress' must be a function, got ${describe(onProgress)}`);
    for (let i = 0; i < n; i++) {
      const len = readUserData(`fit: xs[${i}]`, "E_TYPE", () => sampleLength(samples[i]));
      if (len !== this.inputs)
        throw new EngramError("E_SHAPE", `fit: xs[${i}] must hold ${this.inputs} values, got ${describe(samples[i])}`);
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let loss = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (shuffle) this.shuffle(order, seed, epoch);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (signal?.aborted) throw signal.reason ?? new EngramError("E_CONFIG", "fit was aborted");
        const k = order[i]!;
        sum += this.learn(samples[k]!, ys[k]!).loss;
        if ((i + 1) % yieldEvery === 0 && i + 1 < n) {
          onProgress?.({ epoch, epochs, sample: i + 1, samples: n, loss: sum / (i + 1) });
          await yieldNow();
        }
      }
      loss = n ? sum / n : 0;
      onProgress?.({ epoch, epochs, sample: n, samples: n, loss });
      if (epoch + 1 < epochs) await yieldNow();
    }
    return { epochs, steps: epochs * n, loss };
  }

  /** Fisher–Yates with the module's xoshiro128** stream seeded by (seed, epoch): the same order on every host. */
  private shuffle(order: Uint32Array, seed: number, epoch: number): void {
    const fn = this.wasm.fn;
    const state = this.wasm.alloc(16);
    try {
      fn["rngSeed"]!(state, (seed + Math.imul(epoch, 0x9e3779b9)) >>> 0);
      for (let i = order.length - 1; i > 0; i--) {
        const j = fn["rngBelow"]!(state, i + 1) >>> 0;
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    } finally {
      this.wasm.free(state);
    }
  }
}
