import type { EngramAbi } from "../abi.js";
import { defineLearner } from "../engine.js";
import { batchRows, checkLabel, type Label, type Vector } from "../input.js";
import { Learner } from "../learner.js";
import { checkParams, MAX_UNITS, Options } from "../options.js";
import type { Wasm } from "../wasm.js";

/** Options of {@link Eprop}. */
export interface EpropOptions {
  /** Values per time step (the width of one row of a sequence). Required. */
  inputs: number;
  /** Recurrent spiking neurons. Default 256. */
  hidden?: number;
  /** Readout units = classes (≥ 2). Required. */
  outputs: number;
  /**
   * "alif" (default): every neuron has an adaptive threshold (long memory, τ_a);
   * "lif": plain leaky integrate-and-fire. `adaptive` sets a mix.
   */
  neuron?: "lif" | "alif";
  /** How many of the hidden neurons are ALIF (the last ones); overrides `neuron`. */
  adaptive?: number;
  /** Learning signal through fixed random weights B ("random", default) or the readout weights ("symmetric"). */
  feedback?: "random" | "symmetric";
  /** Adam's step size η. Default 0.001. */
  learningRate?: number;
  /**
   * Learning-rate decay κ ≥ 0: η_u = η / (1 + κ u), u = updates applied so far (one per
   * `learn`, one per `step` with a target). Default 0 (constant η).
   */
  learningRateDecay?: number;
  /** Membrane time constant τ_m in steps (α = e^{−1/τ_m}). Default 20. */
  tauMembrane?: number;
  /** Threshold adaptation time constant τ_a in steps (ρ = e^{−1/τ_a}). Default 200. */
  tauAdaptation?: number;
  /** Readout time constant τ_out in steps (κ = e^{−1/τ_out}); also filters the eligibility traces. Default 20. */
  tauReadout?: number;
  /** Firing threshold v_th. Default 1. */
  threshold?: number;
  /** Adaptation strength β (ALIF threshold v_th + β a), at most 3 v_th. Default 1.8. */
  adaptationStrength?: number;
  /** Target firing rate r* in spikes per step (0.02 = 20 Hz at 1 ms steps). Default 0.02. */
  rateTarget?: number;
  /** Strength c_reg of the firing-rate regularisation (0 disables it). Default 0.1. */
  rateRegularization?: number;
  /**
   * Readout window K: `learn` gives the target over the last K steps of a sequence, and
   * `scores` averages softmax(y^t) over the last K steps. Default 8.
   */
  readoutSteps?: number;
  /** Integer seed of the initial weights and the random feedback. Default 1. */
  seed?: number;
}

/** What the wasm side lays out per learner, as floats (for the size check before allocating). */
function floatsOf(inputs: number, hidden: number, adaptive: number, outputs: number): number {
  const cols = Math.ceil((inputs + hidden) / 4) * 4;
  // W, its two moments, ē and g; ε^a for ALIF rows; W^out, B, their moments and gradients; vectors
  return 5 * hidden * cols + adaptive * cols + 5 * outputs * hidden + 4 * cols + 16 * (hidden + outputs);
}

/**
 * The most time steps one `learn`/`scores`/`predict` call takes (E_SHAPE beyond): it bounds a
 * call's time and its copy of the sequence; a longer stream goes through `step`, whose memory
 * and time per call do not grow with its length.
 */
export const MAX_STEPS = 65536;

/**
 * A recurrent network of spiking neurons (LIF, or ALIF with adaptive thresholds) and a leaky
 * readout, trained online by e-prop (Bellec et al., Nature Communications 2020): per-synapse
 * eligibility traces computed forward in time, times a learning signal L_j = Σ_k B_jk (π_k − π*_k)
 * sent through fixed random weights (or the readout weights). No backpropagation through
 * time: the memory a learner holds does not depend on the sequence length.
 *
 * A sequence is T × `inputs` values row-major (T = length / inputs), e.g. an image read row
 * by row. `learn(sequence, label)` runs it from rest, gives the target over the last
 * `readoutSteps` steps, and applies one Adam step at the end; `scores(sequence)` is the mean of
 * softmax(y^t) over the same last steps. Streaming: `step(x, target?)` advances one step and
 * returns the readout y^t (with a target, it learns at once); `reset()` starts a new sequence.
 * A snapshot taken mid-sequence continues bit-identically.
 *
 * Numeric safety: each row's copy is scaled into ‖x‖₂ ≤ 1e9, membrane potentials are clamped
 * to ±1e15, and Adam bounds each step; nothing binds on ordinary data.
 *
 *     const net = engram.eprop({ inputs: 28, hidden: 256, outputs: 10 });
 *     net.learn(image, label);   // 28 rows of 28 pixels
 *     net.predict(image);
 */
