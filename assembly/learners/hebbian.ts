// One Hebbian layer (rules/hebbian.ts) with an optional local readout:
//
//   features  f = max(W x, 0)^n  (n = power; n = 0: f = W x, linear)
//   readout   z = V f̂ + b,  f̂ = f / ‖f‖₂,  p = softmax(z)
//             ΔV = η_r (t − p) f̂ᵀ,  Δb = η_r (t − p)      (delta rule, t one-hot label)
//
// No error reaches W: the readout is trained on the true label with its own
// delta rule, the features only by their unsupervised rule.
//
// Oja with lateral anti-Hebbian decorrelation (Rubner & Tavan 1989, Europhys. Lett. 10:693):
//   y_i = w_i · x + Σ_{k<i} L_ik y_k,   Δw_i = η y_i (x − y_i w_i),   ΔL_ik = −μ y_i y_k
// the lateral weights drive the outputs to be uncorrelated: the rows become the
// principal components in order, like Sanger's rule, with L → 0.
//
// State (persisted): [rng 16 B][steps u32, η f32, η_r f32, pad][W K×N][θ K][V C×K][b C][L K×K if μ > 0]
// Scratch: u, y, f (K each), r (N), z (C), top (k i32), β (K: bounds on ‖w_i‖ for the max-norm).
//
// Numeric safety: the guard of ../rules/hebbian.ts (derivation there). Every entry point
// scales its sample (the caller's scratch copy) into ‖x‖ ≤ R; outputs are clamped to ±A,
// steps bounded, rows kept under the max-norm; features are clamped to the f32 range and the
// readout normalises them by an overflow-safe norm when Σ f² overflows.

import { learnerNew, learnerState, learnerScratch, setSlot, slot } from "./common";
import { rngSeed, rngFillNormal } from "../kernels/prng";
import { axpy, denseStep, dot, matvec, rank1Update } from "../kernels/linalg";
import { normalize, softmax } from "../kernels/normalize";
import { logf } from "../kernels/math";
import { hebbRow, hebbRowMaxAbs, sangerRows, pCurrents, powerRelu, maxNormRow, maxRowNorm, MAX_STEP_FACTOR, F32_MAX } from "../rules/hebbian";
import { MAX_INPUT_NORM, MAX_NORM, MAX_PREACTIVATION, capNorm, scaleClamp, unknownBounds } from "../rules/guard";

const KIND: u32 = 0x4842; // "HB"
const HEBB = 0, OJA = 1, SANGER = 2, BCM = 3, KROTOV = 4, SOFTHEBB = 5;
// layout slots
const S_N = 0, S_K = 1, S_RULE = 2, S_C = 3, S_W = 4, S_THETA = 5, S_V = 6, S_B = 7;
const S_U = 8, S_Y = 9, S_F = 10, S_R = 11, S_Z = 12, S_TOP = 13;
const S_P = 14, S_RANK = 15, S_DELTA = 16, S_INVT = 17, S_RHO = 18, S_POWER = 19, S_STATE = 20;
const S_L = 21, S_MU = 22, S_BOUND = 23;
const SLOTS = 24;
const HEAD: u32 = 32;
const SOFT_CUTOFF: f32 = 1e-4;

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

// Krotov's ranking: indices of the k largest u (ties: lower index first) into top; returns how many.
function topK(u: usize, top: usize, K: i32, k: i32): i32 {
  let cnt = 0;
  for (let i = 0; i < K; i++) {
    const v = load<f32>(at(u, i));
    let j: i32;
    if (cnt < k) j = cnt++;
    else if (v > load<f32>(at(u, load<i32>(at(top, k - 1))))) j = k - 1;
    else continue;
    while (j > 0 && load<f32>(at(u, load<i32>(at(top, j - 1)))) < v) {
      store<i32>(at(top, j), load<i32>(at(top, j - 1)));
      j--;
    }
    store<i32>(at(top, j), i);
  }
  return cnt;
}

