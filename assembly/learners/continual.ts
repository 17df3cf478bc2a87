// A class-incremental stream classifier (../../src/learners/continual.ts): a streaming
// LDA head (../rules/streamingLda.ts) on either the raw inputs or convolutional patch
// features learned by online competitive learning (../rules/competitive.ts):
//
//   image mode   x (H × W × Ch, row-major, channels last) → every p × p patch at stride s
//                → distances to K centroids → triangle code (../kernels/patches.ts)
//                → summed over a G × G grid of image regions: f ∈ R^{G² K}
//   raw mode     f = x
//
// The centroids learn from the first `consolidateAfter` samples (each patch brighter than
// half an even share of the image's energy moves its winner) and are frozen after that:
// the features stop drifting, so every later class mean and the scatter live in one fixed
// feature space. The head's statistics are order-independent; the discriminant is solved
// lazily (O(d³/6) Cholesky, O(d³/6) for tr A⁻¹, O(C d²) solves) by the first scores/predict after a learn,
// and cached in scratch.
//
// Memory block (one learner, common.ts):
//   layout   Layout below (shapes and pointers, rebuilt on restore)
//   state    [samples f64][filled f64][counts C f64][wins K f64]
//            [means C × d f32][scatter d × d f32][centroids P' × K f32][cc K f32]
//   scratch  f, δ (d each), patch P', z, dist, ones (K each), factor d × d, diag d,
//            weights C × d, bias C, m d, centred d, logits C, probs C, seen C i32,
//            the deferred scatter terms (BLOCK × d, ../rules/streamingLda.ts: flushed before S is read),
//            the code of a blank patch (K)
// (P' = the patch length p² Ch rounded up to a multiple of 4; its padding stays 0.)
//
// Numeric safety: the sample's scratch copy is scaled into ‖x‖₂ ≤ R = 1e9 (../rules/guard.ts).
// Then ‖patch‖ ≤ R, ‖c_k‖ ≤ R, dist ≤ 2R and each feature ≤ (positions) · 2R; a class mean is
// a convex combination of features, so each Welford term adds at most (2F)² to an entry of S
// (F the feature bound): S stays finite for N < 3.4e38 / (4F²) samples, ≈ 1e15 for 28 × 28
// images at the cap (F ≤ 144 · 2R), far more on ordinary data (F ≈ 100). The factor's pivots are floored at λτ > 0; logits are clamped to
// ±1e15 before the softmax. None of it binds on ordinary data.

import { learnerNew, learnerState, learnerScratch, layoutOf } from "./common";
import { axpy, dot, matvecT } from "../kernels/linalg";
import { patchDistances, triangleAccumulate } from "../kernels/patches";
import { softmax } from "../kernels/normalize";
import { competitiveLearning } from "../rules/competitive";
import {
  DeferredScatter,
  flushScatter,
  streamingLda,
  streamingLdaMerge,
  ldaFactor,
  ldaClass,
} from "../rules/streamingLda";
import { MAX_INPUT_NORM, MAX_PREACTIVATION, capNorm } from "../rules/guard";

const KIND: u32 = 0x434c; // "CL"
// samples whose scatter terms are added to S together (S streamed once per block)
const BLOCK = 8;

@unmanaged
class Layout {
  inputs: i32;
  classes: i32;
  dim: i32;
  width: i32;
  height: i32;
  channels: i32;
  patch: i32;
  stride: i32;
  grid: i32;
  detectors: i32;
  across: i32;
  down: i32;
  patchLen: i32;
  patchPad: i32;
  consolidateAfter: f64;
  shrinkage: f32;
  // state
  totals: usize;
  counts: usize;
  wins: usize;
  means: usize;
  scatter: usize;
  centroids: usize;
  cc: usize;
  // scratch
  f: usize;
  delta: usize;
  patchBuf: usize;
  z: usize;
  dist: usize;
  ones: usize;
  factor: usize;
  diag: usize;
  weights: usize;
  bias: usize;
  m: usize;
  centred: usize;
  logits: usize;
  probs: usize;
  seen: usize;
  solved: i32;
  deferred: usize;
  // the triangle code of an all-zero patch: the same for every blank patch while the detectors hold still
  blankDist: usize;
  blankMean: f32;
  blankReady: i32;
}