export class Eprop extends Learner {
  /** "eprop". */
  readonly kind = "eprop";
  declare readonly config: Readonly<Required<EpropOptions>>;

  /** @internal Use `engram.eprop(options)`. */
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("eprop", options);
    const inputs = o.int("inputs", undefined, 1, MAX_UNITS);
    const hidden = o.int("hidden", 256, 1, MAX_UNITS);
    const outputs = o.int("outputs", undefined, 2, MAX_UNITS);
    const neuron = o.oneOf("neuron", "alif", ["lif", "alif"] as const);
    const adaptive = o.int("adaptive", neuron === "alif" ? hidden : 0, 0, hidden);
    const threshold = o.num("threshold", 1, 0, 1e6, true);
    const config = {
      inputs,
      hidden,
      outputs,
      neuron,
      adaptive,
      feedback: o.oneOf("feedback", "random", ["random", "symmetric"] as const),
      learningRate: o.num("learningRate", 0.001, 0, 10, true),
      learningRateDecay: o.num("learningRateDecay", 0, 0, 1),
      tauMembrane: o.num("tauMembrane", 20, 0.1, 1e6),
      tauAdaptation: o.num("tauAdaptation", 200, 0.1, 1e6),
      tauReadout: o.num("tauReadout", 20, 0.1, 1e6),
      threshold,
      adaptationStrength: o.num("adaptationStrength", Math.min(1.8, 3 * threshold), 0, 3 * threshold),
      rateTarget: o.num("rateTarget", 0.02, 0, 1),
      rateRegularization: o.num("rateRegularization", 0.1, 0, 1e6),
      readoutSteps: o.int("readoutSteps", 8, 1, 0x7fffffff),
      seed: o.int("seed", 1, 0, 0xffffffff),
    };
    o.done();
    checkParams("eprop", floatsOf(inputs, hidden, adaptive, outputs));
    super(wasm, config);
    const c = config;
    this.attach(() =>
      wasm.fn["epropNew"]!(
        c.inputs,
        c.hidden,
        c.adaptive,
        c.outputs,
        c.feedback === "symmetric" ? 1 : 0,
        c.tauMembrane,
        c.tauAdaptation,
        c.tauReadout,
        c.threshold,
        c.adaptationStrength,
        c.learningRate,
        c.learningRateDecay,
        c.rateTarget,
        c.rateRegularization,
        c.readoutSteps,
        c.seed,
      ),
    );
  }

  /** Copies a sequence into wasm memory; returns [pointer, T]. At most {@link MAX_STEPS} steps (longer streams: `step`). */
  private sequence(seq: unknown): [number, number] {
    this.h;
    const T = batchRows(seq, this.config.inputs, MAX_STEPS, "sequence");
    return [this.input(seq, this.config.inputs, "sequence", T), T];
  }

  /** Learns one labelled sequence (T × `inputs` values row-major): runs it from rest, then one Adam step. */
  learn(sequence: Vector, label: Label): void {
    const [ptr, T] = this.sequence(sequence);
    const y = checkLabel(label, this.config.outputs);
    this.run(() => this.wasm.fn["epropLearn"]!(this.h, ptr, T, y));
  }

  /** Class probabilities for a sequence: the mean of softmax(y^t) over its last `readoutSteps` steps. Changes nothing. */
  scores(sequence: Vector): Float32Array {
    const [ptr, T] = this.sequence(sequence);
    const out = this.run(() => this.wasm.fn["epropScores"]!(this.h, ptr, T)) >>> 2;
    return this.wasm.f32.slice(out, out + this.config.outputs);
  }

  /** The most probable class of a sequence. Changes nothing. */
  predict(sequence: Vector): number {
    const [ptr, T] = this.sequence(sequence);
    return this.run(() => this.wasm.fn["epropPredict"]!(this.h, ptr, T));
  }

  /**
   * Advances the live network one time step on `x` (`inputs` values) and returns the readout
   * y^t (`outputs` values). With a `target` class, the learning signal of that step is added
   * and the gradient accumulated since the last update (or reset) is applied at once.
   */
  step(x: Vector, target?: Label): Float32Array {
    const ptr = this.input(x, this.config.inputs);
    const y = target === undefined ? -1 : checkLabel(target, this.config.outputs, "target");
    const out = this.run(() => this.wasm.fn["epropStep"]!(this.h, ptr, y)) >>> 2;
    return this.wasm.f32.slice(out, out + this.config.outputs);
  }

  /** Puts the live network back to rest (potentials, adaptation, traces; an unapplied gradient is dropped). Weights stay. */
  reset(): void {
    this.run(() => this.wasm.fn["epropReset"]!(this.h));
  }

  /** Spikes of the live network's last step (0 or 1 per hidden neuron). */
  spikes(): Float32Array {
    return this.read("epropSpikes", this.config.hidden);
  }

  /** Copies of the weights: input (hidden × inputs), recurrent (hidden × hidden, zero diagonal), output (outputs × hidden), bias. */
  weights(): { input: Float32Array; recurrent: Float32Array; output: Float32Array; bias: Float32Array } {
    const { input, recurrent } = this.split(this.read("epropWeights", this.config.hidden * this.cols));
    return {
      input,
      recurrent,
      output: this.read("epropReadout", this.config.outputs * this.config.hidden),
      bias: this.read("epropBias", this.config.outputs),
    };
  }

  /**
   * @internal For tests: runs `sequence` from rest like `learn` but returns the accumulated
   * e-prop gradient instead of applying it (it stays pending until the next learn or reset).
   */
  gradient(
    sequence: Vector,
    label: Label,
  ): { input: Float32Array; recurrent: Float32Array; output: Float32Array; bias: Float32Array } {
    const [ptr, T] = this.sequence(sequence);
    const y = checkLabel(label, this.config.outputs);
    this.run(() => this.wasm.fn["epropAccumulate"]!(this.h, ptr, T, y));
    const { input, recurrent } = this.split(this.read("epropGrad", this.config.hidden * this.cols));
    return {
      input,
      recurrent,
      output: this.read("epropGradOut", this.config.outputs * this.config.hidden),
      bias: this.read("epropGradBias", this.config.outputs),
    };
  }

  /** @internal For tests: the live state's internals after the last step. */
  internals(): Record<string, Float32Array> {
    const n = this.config.hidden,
      cols = this.cols,
      nA = this.config.adaptive;
    // the traces are stored with a lazy per-row decay factor (assembly/rules/eprop.ts): apply it
    const padded = Math.ceil(n / 4) * 4; // sE then sA, each padded to 4 floats
    const scales = this.read("epropTraceScales", padded + n);
    const scaled = (a: Float32Array, from: number) => a.map((v, i) => v * scales[from + Math.floor(i / cols)]!);
    return {
      v: this.read("epropVoltage", n),
      a: this.read("epropAdaptation", n),
      z: this.read("epropSpikes", n),
      psi: this.read("epropPsi", n),
      pre: this.read("epropPresynaptic", cols),
      ebar: scaled(this.read("epropTraces", n * cols), 0),
      epsA: scaled(this.read("epropTracesA", nA * cols), padded + n - nA),
      grad: this.read("epropGrad", n * cols),
      rates: this.read("epropRates", n),
      feedback: this.read("epropFeedback", n * this.config.outputs),
    };
  }

  /** Row stride of W (inputs + hidden rounded up to 4). */
  private get cols(): number {
    return Math.ceil((this.config.inputs + this.config.hidden) / 4) * 4;
  }

  private read(name: Extract<keyof EngramAbi, `eprop${string}`>, count: number): Float32Array {
    const h = this.h;
    const at = (this.run(() => (this.wasm.fn[name] as (h: number) => number)(h)) as number) >>> 2;
    return this.wasm.f32.slice(at, at + count);
  }

  private split(w: Float32Array): { input: Float32Array; recurrent: Float32Array } {
    const { inputs, hidden } = this.config,
      cols = this.cols;
    const input = new Float32Array(hidden * inputs),
      recurrent = new Float32Array(hidden * hidden);
    for (let j = 0; j < hidden; j++) {
      input.set(w.subarray(j * cols, j * cols + inputs), j * inputs);
      recurrent.set(w.subarray(j * cols + inputs, j * cols + inputs + hidden), j * hidden);
    }
    return { input, recurrent };
  }
}

declare module "../engine.js" {
  interface LearnerKinds {
    eprop: { options: EpropOptions; learner: Eprop };
  }
  interface Engram {
    /** A recurrent spiking network trained online by e-prop; see {@link Eprop}. */
    eprop(options: EpropOptions): Eprop;
  }
}

defineLearner("eprop", (wasm, o) => new Eprop(wasm, o));
