// e-prop: online learning in recurrent spiking networks by eligibility propagation.
//
// Neurons (discrete time, one step = dt = 1 ms; j a hidden neuron, i a presynaptic input or neuron):
//   LIF    v_j^t = α v_j^{t−1} + Σ_i W^in_ji x_i^t + Σ_i W^rec_ji z_i^{t−1} − v_th z_j^{t−1}
//          z_j^t = H(v_j^t − A_j^t),   A_j^t = v_th                      (reset by subtraction)
//   ALIF   A_j^t = v_th + β a_j^t,     a_j^{t+1} = ρ a_j^t + z_j^t        (adaptive threshold)
//   readout  y_k^t = κ y_k^{t−1} + Σ_j W^out_kj z_j^t + b_k,   π^t = softmax(y^t)
// Pseudo-derivative (replaces dz/dv, which is 0 or ∞):
//   ψ_j^t = (γ / v_th) max(0, 1 − |v_j^t − A_j^t| / v_th)
// Eligibility traces, per synapse, forward in time (no storage of the past):
//   presynaptic trace   ε̄_i^t = α ε̄_i^{t−1} + s_i^t,   s^t = [x^t; z^{t−1}]  (inputs; recurrent spikes)
//   LIF   e_ji^t = ψ_j^t ε̄_i^t
//   ALIF  e_ji^t = ψ_j^t (ε̄_i^t − β ε^a_ji^t),   ε^a_ji^{t+1} = ψ_j^t ε̄_i^t + (ρ − ψ_j^t β) ε^a_ji^t
//   filtered by the readout's time constant:  ē_ji^t = κ ē_ji^{t−1} + e_ji^t
// Learning signal (only at steps that carry a target):
//   L_j^t = Σ_k B_jk (π_k^t − π*_k^t),  B random and fixed ("random e-prop") or B = W^outᵀ ("symmetric")
// Firing-rate regularisation towards r*:  R_j^t = c_reg (r̄_j^t − r*),  r̄ a running mean of z_j
// Gradient, accumulated online and applied by the optimizer (Adam) after a sequence or a target:
//   g_ji = Σ_t (L_j^t ē_ji^t + R_j^t e_ji^t)          (recurrent W^rec_jj fixed at 0)
//   g^out_kj = Σ_t (π_k^t − π*_k^t) z̃_j^t,  z̃_j^t = κ z̃_j^{t−1} + z_j^t;  g^b_k likewise with z̃ → b̃
//
// Symbols: α = e^{−dt/τ_m} membrane decay; ρ = e^{−dt/τ_a} adaptation decay; κ = e^{−dt/τ_out}
// readout decay; v_th the threshold; β the adaptation strength; γ the pseudo-derivative's
// dampening (0.3); H the Heaviside step; π* the one-hot target. The derivative through the
// reset term −v_th z_j^{t−1} is not propagated (as in the authors' code); e-prop keeps, of BPTT's
// dE/dW_ji = Σ_t dE/dz_j^t · [dz_j^t/dW_ji]_local, only the direct part ∂E/∂z_j^t of the first
// factor (paths through other neurons' later spikes are dropped). docs/eprop.md has the details.
//
// see: Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass, "A solution to the learning
//      dilemma for recurrent networks of spiking neurons", Nature Communications 11, 3625 (2020),
//      equations (1)–(5), (13)–(25) of the Methods; Bellec et al., "Long short-term memory and
//      learning-to-learn in networks of spiking neurons", NeurIPS 2018 (ALIF).

import { axpy } from "../kernels/linalg";
import { SIMD } from "../kernels/simd";

// Traces below 1e-30 in magnitude are flushed to +0: a trace that only decays (a silent input,
// a neuron far from threshold) would otherwise sink into subnormals, which x86 runs about 100x
// slower, and wasm cannot turn on flush-to-zero. Same threshold as the optimizers' moments.
const TINY: f32 = 1e-30;
// @ts-ignore: decorator
@inline
function flush4(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(TINY)));
}
// @ts-ignore: decorator
@inline
function flush1(v: f32): f32 {
  return Mathf.abs(v) >= TINY ? v : 0;
}

/** γ, the pseudo-derivative's dampening factor of the paper. */
export const PSEUDO_DAMPENING: f32 = 0.3;

