// A multilayer perceptron trained by feedback alignment or direct feedback alignment
// (equations and papers: ../rules/feedbackAlignment.ts). The same network layout serves
// node perturbation (./perturbation.ts), so the layout helpers are exported here.
//
//   layout  [L, act, mode, η, κ, σ, rng, counter, p, n_0..n_L, per layer l: 11 pointers]
//   state   [PRNG 16 B][samples seen f64][pad][W_0 b_0 W_1 b_1 ...]   (persisted)
//   scratch [feedback PRNG 16 B][B or D per hidden layer][per layer: a h δ ξ a′ h′ tmp β]
// The feedback matrices are regenerated from the seed at construction and never saved.
// Numeric guard (../rules/guard.ts): x is scaled into ‖x‖ ≤ R in its input slot, every
// pre-activation is clamped to ±A, every step is bounded and followed by the max-norm
// constraint; β holds the rows' norm bounds (+∞ at construction, so after a restore too).
// Dropout (FA/DFA only, p > 0): ξ holds the step's mask m_l ∈ {0, 1/(1−p)}, drawn from
// the persisted PRNG, so a restored learner drops the same units as one that never stopped.

import { learnerNew, learnerState, learnerStateBytes, learnerScratch, slot, setSlot } from "./common";
import { axpy, matvecT } from "../kernels/linalg";
import { MAX_INPUT_NORM, capNorm, unknownBounds } from "../rules/guard";
import { rngSeed, rngFillUniform, rngUniform } from "../kernels/prng";
import {
  activate, activateSlope, hadamard, denseForward, denseDescend, softmaxError, argmax,
} from "../rules/feedbackAlignment";

export const KIND_FA: u32 = 0x4641; // "FA"
export const MODE_FA = 0, MODE_DFA = 1;

const S_L = 0, S_ACT = 1, S_MODE = 2, S_ETA = 3, S_DECAY = 4, S_SIGMA = 5, S_RNG = 6, S_COUNT = 7, S_DROP = 8, S_SIZES = 9;
const PER_LAYER = 11;
// per-layer pointers: weights, biases, feedback, pre-activation, activity, delta,
// perturbation noise (or dropout mask), perturbed pre-activation, perturbed activity, temporary, row norm bounds
export const W = 0, B = 1, FB = 2, A = 3, H = 4, D = 5, XI = 6, AP = 7, HP = 8, TMP = 9, NB = 10;

// @ts-ignore: decorator
@inline function pad4(n: i32): usize { return <usize>((n + 3) & ~3) << 2; }

/** Number of weight layers L (sizes has L + 1 entries). */
// @ts-ignore: decorator
@inline export function layers(h: usize): i32 { return <i32>slot(h, S_L); }
/** Width n_l of layer l (0 = input, L = output). */
// @ts-ignore: decorator
@inline export function width(h: usize, l: i32): i32 { return <i32>slot(h, S_SIZES + l); }
/** Pointer k (W, B, ...) of weight layer l (it maps n_l → n_{l+1}). */
// @ts-ignore: decorator
@inline export function ptr(h: usize, l: i32, k: i32): usize {
  return <usize>slot(h, S_SIZES + layers(h) + 1 + l * PER_LAYER + k);
}
// @ts-ignore: decorator
@inline export function activation(h: usize): i32 { return <i32>slot(h, S_ACT); }
// @ts-ignore: decorator
@inline export function sigma(h: usize): f32 { return reinterpret<f32>(slot(h, S_SIGMA)); }
// @ts-ignore: decorator
@inline export function rngOf(h: usize): usize { return <usize>slot(h, S_RNG); }

// @ts-ignore: decorator
@inline function sizeAt(sizes: usize, l: i32): i32 { return load<i32>(sizes + (<usize>l << 2)); }

/** Rows of the feedback matrix of hidden layer l: n_L for DFA, n_{l+2} for FA. */
function feedbackRows(sizes: usize, l: i32, last: i32, mode: i32): i32 {
  return sizeAt(sizes, mode == MODE_DFA ? last : l + 2);
}

/**
 * Allocates and initialises a network. sizes: nSizes i32 widths at `sizes`.
 * W_l ~ U(±√(3/n_l)) from the seed (variance 1/fan-in), b = 0. With `feedback`,
 * fixed random feedback matrices ~ U(±√(3/rows)) from a second stream of the seed.
 */
