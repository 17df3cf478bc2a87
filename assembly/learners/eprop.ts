// A recurrent network of LIF / ALIF spiking neurons with a leaky readout, trained online by
// e-prop (equations and paper: ../rules/eprop.ts). One call per time step (epropStep) or per
// sequence (epropLearn, epropScores); nothing kept grows with the sequence length T.
//
//   state    [Counters 32 B][W][W^out][b][B][Adam m, v of W, W^out, b][r̄]
//            [live dynamics: v, a, s, ε̄, y, z̃][traces: row factors sE, sA, ε^a (ALIF rows), ē][gradients g, g^out, g^b]
//            [updates applied (u32, 16 B): only with a learning-rate decay, so older snapshots keep their size]
//   scratch  [Wᵀ][c][ψ][L][R][π][δ][Σπ][probe dynamics: v, a, s, ε̄, y, z̃][1, 0]
//
// W is (hidden, cols) row-major over the presynaptic vector s^t = [x^t; z^{t−1}; 0 pad], cols =
// inputs + hidden rounded up to 4, so W^in and W^rec are one matrix and one trace pass. The
// live dynamics and traces are persisted so that a snapshot taken mid-sequence continues
// bit-identically; learn() and predict() start from rest (predict on the probe copy, so it
// changes nothing).
//
// Numeric guard (around the rule, see ../rules/guard.ts): each input row's copy is scaled into
// ‖x‖ ≤ 1e9 and membrane potentials are clamped to ±1e15; traces are then bounded by
// ψ ≤ γ/v_th, |ρ − ψβ| ≤ 1 (β ≤ 3 v_th, checked by the options) and the decays, and Adam's step
// is bounded per parameter. None of it binds on ordinary data.

import { learnerNew, learnerState, learnerScratch, layoutOf } from "./common";
import { AVERAGE, OPTIMIZER, part } from "./mergeParts";
import { rngSeed, rngNormal } from "../kernels/prng";
import { expf } from "../kernels/math";
import { softmax } from "../kernels/normalize";
import { axpy, matvec, matvecT, scale } from "../kernels/linalg";
import { adamRows } from "../rules/optim";
import { argmax } from "../rules/dense";
import { eprop, presynapticTrace, sparseInput, spikingStep, readoutError } from "../rules/eprop";
import { MAX_INPUT_NORM, MAX_PREACTIVATION, capNorm } from "../rules/guard";

export const KIND_EPROP: u32 = 0x4550; // "EP"

const BETA1: f32 = 0.9,
  BETA2: f32 = 0.999,
  ADAM_EPS: f32 = 1e-8;
/** Decay of the running firing rate r̄ (a time constant of 500 steps). */
const RATE_DECAY: f32 = 0.998;

/** Persisted counters at the start of the state block. */
@unmanaged
class Counters {
  rng0: u32;
  rng1: u32;
  rng2: u32;
  rng3: u32; // PRNG state (16 B)
  b1t: f32; // β1ᵗ
  b2t: f32; // β2ᵗ
  bt: f32; // b̃, the readout-filtered constant (the bias's eligibility)
  t: u32; // time steps since the last reset
}

/** One copy of the network's dynamic state (live: persisted; probe: scratch). */
@unmanaged
class Dynamics {
  v: usize; // membrane potentials (hidden)
  a: usize; // threshold adaptations (hidden)
  s: usize; // presynaptic vector [x^t; z^{t−1}; pad] (cols)
  pre: usize; // presynaptic traces ε̄ (cols)
  y: usize; // readout (outputs)
  zt: usize; // readout-filtered spikes z̃ (hidden)
}