// @ts-ignore: decorator
@inline
function L(h: usize): Layout {
  return changetype<Layout>(layoutOf(h));
}
// @ts-ignore: decorator
@inline
function f32s(n: i32): usize {
  return ((<usize>(n + 3)) & ~(<usize>3)) << 2;
} // floats → bytes, 16-byte multiple
// @ts-ignore: decorator
@inline
function f64s(n: i32): usize {
  return ((<usize>(n + 1)) & ~(<usize>1)) << 3;
}
// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/**
 * New learner. width = 0: raw mode (features = the inputs). Otherwise inputs = width ·
 * height · channels and the features are grid² · detectors pooled triangle codes of
 * patch × patch × channels patches at `stride`. Returns 0 never (traps on OOM).
 */
export function clNew(
  inputs: i32,
  classes: i32,
  width: i32,
  height: i32,
  channels: i32,
  patch: i32,
  stride: i32,
  grid: i32,
  detectors: i32,
  consolidateAfter: f64,
  shrinkage: f32,
): usize {
  const image = width > 0;
  const K = image ? detectors : 0;
  const d = image ? grid * grid * K : inputs;
  const P = image ? patch * patch * channels : 0;
  const Pp = (P + 3) & ~3;
  const C = classes;
  const state = f64s(2) + f64s(C) + f64s(K) + <usize>C * f32s(d) + f32s(d * d) + <usize>Pp * f32s(K) + f32s(K);
  const scratch =
    <usize>2 * f32s(d) +
    f32s(Pp) +
    <usize>3 * f32s(K) +
    f32s(d * d) +
    f32s(d) +
    <usize>C * f32s(d) +
    f32s(C) +
    <usize>2 * f32s(d) +
    <usize>3 * f32s(C) +
    32 +
    <usize>BLOCK * f32s(d) +
    f32s(BLOCK) +
    f32s(2 * BLOCK) +
    f32s(K);
  const h = learnerNew(KIND, <u32>offsetof<Layout>(), <u32>state, <u32>scratch);
  const l = L(h);
  l.inputs = inputs;
  l.classes = C;
  l.dim = d;
  l.width = width;
  l.height = height;
  l.channels = channels;
  l.patch = patch;
  l.stride = stride;
  l.grid = grid;
  l.detectors = K;
  l.across = image ? (width - patch) / stride + 1 : 0;
  l.down = image ? (height - patch) / stride + 1 : 0;
  l.patchLen = P;
  l.patchPad = Pp;
  l.consolidateAfter = consolidateAfter;
  l.shrinkage = shrinkage;
  let s = learnerState(h);
  l.totals = s;
  s += f64s(2);
  l.counts = s;
  s += f64s(C);
  l.wins = s;
  s += f64s(K);
  l.means = s;
  s += <usize>C * f32s(d);
  l.scatter = s;
  s += f32s(d * d);
  l.centroids = s;
  s += <usize>Pp * f32s(K);
  l.cc = s;
  let t = learnerScratch(h);
  l.f = t;
  t += f32s(d);
  l.delta = t;
  t += f32s(d);
  l.patchBuf = t;
  t += f32s(Pp);
  l.z = t;
  t += f32s(K);
  l.dist = t;
  t += f32s(K);
  l.ones = t;
  t += f32s(K);
  l.factor = t;
  t += f32s(d * d);
  l.diag = t;
  t += f32s(d);
  l.weights = t;
  t += <usize>C * f32s(d);
  l.bias = t;
  t += f32s(C);
  l.m = t;
  t += f32s(d);
  l.centred = t;
  t += f32s(d);
  l.logits = t;
  t += f32s(C);
  l.probs = t;
  t += f32s(C);
  l.seen = t;
  t += f32s(C);
  l.deferred = t;
  t += 32; // offsetof<DeferredScatter>() = 20, rounded to 16 B
  const q = changetype<DeferredScatter>(l.deferred);
  q.v = t;
  t += <usize>BLOCK * f32s(d);
  q.alpha = t;
  t += f32s(BLOCK);
  q.a = t;
  t += f32s(2 * BLOCK);
  l.blankDist = t;
  l.blankReady = 0;
  q.capacity = BLOCK;
  q.count = 0;
  for (let k = 0; k < K; k++) store<f32>(at(l.ones, k), 1);
  l.solved = 0;
  return h;
}

/** True if all P values at x are ±0. */
function blank(x: usize, P: i32): bool {
  let bits: u32 = 0;
  for (let j = 0; j < P; j++) bits |= load<u32>(at(x, j));
  return (bits & 0x7fffffff) == 0;
}