/**
 * One step of the neurons, in place. Per neuron j: v ← α v + c_j − v_th z_j (z the previous
 * spikes), A = v_th + β a (β only for j ≥ adaptiveFrom), z ← H(v − A), ψ ← (γ/v_th) max(0, 1 − |v − A|/v_th),
 * a ← ρ a + z. v is clamped to ±vmax (the numeric guard: never binds on ordinary data).
 * v, a, z, psi, c have n elements. Returns the number of spikes.
 */
export function spikingStep(
  v: usize,
  a: usize,
  z: usize,
  psi: usize,
  c: usize,
  n: i32,
  adaptiveFrom: i32,
  alpha: f32,
  rho: f32,
  vth: f32,
  beta: f32,
  vmax: f32,
): i32 {
  const g = PSEUDO_DAMPENING / vth;
  let spikes = 0;
  for (let j = 0; j < n; j++) {
    const o = (<usize>j) << 2;
    const zp = load<f32>(z + o);
    let vj = alpha * load<f32>(v + o) + load<f32>(c + o) - vth * zp;
    vj = Mathf.min(Mathf.max(vj, -vmax), vmax);
    const aj = load<f32>(a + o);
    const thr = j >= adaptiveFrom ? vth + beta * aj : vth;
    const zj: f32 = vj > thr ? 1 : 0;
    store<f32>(v + o, vj);
    store<f32>(z + o, zj);
    store<f32>(psi + o, g * Mathf.max(0, 1 - Mathf.abs(vj - thr) / vth));
    if (j >= adaptiveFrom) store<f32>(a + o, rho * aj + zj);
    spikes += <i32>zj;
  }
  return spikes;
}

/** The presynaptic traces ε̄ ← α ε̄ + s, flushed to 0 below 1e-30. pre, s have n elements (n a multiple of 4). */
export function presynapticTrace(pre: usize, s: usize, n: i32, alpha: f32): void {
  if (!SIMD) return presynapticTraceRef(pre, s, n, alpha);
  const av = f32x4.splat(alpha);
  for (let o: usize = 0; o < (<usize>n) << 2; o += 16)
    v128.store(pre + o, flush4(f32x4.add(f32x4.mul(av, v128.load(pre + o)), v128.load(s + o))));
}

/** Scalar twin of {@link presynapticTrace}: the same operations per element. */
export function presynapticTraceRef(pre: usize, s: usize, n: i32, alpha: f32): void {
  for (let o: usize = 0; o < (<usize>n) << 2; o += 4)
    store<f32>(pre + o, flush1(alpha * load<f32>(pre + o) + load<f32>(s + o)));
}

/**
 * The synaptic input c = W s computed from Wᵀ, skipping silent inputs: s = [x; z] is mostly
 * zeros (spikes are sparse, and pixels often 0), so c = Σ_{i: s_i ≠ 0} s_i Wᵀ_i.
 * wt is (rows, n4) row-major (Wᵀ, n4 = n rounded up to 4, padding zeros); s has rows; c has n4.
 * Summation order: i ascending, one lane per neuron.
 */
export function sparseInput(c: usize, wt: usize, s: usize, rows: i32, n4: i32): void {
  if (!SIMD) return sparseInputRef(c, wt, s, rows, n4);
  const stride = (<usize>n4) << 2;
  memory.fill(c, 0, stride);
  for (let i = 0; i < rows; i++) {
    const si = load<f32>(s + ((<usize>i) << 2));
    if (si == 0) continue;
    const sv = f32x4.splat(si),
      row = wt + <usize>i * stride;
    for (let o: usize = 0; o < stride; o += 16)
      v128.store(c + o, f32x4.add(v128.load(c + o), f32x4.mul(sv, v128.load(row + o))));
  }
}

export function sparseInputRef(c: usize, wt: usize, s: usize, rows: i32, n4: i32): void {
  for (let j = 0; j < n4; j++) store<f32>(c + ((<usize>j) << 2), 0);
  for (let i = 0; i < rows; i++) {
    const si = load<f32>(s + ((<usize>i) << 2));
    if (si == 0) continue;
    for (let j = 0; j < n4; j++) {
      const o = (<usize>j) << 2;
      store<f32>(c + o, load<f32>(c + o) + si * load<f32>(wt + ((<usize>i * <usize>n4) << 2) + o));
    }
  }
}