// ‖a (x − c w)‖ ≤ |a| (‖x‖ + |c| ‖w‖): the step bound the max-norm backstop advances β by
// (also for Oja's c w + a x form, c = 1 − η y², a = η y: |c| ≤ 1 + |a| |y|)
// @ts-ignore: decorator
@inline function stepBound(a: f32, c: f32, xn: f32, beta: f32): f32 {
  return Mathf.abs(a) * (xn + Mathf.abs(c) * beta);
}

// Hebb's ‖w‖ ← 1 for a row whose norm is at most `bound`: under 1e18 Σ w² cannot overflow and
// normalize is used as is; above, Σ w² decides, and an overflowing row goes through capNorm.
function unitRow(w: usize, n: i32, bound: f32): void {
  if (!(bound <= 1e18)) {
    const q = dot(w, w, n);
    if (!(q <= F32_MAX && q > 0)) { // +∞ (the step overflowed Σ w²), or an all-zero row
      capNorm(w, n, 1);
      return;
    }
  }
  normalize(w, w, n, 0);
}

/** One step of the feature rule on x (capped, ‖x‖ = xn). */
function featureStep(h: usize, x: usize, xn: f32): void {
  const N = <i32>slot(h, S_N), K = <i32>slot(h, S_K), rule = <i32>slot(h, S_RULE);
  const W = <usize>slot(h, S_W), u = <usize>slot(h, S_U), y = <usize>slot(h, S_Y), B = <usize>slot(h, S_BOUND);
  const eta = load<f32>(<usize>slot(h, S_STATE), 20);
  const row = <usize>N << 2;
  const mu = f(h, S_MU);
  if (mu > 0) { // Oja with lateral anti-Hebbian connections
    outputs(h, x, u);
    const L = <usize>slot(h, S_L);
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(u, i)), a = eta * yi;
      const wi = W + <usize>i * row;
      const step = stepBound(a, yi, xn, load<f32>(at(B, i)));
      hebbRow(wi, x, N, a, yi);
      maxNormRow(wi, N, at(B, i), step, MAX_NORM);
      for (let k = 0; k < i; k++) {
        const p = at(L, i * K + k);
        store<f32>(p, Mathf.min(Mathf.max(load<f32>(p) - mu * yi * load<f32>(at(u, k)), -MAX_NORM), MAX_NORM));
      }
    }
  } else if (rule == HEBB || rule == OJA) {
    denseStep(W, u, x, K, N, eta, rule == OJA ? 1 : 0);
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(u, i)), wi = W + <usize>i * row, bi = at(B, i);
      if (rule == HEBB) {
        unitRow(wi, N, load<f32>(bi) + Mathf.abs(eta * yi) * xn);
        store<f32>(bi, 2); // ‖w‖ = 1 up to rounding
      } else maxNormRow(wi, N, bi, stepBound(eta * yi, yi, xn, load<f32>(bi)), MAX_NORM);
    }
  } else if (rule == SANGER) {
    const r = <usize>slot(h, S_R);
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, Mathf.min(MAX_PREACTIVATION, MAX_STEP_FACTOR / eta));
    // ‖Δw_i‖ ≤ |η y_i| ‖x − Σ_{k≤i} y_k w_k‖ ≤ |η y_i| (‖x‖ + Σ_{k≤i} |y_k| β_k), β before the step
    let s = xn;
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(u, i));
      s += Mathf.abs(yi) * load<f32>(at(B, i));
      store<f32>(at(y, i), Mathf.abs(eta * yi) * s);
    }
    memory.copy(r, x, row);
    sangerRows(W, u, r, K, N, eta);
    for (let i = 0; i < K; i++) maxNormRow(W + <usize>i * row, N, at(B, i), load<f32>(at(y, i)), MAX_NORM);
  } else if (rule == BCM) {
    const theta = <usize>slot(h, S_THETA), rho = f(h, S_RHO);
    const lim = MAX_STEP_FACTOR / eta;
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    for (let i = 0; i < K; i++) {
      const ui = load<f32>(at(u, i)), th = load<f32>(at(theta, i));
      store<f32>(at(y, i), Mathf.min(Mathf.max(ui * (ui - th), -lim), lim));
      store<f32>(at(theta, i), Mathf.min(Mathf.max(th + rho * (ui * ui - th), -MAX_PREACTIVATION), MAX_PREACTIVATION));
    }
    rank1Update(W, y, x, K, N, eta);
    for (let i = 0; i < K; i++) maxNormRow(W + <usize>i * row, N, at(B, i), Mathf.abs(eta * load<f32>(at(y, i))) * xn, MAX_NORM);
  } else if (rule == KROTOV) {
    const p = <i32>slot(h, S_P), top = <usize>slot(h, S_TOP), max = maxRowNorm(p);
    if (p == 2) matvec(u, W, x, K, N); else pCurrents(u, W, x, K, N, p);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    const k = <i32>slot(h, S_RANK);
    const cnt = topK(u, top, K, k);
    const w1 = load<i32>(top), I1 = load<f32>(at(u, w1));
    let m = hebbRowMaxAbs(W + <usize>w1 * row, x, N, I1);
    const delta = f(h, S_DELTA);
    const anti = cnt == k && k > 1 && delta != 0;
    const wk = load<i32>(at(top, k - 1)), Ik = load<f32>(at(u, wk));
    if (anti) m = Mathf.max(m, delta * hebbRowMaxAbs(W + <usize>wk * row, x, N, Ik));
    if (m > 0) {
      // η/m overflows only for m < η/F (denormal inputs): capped at F the step is still ≤ η
      const a1 = Mathf.min(eta / m, F32_MAX), ak = Mathf.max(-delta * eta / m, -F32_MAX);
      const r1 = W + <usize>w1 * row, rk = W + <usize>wk * row;
      const s1 = stepBound(a1, I1, xn, load<f32>(at(B, w1)));
      hebbRow(r1, x, N, a1, I1);
      maxNormRow(r1, N, at(B, w1), s1, max);
      if (anti) {
        const sk = stepBound(ak, Ik, xn, load<f32>(at(B, wk)));
        hebbRow(rk, x, N, ak, Ik);
        maxNormRow(rk, N, at(B, wk), sk, max);
      }
    }
  } else { // SOFTHEBB
    matvec(u, W, x, K, N);
    scaleClamp(u, u, K, 1, MAX_PREACTIVATION);
    const invT = f(h, S_INVT);
    let win = 0;
    for (let i = 0; i < K; i++) {
      const ui = load<f32>(at(u, i));
      if (ui > load<f32>(at(u, win))) win = i;
      store<f32>(at(y, i), Mathf.min(Mathf.max(ui * invT, -MAX_PREACTIVATION), MAX_PREACTIVATION));
    }
    softmax(y, y, K);
    // post factors ±y_i (anti-Hebbian for every unit but the winner); the step is
    // normalised by the largest |Δw| of the sample, as in the reference code
    // units below SOFT_CUTOFF of the softmax are skipped: their step would be < 1e-4 η
    let m: f32 = 0;
    for (let i = 0; i < K; i++) {
      const yi = load<f32>(at(y, i));
      const a: f32 = yi < SOFT_CUTOFF ? <f32>0 : i == win ? yi : -yi;
      store<f32>(at(y, i), a);
      if (a != 0) m = Mathf.max(m, Mathf.abs(a) * hebbRowMaxAbs(W + <usize>i * row, x, N, load<f32>(at(u, i))));
    }
    if (m > 0) {
      const e = Mathf.min(eta / m, F32_MAX); // as Krotov's: |Δw_ij| ≤ η even when η/m overflows
      for (let i = 0; i < K; i++) {
        const a = load<f32>(at(y, i));
        if (a == 0) continue;
        const ui = load<f32>(at(u, i)), wi = W + <usize>i * row;
        const step = stepBound(e * a, ui, xn, load<f32>(at(B, i)));
        hebbRow(wi, x, N, e * a, ui);
        maxNormRow(wi, N, at(B, i), step, MAX_NORM);
      }
    }
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