/** The features of x (already capped) into l.f; the centroids learn while `plastic`. */
function features(l: Layout, x: usize, plastic: bool): void {
  const d = l.dim;
  if (l.width == 0) {
    memory.copy(l.f, x, (<usize>d) << 2);
    return;
  }
  memory.fill(l.f, 0, (<usize>d) << 2);
  const K = l.detectors,
    P = l.patchLen,
    Pp = l.patchPad,
    p = l.patch,
    ch = l.channels,
    G = l.grid;
  const rowBytes = (<usize>(l.width * ch)) << 2,
    pixBytes = (<usize>(p * ch)) << 2;
  // a patch learns if its energy exceeds half an even share of the image's: ‖patch‖² > ‖x‖² P / (2 · inputs)
  const share = <f32>P / <f32>(l.inputs + l.inputs);
  const threshold = plastic ? dot(x, x, l.inputs) * share : <f32>0;
  const totals = l.totals;
  const invK = <f32>1 / <f32>K;
  for (let py = 0; py < l.down; py++) {
    const gy = (py * G) / l.down;
    for (let px = 0; px < l.across; px++) {
      const gx = (px * G) / l.across;
      // gather the patch (rows of p·ch contiguous floats)
      const src = x + <usize>(py * l.stride) * rowBytes + ((<usize>(px * l.stride * ch)) << 2);
      for (let r = 0; r < p; r++) memory.copy(l.patchBuf + <usize>r * pixBytes, src + <usize>r * rowBytes, pixBytes);
      const xx = dot(l.patchBuf, l.patchBuf, Pp);
      const pool = at(l.f, (gy * G + gx) * K);
      if (!plastic && blank(l.patchBuf, P)) {
        // z = 0 exactly for a blank patch, so these are the bits the full path gives
        if (!l.blankReady) {
          memory.fill(l.z, 0, (<usize>K) << 2);
          patchDistances(l.blankDist, l.z, l.cc, 0, K);
          l.blankMean = dot(l.blankDist, l.ones, K) * invK;
          l.blankReady = 1;
        }
        triangleAccumulate(pool, l.blankDist, l.blankMean, K);
        continue;
      }
      matvecT(l.z, l.centroids, l.patchBuf, Pp, K);
      patchDistances(l.dist, l.z, l.cc, xx, K);
      const mean = dot(l.dist, l.ones, K) * invK;
      triangleAccumulate(pool, l.dist, mean, K);
      if (plastic && xx > threshold) {
        const filled = load<f64>(totals, 8);
        let k: i32;
        if (filled < <f64>K) {
          k = <i32>filled; // MacQueen's initialisation: the first K patches seed the units
          store<f64>(totals, filled + 1, 8);
        } else {
          k = 0;
          let best = load<f32>(l.dist);
          for (let j = 1; j < K; j++) {
            const v = load<f32>(at(l.dist, j));
            if (v < best) {
              best = v;
              k = j;
            }
          }
        }
        competitiveLearning(l.centroids, l.wins, l.cc, l.patchBuf, k, P, K);
        l.blankReady = 0;
      }
    }
  }
}

/** One sample x (inputs floats, the caller's scratch copy: capped in place) of class `label`. */
export function clLearn(h: usize, x: usize, label: i32): void {
  const l = L(h);
  capNorm(x, l.inputs, MAX_INPUT_NORM);
  const samples = load<f64>(l.totals);
  features(l, x, samples < l.consolidateAfter);
  const stride = f32s(l.dim);
  streamingLda(
    l.scatter,
    l.means + <usize>label * stride,
    l.counts + ((<usize>label) << 3),
    l.f,
    changetype<DeferredScatter>(l.deferred),
    l.dim,
  );
  store<f64>(l.totals, samples + 1);
  l.solved = 0;
}

/** n samples in row order (the same bits as n calls of clLearn): rows of xs, labels n i32. */
export function clLearnBatch(h: usize, xs: usize, labels: usize, n: i32): void {
  const stride = (<usize>L(h).inputs) << 2;
  for (let i = 0; i < n; i++) clLearn(h, xs + <usize>i * stride, load<i32>(labels + ((<usize>i) << 2)));
}

