// One Hebbian layer with an optional local readout. The rules are one function each in
// ../rules/ (hebb.ts, oja.ts, sanger.ts, bcm.ts, krotov.ts, softhebb.ts); this file composes
// them with the guard (featureStep) and holds the layer's memory block.
//
//
//   features  f = max(W x, 0)^n  (n = power; n = 0: f = W x, linear)
//   readout   z = V f̂ + b,  f̂ = f / ‖f‖₂,  p = softmax(z)
//             ΔV = η_r (t − p) f̂ᵀ,  Δb = η_r (t − p)      (delta rule, t one-hot label)
//
// No error reaches W: the readout is trained on the true label with its own
// delta rule, the features only by their unsupervised rule.
//
// Oja with lateral anti-Hebbian decorrelation: ../rules/oja.ts (ojaLateralStep).
//
// Memory: the layout class Hebb below (carved in hebbNew); persisted state [HebbHead][W][θ][V][b][L].
//
// Numeric safety: docs/numerics.md (the Hebbian guard and its derivation). Every entry point
// scales its sample (the caller's scratch copy) into ‖x‖ ≤ R; outputs are clamped to ±A,
// steps bounded, rows kept under the max-norm; features are clamped to the f32 range and the
// readout normalises them by an overflow-safe norm when Σ f² overflows.

import { f32Bytes, layoutOf, learnerNew, learnerState, learnerScratch } from "./common";
import { AVERAGE, FIRST, SUM_U32, part } from "./mergeParts";
import { rngSeed, rngFillNormal } from "../kernels/prng";
import { axpy, matvec, rank1Update } from "../kernels/linalg";
import { normalize, softmax } from "../kernels/normalize";
import { logf } from "../kernels/math";
import { pCurrents, powerRelu } from "../rules/hebbian";
import { argmax } from "../rules/dense";
import { hebbStep, hebbNormalize } from "../rules/hebb";
import { ojaStep, ojaLateralStep } from "../rules/oja";
import { sangerStep } from "../rules/sanger";
import { bcmStep, bcmWeights } from "../rules/bcm";
import { krotovStep } from "../rules/krotov";
import { softhebbStep } from "../rules/softhebb";
import { rateAt } from "../rules/schedule";
import {
  F32_MAX,
  MAX_INPUT_NORM,
  MAX_NORM,
  MAX_PREACTIVATION,
  MAX_STEP_FACTOR,
  capNorm,
  maxNormRow,
  maxRowNorm,
  scaleClamp,
  stepBound,
  unknownBounds,
} from "../rules/guard";

const KIND: u32 = 0x4842; // "HB"
const HEBB = 0,
  OJA = 1,
  SANGER = 2,
  BCM = 3,
  KROTOV = 4,
  SOFTHEBB = 5;

/** The first 32 bytes of the persisted state. */
@unmanaged
class HebbHead {
  rng0: u32;
  rng1: u32;
  rng2: u32;
  rng3: u32; // xoshiro128** (kernels/prng.ts)
  /** Samples learned (all modes). */
  steps: u32;
  /** η, settable between steps. */
  eta: f32;
  /** η_r of the readout. */
  etaReadout: f32;
  pad: u32;
}

/** The layer's layout region: sizes, hyper-parameters and the byte offset of every array. */
@unmanaged
class Hebb {
  N: i32;
  K: i32;
  rule: i32;
  C: i32;
  /** Krotov: p, the rank k, Δ. */
  p: i32;
  rank: i32;
  delta: f32;
  /** SoftHebb 1/τ; BCM ρ; feature power n; lateral rate μ. */
  invT: f32;
  rho: f32;
  power: f32;
  mu: f32;
  /** The feature rate's decay κ and floor f (../rules/schedule.ts): η_t = η (1 + f κ t)/(1 + κ t), t = samples learned. */
  decay: f32;
  floor: f32;
  // state (persisted): [head][W K×N][θ K][V C×K][b C][L K×K if μ > 0]
  head: HebbHead;
  W: usize;
  theta: usize;
  V: usize;
  b: usize;
  L: usize;
  // scratch: u, y, f (K each), r (N), z (C), top (k i32), β (K)
  u: usize;
  y: usize;
  f: usize;
  r: usize;
  z: usize;
  top: usize;
  bound: usize;
}

// @ts-ignore: decorator
@inline
function lay(h: usize): Hebb {
  return changetype<Hebb>(layoutOf(h));
}
// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/**
 * A Hebbian layer: N inputs, K outputs, rule 0..5 (hebb oja sanger bcm krotov
 * softhebb), C readout classes (0: none). p: Krotov norm; rank: Krotov's k;
 * delta: Krotov's anti-Hebbian strength; temperature: SoftHebb τ; thetaRate:
 * BCM ρ; power: feature exponent n (0: linear); decay, floor: the feature rate's schedule
 * (../rules/schedule.ts; decay 0: a constant η, bit for bit).
 */