/** The learner's layout: configuration and the byte offset of every array. Not persisted. */
@unmanaged
class Layout {
  inputs: i32;
  hidden: i32;
  adaptiveFrom: i32;
  outputs: i32;
  cols: i32;
  window: i32;
  symmetric: i32;
  alpha: f32;
  rho: f32;
  kappa: f32;
  vth: f32;
  beta: f32;
  lr: f32;
  decay: f32; // learning-rate decay κ: η_u = η / (1 + κ u), u = updates applied before this one
  rateTarget: f32;
  reg: f32;
  counters: usize;
  w: usize;
  wOut: usize;
  b: usize;
  fb: usize;
  mW: usize;
  vW: usize;
  mOut: usize;
  vOut: usize;
  mB: usize;
  vB: usize;
  rate: usize;
  live: usize;
  probe: usize; // Dynamics
  sE: usize;
  sA: usize;
  epsA: usize;
  ebar: usize;
  g: usize;
  gOut: usize;
  gB: usize;
  updates: usize; // u32 count of updates applied (carved only when decay > 0)
  wt: usize;
  wtStale: i32; // Wᵀ (cols, hidden rounded to 4) for the sparse forward pass; rebuilt after W changes
  c: usize;
  psi: usize;
  learn: usize;
  regSig: usize;
  pi: usize;
  delta: usize;
  acc: usize;
  one: usize;
  zero: usize;
  stateBytes: u32;
  scratchBytes: u32;
}

const LAYOUT_BYTES: usize = offsetof<Layout>() + 2 * offsetof<Dynamics>();

// @ts-ignore: decorator
@inline
function bytes(n: i32): usize {
  return (<usize>((n + 3) & ~3)) << 2;
}
// @ts-ignore: decorator
@inline
function lay(h: usize): Layout {
  return changetype<Layout>(layoutOf(h));
}
// @ts-ignore: decorator
@inline
function dyn(p: usize): Dynamics {
  return changetype<Dynamics>(p);
}

/** Places a Dynamics' arrays from `at`; returns the end. */
function carveDynamics(d: Dynamics, at: usize, n: i32, cols: i32, k: i32): usize {
  d.v = at;
  at += bytes(n);
  d.a = at;
  at += bytes(n);
  d.s = at;
  at += bytes(cols);
  d.pre = at;
  at += bytes(cols);
  d.y = at;
  at += bytes(k);
  d.zt = at;
  at += bytes(n);
  return at;
}

/**
 * Carves the block of a learner: every offset of the layout from the sizes, state from st and
 * scratch from sc. With st = sc = 0 it measures (stateBytes, scratchBytes).
 */
function carve(L: Layout, st: usize, sc: usize): void {
  const n = L.hidden,
    k = L.outputs,
    cols = L.cols,
    nA = n - L.adaptiveFrom;
  const nw = n * cols;
  let at = st;
  L.counters = at;
  at += offsetof<Counters>();
  L.w = at;
  at += bytes(nw);
  L.wOut = at;
  at += bytes(k * n);
  L.b = at;
  at += bytes(k);
  L.fb = at;
  at += bytes(n * k);
  L.mW = at;
  at += bytes(nw);
  L.vW = at;
  at += bytes(nw);
  L.mOut = at;
  at += bytes(k * n);
  L.vOut = at;
  at += bytes(k * n);
  L.mB = at;
  at += bytes(k);
  L.vB = at;
  at += bytes(k);
  L.rate = at;
  at += bytes(n);
  at = carveDynamics(dyn(L.live), at, n, cols, k);
  L.sE = at;
  at += bytes(n);
  L.sA = at;
  at += bytes(n);
  L.epsA = at;
  at += bytes(nA * cols);
  L.ebar = at;
  at += bytes(nw);
  L.g = at;
  at += bytes(nw);
  L.gOut = at;
  at += bytes(k * n);
  L.gB = at;
  at += bytes(k);
  L.updates = at;
  if (L.decay > 0) at += 16;
  L.stateBytes = <u32>(at - st);
  at = sc;
  L.wt = at;
  at += <usize>cols * bytes(n);
  L.c = at;
  at += bytes(n);
  L.psi = at;
  at += bytes(n);
  L.learn = at;
  at += bytes(n);
  L.regSig = at;
  at += bytes(n);
  L.pi = at;
  at += bytes(k);
  L.delta = at;
  at += bytes(k);
  L.acc = at;
  at += bytes(k);
  at = carveDynamics(dyn(L.probe), at, n, cols, k);
  L.one = at;
  at += 16;
  L.zero = at;
  at += 16;
  L.scratchBytes = <u32>(at - sc);
}

