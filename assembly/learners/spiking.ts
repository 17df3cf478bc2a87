// Unsupervised digit learning with spiking neurons and STDP (Diehl & Cook 2015; the model, the
// rules and their symbols: ../rules/stdp.ts). One presentation of a sample x:
//
//   1. rest: v = v_rest; g_e, g_i, traces, refractory clocks, spike counts = 0 (the paper rests
//      150 ms "to allow all variables to decay to their resting values"; we set them there)
//   2. rate coding: input i fires with probability p_i = clamp(x_i r dt, 0, 1) per step
//      (Poisson: geometric gaps drawn from the learner's PRNG; regular: every 1/p_i steps);
//      a calendar queue of T buckets holds each input's next spike, so work follows spikes
//   3. T = presentation / dt steps of: input spikes (g_e += w_i, pre-synaptic STDP; until the
//      first excitatory spike x_post1 = 0 and the depression is a no-op, so only g_e += w_i), one SIMD
//      Euler step of all neurons, then per excitatory spike: reset, θ += θ₊, post-synaptic
//      STDP, traces, lateral inhibition g_i,k += w_inh for every k ≠ j (the inhibitory
//      population of the paper collapsed into its effect: each excitatory spike drives its
//      inhibitory partner, which inhibits every other excitatory neuron)
//   4. fewer than `minSpikes` spikes: present again with the rate raised by r/2 (the paper's
//      +32 Hz), at most `maxRetries` times
//   5. learning only: columns renormalised to W_total; θ decays by exp(−(T dt + rest)/τ_θ)
//
// Labels never touch synapses: learn(x, c) adds each neuron's spike counts to votes[j][c] and
// 1 to seen[c] (f64 sums, exact, so learners can merge). Mean responses r_jc = votes[j][c] / seen[c].
//   vote "class" (the paper's): a neuron's class is argmax_c r_jc; a sample's class scores are
//     the mean spike counts of each class's neurons;
//   vote "weighted": every neuron votes for every class in proportion to its normalised mean
//     response, score_c = Σ_j n_j r_jc / Σ_c' r_jc' (n_j its spike count; j ascending);
// both normalised to sum 1.
//
// Evaluation (spikes, scores, predict) reseeds a scratch PRNG from the seed and changes nothing.
//
//   state   [PRNG 16 B][samples u32, presentations u32, 8 zero bytes][W N×K̂ f32][θ K̂ f32]
//           [votes K̂×C f64][seen C f64]            (K̂ = neurons rounded up to 4, padding inert)
//   scratch per neuron (K̂ f32): v g_e g_i x_post1 x_post2 refractory count spiked(i32) colSum;
//           per input (N): x_pre, p (spike probability), log(1 − p) or period, next (f32 time),
//           link (i32); head (T i32); scores, members (C f32 each); the evaluation PRNG (16 B)

import { learnerNew, learnerState, learnerScratch, layoutOf } from "./common";
import { AVERAGE, SUM_F64, SUM_U32, part } from "./mergeParts";
import { rngSeed, rngUniform, rngFillUniform } from "../kernels/prng";
import { axpy, scale } from "../kernels/linalg";
import { expf, logf } from "../kernels/math";
import { LifParams, lifStep, stdpNearestPre, stdpNearestPost, stdpPowerLawPost, normalizeColumns } from "../rules/stdp";

const KIND: u32 = 0x5350; // "SP"
const RULE_NEAREST = 0;
const VOTE_CLASS = 0;
const CODING_POISSON = 0;
const MODE_LEARN = 1,
  MODE_EVAL = 2;

// the paper's neuron constants (ms, mV)
const V_REST: f32 = -65,
  V_RESET: f32 = -65,
  V_THRESH: f32 = -52,
  E_EXC: f32 = 0,
  E_INH: f32 = -100;
const TAU_M: f32 = 100,
  TAU_E: f32 = 1,
  TAU_I: f32 = 2,
  T_REF: f32 = 5;