export function hebbNew(
  N: i32,
  K: i32,
  rule: i32,
  C: i32,
  seed: u32,
  eta: f32,
  etaReadout: f32,
  p: i32,
  rank: i32,
  delta: f32,
  temperature: f32,
  thetaRate: f32,
  power: f32,
  lateral: f32,
  decay: f32,
  floor: f32,
): usize {
  const state =
    <u32>offsetof<HebbHead>() +
    f32Bytes(K * N) +
    f32Bytes(K) +
    f32Bytes(C * K) +
    f32Bytes(C) +
    (lateral > 0 ? f32Bytes(K * K) : 0);
  const scratch = 4 * f32Bytes(K) + f32Bytes(N) + f32Bytes(C) + f32Bytes(rank);
  const h = learnerNew(KIND, <u32>offsetof<Hebb>(), state, scratch);
  const l = lay(h);
  l.N = N;
  l.K = K;
  l.rule = rule;
  l.C = C;
  l.p = p;
  l.rank = rank;
  l.delta = delta;
  l.invT = <f32>1 / temperature;
  l.rho = thetaRate;
  l.power = power;
  l.mu = lateral;
  l.decay = decay;
  l.floor = floor;
  const s = learnerState(h);
  l.head = changetype<HebbHead>(s);
  l.W = s + offsetof<HebbHead>();
  l.theta = l.W + f32Bytes(K * N);
  l.V = l.theta + f32Bytes(K);
  l.b = l.V + f32Bytes(C * K);
  l.L = l.b + f32Bytes(C);
  const t = learnerScratch(h);
  l.u = t;
  l.y = t + f32Bytes(K);
  l.f = t + 2 * f32Bytes(K);
  l.r = t + 3 * f32Bytes(K);
  l.z = l.r + f32Bytes(N);
  l.top = l.z + f32Bytes(C);
  l.bound = l.top + f32Bytes(rank);
  unknownBounds(l.bound, <i32>K); // restore rebuilds the scratch: β = +∞ again
  l.head.eta = eta;
  l.head.etaReadout = etaReadout;
  rngSeed(s, seed);
  // competitive rules start at N(0, 1) as in Krotov & Hopfield, norms far above 1: the decay
  // term then shrinks each winner so losers get their turn (from norms below 1 one unit takes
  // all; on MNIST, initial p-norms of 2 or 4 learned worse features than ~10 to 30)
  rngFillNormal(s, l.W, <i32>(K * N), 0, rule >= KROTOV ? 1 : <f32>1 / Mathf.sqrt(<f32>N));
  return h;
}

/**
 * The max-norm backstop after a row step w_i += a_i (x − c_i w_i) on every row with a_i ≠ 0
 * (β before the step: the step bound is |a_i| (‖x‖ + |c_i| β_i)).
 */
function guardRows(W: usize, a: usize, c: usize, B: usize, xn: f32, K: i32, N: i32, max: f32): void {
  for (let i = 0; i < K; i++) {
    const ai = load<f32>(at(a, i));
    if (ai != 0)
      maxNormRow(
        W + <usize>i * ((<usize>N) << 2),
        N,
        at(B, i),
        stepBound(ai, load<f32>(at(c, i)), xn, load<f32>(at(B, i))),
        max,
      );
  }
}

/**
 * One step of the feature rule on x (capped, ‖x‖ = xn): each rule is one function of
 * ../rules/, the guard of docs/numerics.md applied around it (outputs clamped before,
 * steps bounded, rows kept under the max-norm after). `fresh`: u already holds W x for
 * this x and these W (the readout just computed it, no lateral weights), so the rules that
 * start from u = W x skip that pass over W (the same bits: the same matvec on the same data).
 */