/**
 * A new network: `hidden` neurons of which the last `adaptive` are ALIF, `outputs` leaky
 * readouts; time constants in steps. W^in ~ N(0, 1/inputs), W^rec ~ N(0, 1/hidden) with a zero
 * diagonal, W^out and B ~ N(0, 1/hidden), b = 0.
 */
export function epropNew(
  inputs: i32,
  hidden: i32,
  adaptive: i32,
  outputs: i32,
  symmetric: i32,
  tauM: f32,
  tauA: f32,
  tauOut: f32,
  vth: f32,
  beta: f32,
  lr: f32,
  decay: f32,
  rateTarget: f32,
  reg: f32,
  window: i32,
  seed: u32,
): usize {
  const tmp = heap.alloc(LAYOUT_BYTES); // a layout carved at 0 to measure the block
  const T = changetype<Layout>(tmp);
  T.inputs = inputs;
  T.hidden = hidden;
  T.outputs = outputs;
  T.adaptiveFrom = hidden - adaptive;
  T.cols = (inputs + hidden + 3) & ~3;
  T.decay = decay;
  T.live = tmp + offsetof<Layout>();
  T.probe = T.live + offsetof<Dynamics>();
  carve(T, 0, 0);
  const stateBytes = T.stateBytes,
    scratchBytes = T.scratchBytes;
  heap.free(tmp);

  const h = learnerNew(KIND_EPROP, <u32>LAYOUT_BYTES, stateBytes, scratchBytes);
  const L = lay(h);
  L.inputs = inputs;
  L.hidden = hidden;
  L.outputs = outputs;
  L.adaptiveFrom = hidden - adaptive;
  L.cols = (inputs + hidden + 3) & ~3;
  L.window = window;
  L.symmetric = symmetric;
  L.alpha = expf(-1 / tauM);
  L.rho = expf(-1 / tauA);
  L.kappa = expf(-1 / tauOut);
  L.vth = vth;
  L.beta = beta;
  L.lr = lr;
  L.decay = decay;
  L.rateTarget = rateTarget;
  L.reg = reg;
  L.live = layoutOf(h) + offsetof<Layout>();
  L.probe = L.live + offsetof<Dynamics>();
  carve(L, learnerState(h), learnerScratch(h));
  L.wtStale = 1; // and a restore overwrites W right after construction, before any step
  store<f32>(L.one, 1);

  const C = changetype<Counters>(L.counters);
  rngSeed(L.counters, seed);
  C.b1t = 1;
  C.b2t = 1;
  const rs = L.counters,
    cols = <usize>L.cols;
  const sIn: f32 = 1 / Mathf.sqrt(<f32>inputs),
    sRec: f32 = 1 / Mathf.sqrt(<f32>hidden);
  for (let j = 0; j < hidden; j++) {
    const row = L.w + <usize>j * (cols << 2);
    for (let i = 0; i < inputs; i++) store<f32>(row + ((<usize>i) << 2), rngNormal(rs) * sIn);
    for (let i = 0; i < hidden; i++) if (i != j) store<f32>(row + ((<usize>(inputs + i)) << 2), rngNormal(rs) * sRec);
  }
  for (let i = 0; i < outputs * hidden; i++) store<f32>(L.wOut + ((<usize>i) << 2), rngNormal(rs) * sRec);
  if (!symmetric) for (let i = 0; i < outputs * hidden; i++) store<f32>(L.fb + ((<usize>i) << 2), rngNormal(rs) * sRec);
  resetLive(L);
  return h;
}

/** Back to rest: potentials, adaptations, spikes, traces and the unapplied gradient are zeroed. */
function resetLive(L: Layout): void {
  const d = dyn(L.live);
  memory.fill(d.v, 0, L.gB + bytes(L.outputs) - d.v); // live dynamics, trace factors, ε^a, ē, g, g^out, g^b: contiguous from v
  for (let j = 0; j < L.hidden; j++) {
    store<f32>(L.sE + ((<usize>j) << 2), 1);
    store<f32>(L.sA + ((<usize>j) << 2), 1);
  }
  const C = changetype<Counters>(L.counters);
  C.bt = 0;
  C.t = 0;
}