/** Below this, a row's lazy decay factor is folded into the row (keeps the stored values far from underflow). */
const MIN_SCALE: f32 = 9.5367431640625e-7; // 2⁻²⁰

/**
 * The e-prop update of every synapse for one time step: the eligibility traces (ALIF rows also
 * the adaptation component ε^a) and the online gradient g += L ē + R e.
 *   ebar, grad (rows, cols) row-major; epsA (rows − adaptiveFrom, cols), the ALIF rows only;
 *   pre (cols) the presynaptic traces ε̄; psi, learn, reg (rows): ψ_j, L_j, R_j;
 *   sE, sA (rows): per-row decay factors, the true traces being ē_j = sE_j · ebar_j and
 *   ε^a_j = sA_j · epsA_j.
 * A row whose neuron is off its pseudo-derivative's support (ψ_j = 0, about 3 rows in 4 on
 * MNIST) has e_j = 0: its traces only decay, so the row is not touched, sE_j ← κ sE_j and
 * sA_j ← ρ sA_j (a factor below 2⁻²⁰ is folded into the row first); with L_j ≠ 0 it still adds
 * g_j += (L_j sE_j) ebar_j. Otherwise, per element, in this order (κ' = κ sE_j, β' = β sA_j,
 * c' = (ρ − ψ β) sA_j, then sE_j = sA_j = 1):
 *   e = ψ (ε̄ − β' εa) [ALIF] or ψ ε̄ [LIF];  εa ← ψ ε̄ + c' εa;  ē ← κ' ē + e;  g ← g + (L ē + R e),
 * with εa and ē flushed to 0 below 1e-30. cols is a multiple of 4 (padded; padding holds zeros).
 */
export function eprop(
  ebar: usize,
  epsA: usize,
  grad: usize,
  pre: usize,
  psi: usize,
  learn: usize,
  reg: usize,
  sE: usize,
  sA: usize,
  rows: i32,
  adaptiveFrom: i32,
  cols: i32,
  beta: f32,
  rho: f32,
  kappa: f32,
): void {
  if (!SIMD)
    return epropRef(ebar, epsA, grad, pre, psi, learn, reg, sE, sA, rows, adaptiveFrom, cols, beta, rho, kappa);
  const stride = (<usize>cols) << 2;
  for (let j = 0; j < rows; j++) {
    const o = (<usize>j) << 2;
    const ps = load<f32>(psi + o),
      l = load<f32>(learn + o),
      r = load<f32>(reg + o);
    const eb = ebar + <usize>j * stride,
      gr = grad + <usize>j * stride;
    const ea = epsA + <usize>(j - adaptiveFrom) * stride;
    const se = load<f32>(sE + o),
      sa = load<f32>(sA + o);
    if (ps == 0) {
      decayRow(eb, sE + o, se * kappa, stride);
      if (j >= adaptiveFrom) decayRow(ea, sA + o, sa * rho, stride);
      if (l != 0) {
        const lv = f32x4.splat(l * load<f32>(sE + o));
        for (let c: usize = 0; c < stride; c += 16)
          v128.store(gr + c, f32x4.add(v128.load(gr + c), f32x4.mul(lv, v128.load(eb + c))));
      }
      continue;
    }
    store<f32>(sE + o, 1);
    const pv = f32x4.splat(ps),
      lv = f32x4.splat(l),
      rv = f32x4.splat(r),
      kv = f32x4.splat(kappa * se);
    if (j < adaptiveFrom) {
      for (let c: usize = 0; c < stride; c += 16) {
        const e = f32x4.mul(pv, v128.load(pre + c));
        const b = flush4(f32x4.add(f32x4.mul(kv, v128.load(eb + c)), e));
        v128.store(eb + c, b);
        v128.store(gr + c, f32x4.add(v128.load(gr + c), f32x4.add(f32x4.mul(lv, b), f32x4.mul(rv, e))));
      }
    } else {
      store<f32>(sA + o, 1);
      const bv = f32x4.splat(beta * sa),
        cv = f32x4.splat((rho - ps * beta) * sa);
      for (let c: usize = 0; c < stride; c += 16) {
        const p = v128.load(pre + c),
          a = v128.load(ea + c);
        const e = f32x4.mul(pv, f32x4.sub(p, f32x4.mul(bv, a)));
        v128.store(ea + c, flush4(f32x4.add(f32x4.mul(pv, p), f32x4.mul(cv, a))));
        const b = flush4(f32x4.add(f32x4.mul(kv, v128.load(eb + c)), e));
        v128.store(eb + c, b);
        v128.store(gr + c, f32x4.add(v128.load(gr + c), f32x4.add(f32x4.mul(lv, b), f32x4.mul(rv, e))));
      }
    }
  }
}

