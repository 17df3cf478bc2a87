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
// State (persisted): [rng 16 B][steps u32, η f32, η_r f32, pad][W K×N][θ K][V C×K][b C][L K×K if μ > 0]
// Scratch: u, y, f (K each), r (N), z (C), top (k i32), β (K: bounds on ‖w_i‖ for the max-norm).
//
// Numeric safety: docs/numerics.md (the Hebbian guard and its derivation). Every entry point
// scales its sample (the caller's scratch copy) into ‖x‖ ≤ R; outputs are clamped to ±A,
// steps bounded, rows kept under the max-norm; features are clamped to the f32 range and the
// readout normalises them by an overflow-safe norm when Σ f² overflows.

import { learnerNew, learnerState, learnerScratch, setSlot, slot } from "./common";
import { rngSeed, rngFillNormal } from "../kernels/prng";
import { axpy, matvec, rank1Update } from "../kernels/linalg";
import { normalize, softmax } from "../kernels/normalize";
import { logf } from "../kernels/math";
import { pCurrents, powerRelu } from "../rules/hebbian";
import { hebbStep, hebbNormalize } from "../rules/hebb";
import { ojaStep, ojaLateralStep } from "../rules/oja";
import { sangerStep } from "../rules/sanger";
import { bcmStep, bcmWeights } from "../rules/bcm";
import { krotovStep } from "../rules/krotov";
import { softhebbStep } from "../rules/softhebb";
import {
  F32_MAX, MAX_INPUT_NORM, MAX_NORM, MAX_PREACTIVATION, MAX_STEP_FACTOR, capNorm, maxNormRow, maxRowNorm, scaleClamp, stepBound, unknownBounds,
} from "../rules/guard";

const KIND: u32 = 0x4842; // "HB"
const HEBB = 0, OJA = 1, SANGER = 2, BCM = 3, KROTOV = 4, SOFTHEBB = 5;
// layout slots
const S_N = 0, S_K = 1, S_RULE = 2, S_C = 3, S_W = 4, S_THETA = 5, S_V = 6, S_B = 7;
const S_U = 8, S_Y = 9, S_F = 10, S_R = 11, S_Z = 12, S_TOP = 13;
const S_P = 14, S_RANK = 15, S_DELTA = 16, S_INVT = 17, S_RHO = 18, S_POWER = 19, S_STATE = 20;
const S_L = 21, S_MU = 22, S_BOUND = 23;
const SLOTS = 24;
const HEAD: u32 = 32;

// @ts-ignore: decorator
@inline function pad4(n: u32): u32 { return ((n + 3) & ~3) << 2; } // floats → bytes, 16-byte multiple
// @ts-ignore: decorator
@inline function f(h: usize, i: i32): f32 { return reinterpret<f32>(slot(h, i)); }
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * A Hebbian layer: N inputs, K outputs, rule 0..5 (hebb oja sanger bcm krotov
 * softhebb), C readout classes (0: none). p: Krotov norm; rank: Krotov's k;
 * delta: Krotov's anti-Hebbian strength; temperature: SoftHebb τ; thetaRate:
 * BCM ρ; power: feature exponent n (0: linear).
 */
export function hebbNew(N: u32, K: u32, rule: u32, C: u32, seed: u32, eta: f32, etaReadout: f32,
  p: u32, rank: u32, delta: f32, temperature: f32, thetaRate: f32, power: f32, lateral: f32): usize {
  const state = HEAD + pad4(K * N) + pad4(K) + pad4(C * K) + pad4(C) + (lateral > 0 ? pad4(K * K) : 0);
  const scratch = 4 * pad4(K) + pad4(N) + pad4(C) + pad4(rank);
  const h = learnerNew(KIND, SLOTS << 2, state, scratch);
  const s = <u32>learnerState(h), t = <u32>learnerScratch(h);
  setSlot(h, S_N, N); setSlot(h, S_K, K); setSlot(h, S_RULE, rule); setSlot(h, S_C, C);
  setSlot(h, S_STATE, s);
  setSlot(h, S_W, s + HEAD);
  setSlot(h, S_THETA, s + HEAD + pad4(K * N));
  setSlot(h, S_V, slot(h, S_THETA) + pad4(K));
  setSlot(h, S_B, slot(h, S_V) + pad4(C * K));
  setSlot(h, S_L, slot(h, S_B) + pad4(C)); setSlot(h, S_MU, reinterpret<u32>(lateral));
  setSlot(h, S_U, t); setSlot(h, S_Y, t + pad4(K)); setSlot(h, S_F, t + 2 * pad4(K));
  setSlot(h, S_R, t + 3 * pad4(K)); setSlot(h, S_Z, slot(h, S_R) + pad4(N)); setSlot(h, S_TOP, slot(h, S_Z) + pad4(C));
  setSlot(h, S_BOUND, slot(h, S_TOP) + pad4(rank));
  unknownBounds(<usize>slot(h, S_BOUND), <i32>K); // restore rebuilds the scratch: β = +∞ again
  setSlot(h, S_P, p); setSlot(h, S_RANK, rank);
  setSlot(h, S_DELTA, reinterpret<u32>(delta)); setSlot(h, S_INVT, reinterpret<u32>(<f32>1 / temperature));
  setSlot(h, S_RHO, reinterpret<u32>(thetaRate)); setSlot(h, S_POWER, reinterpret<u32>(power));
  store<f32>(s, eta, 20);
  store<f32>(s, etaReadout, 24);
  rngSeed(s, seed);
  // competitive rules start at N(0, 1) as in Krotov & Hopfield, norms far above 1: the decay
  // term then shrinks each winner so losers get their turn (from norms below 1 one unit takes
  // all; on MNIST, initial p-norms of 2 or 4 learned worse features than ~10 to 30)
  rngFillNormal(s, s + HEAD, <i32>(K * N), 0, <i32>rule >= KROTOV ? 1 : <f32>1 / Mathf.sqrt(<f32>N));
  return h;
}