const TAU_PRE: f32 = 20,
  TAU_POST1: f32 = 20,
  TAU_POST2: f32 = 40;
const W_INIT: f32 = 0.3;

/** The learner's layout: neuron constants first (lifStep reads them as LifParams), then the rest. */
@unmanaged
class Spiking extends LifParams {
  inputs: i32;
  neurons: i32; // K̂, a multiple of 4
  classes: i32;
  steps: i32; // T
  rule: i32;
  coding: i32;
  minSpikes: i32;
  maxRetries: i32;
  seed: u32;
  rate: f32; // spike probability per step for x = 1: r dt
  etaPre: f32;
  etaPost: f32;
  wMax: f32;
  wTotal: f32;
  xTar: f32;
  mu: f32;
  thetaPlus: f32;
  thetaDecay: f32; // per presentation
  wInh: f32;
  vReset: f32;
  refractory: f32; // steps
  decayPre: f32;
  vote: i32;
  // state
  rng: usize;
  counters: usize;
  w: usize;
  theta: usize;
  votes: usize;
  seen: usize;
  // scratch
  v: usize;
  ge: usize;
  gi: usize;
  x1: usize;
  x2: usize;
  refr: usize;
  count: usize;
  spiked: usize;
  colSum: usize;
  xPre: usize;
  prob: usize;
  gap: usize;
  next: usize;
  link: usize;
  head: usize;
  scores: usize;
  members: usize;
  evalRng: usize;
}

// @ts-ignore: decorator
@inline
function pad16(bytes: usize): usize {
  return (bytes + 15) & ~(<usize>15);
}
// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}
// @ts-ignore: decorator
@inline
function L(h: usize): Spiking {
  return changetype<Spiking>(layoutOf(h));
}

/**
 * A network of `neurons` excitatory neurons on `inputs` rate-coded inputs, votes over `classes`.
 * Times in ms, rates in Hz (maxRate: the rate of an input equal to 1; tauTheta: θ's decay time constant). rule 0: nearest-spike
 * triplet STDP, 1: the paper's power-law rule; coding 0: Poisson, 1: regular; vote 0: class, 1: weighted.
 */
