// Forward-Forward learner (rule: ../rules/forwardForward.ts): a stack of ReLU layers, each
// trained by its own goodness loss on a positive pass (image + true label) and a negative
// pass (image + a wrong label). No gradient crosses a layer; no activation is kept beyond
// the layer being updated.
//
// Label input. The one-hot is prepended to the image with value λ = ½ max(‖x‖, 1), so it
// carries a fifth of the input's energy whatever the image's scale, and kept as its own
// weights U (C, n₁): the image part W₁ x̂ is computed once per sample and shared by the
// positive, negative and every candidate-label pass: z₁(c) = W₁ x / r + λ U_c / r + b₁,
// r = √(‖x‖² + λ²).
// Hard negatives: a wrong label drawn ∝ softmax over labels of the first layer's goodness
// (cheap, as z₁(c) shares W₁ x), the hardest labels under the current model; with SEEN only
// among labels that have been a positive (none yet: no negative pass). A label used as a
// negative before it is ever a positive is pushed towards silence (and under Adam at full
// step size, however small its loss), so on a class-ordered stream its first positive pass
// is silent, gets no gradient through the ReLU, and the old labels as hard negatives then
// silence every unit: every score ties and predict returns 0.
// Prediction: the label with the most goodness summed over all layers (the paper skips
// the first; with a few epochs the first layer is the best trained, so we keep it).
// Peer normalisation (as in the paper's MNIST runs) keeps every unit in use (see `peer`).
// Threshold warm-up: θ rises linearly to its value over the first T updates (`thresholdAt`),
// so that a fresh network, whose goodness is far below θ, parts positive from negative
// passes from the first samples instead of pushing every pass up alike.
// One pass per weight matrix: an online step multiplies each upper layer's weights by its
// positive, negative and label-free (readout) inputs in one pass (kernels/matvecs.ts), and
// `ffScores` multiplies them by all C labels' inputs in one pass; the first layer's image
// product W₁ x̂ is computed once and shared by every pass.
// Readout (optional): softmax on the normalised activity of every layer for the image with
// no label (label inputs 0), trained by the delta rule, for one-pass prediction. The
// paper's neutral label (all 1/C) adds the mean label weights to every unit, which drift
// as U grows: on MNIST that readout fell from 94 % to 86 % over 4 epochs; this one does not.
//
// State: [rng 16 B][t, β1ᵗ, β2ᵗ, extra samples][layer k: params P_k | moments M_k (| V_k for Adam,
//        | F_k for factored Adam)]
//        [readout R (C, A) | r_b (C)][peer running means, per layer][seen (C) u32 if SEEN];
//        P_k = [W_k (n_k, in_k) | U (C, n₁) if k = 0 | b_k]; F_k = W_k's factored second
//        moment and the small blocks' full one: [r_W (n_k) | c_W (in_k) | V_U (C, n₁) if
//        k = 0 | V_b (n_k)], each padded to 16 bytes. (As Adafactor keeps vectors unfactored,
//        U and b keep Adam's per-weight v: they are 1 % of the weights and U carries the label.)

import { layoutOf, learnerNew, learnerScratch, learnerState, learnerStateBytes } from "./common";
import { ANY_U32, AVERAGE, OPTIMIZER, SUM_U32, part } from "./mergeParts";
import { axpy, dot, matvec, rank1Update, scale } from "../kernels/linalg";
import { matvecs } from "../kernels/matvecs";
import { normalize, softmax } from "../kernels/normalize";
import { rngBelow, rngFillUniform, rngSeed, rngUniform } from "../kernels/prng";
import { ffGoodness, ffLayerStep, peerNormalization } from "../rules/forwardForward";
import { argmax } from "../rules/dense";
import { rateAt } from "../rules/schedule";
import {
  adamRows,
  adamStepSizes,
  factoredDense,
  factoredRows,
  flushAt,
  sgdRows,
  sgdStepSizes,
  StepSizes,
  BETA1,
  BETA2,
} from "../rules/optim";

const KIND: u32 = 0x4646; // "FF"
const ADAM: u32 = 1,
  HARD: u32 = 2,
  READOUT: u32 = 4,
  REPLACE: u32 = 8,
  FACTORED: u32 = 16,
  SEEN: u32 = 32;
const NORM_EPS: f32 = 1e-6;
const READOUT_LR: f32 = 0.05;
const LABEL_GAIN: f32 = 0.5;

/** The first 32 bytes of the persisted state. */
@unmanaged
class FfHead {
  rng0: u32;
  rng1: u32;
  rng2: u32;
  rng3: u32; // xoshiro128** (kernels/prng.ts): negative labels
  /** Optimizer steps taken. */
  t: u32;
  /** β1ᵗ and β2ᵗ, Adam's bias-correction products. */
  b1t: f32;
  b2t: f32;
  /** Samples beyond one per step: a batch of B adds B − 1 (0 in snapshots before 0.2, and for online learning). */
  extra: u32;
}