function resetProbe(L: Layout): void {
  const d = dyn(L.probe);
  memory.fill(d.v, 0, d.zt + bytes(L.hidden) - d.v);
}

/**
 * One time step on dynamics d with input row x (`inputs` floats, copied). With `learning`,
 * the traces and the gradient advance (label ≥ 0 adds the learning signal of that target).
 */
function advance(L: Layout, d: Dynamics, x: usize, learning: bool, label: i32): void {
  const n = L.hidden,
    k = L.outputs,
    cols = L.cols,
    nin = L.inputs;
  memory.copy(d.s, x, (<usize>nin) << 2);
  capNorm(d.s, nin, MAX_INPUT_NORM);
  presynapticTrace(d.pre, d.s, cols, L.alpha); // ε̄^t = α ε̄^{t−1} + s^t
  if (L.wtStale) transposeWeights(L);
  sparseInput(L.c, L.wt, d.s, nin + n, (n + 3) & ~3);
  const z = d.s + ((<usize>nin) << 2); // z^{t−1} in, z^t out
  spikingStep(d.v, d.a, z, L.psi, L.c, n, L.adaptiveFrom, L.alpha, L.rho, L.vth, L.beta, MAX_PREACTIVATION);
  // y^t = κ y^{t−1} + W^out z^t + b
  matvec(L.pi, L.wOut, z, k, n);
  scale(d.y, L.kappa, k);
  axpy(d.y, 1, L.pi, k);
  axpy(d.y, 1, L.b, k);
  if (!learning) return;
  const C = changetype<Counters>(L.counters);
  scale(d.zt, L.kappa, n);
  axpy(d.zt, 1, z, n);
  C.bt = L.kappa * C.bt + 1;
  C.t++;
  // R_j = c_reg (r̄_j − r*), r̄ ← λ r̄ + (1 − λ) z
  for (let j = 0; j < n; j++) {
    const o = (<usize>j) << 2;
    const r = RATE_DECAY * load<f32>(L.rate + o) + (1 - RATE_DECAY) * load<f32>(z + o);
    store<f32>(L.rate + o, r);
    store<f32>(L.regSig + o, L.reg * (r - L.rateTarget));
  }
  if (label >= 0) {
    softmax(L.pi, d.y, k);
    readoutError(L.delta, L.pi, L.gOut, L.gB, d.zt, C.bt, label, k, n);
    if (L.symmetric) matvecT(L.learn, L.wOut, L.delta, k, n);
    else matvec(L.learn, L.fb, L.delta, n, k);
  } else {
    memory.fill(L.learn, 0, (<usize>n) << 2);
  }
  eprop(
    L.ebar,
    L.epsA,
    L.g,
    d.pre,
    L.psi,
    L.learn,
    L.regSig,
    L.sE,
    L.sA,
    n,
    L.adaptiveFrom,
    cols,
    L.beta,
    L.rho,
    L.kappa,
  );
}

/** Wᵀ from W (after construction, a restore, or an update), in 16 × 16 tiles so reads and writes stay in cache. */
function transposeWeights(L: Layout): void {
  const n = L.hidden,
    rows = L.inputs + n,
    cols = <usize>L.cols,
    n4 = <usize>((n + 3) & ~3);
  for (let j0 = 0; j0 < n; j0 += 16) {
    const j1 = min<i32>(j0 + 16, n);
    for (let i0 = 0; i0 < rows; i0 += 16) {
      const i1 = min<i32>(i0 + 16, rows);
      for (let j = j0; j < j1; j++) {
        const src = L.w + <usize>j * (cols << 2),
          dst = L.wt + ((<usize>j) << 2);
        for (let i = i0; i < i1; i++) store<f32>(dst + <usize>i * (n4 << 2), load<f32>(src + ((<usize>i) << 2)));
      }
    }
  }
  L.wtStale = 0;
}