/** A row's lazy decay: its factor becomes s; below 2⁻²⁰ the factor is folded into the row (flushed) and reset to 1. */
function decayRow(row: usize, scale: usize, s: f32, stride: usize): void {
  if (s >= MIN_SCALE) {
    store<f32>(scale, s);
    return;
  }
  const sv = f32x4.splat(s);
  for (let c: usize = 0; c < stride; c += 16) v128.store(row + c, flush4(f32x4.mul(sv, v128.load(row + c))));
  store<f32>(scale, 1);
}

function decayRowRef(row: usize, scale: usize, s: f32, stride: usize): void {
  if (s >= MIN_SCALE) {
    store<f32>(scale, s);
    return;
  }
  for (let c: usize = 0; c < stride; c += 4) store<f32>(row + c, flush1(s * load<f32>(row + c)));
  store<f32>(scale, 1);
}

/** Scalar twin of {@link eprop}: the same operations per element, in the same order. */
export function epropRef(
  ebar: usize,
  epsA: usize,
  grad: usize,
  pre: usize,
  psi: usize,
  learn: usize,
  reg: usize,
  sE: usize,
  sA: usize,
  rows: i32,
  adaptiveFrom: i32,
  cols: i32,
  beta: f32,
  rho: f32,
  kappa: f32,
): void {
  const stride = (<usize>cols) << 2;
  for (let j = 0; j < rows; j++) {
    const o = (<usize>j) << 2;
    const ps = load<f32>(psi + o),
      l = load<f32>(learn + o),
      r = load<f32>(reg + o);
    const eb = ebar + <usize>j * stride,
      gr = grad + <usize>j * stride;
    const ea = epsA + <usize>(j - adaptiveFrom) * stride;
    const se = load<f32>(sE + o),
      sa = load<f32>(sA + o);
    if (ps == 0) {
      decayRowRef(eb, sE + o, se * kappa, stride);
      if (j >= adaptiveFrom) decayRowRef(ea, sA + o, sa * rho, stride);
      if (l != 0) {
        const lf = l * load<f32>(sE + o);
        for (let c: usize = 0; c < stride; c += 4) store<f32>(gr + c, load<f32>(gr + c) + lf * load<f32>(eb + c));
      }
      continue;
    }
    store<f32>(sE + o, 1);
    const kf = kappa * se;
    const bf = beta * sa,
      cf = (rho - ps * beta) * sa;
    if (j >= adaptiveFrom) store<f32>(sA + o, 1);
    for (let c: usize = 0; c < stride; c += 4) {
      const p = load<f32>(pre + c);
      let e: f32;
      if (j < adaptiveFrom) {
        e = ps * p;
      } else {
        const a = load<f32>(ea + c);
        e = ps * (p - bf * a);
        store<f32>(ea + c, flush1(ps * p + cf * a));
      }
      const b = flush1(kf * load<f32>(eb + c) + e);
      store<f32>(eb + c, b);
      store<f32>(gr + c, load<f32>(gr + c) + (l * b + r * e));
    }
  }
}

/**
 * The output error δ = π − onehot(label) and the readout's gradient g^out += δ z̃ᵀ, g^b += δ b̃.
 * pi, delta (k); gOut (k, n) row-major; zt (n). Returns nothing; delta is written.
 */
export function readoutError(
  delta: usize,
  pi: usize,
  gOut: usize,
  gb: usize,
  zt: usize,
  bt: f32,
  label: i32,
  k: i32,
  n: i32,
): void {
  for (let c = 0; c < k; c++) {
    const o = (<usize>c) << 2;
    const d = load<f32>(pi + o) - (c == label ? <f32>1 : <f32>0);
    store<f32>(delta + o, d);
    store<f32>(gb + o, load<f32>(gb + o) + d * bt);
  }
  for (let c = 0; c < k; c++) axpy(gOut + <usize>c * ((<usize>n) << 2), load<f32>(delta + ((<usize>c) << 2)), zt, n);
}