/** The learner's layout region: sizes, hyper-parameters and the byte offset of every buffer. */
@unmanaged
class Ff {
  /** Layers L, input width d, classes C, option flags (ADAM ...), A = Σ hidden widths. */
  L: u32;
  d: u32;
  C: u32;
  flags: u32;
  A: u32;
  /** Widest layer and largest parameter block (floats). */
  maxW: u32;
  maxP: u32;
  /** η, its decay, the threshold θ, SGD's momentum, the peer-normalisation weight, θ's warm-up T (updates). */
  lr: f32;
  decay: f32;
  theta: f32;
  momentum: f32;
  peer: f32;
  warmup: f32;
  /** The floor f of η's decay (../rules/schedule.ts): η_t → η f. */
  floor: f32;
  /** θ's warm-up starts at this fraction s of θ (`thresholdAt`). */
  warmupStart: f32;
  /** The readout R (C × A) and its bias after it (state). */
  R: usize;
  /** With SEEN: one u32 per label, set once it has been a positive (state); else 0. */
  seen: usize;
  // scratch: W₁ x̂ (n₁), positive/negative/label-free pre-activations (zP, zN, zF: one
  // matrix of stride al4(maxW)), positive/negative errors, a temporary (maxW each), the
  // readout's activity (A), logits, probabilities and two C-vectors, step stats (8 f32),
  // constants [1, 1/rows, 0] (4 f32), the factored step's γ, the passes' layer inputs and
  // outputs (`many`: two matrices of max(C, 3) rows of stride al4(maxW)), then the batch work area
  s1: usize;
  zP: usize;
  zN: usize;
  zF: usize;
  dP: usize;
  dN: usize;
  t1: usize;
  act: usize;
  logit: usize;
  prob: usize;
  ca: usize;
  cb: usize;
  stats: usize;
  cst: usize;
  gam: usize;
  many: usize;
  work: usize;
}

/** Layer k's sizes and the byte offsets of its state blocks. */
@unmanaged
class FfLayer {
  /** Width n_k and inputs in_k. */
  n: u32;
  nin: u32;
  /** Parameters P_k, first moments M_k, Adam's V_k or the factored F_k (0 for SGD), peer running means. */
  P: usize;
  M: usize;
  V: usize;
  peerMeans: usize;
}

// @ts-ignore: decorator
@inline
function ff(h: usize): Ff {
  return changetype<Ff>(layoutOf(h));
}
// @ts-ignore: decorator
@inline
function layer(h: usize, k: i32): FfLayer {
  return changetype<FfLayer>(layoutOf(h) + offsetof<Ff>() + <usize>k * offsetof<FfLayer>());
}
// @ts-ignore: decorator
@inline
function al4(n: u32): u32 {
  return (n + 3) & ~3;
} // floats rounded up to a 16-byte multiple (floats, not bytes)
// @ts-ignore: decorator
@inline
function at(ptr: usize, i: i32): usize {
  return ptr + ((<usize>i) << 2);
}

// @ts-ignore: decorator
@inline
function sz(sizes: usize, i: i32): u32 {
  return load<u32>(sizes + ((<usize>i) << 2));
}

/** Floats of layer k's parameter block P_k. */
function paramCount(k: i32, n: u32, nin: u32, c: u32): u32 {
  return al4(n * nin) + (k == 0 ? al4(c * n) : 0) + al4(n);
}

/** Floats of layer k's state: parameters, first moments, then Adam's V_k or factored F_k. */
function layerFloats(flags: u32, k: i32, n: u32, nin: u32, c: u32): u32 {
  const pc = paramCount(k, n, nin, c);
  return pc * 2 + (flags & ADAM ? pc : flags & FACTORED ? factoredCount(k, n, nin, c) : 0);
}

/** Floats of layer k's factored second moments F_k. */
function factoredCount(k: i32, n: u32, nin: u32, c: u32): u32 {
  return al4(n) + al4(nin) + (k == 0 ? al4(c * n) : 0) + al4(n);
}

/** Bytes of the work area for a batch of `rows` samples (rows = 1 lives in scratch). */
// f64 so a huge batch cannot wrap around: the caller refuses sizes past 4 GiB.
function workBytes(maxW: u32, n1: u32, maxP: u32, rows: u32): f64 {
  return (<f64>rows * 3 + <f64>rows * (4 * <f64>maxW + <f64>n1) + (rows > 1 ? <f64>maxP : 0)) * 4;
}

/**
 * New learner. sizes: u32[nSizes] (input width, then hidden widths); flags: 1 Adam,
 * 2 hard negatives, 4 readout, 8 the label replaces the first `classes` inputs, 16 factored
 * Adam (with 1 unset), 32 negatives only among labels seen as positives. floor: the
 * fraction f of η its decay levels off at (../rules/schedule.ts; 0: η/(1 + κ t)).
 */