/** Applies the accumulated gradient with Adam and zeroes it; W^rec's diagonal stays 0. */
function applyUpdate(L: Layout): void {
  const C = changetype<Counters>(L.counters);
  C.b1t *= BETA1;
  C.b2t *= BETA2;
  let eta = L.lr;
  if (L.decay > 0) {
    const u = load<u32>(L.updates);
    eta = L.lr / (<f32>1 + L.decay * <f32>u);
    store<u32>(L.updates, u + 1);
  }
  const lr = (eta * Mathf.sqrt(1 - C.b2t)) / (1 - C.b1t),
    eps = ADAM_EPS * Mathf.sqrt(1 - C.b2t);
  const n = L.hidden,
    k = L.outputs,
    nw = n * L.cols;
  adamRows(L.w, L.mW, L.vW, L.one, L.g, L.zero, L.g, 1, nw, lr, BETA1, BETA2, eps);
  adamRows(L.wOut, L.mOut, L.vOut, L.one, L.gOut, L.zero, L.gOut, 1, k * n, lr, BETA1, BETA2, eps);
  adamRows(L.b, L.mB, L.vB, L.one, L.gB, L.zero, L.gB, 1, k, lr, BETA1, BETA2, eps);
  for (let j = 0; j < n; j++) store<f32>(L.w + ((<usize>j * <usize>L.cols + <usize>(L.inputs + j)) << 2), 0);
  memory.fill(L.g, 0, L.gB + bytes(k) - L.g);
  L.wtStale = 1;
}

/** Runs a whole sequence (T rows of `inputs`) from rest, accumulating the gradient; the target is given over the last `window` steps. */
export function epropAccumulate(h: usize, seq: usize, T: i32, label: i32): void {
  const L = lay(h);
  resetLive(L);
  const from = T - L.window,
    stride = (<usize>L.inputs) << 2;
  for (let t = 0; t < T; t++) advance(L, dyn(L.live), seq + <usize>t * stride, true, t >= from ? label : -1);
}

/** Applies the gradient accumulated so far (Adam), then zeroes it. */
export function epropApply(h: usize): void {
  applyUpdate(lay(h));
}

/** One learning step on a whole sequence: accumulate from rest, then apply. */
export function epropLearn(h: usize, seq: usize, T: i32, label: i32): void {
  epropAccumulate(h, seq, T, label);
  applyUpdate(lay(h));
}

/** Class probabilities: the mean of softmax(y^t) over the last `window` steps, from rest on the probe copy. */
export function epropScores(h: usize, seq: usize, T: i32): usize {
  const L = lay(h),
    d = dyn(L.probe),
    k = L.outputs;
  resetProbe(L);
  memory.fill(L.acc, 0, bytes(k));
  const from = T - L.window,
    stride = (<usize>L.inputs) << 2;
  for (let t = 0; t < T; t++) {
    advance(L, d, seq + <usize>t * stride, false, -1);
    if (t >= from) {
      softmax(L.pi, d.y, k);
      axpy(L.acc, 1, L.pi, k);
    }
  }
  scale(L.acc, 1 / <f32>min<i32>(T, L.window), k);
  return L.acc;
}

/** argmax of epropScores. */
export function epropPredict(h: usize, seq: usize, T: i32): i32 {
  return argmax(epropScores(h, seq, T), lay(h).outputs);
}

/** One streaming step on the live state; label ≥ 0 applies the update at once. Returns the readout y^t. */
export function epropStep(h: usize, x: usize, label: i32): usize {
  const L = lay(h);
  advance(L, dyn(L.live), x, true, label);
  if (label >= 0) applyUpdate(L);
  return dyn(L.live).y;
}

/** Starts a new sequence on the live state. */
export function epropReset(h: usize): void {
  resetLive(lay(h));
}