/**
 * The max-norm backstop after a row step w_i += a_i (x − c_i w_i) on every row with a_i ≠ 0
 * (β before the step: the step bound is |a_i| (‖x‖ + |c_i| β_i)).
 */
function guardRows(W: usize, a: usize, c: usize, B: usize, xn: f32, K: i32, N: i32, max: f32): void {
  for (let i = 0; i < K; i++) {
    const ai = load<f32>(at(a, i));
    if (ai != 0) maxNormRow(W + <usize>i * (<usize>N << 2), N, at(B, i), stepBound(ai, load<f32>(at(c, i)), xn, load<f32>(at(B, i))), max);
  }
}

/**
 * One step of the feature rule on x (capped, ‖x‖ = xn): each rule is one function of
 * ../rules/, the guard of docs/numerics.md applied around it (outputs clamped before,
 * steps bounded, rows kept under the max-norm after).
 */
function featureStep(h: usize, x: usize, xn: f32): void {
  const N = <i32>slot(h, S_N), K = <i32>slot(h, S_K), rule = <i32>slot(h, S_RULE);
  const W = <usize>slot(h, S_W), u = <usize>slot(h, S_U), y = <usize>slot(h, S_Y), B = <usize>slot(h, S_BOUND);
  const eta = load<f32>(<usize>slot(h, S_STATE), 20);
  const row = <usize>N << 2;
  const mu = f(h, S_MU);
  if (mu > 0) { // Oja with lateral anti-Hebbian connections
    outputs(h, x, u);
    const L = <usize>slot(h, S_L);
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
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, Mathf.min(MAX_PREACTIVATION, MAX_STEP_FACTOR / eta));
    // ‖Δw_i‖ ≤ |η y_i| ‖x − Σ_{k≤i} y_k w_k‖ ≤ |η y_i| (‖x‖ + Σ_{k≤i} |y_k| β_k), β before the step
    let s = xn;
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(u, i));
      s += Mathf.abs(yi) * load<f32>(at(B, i));
      store<f32>(at(y, i), Mathf.abs(eta * yi) * s);
    }
    const r = <usize>slot(h, S_R);
    memory.copy(r, x, row);
    sangerStep(W, u, r, K, N, eta);
    for (let i = 0; i < K; i++) maxNormRow(W + <usize>i * row, N, at(B, i), load<f32>(at(y, i)), MAX_NORM);
  } else if (rule == BCM) {
    const theta = <usize>slot(h, S_THETA);
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    bcmStep(y, theta, u, K, f(h, S_RHO));
    scaleClamp(y, y, K, 1, MAX_STEP_FACTOR / eta);
    scaleClamp(theta, theta, K, 1, MAX_PREACTIVATION);
    bcmWeights(W, y, x, K, N, eta);
    for (let i = 0; i < K; i++) maxNormRow(W + <usize>i * row, N, at(B, i), Mathf.abs(eta * load<f32>(at(y, i))) * xn, MAX_NORM);
  } else if (rule == KROTOV) {
    const p = <i32>slot(h, S_P);
    if (p == 2) matvec(u, W, x, K, N); else pCurrents(u, W, x, K, N, p);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    if (krotovStep(W, x, u, y, <usize>slot(h, S_TOP), K, N, <i32>slot(h, S_RANK), f(h, S_DELTA), eta)) guardRows(W, y, u, B, xn, K, N, maxRowNorm(p));
  } else { // SOFTHEBB
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    scaleClamp(y, u, K, f(h, S_INVT), MAX_PREACTIVATION);
    if (softhebbStep(W, x, u, y, K, N, eta)) guardRows(W, y, u, B, xn, K, N, MAX_NORM);
  }
}

