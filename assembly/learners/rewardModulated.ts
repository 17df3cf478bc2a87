// A stochastic softmax policy learned by the three-factor rule (equation and papers:
// ../rules/rewardModulated.ts): act(x) samples an action and updates the eligibility
// traces; reward(r) applies η (r − r̄) E and moves the baseline.
//
//   state   [PRNG 16 B][r̄ f32, pad][W][b][E][E_b]   (persisted: a reward may come after a restore)
//   scratch [π][onehot(a) − π, then the rows' step coefficients m_i][β_i ≥ ‖W_i‖][ε_i ≥ ‖E_i‖]
//
// Numeric guard (../rules/guard.ts): the context is scaled into ‖x‖ ≤ R, the logits are clamped
// to ±A, r − r̄ to the f32 range; each row's step is bounded, m_i = clamp(η (r − r̄), ±C/‖(E_i, E_b,i)‖),
// so ‖Δ(W_i, b_i)‖ ≤ C; then ‖W_i‖ ≤ C and |b_i| ≤ C (max-norm). None of it binds on ordinary data.
// ‖E_i‖ costs a pass over E, so act() keeps the bound ε_i ← λ ε_i + |onehot(a)_i − π_i| ν ‖x‖ and
// reward() computes ‖E_i‖ only when ε_i says the clamp might bind (β_i works the same way for
// ‖W_i‖, see the guard). Both are +∞ after construction and restore; decisions use exact norms.

import { f32Bytes, layoutOf, learnerNew, learnerState, learnerScratch } from "./common";
import { AVERAGE, part } from "./mergeParts";
import { rngSeed, rngUniform } from "../kernels/prng";
import { softmax } from "../kernels/normalize";
import { axpy, scale } from "../kernels/linalg";
import { denseForward, argmax } from "../rules/dense";
import { eligibilityUpdate, threeFactorUpdate } from "../rules/rewardModulated";
import { nlmsRateOfNorm } from "../rules/nlms";
import { F32_MAX, MAX_INPUT_NORM, MAX_NORM, capNorm, norm2, maxNormRows, unknownBounds } from "../rules/guard";

export const KIND_RM: u32 = 0x524d; // "RM"

/** The policy's layout region (byte offsets of its arrays), carved in rmNew. */
@unmanaged
class Policy {
  inputs: i32;
  actions: i32;
  /** η, the baseline rate α, the trace decay λ. */
  eta: f32;
  alpha: f32;
  lambda: f32;
  /** 1: the eligibility term is scaled by ν = 1 / (1 + ‖x‖²) (../rules/rewardModulated.ts); 0: ν = 1. */
  normalized: i32;
  // state: [PRNG 16 B][r̄ f32, pad][W][b][E][E_b]
  W: usize;
  b: usize;
  E: usize;
  Eb: usize;
  // scratch: π, then onehot(a) − π (reused for the rows' step coefficients), β_i ≥ ‖W_i‖, ε_i ≥ ‖E_i‖
  pi: usize;
  post: usize;
  bound: usize;
  traceBound: usize;
}

// @ts-ignore: decorator
@inline
function pol(h: usize): Policy {
  return changetype<Policy>(layoutOf(h));
}

/**
 * New policy over `actions` actions for `inputs`-wide contexts; W = 0 (uniform policy);
 * normalized ≠ 0: eligibility terms scaled by 1 / (1 + ‖x‖²).
 */
export function rmNew(inputs: i32, actions: i32, eta: f32, alpha: f32, lambda: f32, seed: u32, normalized: i32): usize {
  const wBytes = <usize>f32Bytes(inputs * actions),
    bBytes = <usize>f32Bytes(actions);
  const stateBytes: usize = 32 + ((wBytes + bBytes) << 1);
  const h = learnerNew(KIND_RM, <u32>offsetof<Policy>(), <u32>stateBytes, <u32>(bBytes << 2));
  const st = learnerState(h),
    sc = learnerScratch(h);
  const q = pol(h);
  q.inputs = inputs;
  q.actions = actions;
  q.eta = eta;
  q.alpha = alpha;
  q.lambda = lambda;
  q.normalized = normalized != 0 ? 1 : 0;
  q.W = st + 32;
  q.b = q.W + wBytes;
  q.E = q.b + bBytes;
  q.Eb = q.E + wBytes;
  q.pi = sc;
  q.post = sc + bBytes;
  q.bound = sc + 2 * bBytes;
  q.traceBound = sc + 3 * bBytes;
  unknownBounds(q.bound, actions);
  unknownBounds(q.traceBound, actions);
  rngSeed(st, seed);
  return h;
}

// π = softmax(W x + b) into scratch after scaling x (the caller's scratch copy) into ‖x‖ ≤ R; returns ‖x‖.
function policy(h: usize, x: usize): f32 {
  const n = pol(h).actions,
    pi = pol(h).pi;
  const xn = capNorm(x, pol(h).inputs, MAX_INPUT_NORM);
  denseForward(pi, pol(h).W, pol(h).b, x, n, pol(h).inputs);
  softmax(pi, pi, n);
  return xn;
}

/** π(x); returns a pointer to the `actions` probabilities (x, the caller's scratch copy, is scaled into ‖x‖ ≤ R). */
export function rmScores(h: usize, x: usize): usize {
  policy(h, x);
  return pol(h).pi;
}

