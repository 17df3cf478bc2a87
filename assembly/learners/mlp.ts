// The multilayer perceptron that feedback alignment, DFA and node perturbation share: one
// memory block, the forward pass, dropout masks and the guarded descent of every layer
// (the rules that make each learner's δ live in ../rules/: feedbackAlignment.ts,
// perturbation.ts; the dense layer in ../rules/dense.ts).
//
//   layout  [Mlp][n_0..n_L][MlpLayer per weight layer]   (the classes below, carved in mlpNew)
//   state   [PRNG 16 B][samples seen f64][pad][W_0 b_0 W_1 b_1 ...]   (persisted)
//   scratch [feedback PRNG 16 B][B or D per hidden layer][per layer: a h δ ξ a′ h′ tmp β]
// The feedback matrices are regenerated from the seed at construction and never saved.
// Numeric guard (docs/numerics.md, "The dense guard"): x is scaled into ‖x‖ ≤ R in its input
// slot, every pre-activation is clamped to ±A, every step is bounded and followed by the
// max-norm constraint; β holds the rows' norm bounds (+∞ at construction, so after a restore too).
// Dropout (FA/DFA only, p > 0): ξ holds the step's mask m_l ∈ {0, 1/(1−p)}, drawn from
// the persisted PRNG, so a restored learner drops the same units as one that never stopped.

import { f32Bytes, layoutOf, learnerNew, learnerState, learnerStateBytes, learnerScratch } from "./common";
import { axpy } from "../kernels/linalg";
import { MAX_INPUT_NORM, capNorm, unknownBounds } from "../rules/guard";
import { rngSeed, rngFillUniform, rngUniform } from "../kernels/prng";
import { nlmsRate } from "../rules/nlms";
import { activate, argmax, hadamard, denseForward, denseDescend, softmaxError } from "../rules/dense";

export const MODE_FA = 0,
  MODE_DFA = 1;

/** The network's layout region: these fields, then n_0..n_L (i32), then one MlpLayer per weight layer. */
@unmanaged
class Mlp {
  /** Weight layers L. */
  L: i32;
  /** Hidden activation (ACT_* of ../rules/dense.ts). */
  act: i32;
  /** MODE_FA or MODE_DFA. */
  mode: i32;
  /** η, its decay κ, the perturbation size σ, the dropout probability p. */
  eta: f32;
  decay: f32;
  sigma: f32;
  drop: f32;
  /** 1: each layer's step uses the normalised rate η / (1 + ‖h_{l−1}‖²) (../rules/nlms.ts); 0: η. */
  normalized: i32;
  /** The persisted PRNG (16 B) and the samples-seen counter (f64), in state. */
  rng: usize;
  count: usize;
}

/** The arrays of weight layer l, which maps n_l → n_{l+1} (byte offsets). */
@unmanaged
export class MlpLayer {
  /** Weights (n_{l+1} × n_l) and biases (state). */
  W: usize;
  b: usize;
  /** The fixed random feedback of hidden layer l (scratch; 0 when none). */
  feedback: usize;
  /** Pre-activation, activity, error signal δ, noise ξ (or dropout mask), the perturbed a′, h′ (scratch, n_{l+1} each). */
  a: usize;
  h: usize;
  delta: usize;
  xi: usize;
  aPerturbed: usize;
  hPerturbed: usize;
  /** Step coefficients and the rows' norm bounds β (scratch). */
  tmp: usize;
  bound: usize;
}

// @ts-ignore: decorator
@inline
function net(h: usize): Mlp {
  return changetype<Mlp>(layoutOf(h));
}

/** Number of weight layers L (sizes has L + 1 entries). */
// @ts-ignore: decorator
@inline
export function layers(h: usize): i32 {
  return net(h).L;
}
/** Width n_l of layer l (0 = input, L = output). */
// @ts-ignore: decorator
@inline
export function width(h: usize, l: i32): i32 {
  return load<i32>(layoutOf(h) + offsetof<Mlp>() + ((<usize>l) << 2));
}
/** The arrays of weight layer l. */
// @ts-ignore: decorator
@inline
export function layer(h: usize, l: i32): MlpLayer {
  return changetype<MlpLayer>(
    layoutOf(h) + offsetof<Mlp>() + ((<usize>(net(h).L + 1)) << 2) + <usize>l * offsetof<MlpLayer>(),
  );
}
// @ts-ignore: decorator
@inline
export function activation(h: usize): i32 {
  return net(h).act;
}
// @ts-ignore: decorator
@inline
export function modeOf(h: usize): i32 {
  return net(h).mode;
}
// @ts-ignore: decorator
@inline
export function sigma(h: usize): f32 {
  return net(h).sigma;
}
// @ts-ignore: decorator
@inline
export function rngOf(h: usize): usize {
  return net(h).rng;
}