export function ffNew(
  sizes: usize,
  nSizes: i32,
  classes: i32,
  seed: u32,
  lr: f32,
  decay: f32,
  theta: f32,
  momentum: f32,
  peerWeight: f32,
  warmup: f32,
  flags: u32,
  floor: f32,
  warmupStart: f32,
): usize {
  const L = nSizes - 1,
    c = <u32>classes;
  const d = load<u32>(sizes);
  let maxW: u32 = 0,
    maxP: u32 = 0,
    state = <u32>offsetof<FfHead>();
  for (let k = 0; k < L; k++) {
    const n = sz(sizes, k + 1),
      nin = k == 0 ? d : sz(sizes, k);
    const pc = paramCount(k, n, nin, c);
    maxW = max(maxW, n);
    maxP = max(maxP, pc);
    state += layerFloats(flags, k, n, nin, c) << 2;
  }
  const n1 = load<u32>(sizes, 4);
  let A: u32 = 0;
  for (let k = 0; k < L; k++) A += sz(sizes, k + 1);
  const rOff = state;
  state += (al4(c * A) + al4(c)) << 2;
  const peerOff = state;
  for (let k = 0; k < L; k++) state += al4(sz(sizes, k + 1)) << 2;
  const seenOff = state;
  if (flags & SEEN) state += al4(c) << 2;
  const gamF = flags & FACTORED ? al4(max(d, maxW)) : 0;
  const manyF = 2 * max(c, 3) * al4(maxW);
  const scratchF = al4(n1) + 6 * al4(maxW) + al4(A) + 4 * al4(c) + 8 + 4 + gamF + manyF;
  const scratch = (scratchF << 2) + <u32>workBytes(maxW, n1, maxP, 1);
  const layoutBytes: usize = offsetof<Ff>() + <usize>L * offsetof<FfLayer>();
  const h = learnerNew(KIND, <u32>layoutBytes, state, scratch);
  const F = ff(h);
  F.L = L;
  F.d = d;
  F.C = c;
  F.flags = flags;
  F.A = A;
  F.maxW = maxW;
  F.maxP = maxP;
  F.lr = lr;
  F.decay = decay;
  F.theta = theta;
  F.momentum = momentum;
  F.peer = peerWeight;
  F.warmup = warmup;
  F.floor = floor;
  F.warmupStart = warmupStart;
  const st = learnerState(h);
  F.R = st + rOff;
  F.seen = flags & SEEN ? st + seenOff : 0;
  let q = learnerScratch(h);
  F.s1 = q;
  q += al4(n1) << 2;
  F.zP = q;
  q += al4(maxW) << 2;
  F.zN = q;
  q += al4(maxW) << 2;
  F.zF = q;
  q += al4(maxW) << 2;
  F.dP = q;
  q += al4(maxW) << 2;
  F.dN = q;
  q += al4(maxW) << 2;
  F.t1 = q;
  q += al4(maxW) << 2;
  F.act = q;
  q += al4(A) << 2;
  F.logit = q;
  q += al4(c) << 2;
  F.prob = q;
  q += al4(c) << 2;
  F.ca = q;
  q += al4(c) << 2;
  F.cb = q;
  q += al4(c) << 2;
  F.stats = q;
  q += 8 << 2;
  F.cst = q;
  q += 4 << 2;
  F.gam = q;
  q += gamF << 2;
  F.many = q;
  q += manyF << 2;
  F.work = q;
  // parameters: W ~ U(−1/√in, 1/√in) as a torch Linear, U likewise, biases and readout 0
  const rng = st;
  rngSeed(rng, seed);
  const head = changetype<FfHead>(st);
  head.b1t = 1;
  head.b2t = 1; // β1ᵗ, β2ᵗ at t = 0
  let o = st + offsetof<FfHead>(),
    q2 = st + peerOff;
  for (let k = 0; k < L; k++) {
    const n = sz(sizes, k + 1),
      nin = k == 0 ? d : sz(sizes, k);
    const pc = paramCount(k, n, nin, c);
    const ly = layer(h, k);
    ly.n = n;
    ly.nin = nin;
    ly.P = o;
    ly.M = o + (pc << 2);
    ly.V = flags & (ADAM | FACTORED) ? o + (pc << 3) : 0;
    ly.peerMeans = q2;
    q2 += (<usize>al4(n)) << 2;
    const fan: f32 = <f32>(k == 0 ? nin + c : nin);
    const lim: f32 = <f32>1 / Mathf.sqrt(fan);
    rngFillUniform(rng, o, <i32>(n * nin), -lim, lim);
    if (k == 0) rngFillUniform(rng, o + (al4(n * nin) << 2), <i32>(c * n), -lim, lim);
    o += layerFloats(flags, k, n, nin, c) << 2;
  }
  return h;
}

/** Bytes `ffLearnBatch` needs at `work` for `rows` samples. */
export function ffWorkBytes(h: usize, rows: u32): f64 {
  return workBytes(ff(h).maxW, layer(h, 0).n, ff(h).maxP, rows);
}

/** Samples learned: one per optimizer step plus a batch's extra rows (snapshots before 0.2 count steps only). */
export function ffSamples(h: usize): f64 {
  const head = changetype<FfHead>(learnerState(h));
  return <f64>head.t + <f64>head.extra;
}

/** The learning rate η (f32, in the layout; the snapshot's config carries it). */
export function ffRate(h: usize): f32 {
  return ff(h).lr;
}