export function mlpNew(kind: u32, sizes: usize, nSizes: i32, act: i32, mode: i32, eta: f32, decay: f32, sig: f32, drop: f32, seed: u32, feedback: bool): usize {
  const L = nSizes - 1;
  let stateBytes: usize = 32, fbBytes: usize = 16, bufBytes: usize = 0;
  for (let l = 0; l < L; l++) {
    stateBytes += pad4(sizeAt(sizes, l + 1) * sizeAt(sizes, l)) + pad4(sizeAt(sizes, l + 1));
    if (feedback && l < L - 1) fbBytes += pad4(feedbackRows(sizes, l, L, mode) * sizeAt(sizes, l + 1));
    bufBytes += 8 * pad4(sizeAt(sizes, l + 1));
  }
  const layoutBytes = <u32>(S_SIZES + L + 1 + L * PER_LAYER) << 2;
  const h = learnerNew(kind, layoutBytes, <u32>stateBytes, <u32>(fbBytes + bufBytes));
  const st = learnerState(h);
  let sc = learnerScratch(h);
  setSlot(h, S_L, L);
  setSlot(h, S_ACT, act);
  setSlot(h, S_MODE, mode);
  setSlot(h, S_ETA, reinterpret<u32>(eta));
  setSlot(h, S_DECAY, reinterpret<u32>(decay));
  setSlot(h, S_SIGMA, reinterpret<u32>(sig));
  setSlot(h, S_DROP, reinterpret<u32>(drop));
  setSlot(h, S_RNG, <u32>st);
  setSlot(h, S_COUNT, <u32>(st + 16));
  for (let l = 0; l <= L; l++) setSlot(h, S_SIZES + l, sizeAt(sizes, l));
  rngSeed(st, seed);
  const fbRng = sc;
  rngSeed(fbRng, seed ^ 0x5bd1e995);
  sc += 16;
  let p = st + 32;
  const base = S_SIZES + L + 1;
  for (let l = 0; l < L; l++) {
    const rows = sizeAt(sizes, l + 1), cols = sizeAt(sizes, l);
    const at = base + l * PER_LAYER;
    setSlot(h, at + W, <u32>p);
    rngFillUniform(st, p, rows * cols, -Mathf.sqrt(3.0 / <f32>cols), Mathf.sqrt(3.0 / <f32>cols));
    p += pad4(rows * cols);
    setSlot(h, at + B, <u32>p);
    p += pad4(rows);
    if (feedback && l < L - 1) {
      const fr = feedbackRows(sizes, l, L, mode);
      setSlot(h, at + FB, <u32>sc);
      rngFillUniform(fbRng, sc, fr * rows, -Mathf.sqrt(3.0 / <f32>fr), Mathf.sqrt(3.0 / <f32>fr));
      sc += pad4(fr * rows);
    }
  }
  for (let l = 0; l < L; l++) {
    for (let k = A; k <= NB; k++) {
      setSlot(h, base + l * PER_LAYER + k, <u32>sc);
      sc += pad4(sizeAt(sizes, l + 1));
    }
    unknownBounds(ptr(h, l, NB), sizeAt(sizes, l + 1));
  }
  return h;
}

/** η_t = η / (1 + κ t); t = samples seen. */
export function etaNow(h: usize): f32 {
  const t = load<f64>(<usize>slot(h, S_COUNT));
  return <f32>(<f64>reinterpret<f32>(slot(h, S_ETA)) / (1.0 + <f64>reinterpret<f32>(slot(h, S_DECAY)) * t));
}

/** The parameters W_0 b_0 W_1 b_1 … (f32, zero padding included): where they start in the state. */
export function mlpParams(h: usize): usize {
  return learnerState(h) + 32;
}

/** How many f32 the parameter region holds (the state after the PRNG and the counter). */
export function mlpParamFloats(h: usize): i32 {
  return <i32>((learnerStateBytes(h) - 32) >> 2);
}

/** Where the samples-seen counter t (f64) lives. */
export function mlpCounter(h: usize): usize {
  return <usize>slot(h, S_COUNT);
}

/** Counts one sample seen. */
export function countSample(h: usize): void {
  const c = <usize>slot(h, S_COUNT);
  store<f64>(c, load<f64>(c) + 1.0);
}

/**
 * Inverted dropout: ξ_l = m_l with m_li = 0 with probability p, else 1/(1 − p), for every
 * hidden layer in order, one uniform per unit from the persisted PRNG. Returns p > 0
 * (false: nothing drawn, the step is the plain rule's).
 */
export function dropoutMasks(h: usize): bool {
  const p = reinterpret<f32>(slot(h, S_DROP));
  if (p <= 0) return false;
  const keep: f32 = 1.0 / (1.0 - p);
  const rng = rngOf(h);
  for (let l = 0; l < layers(h) - 1; l++) {
    const m = ptr(h, l, XI);
    for (let i = 0; i < width(h, l + 1); i++) store<f32>(m + (<usize>i << 2), rngUniform(rng) < p ? 0 : keep);
  }
  return true;
}