function featureStep(h: usize, x: usize, xn: f32, fresh: bool): void {
  const N = lay(h).N,
    K = lay(h).K,
    rule = lay(h).rule;
  const W = lay(h).W,
    u = lay(h).u,
    y = lay(h).y,
    B = lay(h).bound;
  const eta = rateAt(lay(h).head.eta, lay(h).decay, lay(h).floor, <f32>lay(h).head.steps);
  const row = (<usize>N) << 2;
  const mu = lay(h).mu;
  if (mu > 0) {
    // Oja with lateral anti-Hebbian connections
    outputs(h, x, u);
    const L = lay(h).L;
    scaleClamp(y, u, K, eta, F32_MAX); // a_i = η y_i, for the step bounds
    ojaLateralStep(W, L, u, x, K, N, eta, mu);
    guardRows(W, y, u, B, xn, K, N, MAX_NORM);
    scaleClamp(L, L, K * K, 1, MAX_NORM);
  } else if (rule == HEBB) {
    hebbStep(W, u, x, K, N, eta);
    for (let i = 0; i < K; i++) {
      hebbNormalize(W + <usize>i * row, N, load<f32>(at(B, i)) + Mathf.abs(eta * load<f32>(at(u, i))) * xn);
      store<f32>(at(B, i), 2); // ‖w‖ = 1 up to rounding
    }
  } else if (rule == OJA) {
    ojaStep(W, u, x, K, N, eta);
    scaleClamp(y, u, K, eta, F32_MAX); // a_i = η y_i, for the step bounds
    guardRows(W, y, u, B, xn, K, N, MAX_NORM);
  } else if (rule == SANGER) {
    if (!fresh) matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, Mathf.min(MAX_PREACTIVATION, MAX_STEP_FACTOR / eta));
    // ‖Δw_i‖ ≤ |η y_i| ‖x − Σ_{k≤i} y_k w_k‖ ≤ |η y_i| (‖x‖ + Σ_{k≤i} |y_k| β_k), β before the step
    let s = xn;
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(u, i));
      s += Mathf.abs(yi) * load<f32>(at(B, i));
      store<f32>(at(y, i), Mathf.abs(eta * yi) * s);
    }
    const r = lay(h).r;
    memory.copy(r, x, row);
    sangerStep(W, u, r, K, N, eta);
    for (let i = 0; i < K; i++) maxNormRow(W + <usize>i * row, N, at(B, i), load<f32>(at(y, i)), MAX_NORM);
  } else if (rule == BCM) {
    const theta = lay(h).theta;
    if (!fresh) matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    bcmStep(y, theta, u, K, lay(h).rho);
    scaleClamp(y, y, K, 1, MAX_STEP_FACTOR / eta);
    scaleClamp(theta, theta, K, 1, MAX_PREACTIVATION);
    bcmWeights(W, y, x, K, N, eta);
    for (let i = 0; i < K; i++)
      maxNormRow(W + <usize>i * row, N, at(B, i), Mathf.abs(eta * load<f32>(at(y, i))) * xn, MAX_NORM);
  } else if (rule == KROTOV) {
    const p = lay(h).p;
    if (p == 2) {
      if (!fresh) matvec(u, W, x, K, N);
    } else pCurrents(u, W, x, K, N, p);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    if (krotovStep(W, x, u, y, lay(h).top, K, N, lay(h).rank, lay(h).delta, eta))
      guardRows(W, y, u, B, xn, K, N, maxRowNorm(p));
  } else {
    // SOFTHEBB
    if (!fresh) matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    scaleClamp(y, u, K, lay(h).invT, MAX_PREACTIVATION);
    if (softhebbStep(W, x, u, y, K, N, eta)) guardRows(W, y, u, B, xn, K, N, MAX_NORM);
  }
}

// u = W x, then u_i += Σ_{k<i} L_ik u_k in order (clamped to ±A) when there are lateral weights.
function outputs(h: usize, x: usize, u: usize): void {
  const K = lay(h).K;
  matvec(u, lay(h).W, x, K, lay(h).N);
  if (lay(h).mu > 0) {
    const L = lay(h).L;
    for (let i = 1; i < K; i++) {
      let s = load<f32>(at(u, i));
      for (let k = 0; k < i; k++) s += load<f32>(at(L, i * K + k)) * load<f32>(at(u, k));
      store<f32>(at(u, i), Mathf.min(Mathf.max(s, -MAX_PREACTIVATION), MAX_PREACTIVATION));
    }
  }
}

// f = max(y, 0)^n (or y when n = 0) into scratch, clamped to the f32 range (u^n may overflow)
function features(h: usize, x: usize): usize {
  const K = lay(h).K;
  const u = lay(h).u,
    fp = lay(h).f;
  outputs(h, x, u);
  const power = lay(h).power;
  if (power > 0) {
    powerRelu(fp, u, K, power);
    scaleClamp(fp, fp, K, 1, F32_MAX);
  } else memory.copy(fp, u, (<usize>K) << 2);
  return fp;
}

/**
 * f = max(y, 0)^n (or y when n = 0), y = W x (+ lateral), into scratch; returns its byte offset
 * (K floats). x (a scratch copy) is first scaled into ‖x‖ ≤ R.
 */
export function hebbTransform(h: usize, x: usize): usize {
  capNorm(x, lay(h).N, MAX_INPUT_NORM);
  return features(h, x);
}