/** Spikes of the last step (the live state), hidden floats. */
export function epropSpikes(h: usize): usize {
  const L = lay(h);
  return dyn(L.live).s + ((<usize>L.inputs) << 2);
}
/** Membrane potentials of the live state. */
export function epropVoltage(h: usize): usize {
  return dyn(lay(h).live).v;
}
/** Threshold adaptations a of the live state. */
export function epropAdaptation(h: usize): usize {
  return dyn(lay(h).live).a;
}
/** Presynaptic traces ε̄ of the live state (cols). */
export function epropPresynaptic(h: usize): usize {
  return dyn(lay(h).live).pre;
}
/** Pseudo-derivatives ψ of the last step. */
export function epropPsi(h: usize): usize {
  return lay(h).psi;
}
/** W (hidden, cols): [W^in | W^rec | pad] per row. */
export function epropWeights(h: usize): usize {
  return lay(h).w;
}
/** W^out (outputs, hidden). */
export function epropReadout(h: usize): usize {
  return lay(h).wOut;
}
/** b (outputs). */
export function epropBias(h: usize): usize {
  return lay(h).b;
}
/** B (hidden, outputs), the random feedback (zeros with symmetric feedback). */
export function epropFeedback(h: usize): usize {
  return lay(h).fb;
}
/** The row stride of W in floats. */
export function epropCols(h: usize): i32 {
  return lay(h).cols;
}
/** Filtered eligibility traces ē (hidden, cols). */
export function epropTraces(h: usize): usize {
  return lay(h).ebar;
}
/** Per-row lazy decay factors [sE (hidden, padded to 4) | sA (hidden)]: true ē_j = sE_j ebar_j, ε^a_j = sA_j epsA_j. */
export function epropTraceScales(h: usize): usize {
  return lay(h).sE;
}
/** ALIF adaptation components ε^a (adaptive rows, cols). */
export function epropTracesA(h: usize): usize {
  return lay(h).epsA;
}
/** Accumulated gradients g (hidden, cols), g^out (outputs, hidden), g^b (outputs). */
export function epropGrad(h: usize): usize {
  return lay(h).g;
}
export function epropGradOut(h: usize): usize {
  return lay(h).gOut;
}
export function epropGradBias(h: usize): usize {
  return lay(h).gB;
}
/** Running firing rates r̄ (hidden). */
export function epropRates(h: usize): usize {
  return lay(h).rate;
}

// ---------------------------------------------------------------- merge accessors (engram.merge, ./mergeParts.ts)

/**
 * How a network merges: W (input and recurrent), W^out, b, Adam's moments m, v of all three,
 * the bias corrections β1ᵗ, β2ᵗ and the running firing rates r̄ are averaged (FedAvg; moments
 * m_j ≈ (1 − β1^{t_j}) E[g], so Σ α_j m_j is debiased by 1 − Σ α_j β1^{t_j}: the bias
 * corrections average with the same weights). The feedback B is the config's (the same in
 * every member). The live dynamics, traces and an unapplied gradient are not carried over:
 * (By default, `optimizer: "reset"`, the moments are not listed parts: they restart at 0 and
 * β1ᵗ = β2ᵗ = 1; `optimizer: "average"` averages them as described.)
 * The merged network starts at rest, as after reset() (a sequence one member was streaming
 * through step() is that member's; finish it before merging). The network keeps no count of
 * its sequences, so the default weights are equal.
 */
export function epropMergeParts(h: usize, parts: usize): i32 {
  const L = lay(h),
    s = learnerState(h);
  let i = part(parts, 0, L.w - s, <i32>((L.fb - L.w) >>> 2), AVERAGE); // W, W^out, b
  i = part(parts, i, L.mW - s, <i32>((L.rate - L.mW) >>> 2), AVERAGE | OPTIMIZER); // m, v
  i = part(parts, i, L.rate - s, L.hidden, AVERAGE); // r̄
  return part(parts, i, L.counters + offsetof<Counters>("b1t") - s, 2, AVERAGE | OPTIMIZER);
}

/** No count of sequences is kept: −1 (the merge then weighs the members equally). */
export function epropMergeSamples(h: usize): f64 {
  return -1;
}