// u = W x, then u_i += Σ_{k<i} L_ik u_k in order (clamped to ±A) when there are lateral weights.
function outputs(h: usize, x: usize, u: usize): void {
  const K = <i32>slot(h, S_K);
  matvec(u, <usize>slot(h, S_W), x, K, <i32>slot(h, S_N));
  if (f(h, S_MU) > 0) {
    const L = <usize>slot(h, S_L);
    for (let i = 1; i < K; i++) {
      let s = load<f32>(at(u, i));
      for (let k = 0; k < i; k++) s += load<f32>(at(L, i * K + k)) * load<f32>(at(u, k));
      store<f32>(at(u, i), Mathf.min(Mathf.max(s, -MAX_PREACTIVATION), MAX_PREACTIVATION));
    }
  }
}

// f = max(y, 0)^n (or y when n = 0) into scratch, clamped to the f32 range (u^n may overflow)
function features(h: usize, x: usize): usize {
  const K = <i32>slot(h, S_K);
  const u = <usize>slot(h, S_U), fp = <usize>slot(h, S_F);
  outputs(h, x, u);
  const power = f(h, S_POWER);
  if (power > 0) {
    powerRelu(fp, u, K, power);
    scaleClamp(fp, fp, K, 1, F32_MAX);
  } else memory.copy(fp, u, <usize>K << 2);
  return fp;
}

/**
 * f = max(y, 0)^n (or y when n = 0), y = W x (+ lateral), into scratch; returns its byte offset
 * (K floats). x (a scratch copy) is first scaled into ‖x‖ ≤ R.
 */
export function hebbTransform(h: usize, x: usize): usize {
  capNorm(x, <i32>slot(h, S_N), MAX_INPUT_NORM);
  return features(h, x);
}

// z = softmax(V f̂ + b) in scratch; returns the argmax class.
function readoutForward(h: usize, x: usize): i32 {
  const K = <i32>slot(h, S_K), C = <i32>slot(h, S_C);
  const y = <usize>slot(h, S_Y), z = <usize>slot(h, S_Z);
  const fp = features(h, x);
  const norm = normalize(y, fp, K, 1e-20);
  if (!(norm <= F32_MAX)) { // Σ f² overflowed: f̂ through the overflow-safe norm
    memory.copy(y, fp, <usize>K << 2);
    capNorm(y, K, 1);
  }
  matvec(z, <usize>slot(h, S_V), y, C, K);
  axpy(z, 1, <usize>slot(h, S_B), C);
  let best = 0;
  for (let c = 1; c < C; c++) if (load<f32>(at(z, c)) > load<f32>(at(z, best))) best = c;
  softmax(z, z, C);
  return best;
}

/** Class probabilities into scratch (C floats, byte offset via hebbScoresPtr); returns the predicted class. */
export function hebbPredict(h: usize, x: usize): i32 {
  capNorm(x, <i32>slot(h, S_N), MAX_INPUT_NORM);
  return readoutForward(h, x);
}

/** Byte offset of the last class probabilities. */
export function hebbScoresPtr(h: usize): usize {
  return <usize>slot(h, S_Z);
}

/**
 * One sample. mode bit 1: update the features by the rule; bit 2: update the
 * readout on `label` (from the features before this step's update). Returns
 * the readout's cross-entropy −log p_label (0 when the readout did not learn).
 */
export function hebbLearn(h: usize, x: usize, label: i32, mode: i32): f32 {
  let loss: f32 = 0;
  const C = <i32>slot(h, S_C);
  const xn = capNorm(x, <i32>slot(h, S_N), MAX_INPUT_NORM);
  if ((mode & 2) != 0 && C > 0 && label >= 0) {
    const K = <i32>slot(h, S_K);
    const z = <usize>slot(h, S_Z);
    readoutForward(h, x);
    const pl = load<f32>(at(z, label));
    loss = -logf(Mathf.max(pl, 1e-30));
    store<f32>(at(z, label), pl - 1); // z = p − t
    const etaR = -load<f32>(<usize>slot(h, S_STATE), 24);
    rank1Update(<usize>slot(h, S_V), z, <usize>slot(h, S_Y), C, K, etaR);
    axpy(<usize>slot(h, S_B), etaR, z, C);
  }
  if ((mode & 1) != 0) featureStep(h, x, xn);
  const s = <usize>slot(h, S_STATE);
  store<u32>(s, load<u32>(s, 16) + 1, 16);
  return loss;
}

/** n samples row-major at xs, labels i32 at ls (0: no labels); returns the mean loss. */
export function hebbLearnBatch(h: usize, xs: usize, ls: usize, n: i32, mode: i32): f32 {
  const row = <usize>slot(h, S_N) << 2;
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += hebbLearn(h, xs + <usize>i * row, ls != 0 ? load<i32>(at(ls, i)) : -1, mode);
  return sum / <f32>n;
}

// the rule kernels and their Ref twins, exported for the SIMD == Ref tests
export { hebbRow, hebbRowRef, hebbRowMaxAbs, hebbRowMaxAbsRef, sangerRows, sangerRowsRef, pCurrents, pCurrentsRef, powerRelu, powerReluRef } from "../rules/hebbian";