// z = softmax(V f̂ + b) in scratch; returns the argmax class.
function readoutForward(h: usize, x: usize): i32 {
  const K = lay(h).K,
    C = lay(h).C;
  const y = lay(h).y,
    z = lay(h).z;
  const fp = features(h, x);
  const norm = normalize(y, fp, K, 1e-20);
  if (!(norm <= F32_MAX)) {
    // Σ f² overflowed: f̂ through the overflow-safe norm
    memory.copy(y, fp, (<usize>K) << 2);
    capNorm(y, K, 1);
  }
  matvec(z, lay(h).V, y, C, K);
  axpy(z, 1, lay(h).b, C);
  const best = argmax(z, C);
  softmax(z, z, C);
  return best;
}

/** Class probabilities into scratch (C floats, byte offset via hebbScoresPtr); returns the predicted class. */
export function hebbPredict(h: usize, x: usize): i32 {
  capNorm(x, lay(h).N, MAX_INPUT_NORM);
  return readoutForward(h, x);
}

/** Byte offset of the last class probabilities. */
export function hebbScoresPtr(h: usize): usize {
  return lay(h).z;
}

/**
 * One sample. mode bit 1: update the features by the rule; bit 2: update the
 * readout on `label` (from the features before this step's update). Returns
 * the readout's cross-entropy −log p_label (0 when the readout did not learn).
 */
export function hebbLearn(h: usize, x: usize, label: i32, mode: i32): f32 {
  let loss: f32 = 0;
  const C = lay(h).C;
  const xn = capNorm(x, lay(h).N, MAX_INPUT_NORM);
  if ((mode & 2) != 0 && C > 0 && label >= 0) {
    const K = lay(h).K;
    const z = lay(h).z;
    readoutForward(h, x);
    const pl = load<f32>(at(z, label));
    loss = -logf(Mathf.max(pl, 1e-30));
    store<f32>(at(z, label), pl - 1); // z = p − t
    const etaR = -lay(h).head.etaReadout;
    rank1Update(lay(h).V, z, lay(h).y, C, K, etaR);
    axpy(lay(h).b, etaR, z, C);
  }
  // the readout's forward pass left u = W x (no lateral weights): the feature step reuses it
  const fresh = (mode & 2) != 0 && C > 0 && label >= 0 && lay(h).mu == 0;
  if ((mode & 1) != 0) featureStep(h, x, xn, fresh);
  lay(h).head.steps++;
  return loss;
}

// ---------------------------------------------------------------- where TypeScript reads state

/** Byte offset of W (K × N f32, row-major). */
export function hebbWeights(h: usize): usize {
  return lay(h).W;
}
/** Byte offset of BCM's thresholds θ (K f32). */
export function hebbThresholds(h: usize): usize {
  return lay(h).theta;
}
/** Byte offset of the learning rate η (one f32, read and written by the learningRate property). */
export function hebbRate(h: usize): usize {
  return changetype<usize>(lay(h).head) + offsetof<HebbHead>("eta");
}
/** Byte offset of the readout's learning rate η_r (one f32). */
export function hebbReadoutRate(h: usize): usize {
  return changetype<usize>(lay(h).head) + offsetof<HebbHead>("etaReadout");
}
/** Samples learned. */
export function hebbSteps(h: usize): u32 {
  return lay(h).head.steps;
}

/** n samples row-major at xs, labels i32 at ls (0: no labels); returns the mean loss. */
export function hebbLearnBatch(h: usize, xs: usize, ls: usize, n: i32, mode: i32): f32 {
  const row = lay(h).N << 2;
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += hebbLearn(h, xs + <usize>i * row, ls != 0 ? load<i32>(at(ls, i)) : -1, mode);
  return sum / <f32>n;
}

// ---------------------------------------------------------------- merge accessors (engram.merge, ./mergeParts.ts)

/** The kind tag, for ./merge.ts. */
export const KIND_HEBB: u32 = KIND;

/**
 * How a Hebbian layer merges: W, θ (BCM), the readout V, b and the lateral weights L are
 * averaged (FedAvg; the readout is a delta rule, not counts, so it averages too); samples
 * learned add; η and η_r are learners[0]'s. The row-norm bounds are scratch: +∞ after the
 * merge as after a restore, so the guard measures before trusting them.
 */
export function hebbMergeParts(h: usize, parts: usize): i32 {
  const s = learnerState(h),
    head = changetype<usize>(lay(h).head);
  let i = part(
    parts,
    0,
    lay(h).W - s,
    <i32>((lay(h).L - lay(h).W) >>> 2) + (lay(h).mu > 0 ? lay(h).K * lay(h).K : 0),
    AVERAGE,
  );
  i = part(parts, i, head + offsetof<HebbHead>("steps") - s, 1, SUM_U32);
  return part(parts, i, head + offsetof<HebbHead>("eta") - s, 2, FIRST);
}

/** Samples learned: FedAvg's default weight n_k. */
export function hebbMergeSamples(h: usize): f64 {
  return <f64>lay(h).head.steps;
}
