// Spike-timing-dependent plasticity in a network of leaky integrate-and-fire neurons with
// adaptive thresholds, after Diehl & Cook 2015, "Unsupervised learning of digit recognition
// using spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99.
//
// Neuron (excitatory, conductance-based LIF; forward Euler with step dt, as the reference):
//   τ_m dv/dt = (v_rest − v) + g_e (E_exc − v) + g_i (E_inh − v)      (frozen while refractory)
//   τ_e dg_e/dt = −g_e,   τ_i dg_i/dt = −g_i                          (exact decay per step)
//   spike when v > v_thr + θ:  v ← v_reset, refractory for t_ref, θ ← θ + θ₊
//   τ_θ dθ/dt = −θ                                                     (homeostasis)
// Synaptic events: an input spike at synapse (i → j) adds w_ij to g_e,j; an excitatory spike
// of neuron j adds w_inh to g_i,k of every other neuron k (lateral inhibition).
//
// Traces (x decays as τ dx/dt = −x; spikes set it to 1 "nearest" or add 1 "all-to-all"):
//   x_pre,i   at input i (τ_pre),   x_post1,j (τ_post1), x_post2,j (τ_post2) at neuron j
//
// STDP, the nearest-spike triplet rule of the paper's published code (hard bounds [0, w_max]):
//   pre spike at i:   w_ij ← max(w_ij − η_pre x_post1,j, 0)           (post-before-pre: depress)
//                     x_pre,i ← 1
//   post spike at j:  w_ij ← min(w_ij + η_post x_pre,i x_post2,j⁻, w_max)  (pre-before-post)
//                     x_post1,j ← 1, x_post2,j ← 1   (x_post2,j⁻: its value just before this spike)
// STDP, the paper's rule (eq. 4: post-synaptic events only, power-law weight dependence):
//   post spike at j:  Δw_ij = η_post (x_pre,i − x_tar) (w_max − w_ij)^μ,  then w_ij ∈ [0, w_max]
//                     pre traces add 1 per spike; x_tar the target trace (depresses inputs
//                     that rarely fire before the neuron)
// Weight normalisation (after each learning presentation): Σ_i w_ij ← W_total for every j.
//
// Symbols: v membrane potential (mV), g_e, g_i excitatory and inhibitory conductances (in units
// of the leak conductance), θ the adaptive threshold, η_pre, η_post learning rates, w_max the
// largest weight, W_total the column sum. The paper's constants (v_rest = v_reset = −65 mV,
// v_thr = −52 mV, E_exc = 0, E_inh = −100 mV, τ_m = 100 ms, τ_e = 1 ms, τ_i = 2 ms,
// t_ref = 5 ms, θ₊ = 0.05 mV, τ_θ = 10⁷ ms, τ_pre = τ_post1 = 20 ms, τ_post2 = 40 ms,
// η_pre = 10⁻⁴, η_post = 10⁻², w_max = 1, W_total = 78, w_inh = 17) are the learner's defaults.
//
// Kernels: w is (inputs, neurons) row-major, so an input spike touches one contiguous row
// (SIMD) and a post spike one strided column (scalar, rare). Every SIMD kernel has a scalar
// Ref twin doing the same IEEE operations per element in the same order (tested bitwise).
// Numeric guard (applied by the learner, around these rules): v is kept in [E_inh, E_exc],
// the interval the exact dynamics never leave (Euler with a large g·dt/τ_m could overshoot);
// weights are clipped to [0, w_max] by the rules themselves (the paper's hard bounds).

import { expf, logf } from "../kernels/math";
import { SIMD } from "../kernels/simd";

/** Parameters of lifStep, laid out as the learner keeps them (one struct, no slot table). */
@unmanaged
export class LifParams {
  /** dt/τ_m */
  k: f32;
  vRest: f32;
  eExc: f32;
  eInh: f32;
  vThresh: f32;
  /** exp(−dt/τ_e), exp(−dt/τ_i) */
  decayE: f32;
  decayI: f32;
  /** exp(−dt/τ_post1), exp(−dt/τ_post2) */
  decayPost1: f32;
  decayPost2: f32;
}

/**
 * One Euler step of K excitatory neurons (every array has K f32; K a multiple of 4):
 *   non-refractory (r ≤ 0): v ← clamp(v + k ((v_rest − v) + g_e (E_exc − v) + g_i (E_inh − v)), E_inh, E_exc)
 *   r ← max(r − 1, 0);  g_e, g_i, x1, x2 decay by their factors.
 * Writes the indices of neurons with r ≤ 0 and v > v_thr + θ into `spiked` (ascending, i32)
 * and returns how many. Reset, θ and traces of those neurons are the caller's.
 */