/** Sets η for the next steps (the caller validated it: finite, > 0). */
export function ffSetRate(h: usize, lr: f32): void {
  ff(h).lr = lr;
}

/**
 * θ at update t (before it): θ_t = θ max(s, min(1, (t + 1)/T)), rising over the first T updates
 * from the fraction s (0 by default; T = 0: θ throughout). Early on the goodness is far below a fixed θ, and every pass is
 * pushed up alike until it gets there; a low θ lets the positive and negative passes part
 * from the first samples, and the full θ is reached before the data's classes change.
 */
function thresholdAt(theta: f32, warmup: f32, start: f32, t: u32): f32 {
  const f = (<f32>t + 1) / warmup;
  return warmup > 0 && f < 1 ? theta * Mathf.max(start, f) : theta;
}

// @ts-ignore: decorator
@inline
function head0(h: usize): FfHead {
  return changetype<FfHead>(learnerState(h));
}

/** Pointer to the last step's stats: [loss, mean G⁺, mean G⁻, last negative label]. */
export function ffStats(h: usize): usize {
  return ff(h).stats;
}

// ---------------------------------------------------------------- passes

/**
 * Prepares sample x in place: zeroes the label slots (replace mode), scales by 1/r,
 * r = √(‖x‖² + λ²), and sets s1 = W₁ x̂. Returns ‖x‖² (before scaling).
 */
function prepare(h: usize, x: usize, s1: usize): f32 {
  const d = <i32>ff(h).d,
    c = <i32>ff(h).C;
  if (ff(h).flags & REPLACE) memory.fill(x, 0, (<usize>min(c, d)) << 2);
  const xx = dot(x, x, d);
  const lam = labelValue(xx);
  scale(x, <f32>1 / Mathf.sqrt(xx + lam * lam), d);
  matvec(s1, layer(h, 0).P, x, <i32>layer(h, 0).n, d);
  return xx;
}

/** The one-hot's value λ for an input of squared length xx. */
// @ts-ignore: decorator
@inline
function labelValue(xx: f32): f32 {
  return LABEL_GAIN * Mathf.max(Mathf.sqrt(xx), 1);
}

/** z = s1 · k + U_c · u + b₁ over layer 1; c < 0 means no label (z = s1 · k + b₁). */
function firstLayer(h: usize, z: usize, s1: usize, k: f32, c: i32, u: f32): void {
  const n = <i32>layer(h, 0).n,
    C = <i32>ff(h).C;
  const U = layer(h, 0).P + ((<usize>al4(<u32>n * layer(h, 0).nin)) << 2);
  const b = U + ((<usize>al4(<u32>(C * n))) << 2);
  for (let i = 0; i < n; i++) store<f32>(at(z, i), load<f32>(at(s1, i)) * k + load<f32>(at(b, i)));
  if (c >= 0) axpy(z, u, U + <usize>c * ((<usize>n) << 2), n);
}

/** z = W_k x + b_k for k ≥ 1. */
function upperLayer(h: usize, k: i32, z: usize, x: usize): void {
  const n = <i32>layer(h, k).n,
    nin = <i32>layer(h, k).nin;
  const W = layer(h, k).P;
  matvec(z, W, x, n, nin);
  axpy(z, 1, W + ((<usize>al4(<u32>(n * nin))) << 2), n);
}

/**
 * z_v = W_k x_v + b_k (k ≥ 1) for `count` inputs in one pass over W_k: x_v and z_v are rows
 * of stride al4(maxW) floats. Each z_v has the bits `upperLayer` gives it.
 */
function upperLayers(h: usize, k: i32, z: usize, x: usize, count: i32): void {
  const n = <i32>layer(h, k).n,
    nin = <i32>layer(h, k).nin;
  const W = layer(h, k).P,
    S = <i32>al4(ff(h).maxW);
  matvecs(z, S, W, x, S, n, nin, count);
  const b = W + ((<usize>al4(<u32>(n * nin))) << 2);
  for (let v = 0; v < count; v++) axpy(z + <usize>v * ((<usize>S) << 2), 1, b, n);
}

/**
 * Goodness of every layer for label c (c < 0: no label) given s1 and ‖x‖²; returns
 * Σ G over the layers. When `act` ≠ 0, writes the normalised activity of every layer
 * there, concatenated (the readout's input).
 */
function labelPass(h: usize, s1: usize, xx: f32, c: i32, act: usize): f32 {
  const L = <i32>ff(h).L;
  const z = ff(h).zP,
    y = ff(h).t1;
  const lam = labelValue(xx);
  const r0 = Mathf.sqrt(xx + lam * lam),
    r = c >= 0 ? r0 : Mathf.max(Mathf.sqrt(xx), 1e-20);
  firstLayer(h, z, s1, r0 / r, c, lam / r);
  let g = ffGoodness(z, z, <i32>layer(h, 0).n);
  let total = g;
  if (act) {
    normalize(act, z, <i32>layer(h, 0).n, NORM_EPS);
    act += (<usize>layer(h, 0).n) << 2;
  }
  for (let k = 1; k < L; k++) {
    const n = <i32>layer(h, k).n;
    normalize(y, z, <i32>layer(h, k).nin, NORM_EPS);
    upperLayer(h, k, z, y);
    total += ffGoodness(z, z, n);
    if (act) {
      normalize(act, z, n, NORM_EPS);
      act += (<usize>n) << 2;
    }
  }
  return total;
}