/** The most probable action for x (no sampling, no trace update). */
export function rmPredict(h: usize, x: usize): i32 {
  return argmax(rmScores(h, x), pol(h).actions);
}

/** Samples an action a ~ π(x) and folds (onehot(a) − π) xᵀ into the eligibility traces. */
export function rmAct(h: usize, x: usize): i32 {
  const xn = policy(h, x);
  const n = pol(h).actions,
    pi = pol(h).pi,
    post = pol(h).post;
  const u = rngUniform(learnerState(h));
  let a = n - 1;
  let c: f32 = 0;
  for (let i = 0; i < n; i++) {
    c += load<f32>(pi + ((<usize>i) << 2));
    if (u < c) {
      a = i;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(post + o, (i == a ? <f32>1.0 : <f32>0.0) - load<f32>(pi + o));
  }
  const lambda = pol(h).lambda,
    gain: f32 = pol(h).normalized != 0 ? nlmsRateOfNorm(1, xn) : 1;
  eligibilityUpdate(pol(h).E, post, x, n, pol(h).inputs, lambda, gain);
  scale(pol(h).Eb, lambda, n); // E_b = λ E_b + ν post: a synapse whose presynaptic side is 1
  axpy(pol(h).Eb, gain, post, n);
  const en = pol(h).traceBound;
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(
      en + o,
      (lambda * load<f32>(en + o) + Mathf.abs(load<f32>(post + o)) * (gain * xn)) * <f32>(1 + 9.5367431640625e-7),
    );
  }
  return a;
}

/**
 * Applies the reward r: W += η (r − r̄) E, b += η (r − r̄) E_b (each row's step bounded, then
 * the max-norm constraint), then r̄ += α (r − r̄). Returns r − r̄ (clamped to the f32 range).
 */
export function rmReward(h: usize, r: f32): f32 {
  const rbar = rmBaselinePtr(h);
  const rb = load<f32>(rbar);
  let delta = r - rb;
  if (!(Mathf.abs(delta) <= F32_MAX)) delta = r > rb ? F32_MAX : -F32_MAX; // |r|, |r̄| near 3.4e38
  const m = Mathf.min(Mathf.max(pol(h).eta * delta, -F32_MAX), F32_MAX);
  const n = pol(h).actions,
    k = pol(h).inputs;
  const w = pol(h).W,
    b = pol(h).b,
    ew = pol(h).E,
    eb = pol(h).Eb,
    mi = pol(h).post,
    nb = pol(h).bound,
    eps = pol(h).traceBound;
  const stride = (<usize>k) << 2;
  // margin for the rounding of the exact norm (relative error ≤ k · 2⁻²⁴)
  const near = MAX_NORM / (1 + <f32>(k + 4) * <f32>4.76837158203125e-7);
  let uniform = true;
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2,
      ei = ew + <usize>i * stride;
    const ebi = load<f32>(eb + o);
    let en = load<f32>(eps + o);
    let mm = m;
    if (!(Mathf.abs(m) * Mathf.sqrt(en * en + ebi * ebi) <= near)) {
      en = norm2(ei, k);
      store<f32>(eps + o, en);
      const lim = MAX_NORM / Mathf.sqrt(en * en + ebi * ebi); // +∞ for a zero trace: nothing moves
      mm = Mathf.min(Mathf.max(m, -lim), lim);
    }
    if (mm != m) uniform = false;
    store<f32>(mi + o, mm);
  }
  if (uniform) {
    // every row takes the same m: the plain update, one pass
    threeFactorUpdate(w, ew, m, n * k);
    threeFactorUpdate(b, eb, m, n);
  } else {
    for (let i = 0; i < n; i++) {
      const o = (<usize>i) << 2;
      threeFactorUpdate(w + <usize>i * stride, ew + <usize>i * stride, load<f32>(mi + o), k);
      threeFactorUpdate(b + o, eb + o, load<f32>(mi + o), 1);
    }
  }
  // step norms |m_i| ε_i ≥ ‖m_i E_i‖ into mi: maxNormRows bounds each row's step by |g_i| · hn, hn = 1
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(mi + o, Mathf.abs(load<f32>(mi + o)) * load<f32>(eps + o));
  }
  maxNormRows(w, b, nb, mi, 1, n, k);
  store<f32>(rbar, rb + pol(h).alpha * delta);
  return delta;
}

/** Byte offset of the reward baseline r̄ (one f32 after the 16-byte PRNG state). */
export function rmBaselinePtr(h: usize): usize {
  return learnerState(h) + 16;
}

// ---------------------------------------------------------------- merge accessors (engram.merge, ./mergeParts.ts)

/**
 * How a policy merges: W, b and the reward baseline r̄ are averaged (FedAvg; r̄ is a running
 * mean of rewards, so the weighted mean of the members' is the estimate of the merged policy's).
 * The eligibility traces E, E_b are reset to 0: they belong to actions one member took, and a
 * reward given to the merged policy must not credit an action it never took. The policy keeps
 * no count of its samples, so the default weights are equal.
 */
export function rmMergeParts(h: usize, parts: usize): i32 {
  const s = learnerState(h);
  const i = part(parts, 0, pol(h).W - s, <i32>((pol(h).E - pol(h).W) >>> 2), AVERAGE);
  return part(parts, i, rmBaselinePtr(h) - s, 1, AVERAGE);
}

/** No count of samples is kept: −1 (the merge then weighs the members equally). */
export function rmMergeSamples(h: usize): f64 {
  return -1;
}