export function lifStep(
  p: LifParams,
  v: usize,
  ge: usize,
  gi: usize,
  theta: usize,
  refr: usize,
  x1: usize,
  x2: usize,
  K: i32,
  spiked: usize,
): i32 {
  if (!SIMD) return lifStepRef(p, v, ge, gi, theta, refr, x1, x2, K, spiked);
  const k = f32x4.splat(p.k),
    vr = f32x4.splat(p.vRest),
    ee = f32x4.splat(p.eExc),
    ei = f32x4.splat(p.eInh);
  const vt = f32x4.splat(p.vThresh),
    de = f32x4.splat(p.decayE),
    di = f32x4.splat(p.decayI);
  const d1 = f32x4.splat(p.decayPost1),
    d2 = f32x4.splat(p.decayPost2);
  const zero = f32x4.splat(0),
    one = f32x4.splat(1);
  let n = 0;
  for (let j = 0; j < K; j += 4) {
    const o = (<usize>j) << 2;
    const vv = v128.load(v + o),
      gev = v128.load(ge + o),
      giv = v128.load(gi + o),
      r = v128.load(refr + o);
    const drive = f32x4.add(
      f32x4.add(f32x4.sub(vr, vv), f32x4.mul(gev, f32x4.sub(ee, vv))),
      f32x4.mul(giv, f32x4.sub(ei, vv)),
    );
    const vn = f32x4.min(f32x4.max(f32x4.add(vv, f32x4.mul(k, drive)), ei), ee);
    const active = f32x4.le(r, zero);
    const vOut = v128.bitselect(vn, vv, active);
    v128.store(v + o, vOut);
    v128.store(refr + o, f32x4.max(f32x4.sub(r, one), zero));
    v128.store(ge + o, f32x4.mul(gev, de));
    v128.store(gi + o, f32x4.mul(giv, di));
    v128.store(x1 + o, f32x4.mul(v128.load(x1 + o), d1));
    v128.store(x2 + o, f32x4.mul(v128.load(x2 + o), d2));
    const fire = v128.and(active, f32x4.gt(vOut, f32x4.add(vt, v128.load(theta + o))));
    let mask = i32x4.bitmask(fire);
    while (mask != 0) {
      const l = ctz<i32>(mask);
      store<i32>(spiked + ((<usize>n) << 2), j + l);
      n++;
      mask &= mask - 1;
    }
  }
  return n;
}

export function lifStepRef(
  p: LifParams,
  v: usize,
  ge: usize,
  gi: usize,
  theta: usize,
  refr: usize,
  x1: usize,
  x2: usize,
  K: i32,
  spiked: usize,
): i32 {
  let n = 0;
  for (let j = 0; j < K; j++) {
    const o = (<usize>j) << 2;
    const vv = load<f32>(v + o),
      gev = load<f32>(ge + o),
      giv = load<f32>(gi + o),
      r = load<f32>(refr + o);
    const drive = p.vRest - vv + gev * (p.eExc - vv) + giv * (p.eInh - vv);
    const vn = Mathf.min(Mathf.max(vv + p.k * drive, p.eInh), p.eExc);
    const active = r <= 0;
    const vOut = active ? vn : vv;
    store<f32>(v + o, vOut);
    store<f32>(refr + o, Mathf.max(r - 1, 0));
    store<f32>(ge + o, gev * p.decayE);
    store<f32>(gi + o, giv * p.decayI);
    store<f32>(x1 + o, load<f32>(x1 + o) * p.decayPost1);
    store<f32>(x2 + o, load<f32>(x2 + o) * p.decayPost2);
    if (active && vOut > p.vThresh + load<f32>(theta + o)) {
      store<i32>(spiked + ((<usize>n) << 2), j);
      n++;
    }
  }
  return n;
}

// ---------------------------------------------------------------- presynaptic event

/**
 * Input i spikes: g_e += w_i (the row's weights before the update), then the nearest-spike
 * depression w_i ← max(w_i − η_pre x_post1, 0) (η_pre = 0: transmission only).
 * w_i, g_e, x_post1 have K f32 (K a multiple of 4).
 */
export function stdpNearestPre(w: usize, ge: usize, xPost1: usize, K: i32, etaPre: f32): void {
  if (!SIMD) return stdpNearestPreRef(w, ge, xPost1, K, etaPre);
  const a = f32x4.splat(etaPre),
    zero = f32x4.splat(0);
  const end = (<usize>K) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const wv = v128.load(w + o);
    v128.store(ge + o, f32x4.add(v128.load(ge + o), wv));
    v128.store(w + o, f32x4.max(f32x4.sub(wv, f32x4.mul(a, v128.load(xPost1 + o))), zero));
  }
}