// @ts-ignore: decorator
@inline
function sizeAt(sizes: usize, l: i32): i32 {
  return load<i32>(sizes + ((<usize>l) << 2));
}

/** Rows of the feedback matrix of hidden layer l: n_L for DFA, n_{l+2} for FA. */
function feedbackRows(sizes: usize, l: i32, last: i32, mode: i32): i32 {
  return sizeAt(sizes, mode == MODE_DFA ? last : l + 2);
}

/**
 * Allocates and initialises a network. sizes: nSizes i32 widths at `sizes`.
 * W_l ~ U(±√(3/n_l)) from the seed (variance 1/fan-in), b = 0. With `feedback`,
 * fixed random feedback matrices ~ U(±√(3/rows)) from a second stream of the seed.
 */
export function mlpNew(
  kind: u32,
  sizes: usize,
  nSizes: i32,
  act: i32,
  mode: i32,
  eta: f32,
  decay: f32,
  sig: f32,
  drop: f32,
  seed: u32,
  feedback: bool,
  normalized: bool,
): usize {
  const L = nSizes - 1;
  let stateBytes: usize = 32,
    fbBytes: usize = 16,
    bufBytes: usize = 0;
  for (let l = 0; l < L; l++) {
    stateBytes += <usize>f32Bytes(sizeAt(sizes, l + 1) * sizeAt(sizes, l)) + <usize>f32Bytes(sizeAt(sizes, l + 1));
    if (feedback && l < L - 1) fbBytes += <usize>f32Bytes(feedbackRows(sizes, l, L, mode) * sizeAt(sizes, l + 1));
    bufBytes += 8 * <usize>f32Bytes(sizeAt(sizes, l + 1));
  }
  const layoutBytes: usize = offsetof<Mlp>() + ((<usize>(L + 1)) << 2) + <usize>L * offsetof<MlpLayer>();
  const h = learnerNew(kind, <u32>layoutBytes, <u32>stateBytes, <u32>(fbBytes + bufBytes));
  const st = learnerState(h);
  let sc = learnerScratch(h);
  const n = net(h);
  n.L = L;
  n.act = act;
  n.mode = mode;
  n.eta = eta;
  n.decay = decay;
  n.sigma = sig;
  n.drop = drop;
  n.normalized = normalized ? 1 : 0;
  n.rng = st;
  n.count = st + 16;
  for (let l = 0; l <= L; l++) store<i32>(layoutOf(h) + offsetof<Mlp>() + ((<usize>l) << 2), sizeAt(sizes, l));
  rngSeed(st, seed);
  const fbRng = sc;
  rngSeed(fbRng, seed ^ 0x5bd1e995);
  sc += 16;
  let p = st + 32;
  for (let l = 0; l < L; l++) {
    const rows = sizeAt(sizes, l + 1),
      cols = sizeAt(sizes, l);
    const ly = layer(h, l);
    ly.W = p;
    rngFillUniform(st, p, rows * cols, -Mathf.sqrt(3.0 / <f32>cols), Mathf.sqrt(3.0 / <f32>cols));
    p += <usize>f32Bytes(rows * cols);
    ly.b = p;
    p += <usize>f32Bytes(rows);
    if (feedback && l < L - 1) {
      const fr = feedbackRows(sizes, l, L, mode);
      ly.feedback = sc;
      rngFillUniform(fbRng, sc, fr * rows, -Mathf.sqrt(3.0 / <f32>fr), Mathf.sqrt(3.0 / <f32>fr));
      sc += <usize>f32Bytes(fr * rows);
    }
  }
  for (let l = 0; l < L; l++) {
    const ly = layer(h, l),
      nb = <usize>f32Bytes(sizeAt(sizes, l + 1));
    ly.a = sc;
    ly.h = sc + nb;
    ly.delta = sc + 2 * nb;
    ly.xi = sc + 3 * nb;
    ly.aPerturbed = sc + 4 * nb;
    ly.hPerturbed = sc + 5 * nb;
    ly.tmp = sc + 6 * nb;
    ly.bound = sc + 7 * nb;
    sc += 8 * nb;
    unknownBounds(ly.bound, sizeAt(sizes, l + 1));
  }
  return h;
}

/** The parameters W_0 b_0 W_1 b_1 … (f32, zero padding included): where they start in the state (engram.merge). */
export function mlpParams(h: usize): usize {
  return learnerState(h) + 32;
}