/** Readout probabilities (in prob) from the label-free pass of a prepared sample. */
function readout(h: usize, s1: usize, xx: f32): void {
  const C = <i32>ff(h).C,
    A = <i32>ff(h).A,
    R = ff(h).R;
  const act = ff(h).act,
    logit = ff(h).logit;
  labelPass(h, s1, xx, -1, act);
  matvec(logit, R, act, C, A);
  axpy(logit, 1, R + ((<usize>al4(<u32>(C * A))) << 2), C);
  softmax(ff(h).prob, logit, C);
}

/** Delta rule on the readout: R += η (e_y − p) aᵀ, r_b += η (e_y − p). */
function readoutLearn(h: usize, y: i32): void {
  const C = <i32>ff(h).C,
    A = <i32>ff(h).A,
    R = ff(h).R;
  const e = ff(h).logit,
    pr = ff(h).prob;
  for (let j = 0; j < C; j++) store<f32>(at(e, j), (j == y ? <f32>1 : <f32>0) - load<f32>(at(pr, j)));
  rank1Update(R, e, ff(h).act, C, A, READOUT_LR);
  axpy(R + ((<usize>al4(<u32>(C * A))) << 2), READOUT_LR, e, C);
}

/** Softmax over labels of the first layer's goodness (into cb); returns its pointer. */
function belief(h: usize, s1: usize, xx: f32): usize {
  const C = <i32>ff(h).C,
    n1 = <i32>layer(h, 0).n;
  const lam = labelValue(xx),
    u = lam / Mathf.sqrt(xx + lam * lam);
  const z = ff(h).zP,
    g = ff(h).ca,
    pr = ff(h).cb;
  for (let c = 0; c < C; c++) {
    firstLayer(h, z, s1, 1, c, u);
    store<f32>(at(g, c), ffGoodness(z, z, n1));
  }
  softmax(pr, g, C);
  return pr;
}

/** Whether label j may be a negative: always, or with SEEN once it has been a positive. */
// @ts-ignore: decorator
@inline
function eligible(seen: usize, j: i32): bool {
  return seen == 0 || load<u32>(at(seen, j)) != 0;
}

/**
 * A wrong label for y: hard, drawn ∝ the belief at pr (C floats); else uniform. With SEEN,
 * marks y seen and draws only among seen labels; −1 when there is none (no negative pass).
 */
function negative(h: usize, y: i32, pr: usize): i32 {
  const C = <i32>ff(h).C,
    rng = learnerState(h),
    seen = ff(h).seen;
  if (seen) store<u32>(at(seen, y), 1);
  if (ff(h).flags & HARD) {
    let mass: f32 = 0;
    for (let j = 0; j < C; j++) if (j != y && eligible(seen, j)) mass += load<f32>(at(pr, j));
    if (mass > 0) {
      const u = rngUniform(rng) * mass;
      let acc: f32 = 0,
        last = -1;
      for (let j = 0; j < C; j++) {
        if (j == y || !eligible(seen, j)) continue;
        acc += load<f32>(at(pr, j));
        last = j;
        if (u < acc) return j;
      }
      return last;
    }
  }
  if (seen) {
    let m = 0;
    for (let j = 0; j < C; j++) if (j != y && eligible(seen, j)) m++;
    if (m == 0) return -1;
    let k = <i32>rngBelow(rng, <u32>m);
    for (let j = 0; j < C; j++) if (j != y && eligible(seen, j) && k-- == 0) return j;
  }
  const j = <i32>rngBelow(rng, <u32>(C - 1));
  return j >= y ? j + 1 : j;
}

// ---------------------------------------------------------------- step

// this step's step sizes (η̂, ε̂, ...): set once per step by step(), passed to every opt()
const SIZES = changetype<StepSizes>(memory.data(offsetof<StepSizes>()));

/** Byte offset in F_k of the second moment of block `blk` (0 W: r then c, 1 U: V_U, 2 b: V_b) of layer k. */
function fOff(h: usize, k: i32, blk: i32): usize {
  const n = layer(h, k).n,
    nin = layer(h, k).nin,
    C = ff(h).C;
  let o: u32 = 0;
  if (blk >= 1) o += al4(n) + al4(nin);
  if (blk == 2 && k == 0) o += al4(C * n);
  return (<usize>o) << 2;
}

/**
 * Optimizer step on block `blk` (0 W, 1 U, 2 b; `off` its byte offset in P_k) of layer k,
 * rows × cols, gradient a xᵀ + b zᵀ.
 */