/**
 * Runs the network on x. Clean pass (s = 0, perturbed = false): into a, h, after scaling
 * x (the caller's scratch copy) into ‖x‖ ≤ R; with `dropped`, each hidden h_l ⊙= ξ_l (the
 * dropout mask). Perturbed pass: into a′, h′, each hidden pre-activation shifted by s ξ_l.
 * Returns the cross-entropy of `label` (label < 0: none); the output layer's h (or h′) holds p.
 */
export function mlpForward(h: usize, x: usize, label: i32, perturbed: bool, s: f32, dropped: bool = false): f32 {
  const L = layers(h), act = activation(h);
  const ka = perturbed ? AP : A, kh = perturbed ? HP : H;
  if (!perturbed) capNorm(x, width(h, 0), MAX_INPUT_NORM);
  let input = x;
  for (let l = 0; l < L; l++) {
    const rows = width(h, l + 1), a = ptr(h, l, ka);
    if (perturbed && l == 0) memory.copy(a, ptr(h, 0, A), <usize>rows << 2); // same x: reuse W_0 x + b_0
    else denseForward(a, ptr(h, l, W), ptr(h, l, B), input, rows, width(h, l));
    if (l == L - 1) break;
    if (perturbed) axpy(a, s, ptr(h, l, XI), rows);
    activate(act, ptr(h, l, kh), a, rows);
    if (dropped) hadamard(ptr(h, l, kh), ptr(h, l, kh), ptr(h, l, XI), rows);
    input = ptr(h, l, kh);
  }
  const e: usize = perturbed ? 0 : ptr(h, L - 1, D);
  const loss = softmaxError(ptr(h, L - 1, kh), e, ptr(h, L - 1, ka), width(h, L), label < 0 ? 0 : label);
  return label < 0 ? 0 : loss;
}

/** Descends every layer along its δ (presynaptic activity from the clean pass), guarded. */
export function mlpDescend(h: usize, x: usize): void {
  const eta = etaNow(h);
  const L = layers(h);
  for (let l = 0; l < L; l++) {
    const input = l == 0 ? x : ptr(h, l - 1, H);
    denseDescend(ptr(h, l, W), ptr(h, l, B), ptr(h, l, D), input, width(h, l + 1), width(h, l), eta, ptr(h, l, TMP), ptr(h, l, NB));
  }
  countSample(h);
}

// ---------------------------------------------------------------- exports

/** New FA (mode 0) or DFA (mode 1) network; sizes: nSizes i32 at `sizes`; drop = dropout p ∈ [0, 1). */
export function faNew(sizes: usize, nSizes: i32, mode: i32, act: i32, eta: f32, decay: f32, drop: f32, seed: u32): usize {
  return mlpNew(KIND_FA, sizes, nSizes, act, mode, eta, decay, 0, drop, seed, true);
}

/**
 * One online step on sample x (n_0 floats) with class `label`; returns the loss before it.
 * With dropout the forward pass and every δ_l use this step's mask: δ_l ⊙= m_l.
 */
export function faLearn(h: usize, x: usize, label: i32): f32 {
  const dropped = dropoutMasks(h);
  const loss = mlpForward(h, x, label, false, 0, dropped);
  const L = layers(h), act = activation(h), dfa = slot(h, S_MODE) == MODE_DFA;
  for (let l = L - 2; l >= 0; l--) {
    const cols = width(h, l + 1), d = ptr(h, l, D), tmp = ptr(h, l, TMP);
    if (dfa) matvecT(d, ptr(h, l, FB), ptr(h, L - 1, D), width(h, L), cols);
    else matvecT(d, ptr(h, l, FB), ptr(h, l + 1, D), width(h, l + 2), cols);
    activateSlope(act, tmp, ptr(h, l, A), cols);
    hadamard(d, d, tmp, cols);
    if (dropped) hadamard(d, d, ptr(h, l, XI), cols);
  }
  mlpDescend(h, x);
  return loss;
}

/** n online steps in order: rows of xs (n × n_0), labels n i32; returns the mean loss. */
export function faLearnBatch(h: usize, xs: usize, labels: usize, n: i32): f32 {
  const stride = <usize>width(h, 0) << 2;
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += faLearn(h, xs + <usize>i * stride, load<i32>(labels + (<usize>i << 2)));
  return sum / <f32>n;
}

/** Class probabilities for x; returns a pointer to n_L floats (valid until the next call). */
export function faScores(h: usize, x: usize): usize {
  mlpForward(h, x, -1, false, 0);
  return ptr(h, layers(h) - 1, H);
}

/** The most probable class for x. */
export function faPredict(h: usize, x: usize): i32 {
  return argmax(faScores(h, x), width(h, layers(h)));
}

// re-exported for the rule kernel tests
export { hadamard as faHadamard, hadamardRef as faHadamardRef } from "../rules/feedbackAlignment";