/** Solves the discriminant if a learn came since the last solve. */
function solve(l: Layout): void {
  if (l.solved) return;
  const C = l.classes,
    d = l.dim,
    stride = f32s(d);
  let seen = 0;
  let N: f64 = 0;
  for (let c = 0; c < C; c++) {
    const n = load<f64>(l.counts + ((<usize>c) << 3));
    if (n > 0) {
      store<i32>(at(l.seen, seen), c);
      seen++;
      N += n;
    }
  }
  l.solved = seen + 1; // 1 + the number of seen classes; 0 = stale
  flushScatter(l.scatter, changetype<DeferredScatter>(l.deferred), d);
  if (seen == 0) return;
  memory.fill(l.m, 0, (<usize>d) << 2);
  for (let i = 0; i < seen; i++) axpy(l.m, <f32>1 / <f32>seen, l.means + <usize>load<i32>(at(l.seen, i)) * stride, d);
  const dof = N - <f64>seen;
  const t = ldaFactor(l.factor, l.diag, l.scatter, l.centred, d, dof > 1 ? dof : 1, l.shrinkage);
  for (let i = 0; i < seen; i++) {
    const c = load<i32>(at(l.seen, i));
    const n = load<f64>(l.counts + ((<usize>c) << 3));
    store<f32>(
      at(l.bias, c),
      ldaClass(l.factor, l.diag, l.means + <usize>c * stride, l.m, l.weights + <usize>c * stride, l.centred, d, t, n),
    );
  }
}

/** Class probabilities for x (softmax over the seen classes; unseen classes 0; uniform before any sample): a pointer to C floats. */
export function clScores(h: usize, x: usize): usize {
  const l = L(h);
  const C = l.classes,
    d = l.dim,
    stride = f32s(d);
  capNorm(x, l.inputs, MAX_INPUT_NORM);
  solve(l);
  const seen = l.solved - 1;
  if (seen == 0) {
    for (let c = 0; c < C; c++) store<f32>(at(l.probs, c), <f32>1 / <f32>C);
    return l.probs;
  }
  features(l, x, false);
  axpy(l.f, -1, l.m, d); // f − m
  for (let i = 0; i < seen; i++) {
    const c = load<i32>(at(l.seen, i));
    const z = dot(l.weights + <usize>c * stride, l.f, d) + load<f32>(at(l.bias, c));
    store<f32>(at(l.logits, i), Mathf.min(Mathf.max(z, -MAX_PREACTIVATION), MAX_PREACTIVATION));
  }
  softmax(l.logits, l.logits, seen);
  memory.fill(l.probs, 0, (<usize>C) << 2);
  for (let i = 0; i < seen; i++) store<f32>(at(l.probs, load<i32>(at(l.seen, i))), load<f32>(at(l.logits, i)));
  return l.probs;
}

/** The most probable seen class for x (ties: the lower index; 0 before any sample). */
export function clPredict(h: usize, x: usize): i32 {
  const p = clScores(h, x),
    C = L(h).classes;
  let best = 0;
  for (let c = 1; c < C; c++) if (load<f32>(at(p, c)) > load<f32>(at(p, best))) best = c;
  return best;
}

/** Adds the deferred scatter terms to S (same bits as adding them at once): call before reading the state. */
export function clFlush(h: usize): void {
  const l = L(h);
  flushScatter(l.scatter, changetype<DeferredScatter>(l.deferred), l.dim);
}

/** Samples learned so far. */
export function clSamples(h: usize): f64 {
  return load<f64>(L(h).totals);
}

/** Samples learned of class c. */
export function clCount(h: usize, c: i32): f64 {
  return load<f64>(L(h).counts + ((<usize>c) << 3));
}

/**
 * 1 if a and b (same config) have bit-identical features (centroids, win counts and
 * seeding state, or raw mode), so their statistics live in one feature space; else 0.
 */
export function clSameFeatures(a: usize, b: usize): i32 {
  const la = L(a),
    lb = L(b);
  if (la.width == 0) return 1;
  if (load<f64>(la.totals, 8) != load<f64>(lb.totals, 8)) return 0;
  const bytes = <usize>(la.cc - la.centroids) + f32s(la.detectors);
  if (memory.compare(la.centroids, lb.centroids, bytes) != 0) return 0;
  return memory.compare(la.wins, lb.wins, f64s(la.detectors)) == 0 ? 1 : 0;
}

/**
 * Folds b's head statistics into a (same config, same features: check clSameFeatures):
 * a then holds the statistics of both streams (Chan's pairwise update). b is unchanged.
 */
export function clMerge(a: usize, b: usize): void {
  const la = L(a),
    lb = L(b);
  const C = la.classes,
    d = la.dim,
    stride = f32s(d);
  clFlush(a);
  clFlush(b);
  axpy(la.scatter, 1, lb.scatter, d * d);
  for (let c = 0; c < C; c++) {
    streamingLdaMerge(
      la.scatter,
      la.means + <usize>c * stride,
      la.counts + ((<usize>c) << 3),
      lb.means + <usize>c * stride,
      load<f64>(lb.counts + ((<usize>c) << 3)),
      la.delta,
      d,
    );
  }
  store<f64>(la.totals, load<f64>(la.totals) + load<f64>(lb.totals));
  la.solved = 0;
}