function opt(
  h: usize,
  s: StepSizes,
  k: i32,
  blk: i32,
  off: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
): void {
  const ly = layer(h, k),
    flags = ff(h).flags;
  const w = ly.P + off,
    m = ly.M + off;
  if (flags & ADAM) adamRows(w, m, ly.V + off, a, x, b, z, rows, cols, s.lr, BETA1, BETA2, s.eps);
  else if (flags & FACTORED) {
    const r = ly.V + fOff(h, k, blk);
    if (blk == 0)
      factoredRows(
        w,
        m,
        r,
        r + ((<usize>al4(<u32>rows)) << 2),
        ff(h).gam,
        a,
        x,
        b,
        z,
        rows,
        cols,
        s.lr,
        BETA1,
        BETA2,
        s.se,
        s.cap,
        flushAt(head0(h).t),
      );
    else adamRows(w, m, r, a, x, b, z, rows, cols, s.lr, BETA1, BETA2, s.eps);
  } else sgdRows(w, m, a, x, b, z, rows, cols, s.lr, ff(h).momentum);
}

/** Factored Adam step on W_k (rows × cols) from the summed batch gradient at G, scaled by gs (a pointer to it). */
function optDense(h: usize, s: StepSizes, k: i32, G: usize, gs: usize, rows: i32, cols: i32): void {
  const ly = layer(h, k);
  const r = ly.V;
  factoredDense(
    ly.P,
    ly.M,
    r,
    r + ((<usize>al4(<u32>rows)) << 2),
    ff(h).gam,
    G,
    load<f32>(gs),
    rows,
    cols,
    s.lr,
    BETA1,
    BETA2,
    s.se,
    s.cap,
    flushAt(head0(h).t),
  );
}

/**
 * One update from `rows` samples at xs (labels as u32 at `work`): per sample, the first
 * layer's goodness under every label picks the negative (hard) and a label-free pass trains
 * the readout; then layer by layer the positive and negative
 * passes, the goodness losses and the update (fused for one sample; for a batch the
 * gradient of one layer is summed in `work` and applied as its mean). Returns the loss.
 */