export function spNew(
  inputs: i32,
  neurons: i32,
  classes: i32,
  seed: u32,
  rule: i32,
  coding: i32,
  dt: f32,
  presentation: f32,
  rest: f32,
  maxRate: f32,
  minSpikes: i32,
  maxRetries: i32,
  etaPre: f32,
  etaPost: f32,
  wMax: f32,
  wTotal: f32,
  xTar: f32,
  mu: f32,
  thetaPlus: f32,
  wInh: f32,
  tauTheta: f32,
  vote: i32,
): usize {
  const N = <usize>inputs,
    K = <usize>((neurons + 3) & ~3),
    C = <usize>classes;
  const T = <i32>Mathf.ceil(presentation / dt - <f32>1e-3);
  const sBytes: usize = <usize>32 + pad16(N * K * 4) + pad16(K * 4) + pad16(K * C * 8) + pad16(C * 8);
  const cBytes: usize =
    <usize>9 * pad16(K * 4) + <usize>5 * pad16(N * 4) + pad16(<usize>T * 4) + <usize>2 * pad16(C * 4) + <usize>16;
  const h = learnerNew(KIND, <u32>offsetof<Spiking>(), <u32>sBytes, <u32>cBytes);
  const l = L(h);
  l.k = dt / TAU_M;
  l.vRest = V_REST;
  l.eExc = E_EXC;
  l.eInh = E_INH;
  l.vThresh = V_THRESH;
  l.decayE = expf(-dt / TAU_E);
  l.decayI = expf(-dt / TAU_I);
  l.decayPost1 = expf(-dt / TAU_POST1);
  l.decayPost2 = expf(-dt / TAU_POST2);
  l.inputs = inputs;
  l.neurons = <i32>K;
  l.classes = classes;
  l.steps = T;
  l.rule = rule;
  l.coding = coding;
  l.minSpikes = minSpikes;
  l.maxRetries = maxRetries;
  l.seed = seed;
  l.rate = (maxRate * dt) / 1000;
  l.etaPre = etaPre;
  l.etaPost = etaPost;
  l.wMax = wMax;
  l.wTotal = wTotal;
  l.xTar = xTar;
  l.mu = mu;
  l.thetaPlus = thetaPlus;
  l.thetaDecay = expf(-(<f32>T * dt + rest) / tauTheta);
  l.wInh = wInh;
  l.vReset = V_RESET;
  l.refractory = Mathf.round(T_REF / dt);
  l.decayPre = expf(-dt / TAU_PRE);
  l.vote = vote;
  let s = learnerState(h);
  l.rng = s;
  l.counters = s + 16;
  s += 32;
  l.w = s;
  s += pad16(N * K * 4);
  l.theta = s;
  s += pad16(K * 4);
  l.votes = s;
  s += pad16(K * C * 8);
  l.seen = s;
  let c = learnerScratch(h);
  const kb = pad16(K * 4),
    nb = pad16(N * 4);
  l.v = c;
  l.ge = c + kb;
  l.gi = c + 2 * kb;
  l.x1 = c + 3 * kb;
  l.x2 = c + 4 * kb;
  l.refr = c + 5 * kb;
  l.count = c + 6 * kb;
  l.spiked = c + 7 * kb;
  l.colSum = c + 8 * kb;
  c += 9 * kb;
  l.xPre = c;
  l.prob = c + nb;
  l.gap = c + 2 * nb;
  l.next = c + 3 * nb;
  l.link = c + 4 * nb;
  c += 5 * nb;
  l.head = c;
  c += pad16(<usize>T * 4);
  l.scores = c;
  c += pad16(C * 4);
  l.members = c;
  c += pad16(C * 4);
  l.evalRng = c;
  rngSeed(l.rng, seed);
  // uniform in [0, 0.3) as the reference, padding columns 0 (inert: they never receive current)
  for (let i = 0; i < inputs; i++) {
    const row = l.w + <usize>i * K * 4;
    rngFillUniform(l.rng, row, neurons, 0, W_INIT);
  }
  normalizeColumns(l.w, l.colSum, inputs, <i32>K, wTotal);
  return h;
}

// The step of input i's next spike after step s (≥ s + 1), or ≥ T when there is none in this presentation.
function nextSpike(l: Spiking, rng: usize, i: i32, s: i32): i32 {
  const T = l.steps;
  if (l.coding == CODING_POISSON) {
    // Bernoulli(p) per step ⇔ geometric gaps: G = 1 + ⌊log u / log(1 − p)⌋, u ∈ (0, 1]
    const lq = load<f32>(at(l.gap, i));
    const u: f32 = 1 - rngUniform(rng);
    const g = logf(u) / lq;
    if (!(g < <f32>(T - s))) return T; // also lq = 0 (p below 2⁻²⁵: no spike in any realistic time)
    return s + 1 + <i32>g;
  }
  const t = load<f32>(at(l.next, i)) + load<f32>(at(l.gap, i));
  store<f32>(at(l.next, i), t);
  if (!(t < <f32>T)) return T;
  return max(s + 1, <i32>t);
}

// @ts-ignore: decorator
@inline
function push(l: Spiking, i: i32, s: i32): void {
  if (s < l.steps) {
    store<i32>(at(l.link, i), load<i32>(at(l.head, s)));
    store<i32>(at(l.head, s), i);
  }
}

/** Lateral inhibition from neuron j's spike: g_i,k += w_inh for every k ≠ j (order-free: one add each). */
function inhibit(l: Spiking, j: i32): void {
  const K = l.neurons,
    gi = l.gi,
    w = l.wInh;
  const own = load<f32>(at(gi, j));
  for (let k = 0; k < K; k++) store<f32>(at(gi, k), load<f32>(at(gi, k)) + w);
  store<f32>(at(gi, j), own);
}

