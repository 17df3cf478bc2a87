import { defineLearner } from "../engine.js";
import { EngramError, describe } from "../errors.js";
import type { Vector } from "../input.js";
import { blockSize, isRestoring, Learner, pad4, zeroRng } from "../learner.js";
import { checkParams, MAX_UNITS, Options } from "../options.js";
import type { Wasm } from "../wasm.js";

/** The default η with the normalised step (see {@link RewardModulatedOptions.learningRate}). */
const RM_RATE = 0.5;

/** Options of {@link RewardModulated}. */
export interface RewardModulatedOptions {
  /** Context width (values per `act(x)`). Required. */
  inputs: number;
  /** Number of actions (≥ 2). Required. */
  actions: number;
  /**
   * Learning rate η of the three-factor update. With the normalised step (`normalize`, the
   * default): 0.5. With `normalize: false`: 0.03. Chosen on MNIST's validation split and on
   * Glyphs (bench/glyphs.ts) as 10-armed contextual bandits, 5 seeds per rate, never a test set:
   * BENCHMARKS.md, "Normalised steps".
   */
  learningRate?: number;
  /**
   * Rate α of the running reward baseline r̄ ← r̄ + α (r − r̄), in [0, 1]. Default 0.05.
   * 0 disables the baseline (r̄ stays 0: the textbook REINFORCE update, higher variance).
   */
  baselineRate?: number;
  /**
   * Normalised step (normalised LMS, Nagumo & Noda 1967): each eligibility term is scaled by
   * 1 / (1 + ‖x‖²), so a reward moves the logits of its context by η (r − r̄)(onehot(a) − π)
   * whatever the context's scale or width, and one default η fits every input scale. Default
   * `true`; `false` is the plain rule (snapshots saved before this option existed restore with
   * `false`, their old rule).
   */
  normalize?: boolean;
  /** Decay λ ∈ [0, 1] of the eligibility traces between actions. Default 0 (each reward credits the last action). */
  traceDecay?: number;
  /** Integer seed of the action sampler. Default 1. */
  seed?: number;
}

/**
 * A stochastic softmax policy π = softmax(W x + b) learned by a three-factor rule:
 * `act(x)` samples an action and folds the local term (onehot(a) − π) xᵀ into a
 * per-synapse eligibility trace E; `reward(r)` broadcasts the third factor,
 * W += η (r − r̄) E, and moves the running baseline r̄. The baseline leaves the
 * expected update unchanged and removes the variance a reward offset would add.
 * Weights start at 0 (a uniform policy).
 *
 * Numeric safety: no finite input makes a parameter NaN or infinite, and on ordinary data the
 * guard never binds (results are bit-identical to the unguarded rule): docs/numerics.md.
 *
 *     const bandit = engram.rewardModulated({ inputs: 8, actions: 3 });
 *     const a = bandit.act(context); bandit.reward(payoff(a));
 */
export class RewardModulated extends Learner {
  /** "rewardModulated". */
  readonly kind = "rewardModulated";
  declare readonly config: Readonly<Required<RewardModulatedOptions>>;

  /** @internal Use `engram.rewardModulated(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("rewardModulated", options);
    // snapshots made before the normalised step existed lack the key: they keep the plain rule
    const normalize = o.bool("normalize", !isRestoring());
    const config = {
      inputs: o.int("inputs", undefined, 1, MAX_UNITS),
      actions: o.int("actions", undefined, 2, MAX_UNITS),
      learningRate: o.num("learningRate", normalize ? RM_RATE : 0.03, 0, 100, true),
      normalize,
      baselineRate: o.num("baselineRate", 0.05, 0, 1),
      traceDecay: o.num("traceDecay", 0, 0, 1),
      seed: o.int("seed", 1, 0, 0xffffffff),
    };
    o.done();
    checkParams("rewardModulated", 2 * config.actions * (config.inputs + 1));
    super(wasm, config);
    // the block of assembly/learners/rewardModulated.ts rmNew: state = header, W, b, E_W, E_b; scratch = 4 action vectors
    const w = pad4(config.inputs * config.actions),
      b = pad4(config.actions);
    this.attach(
      () =>
        wasm.fn["rmNew"]!(
          config.inputs,
          config.actions,
          config.learningRate,
          config.baselineRate,
          config.traceDecay,
          config.seed,
          config.normalize ? 1 : 0,
        ),
      blockSize(14 * 4, 32 + 2 * (w + b), 4 * b),
    );
  }

  /** Samples an action for context `x` from the policy and records its eligibility. */
  act(x: Vector): number {
    const ptr = this.input(x, this.config.inputs);
    return this.run(() => this.wasm.fn["rmAct"]!(this.h, ptr));
  }

  /**
   * Delivers reward `r` for what was done since the last reward: W += η (r − r̄) E.
   * Returns r − r̄, the reward prediction error that gated the update (clamped to the
   * float32 range when |r| and |r̄| are both near 3.4e38).
   */
  reward(r: number): number {
    this.h;
    if (typeof r !== "number") throw new EngramError("E_TYPE", `reward must be a number, got ${describe(r)}`);
    const f = Math.fround(r);
    if (f - f !== 0) throw new EngramError("E_NONFINITE", `reward must be finite (within float32 range), got ${r}`);
    return this.run(() => this.wasm.fn["rmReward"]!(this.h, f));
  }

  /** Action probabilities π(x). */
  scores(x: Vector): Float32Array {
    const ptr = this.input(x, this.config.inputs);
    const out = this.run(() => this.wasm.fn["rmScores"]!(this.h, ptr)) >>> 2;
    return this.wasm.f32.slice(out, out + this.config.actions);
  }

  /** The most probable action for `x` (greedy; nothing is sampled or recorded). */
  predict(x: Vector): number {
    const ptr = this.input(x, this.config.inputs);
    return this.run(() => this.wasm.fn["rmPredict"]!(this.h, ptr));
  }

  /** @internal The PRNG opens the state. */
  protected override checkState(state: Uint8Array): string | undefined {
    return zeroRng(state, 0);
  }

  /** The running reward baseline r̄. */
  get baseline(): number {
    return this.wasm.f32[this.wasm.fn["rmBaselinePtr"]!(this.h) >>> 2]!;
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    rewardModulated: { options: RewardModulatedOptions; learner: RewardModulated };
  }
  interface Engram {
    /** A reward-modulated (three-factor) policy learner; see {@link RewardModulated}. */
    rewardModulated(options: RewardModulatedOptions): RewardModulated;
  }
}

defineLearner("rewardModulated", (wasm, o) => new RewardModulated(wasm, o));