function step(h: usize, xs: usize, work: usize, rows: i32): f32 {
  const L = <i32>ff(h).L,
    d = <i32>ff(h).d,
    C = <i32>ff(h).C,
    flags = ff(h).flags;
  const maxW = (<usize>ff(h).maxW) << 2,
    n1 = <i32>layer(h, 0).n,
    theta = thresholdAt(ff(h).theta, ff(h).warmup, ff(h).warmupStart, head0(h).t),
    peerW = ff(h).peer;
  const B = <usize>rows;
  const labels = work,
    negs = work + (B << 2),
    labelScale = work + (B << 3); // λ/r per sample
  let bufIn = work + B * 12,
    bufOut = bufIn + B * 2 * maxW;
  const s1s = bufOut + B * 2 * maxW,
    G = s1s + B * ((<usize>n1) << 2);
  const head = changetype<FfHead>(learnerState(h));
  const t = head.t;
  head.t = t + 1;
  head.extra += <u32>(rows - 1);
  const b1t = head.b1t * BETA1,
    b2t = head.b2t * BETA2;
  head.b1t = b1t;
  head.b2t = b2t;
  const lr = rateAt(ff(h).lr, ff(h).decay, ff(h).floor, <f32>t);
  const sizes = SIZES;
  let xx1: f32 = 0;
  if (flags & (ADAM | FACTORED)) adamStepSizes(sizes, lr, b1t, b2t);
  else sgdStepSizes(sizes, lr);
  for (let b = 0; b < rows; b++) {
    const x = xs + <usize>b * ((<usize>d) << 2),
      s1 = s1s + <usize>b * ((<usize>n1) << 2);
    const y = load<i32>(at(labels, b));
    const xx = prepare(h, x, s1);
    const lam = labelValue(xx);
    store<f32>(at(labelScale, b), lam / Mathf.sqrt(xx + lam * lam));
    // one sample: the readout's label-free pass runs beside the positive and negative ones
    if (flags & READOUT && rows > 1) readout(h, s1, xx);
    store<i32>(at(negs, b), negative(h, y, flags & HARD ? belief(h, s1, xx) : 0));
    if (flags & READOUT && rows > 1) readoutLearn(h, y);
    xx1 = xx;
  }
  // One sample: the layer inputs of the positive, negative (and label-free) passes are rows
  // of `many` (stride al4(maxW)) so that a layer multiplies them all in one pass over W_k;
  // a batch keeps them per sample in `work`.
  const one = rows == 1,
    free = one && (flags & READOUT) != 0;
  const sb = (<usize>al4(ff(h).maxW)) << 2,
    slot = one ? sb : maxW;
  if (one) {
    bufIn = ff(h).many;
    bufOut = bufIn + 3 * sb;
  }
  let act = ff(h).act;
  const zP = ff(h).zP,
    zN = ff(h).zN,
    dP = ff(h).dP,
    dN = ff(h).dN;
  const ca = ff(h).ca,
    cb = ff(h).cb,
    cst = ff(h).cst;
  store<f32>(cst, 1);
  store<f32>(cst, <f32>1 / <f32>rows, 4);
  store<f32>(cst, 0, 8);
  let loss: f32 = 0,
    gp: f32 = 0,
    gn: f32 = 0;
  const gpn = ff(h).stats + 16; // G⁺, G⁻ of the last pass (stats words 4, 5)
  for (let k = 0; k < L; k++) {
    const n = <i32>layer(h, k).n,
      nin = <i32>layer(h, k).nin;
    const offU = (<usize>al4(<u32>(n * nin))) << 2;
    const offB = offU + (k == 0 ? (<usize>al4(<u32>(C * n))) << 2 : 0);
    const pc = <i32>paramCount(k, <u32>n, <u32>nin, <u32>C);
    if (rows > 1) memory.fill(G, 0, (<usize>pc) << 2);
    for (let b = 0; b < rows; b++) {
      const y = load<i32>(at(labels, b)),
        ng = load<i32>(at(negs, b)),
        ri = load<f32>(at(labelScale, b));
      const inP = bufIn + <usize>b * 2 * maxW,
        inN = inP + slot;
      const outP = bufOut + <usize>b * 2 * maxW,
        outN = outP + slot;
      const x = xs + <usize>b * ((<usize>d) << 2);
      if (k == 0) {
        const s1 = s1s + <usize>b * ((<usize>n1) << 2);
        firstLayer(h, zP, s1, 1, y, ri);
        firstLayer(h, zN, s1, 1, ng, ri);
        if (free) {
          const lam = labelValue(xx1);
          const r0 = Mathf.sqrt(xx1 + lam * lam),
            r = Mathf.max(Mathf.sqrt(xx1), 1e-20);
          firstLayer(h, ff(h).zF, s1, r0 / r, -1, lam / r);
        }
      } else if (one) upperLayers(h, k, zP, inP, free ? 3 : 2);
      else {
        upperLayer(h, k, zP, inP);
        upperLayer(h, k, zN, inN);
      }
      if (free) {
        // the label-free pass, as `labelPass` makes it, before this layer's update
        const zF = ff(h).zF;
        ffGoodness(zF, zF, n);
        normalize(act, zF, n, NORM_EPS);
        act += (<usize>n) << 2;
        if (k < L - 1) normalize(outP + 2 * slot, zF, n, NORM_EPS);
      }
      loss += ffLayerStep(dP, dN, zP, zN, n, theta, gpn, ng >= 0);
      if (peerW > 0) peerNormalization(layer(h, k).peerMeans, dP, zP, n, peerW);
      gp += load<f32>(gpn);
      gn += load<f32>(gpn, 4);
      if (k < L - 1) {
        normalize(outP, zP, n, NORM_EPS);
        normalize(outN, zN, n, NORM_EPS);
      }
      if (rows == 1) {
        if (k == 0) {
          // U's gradient has two nonzero rows: λ/r δ⁺ in row y, λ/r δ⁻ in row ng
          memory.fill(ca, 0, (<usize>C) << 2);
          memory.fill(cb, 0, (<usize>C) << 2);
          store<f32>(at(ca, y), ri);
          if (ng >= 0) store<f32>(at(cb, ng), ri);
          opt(h, sizes, k, 1, offU, ca, dP, cb, dN, C, n);
        }
        opt(h, sizes, k, 0, 0, dP, k == 0 ? x : inP, dN, k == 0 ? x : inN, n, nin);
        opt(h, sizes, k, 2, offB, cst, dP, cst, dN, 1, n);
      } else {
        axpy(G + offB, 1, dP, n);
        axpy(G + offB, 1, dN, n);
        if (k == 0) {
          axpy(G + offU + <usize>y * ((<usize>n) << 2), ri, dP, n);
          if (ng >= 0) axpy(G + offU + <usize>ng * ((<usize>n) << 2), ri, dN, n);
          axpy(dP, 1, dN, n); // both passes share the image: one rank-1 term
          rank1Update(G, dP, x, n, nin, 1);
        } else {
          rank1Update(G, dP, inP, n, nin, 1);
          rank1Update(G, dN, inN, n, nin, 1);
        }
      }
    }
    if (rows > 1) {
      if (flags & FACTORED) {
        optDense(h, sizes, k, G, cst + 4, n, nin);
        if (k == 0) opt(h, sizes, k, 1, offU, cst + 4, G + offU, cst + 8, G + offU, 1, C * n);
        opt(h, sizes, k, 2, offB, cst + 4, G + offB, cst + 8, G + offB, 1, n);
      } else opt(h, sizes, k, 0, 0, cst + 4, G, cst + 8, G, 1, pc);
    }
    const sw = bufIn;
    bufIn = bufOut;
    bufOut = sw;
  }
  if (free) {
    const C = <i32>ff(h).C,
      A = <i32>ff(h).A,
      R = ff(h).R;
    matvec(ff(h).logit, R, ff(h).act, C, A);
    axpy(ff(h).logit, 1, R + ((<usize>al4(<u32>(C * A))) << 2), C);
    softmax(ff(h).prob, ff(h).logit, C);
    readoutLearn(h, load<i32>(labels));
  }
  const stats = ff(h).stats,
    per = <f32>(L * rows);
  store<f32>(stats, loss / <f32>rows);
  store<f32>(stats, gp / per, 4);
  store<f32>(stats, gn / per, 8);
  store<f32>(stats, <f32>load<i32>(at(negs, rows - 1)), 12);
  return loss / <f32>rows;
}