/** One presentation of x at rate factor `intensity`; returns the total number of excitatory spikes. */
function present(l: Spiking, x: usize, rng: usize, learn: bool, intensity: f32): i32 {
  const N = l.inputs,
    K = l.neurons,
    T = l.steps;
  const kb = (<usize>K) << 2,
    row = kb;
  memory.fill(l.ge, 0, 8 * pad16(kb)); // g_e g_i x1 x2 refr count spiked colSum (v follows)
  for (let j = 0; j < K; j++) store<f32>(at(l.v, j), l.vRest);
  memory.fill(l.xPre, 0, (<usize>N) << 2);
  memory.fill(l.head, 0xff, (<usize>T) << 2); // −1: empty bucket
  const p0 = l.rate * intensity;
  // 2. rate coding: each input's first spike into the calendar (guard: p ∈ [0, 1] whatever x is)
  for (let i = 0; i < N; i++) {
    const p = Mathf.min(Mathf.max(load<f32>(at(x, i)) * p0, 0), 1);
    if (!(p > 0)) continue;
    if (l.coding == CODING_POISSON) store<f32>(at(l.gap, i), logf(1 - p));
    else {
      store<f32>(at(l.gap, i), 1 / p);
      store<f32>(at(l.next, i), <f32>0.5 / p - 1 / p); // nextSpike adds one period: first spike at 0.5/p
    }
    push(l, i, nextSpike(l, rng, i, -1));
  }
  const nearest = l.rule == RULE_NEAREST;
  const etaPre: f32 = learn && nearest ? l.etaPre : 0;
  const lif = changetype<LifParams>(changetype<usize>(l));
  let total = 0;
  let depress = false; // x_post1 = 0 until the first excitatory spike: depression is a no-op before it
  for (let s = 0; s < T; s++) {
    // 3a. input spikes of step s: transmission, pre-synaptic STDP, pre traces, next spike
    let i = load<i32>(at(l.head, s));
    while (i >= 0) {
      const after = load<i32>(at(l.link, i));
      if (depress) stdpNearestPre(l.w + <usize>i * row, l.ge, l.x1, K, etaPre);
      else axpy(l.ge, 1, l.w + <usize>i * row, K); // g_e += w_i, the same bits as the rule's transmission
      if (learn) {
        const xp = at(l.xPre, i);
        store<f32>(xp, nearest ? 1 : load<f32>(xp) + 1);
      }
      push(l, i, nextSpike(l, rng, i, s));
      i = after;
    }
    // 3b. all neurons, one Euler step
    const n = lifStep(lif, l.v, l.ge, l.gi, l.theta, l.refr, l.x1, l.x2, K, l.spiked);
    // 3c. excitatory spikes (ascending index)
    for (let q = 0; q < n; q++) {
      const j = load<i32>(at(l.spiked, q));
      store<f32>(at(l.v, j), l.vReset);
      store<f32>(at(l.refr, j), l.refractory);
      store<f32>(at(l.count, j), load<f32>(at(l.count, j)) + 1);
      if (learn) {
        store<f32>(at(l.theta, j), load<f32>(at(l.theta, j)) + l.thetaPlus);
        if (nearest) stdpNearestPost(l.w, l.xPre, N, K, j, l.etaPost * load<f32>(at(l.x2, j)), l.wMax);
        else stdpPowerLawPost(l.w, l.xPre, N, K, j, l.etaPost, l.xTar, l.wMax, l.mu);
      }
      store<f32>(at(l.x1, j), 1);
      store<f32>(at(l.x2, j), 1);
      inhibit(l, j);
    }
    total += n;
    if (n > 0 && etaPre > 0) depress = true;
    // 3d. pre traces decay (dense: every input, SIMD; only plasticity reads them)
    if (learn) scale(l.xPre, l.decayPre, N);
  }
  return total;
}