export function stdpNearestPreRef(w: usize, ge: usize, xPost1: usize, K: i32, etaPre: f32): void {
  for (let j = 0; j < K; j++) {
    const o = (<usize>j) << 2;
    const wv = load<f32>(w + o);
    store<f32>(ge + o, load<f32>(ge + o) + wv);
    store<f32>(w + o, Mathf.max(wv - etaPre * load<f32>(xPost1 + o), 0));
  }
}

// ---------------------------------------------------------------- postsynaptic event

/**
 * Neuron j spikes (nearest-spike triplet rule): w_ij ← min(w_ij + a x_pre,i, w_max) for every
 * input i, a = η_post x_post2,j⁻. w is (N, K) row-major; xPre has N f32 (the traces now).
 */
export function stdpNearestPost(w: usize, xPre: usize, N: i32, K: i32, j: i32, a: f32, wMax: f32): void {
  const stride = (<usize>K) << 2;
  let p = w + ((<usize>j) << 2);
  for (let i = 0; i < N; i++, p += stride) {
    store<f32>(p, Mathf.min(load<f32>(p) + a * load<f32>(xPre + ((<usize>i) << 2)), wMax));
  }
}

/**
 * Neuron j spikes (the paper's rule, eq. 4): w_ij ← clamp(w_ij + η (x_pre,i − x_tar)(w_max − w_ij)^μ,
 * 0, w_max). μ = 0 is the additive rule, μ = 1 the multiplicative soft bound; other μ use
 * our deterministic exp and log. Same shapes as stdpNearestPost.
 */
export function stdpPowerLawPost(
  w: usize,
  xPre: usize,
  N: i32,
  K: i32,
  j: i32,
  eta: f32,
  xTar: f32,
  wMax: f32,
  mu: f32,
): void {
  const stride = (<usize>K) << 2;
  let p = w + ((<usize>j) << 2);
  for (let i = 0; i < N; i++, p += stride) {
    const wv = load<f32>(p);
    const room = wMax - wv;
    const dep: f32 = mu == 0 ? 1 : mu == 1 ? room : room > 0 ? expf(mu * logf(room)) : 0;
    store<f32>(p, Mathf.min(Mathf.max(wv + eta * (load<f32>(xPre + ((<usize>i) << 2)) - xTar) * dep, 0), wMax));
  }
}

// ---------------------------------------------------------------- weight normalisation

/**
 * Σ_i w_ij ← total for every column j with a positive sum: colSum_j = Σ_i w_ij in row order
 * i = 0 … N−1 (one lane per column), f_j = total / colSum_j, then w_ij ← w_ij f_j. colSum (K)
 * is scratch; K a multiple of 4.
 */
export function normalizeColumns(w: usize, colSum: usize, N: i32, K: i32, total: f32): void {
  if (!SIMD) return normalizeColumnsRef(w, colSum, N, K, total);
  const end = (<usize>K) << 2;
  memory.fill(colSum, 0, end);
  let row = w;
  for (let i = 0; i < N; i++, row += end) {
    for (let o: usize = 0; o < end; o += 16)
      v128.store(colSum + o, f32x4.add(v128.load(colSum + o), v128.load(row + o)));
  }
  const t = f32x4.splat(total),
    zero = f32x4.splat(0),
    one = f32x4.splat(1);
  for (let o: usize = 0; o < end; o += 16) {
    const s = v128.load(colSum + o);
    v128.store(colSum + o, v128.bitselect(f32x4.div(t, s), one, f32x4.gt(s, zero)));
  }
  row = w;
  for (let i = 0; i < N; i++, row += end) {
    for (let o: usize = 0; o < end; o += 16) v128.store(row + o, f32x4.mul(v128.load(row + o), v128.load(colSum + o)));
  }
}

export function normalizeColumnsRef(w: usize, colSum: usize, N: i32, K: i32, total: f32): void {
  for (let j = 0; j < K; j++) {
    let s: f32 = 0;
    for (let i = 0; i < N; i++) s += load<f32>(w + ((<usize>i * <usize>K + <usize>j) << 2));
    const f: f32 = s > 0 ? total / s : 1;
    store<f32>(colSum + ((<usize>j) << 2), f);
    for (let i = 0; i < N; i++) {
      const p = w + ((<usize>i * <usize>K + <usize>j) << 2);
      store<f32>(p, load<f32>(p) * f);
    }
  }
}