/** One online step on sample x (d floats, clobbered) with its label. Returns the loss. */
export function ffLearn(h: usize, x: usize, label: i32): f32 {
  const work = ff(h).work;
  store<i32>(work, label);
  return step(h, x, work, 1);
}

/** One mini-batch step: xs (rows, d) row-major (clobbered); labels as u32 at `work` (ffWorkBytes(rows) bytes). */
export function ffLearnBatch(h: usize, xs: usize, work: usize, rows: i32): f32 {
  return step(h, xs, work, rows);
}

/** Goodness score of every label for x (clobbered); returns a pointer to C floats. */
export function ffScores(h: usize, x: usize): usize {
  const s1 = ff(h).s1,
    out = ff(h).logit,
    C = <i32>ff(h).C;
  const xx = prepare(h, x, s1);
  // every label's pass, layer by layer, as `labelPass` makes it: the first layer shares
  // W₁ x̂ (s1), and each upper layer multiplies all C inputs in one pass over W_k
  const L = <i32>ff(h).L,
    S = al4(ff(h).maxW),
    sb = (<usize>S) << 2;
  const lam = labelValue(xx),
    r0 = Mathf.sqrt(xx + lam * lam);
  const inp = ff(h).many,
    z = inp + <usize>C * sb,
    n1 = <i32>layer(h, 0).n;
  for (let c = 0; c < C; c++) {
    const zc = z + <usize>c * sb;
    firstLayer(h, zc, s1, r0 / r0, c, lam / r0);
    store<f32>(at(out, c), ffGoodness(zc, zc, n1));
    if (L > 1) normalize(inp + <usize>c * sb, zc, n1, NORM_EPS);
  }
  for (let k = 1; k < L; k++) {
    const n = <i32>layer(h, k).n;
    upperLayers(h, k, z, inp, C);
    for (let c = 0; c < C; c++) {
      const zc = z + <usize>c * sb;
      store<f32>(at(out, c), load<f32>(at(out, c)) + ffGoodness(zc, zc, n));
      if (k < L - 1) normalize(inp + <usize>c * sb, zc, n, NORM_EPS);
    }
  }
  return out;
}

/** Readout probabilities for x (clobbered) from one label-free pass; returns a pointer to C floats. */
export function ffReadout(h: usize, x: usize): usize {
  const s1 = ff(h).s1;
  readout(h, s1, prepare(h, x, s1));
  return ff(h).prob;
}

/** Index of the largest of n floats at v (the first on ties). */
export function ffArgmax(v: usize, n: i32): i32 {
  return argmax(v, n);
}

// ---------------------------------------------------------------- merge accessors (engram.merge, ./mergeParts.ts)

/** The kind tag, for ./merge.ts. */
export const KIND_FF: u32 = KIND;

/**
 * How a Forward-Forward stack merges: every layer's parameters P_k (W_k, U, b_k), the readout
 * R, r_b and the peer running means are averaged (FedAvg). The optimizer state (SGD's or
 * Adam's first moments M_k, Adam's V_k or the factored F_k, and β1ᵗ, β2ᵗ) is left as created
 * (reset, the default: better on MNIST's validation split) or, with `optimizer: "average"`,
 * averaged with the same weights (m_j ≈ (1 − β1^{t_j}) E[g], so 1 − Σ α_j β1^{t_j} debiases
 * Σ α_j m_j; the factored row and column sums average each). Updates t add (the learning-rate decay goes on from
 * there); with `"seen"` negatives a label is seen once any member saw it.
 */
export function ffMergeParts(h: usize, parts: usize): i32 {
  const F = ff(h),
    s = learnerState(h),
    c = F.C;
  let i = 0;
  for (let k = 0; k < <i32>F.L; k++) {
    const ly = layer(h, k);
    const pc = paramCount(k, ly.n, ly.nin, c);
    i = part(parts, i, ly.P - s, <i32>pc, AVERAGE);
    i = part(parts, i, ly.M - s, <i32>(layerFloats(F.flags, k, ly.n, ly.nin, c) - pc), AVERAGE | OPTIMIZER);
  }
  const end = F.flags & SEEN ? F.seen : s + learnerStateBytes(h);
  i = part(parts, i, F.R - s, <i32>((end - F.R) >>> 2), AVERAGE); // R, r_b, peer means
  if (F.flags & SEEN) i = part(parts, i, F.seen - s, <i32>c, ANY_U32);
  i = part(parts, i, offsetof<FfHead>("t"), 1, SUM_U32);
  i = part(parts, i, offsetof<FfHead>("extra"), 1, SUM_U32);
  return part(parts, i, offsetof<FfHead>("b1t"), 2, AVERAGE | OPTIMIZER);
}

/** Samples learned (steps plus a batch's extra rows, as `ffSamples`): FedAvg's default weight n_k. */
export function ffMergeSamples(h: usize): f64 {
  return ffSamples(h);
}