/** Presents x (retrying weak responses); mode MODE_LEARN: plasticity, MODE_EVAL: scratch PRNG. Returns the last presentation's spikes. */
function run(h: usize, x: usize, mode: i32): i32 {
  const l = L(h);
  const learn = (mode & MODE_LEARN) != 0;
  let rng = l.rng;
  if ((mode & MODE_EVAL) != 0) {
    rng = l.evalRng;
    rngSeed(rng, l.seed ^ 0x5eed5eed);
  }
  let intensity: f32 = 1;
  let total = 0;
  for (let attempt = 0; ; attempt++) {
    total = present(l, x, rng, learn, intensity);
    if (learn) {
      normalizeColumns(l.w, l.colSum, l.inputs, l.neurons, l.wTotal);
      scale(l.theta, l.thetaDecay, l.neurons);
      store<u32>(l.counters, load<u32>(l.counters, 4) + 1, 4);
    }
    if (total >= l.minSpikes || attempt >= l.maxRetries) break;
    intensity += 0.5;
  }
  return total;
}

/**
 * Presents x (the caller's scratch copy, `inputs` f32) with plasticity; label ≥ 0 adds the
 * spike counts to that class's votes. Returns the spikes of the last presentation.
 */
export function spLearn(h: usize, x: usize, label: i32): i32 {
  const l = L(h);
  const total = run(h, x, MODE_LEARN);
  if (label >= 0) {
    const C = l.classes;
    for (let j = 0; j < l.neurons; j++) {
      const p = l.votes + ((<usize>j * <usize>C + <usize>label) << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(at(l.count, j)));
    }
    const s = l.seen + ((<usize>label) << 3);
    store<f64>(s, load<f64>(s) + 1);
  }
  store<u32>(l.counters, load<u32>(l.counters) + 1);
  return total;
}

/** Spike counts per neuron (K̂ f32 at the returned offset) for x, without plasticity or state change. */
export function spSpikes(h: usize, x: usize): usize {
  run(h, x, MODE_EVAL);
  return L(h).count;
}

/** Class scores for x (C f32 at the returned offset, summing to 1); see the header. */
export function spScores(h: usize, x: usize): usize {
  const l = L(h);
  run(h, x, MODE_EVAL);
  const C = l.classes,
    K = l.neurons,
    sc = l.scores;
  memory.fill(sc, 0, (<usize>C) << 2);
  if (l.vote != VOTE_CLASS) {
    // every firing neuron votes for every class by its normalised mean response, j ascending
    for (let j = 0; j < K; j++) {
      const n = load<f32>(at(l.count, j));
      if (n == 0) continue;
      let total: f64 = 0;
      for (let c = 0; c < C; c++) {
        const seen = load<f64>(l.seen + ((<usize>c) << 3));
        if (seen > 0) total += load<f64>(l.votes + ((<usize>j * <usize>C + <usize>c) << 3)) / seen;
      }
      if (!(total > 0)) continue;
      for (let c = 0; c < C; c++) {
        const seen = load<f64>(l.seen + ((<usize>c) << 3));
        if (!(seen > 0)) continue;
        const r = load<f64>(l.votes + ((<usize>j * <usize>C + <usize>c) << 3)) / seen;
        store<f32>(at(sc, c), load<f32>(at(sc, c)) + <f32>((<f64>n * r) / total));
      }
    }
    return normalizeScores(sc, C);
  }
  // per class: Σ counts of its neurons into scores, its neuron count into members
  const members = l.members;
  memory.fill(members, 0, (<usize>C) << 2);
  for (let j = 0; j < K; j++) {
    let best = -1;
    let top: f64 = 0;
    for (let c = 0; c < C; c++) {
      const n = load<f64>(l.seen + ((<usize>c) << 3));
      if (n <= 0) continue;
      const r = load<f64>(l.votes + ((<usize>j * <usize>C + <usize>c) << 3)) / n;
      if (r > top) {
        top = r;
        best = c;
      }
    }
    if (best < 0) continue;
    store<f32>(at(sc, best), load<f32>(at(sc, best)) + load<f32>(at(l.count, j)));
    store<f32>(at(members, best), load<f32>(at(members, best)) + 1);
  }
  for (let c = 0; c < C; c++) {
    const m = load<f32>(at(members, c));
    store<f32>(at(sc, c), m > 0 ? load<f32>(at(sc, c)) / m : 0);
  }
  return normalizeScores(sc, C);
}