/** How many f32 the parameter region holds (the state after the PRNG and the counter). */
export function mlpParamFloats(h: usize): i32 {
  return <i32>((learnerStateBytes(h) - 32) >> 2);
}

/** Where the samples-seen counter t (f64) lives. */
export function mlpCounter(h: usize): usize {
  return net(h).count;
}

/** η_t = η / (1 + κ t); t = samples seen. */
export function etaNow(h: usize): f32 {
  const n = net(h),
    t = load<f64>(n.count);
  return <f32>(<f64>n.eta / (1.0 + <f64>n.decay * t));
}

/** The base learning rate η (f32, in the layout; the snapshot's config carries it). */
export function mlpRate(h: usize): f32 {
  return net(h).eta;
}

/** Sets η for the next steps, η_t = η / (1 + κ t) (the caller validated it: finite, > 0). */
export function mlpSetRate(h: usize, eta: f32): void {
  net(h).eta = eta;
}

/** Counts one sample seen. */
export function countSample(h: usize): void {
  const c = net(h).count;
  store<f64>(c, load<f64>(c) + 1.0);
}

/**
 * Inverted dropout: ξ_l = m_l with m_li = 0 with probability p, else 1/(1 − p), for every
 * hidden layer in order, one uniform per unit from the persisted PRNG. Returns p > 0
 * (false: nothing drawn, the step is the plain rule's).
 */
export function dropoutMasks(h: usize): bool {
  const p = net(h).drop;
  if (p <= 0) return false;
  const keep: f32 = 1.0 / (1.0 - p);
  const rng = rngOf(h);
  for (let l = 0; l < layers(h) - 1; l++) {
    const m = layer(h, l).xi;
    for (let i = 0; i < width(h, l + 1); i++) store<f32>(m + ((<usize>i) << 2), rngUniform(rng) < p ? 0 : keep);
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
  const L = layers(h),
    act = activation(h);
  if (!perturbed) capNorm(x, width(h, 0), MAX_INPUT_NORM);
  let input = x;
  for (let l = 0; l < L; l++) {
    const ly = layer(h, l),
      rows = width(h, l + 1);
    const a = perturbed ? ly.aPerturbed : ly.a,
      hl = perturbed ? ly.hPerturbed : ly.h;
    if (perturbed && l == 0)
      memory.copy(a, ly.a, (<usize>rows) << 2); // same x: reuse W_0 x + b_0
    else denseForward(a, ly.W, ly.b, input, rows, width(h, l));
    if (l == L - 1) break;
    if (perturbed) axpy(a, s, ly.xi, rows);
    activate(act, hl, a, rows);
    if (dropped) hadamard(hl, hl, ly.xi, rows);
    input = hl;
  }
  const out = layer(h, L - 1);
  const e: usize = perturbed ? 0 : out.delta;
  const loss = softmaxError(
    perturbed ? out.hPerturbed : out.h,
    e,
    perturbed ? out.aPerturbed : out.a,
    width(h, L),
    label < 0 ? 0 : label,
  );
  return label < 0 ? 0 : loss;
}

/**
 * Descends every layer along its δ (presynaptic activity from the clean pass), guarded; with
 * `normalized` each layer at the rate η_t / (1 + ‖h_{l−1}‖²) of its own input (../rules/nlms.ts).
 */
export function mlpDescend(h: usize, x: usize): void {
  const eta = etaNow(h),
    normalized = net(h).normalized != 0;
  const L = layers(h);
  for (let l = 0; l < L; l++) {
    const ly = layer(h, l),
      input = l == 0 ? x : layer(h, l - 1).h,
      cols = width(h, l);
    const rate = normalized ? nlmsRate(eta, input, cols) : eta;
    denseDescend(ly.W, ly.b, ly.delta, input, width(h, l + 1), cols, rate, ly.tmp, ly.bound);
  }
  countSample(h);
}

/** Class probabilities for x; returns a pointer to n_L floats (valid until the next call). */
export function mlpScores(h: usize, x: usize): usize {
  mlpForward(h, x, -1, false, 0);
  return layer(h, layers(h) - 1).h;
}

/** The most probable class for x. */
export function mlpPredict(h: usize, x: usize): i32 {
  return argmax(mlpScores(h, x), width(h, layers(h)));
}

/** Byte offset of hidden layer l's fixed random feedback (B_{l+1} for FA, D_l for DFA; scratch, never saved). */
export function mlpFeedback(h: usize, l: i32): usize {
  return layer(h, l).feedback;
}