/** Scales the C scores at sc to sum 1 (summed in ascending class order); uniform when they sum to 0. */
function normalizeScores(sc: usize, C: i32): usize {
  let sum: f32 = 0;
  for (let c = 0; c < C; c++) sum += load<f32>(at(sc, c));
  for (let c = 0; c < C; c++) store<f32>(at(sc, c), sum > 0 ? load<f32>(at(sc, c)) / sum : <f32>1 / <f32>C);
  return sc;
}

/** The class with the highest score for x (ties: the lower class). */
export function spPredict(h: usize, x: usize): i32 {
  const sc = spScores(h, x);
  const C = L(h).classes;
  let best = 0;
  for (let c = 1; c < C; c++) if (load<f32>(at(sc, c)) > load<f32>(at(sc, best))) best = c;
  return best;
}

/** Copies the weights, neuron-major (neurons × inputs), into out. */
export function spCopyWeights(h: usize, out: usize, neurons: i32): void {
  const l = L(h);
  const N = l.inputs,
    K = l.neurons;
  for (let j = 0; j < neurons; j++) {
    for (let i = 0; i < N; i++) store<f32>(at(out, j * N + i), load<f32>(at(l.w, i * K + j)));
  }
}

/** Number of spLearn calls so far. */
export function spSamples(h: usize): u32 {
  return load<u32>(L(h).counters);
}

/** The post-synaptic learning rate η_post (f32, in the layout; the snapshot's config carries it). */
export function spRate(h: usize): f32 {
  return L(h).etaPost;
}

/** Sets η_post for the next presentations (the caller validated it: finite, in (0, 1]). */
export function spSetRate(h: usize, eta: f32): void {
  L(h).etaPost = eta;
}

/** Byte offset of the adaptive thresholds θ (K̂ f32). */
export function spThetaPtr(h: usize): usize {
  return L(h).theta;
}

/** Byte offset of the spike counts of the last presentation (K̂ f32). */
export function spCountsPtr(h: usize): usize {
  return L(h).count;
}

/** Byte offset of the neuron constants lifStep reads (a LifParams), for the dynamics tests. */
export function spLifParams(h: usize): usize {
  return layoutOf(h);
}

// the kernels and their Ref twins, exported for the SIMD == Ref and dynamics tests

// ---------------------------------------------------------------- merge accessors (engram.merge, ./mergeParts.ts)

/** The kind tag, for ./merge.ts. */
export const KIND_SPIKING: u32 = KIND;

/**
 * How a spiking network merges: the label votes and per-class counts add exactly (f64 sums of
 * integers); W and θ are averaged (FedAvg: columns that each sum to W_total average to a
 * column summing to W_total up to rounding); samples and presentations add. The votes of
 * learners that shared their weights (say, labelling from one snapshot) merge into exactly
 * the votes of one learner that saw every labelled sample.
 */
export function spMergeParts(h: usize, parts: usize): i32 {
  const l = L(h),
    s = learnerState(h);
  let i = part(parts, 0, l.w - s, <i32>((l.votes - l.w) >>> 2), AVERAGE); // W and θ, padding inert
  i = part(parts, i, l.votes - s, l.neurons * l.classes + l.classes, SUM_F64); // votes, then seen
  return part(parts, i, l.counters - s, 2, SUM_U32);
}

/** Samples learned (spLearn calls): FedAvg's default weight n_k. */
export function spMergeSamples(h: usize): f64 {
  return <f64>load<u32>(L(h).counters);
}
