// Merging learners of one kind and one config (engram.merge).
//
// Federated averaging (McMahan, Moore, Ramage, Hampson & Agüera y Arcas 2017,
// "Communication-Efficient Learning of Deep Networks from Decentralized Data", Algorithm 1,
// FederatedAveraging: w ← Σ_k (n_k / n) w_k):
//
//   θ = Σ_{j=0}^{K−1} α_j θ_j,   α_j = w_j / Σ_i w_i
//
//   θ_j  the parameters of learner j (every weight and bias, as one f32 region)
//   w_j  its weight: the samples it has seen (n_k in the paper), or the caller's weights
//   θ    the merged learner's parameters
//
// Summation order: θ starts at 0 and learner j's term is added for j = 0, 1, …, K−1 in the
// order given, one axpy each (../kernels/linalg.ts: SIMD with a bitwise scalar twin), so
// element i is ((0 + α_0 θ_0i) + α_1 θ_1i) + …; α_j is rounded to f32 after the division in
// f64, Σ w_i summed in f64 in the same order. A different order changes only float rounding.
//
// The merged learner's samples-seen counter t is Σ_j t_j (the learning-rate schedule
// η / (1 + κ t) goes on as for one learner that saw all of them). Its PRNG is the one the
// merged learner was created with (the config's seed), so the result does not depend on
// the order of the learners.

import { axpy } from "../kernels/linalg";
import { learnerKind, learnerState, learnerStateBytes } from "./common";
import { epropMergeParts, epropMergeSamples, KIND_EPROP } from "./eprop";
import { ffMergeParts, ffMergeSamples, KIND_FF } from "./forwardForward";
import { hebbMergeParts, hebbMergeSamples, KIND_HEBB } from "./hebbian";
import { ANY_U32, AVERAGE, FIRST, MergePart, OPTIMIZER, SUM_F64, SUM_U32 } from "./mergeParts";
import { KIND_RM, rmMergeParts, rmMergeSamples } from "./rewardModulated";
import { KIND_SPIKING, spMergeParts, spMergeSamples } from "./spiking";
import { KIND_FA } from "./feedbackAlignment";
import { mlpCounter, mlpParamFloats, mlpParams } from "./mlp";
import { KIND_NP } from "./perturbation";

/**
 * dst's parameters = the weighted average of the K learners' at `handles` (K u32), with
 * raw weights at `weights` (K f64, ≥ 0, positive sum); dst's counter = the sum of theirs.
 * dst and every source: one MLP kind (feedback alignment or node perturbation) and one
 * state size (the host checks that their configs are equal). dst is not a source.
 */
export function mergeAverage(dst: usize, handles: usize, weights: usize, k: i32): void {
  const kind = learnerKind(dst);
  if (kind != KIND_FA && kind != KIND_NP) abort("mergeAverage: not an MLP learner");
  if (k < 1) abort("mergeAverage: no learner to merge");
  let total: f64 = 0;
  for (let j = 0; j < k; j++) {
    const h = <usize>load<u32>(handles + ((<usize>j) << 2));
    const w = load<f64>(weights + ((<usize>j) << 3));
    if (h == dst || learnerKind(h) != kind || learnerStateBytes(h) != learnerStateBytes(dst))
      abort("mergeAverage: learners differ");
    if (!(w >= 0 && w < Infinity)) abort("mergeAverage: a weight is not finite and ≥ 0");
    total += w;
  }
  if (!(total > 0 && total < Infinity)) abort("mergeAverage: weights sum to 0");
  const n = mlpParamFloats(dst),
    theta = mlpParams(dst);
  memory.fill(theta, 0, (<usize>n) << 2);
  let t: f64 = 0;
  for (let j = 0; j < k; j++) {
    const h = <usize>load<u32>(handles + ((<usize>j) << 2));
    const alpha = <f32>(load<f64>(weights + ((<usize>j) << 3)) / total);
    axpy(theta, alpha, mlpParams(h), n);
    t += load<f64>(mlpCounter(h));
  }
  store<f64>(mlpCounter(dst), t);
}

/** Samples seen by an MLP learner (its counter t). */
export function mlpSamples(h: usize): f64 {
  return load<f64>(mlpCounter(h));
}

// ---------------------------------------------------------------- every other weight-based kind
//
// The kinds below describe their state as parts (./mergeParts.ts, one "merge accessors" block
// at the end of each learner's file). Per part, over the K learners in the order given:
//
//   AVERAGE   θ = ((0 + α_0 θ_0) + α_1 θ_1) + …   (axpy, as mergeAverage; α_j = <f32>(w_j / Σ w))
//   SUM_F64   c = ((0 + c_0) + c_1) + …             (f64; exact for integer counts < 2⁵³)
//   SUM_U32   c = c_0 + c_1 + …                     (mod 2³²)
//   ANY_U32   c = max_j c_j
//   FIRST     learners[0]'s bytes
//
// The rest of the merged learner's state is as it was created (the host creates dst from the
// config): PRNG from the seed, traces and dynamics at rest.

/** The number of parts of h's kind, written at `parts` unless it is 0; −1: the kind does not merge by parts. */
export function mergeParts(h: usize, parts: usize): i32 {
  const kind = learnerKind(h);
  if (kind == KIND_FF) return ffMergeParts(h, parts);
  if (kind == KIND_HEBB) return hebbMergeParts(h, parts);
  if (kind == KIND_RM) return rmMergeParts(h, parts);
  if (kind == KIND_EPROP) return epropMergeParts(h, parts);
  if (kind == KIND_SPIKING) return spMergeParts(h, parts);
  return -1;
}

/** FedAvg's default weight of learner h: the samples it has seen, or −1 when its kind keeps no count (equal weights). */
export function mergeSamples(h: usize): f64 {
  const kind = learnerKind(h);
  if (kind == KIND_FA || kind == KIND_NP) return load<f64>(mlpCounter(h));
  if (kind == KIND_FF) return ffMergeSamples(h);
  if (kind == KIND_HEBB) return hebbMergeSamples(h);
  if (kind == KIND_RM) return rmMergeSamples(h);
  if (kind == KIND_EPROP) return epropMergeSamples(h);
  if (kind == KIND_SPIKING) return spMergeSamples(h);
  return -1;
}

/**
 * dst's state from the K learners at `handles` (K u32) part by part, raw weights at `weights`
 * (K f64, ≥ 0, positive sum). resetOptimizer ≠ 0: parts flagged OPTIMIZER are left as created.
 * dst (freshly created from the same config) and every source: one kind and one state size.
 */
export function mergeByParts(dst: usize, handles: usize, weights: usize, k: i32, resetOptimizer: i32): void {
  const kind = learnerKind(dst);
  const n = mergeParts(dst, 0);
  if (n < 0) abort("mergeByParts: this kind does not merge by parts");
  if (k < 1) abort("mergeByParts: no learner to merge");
  let total: f64 = 0;
  for (let j = 0; j < k; j++) {
    const h = <usize>load<u32>(handles + ((<usize>j) << 2));
    const w = load<f64>(weights + ((<usize>j) << 3));
    if (h == dst || learnerKind(h) != kind || learnerStateBytes(h) != learnerStateBytes(dst))
      abort("mergeByParts: learners differ");
    if (!(w >= 0 && w < Infinity)) abort("mergeByParts: a weight is not finite and ≥ 0");
    total += w;
  }
  if (!(total > 0 && total < Infinity)) abort("mergeByParts: weights sum to 0");
  const size = offsetof<MergePart>();
  const list = heap.alloc(<usize>n * size);
  mergeParts(dst, list);
  const d = learnerState(dst);
  for (let p = 0; p < n; p++) {
    const part = changetype<MergePart>(list + <usize>p * size);
    if ((part.how & OPTIMIZER) != 0 && resetOptimizer != 0) continue;
    const how = part.how & ~OPTIMIZER,
      off = <usize>part.offset,
      count = <i32>part.count;
    const first = learnerState(<usize>load<u32>(handles)) + off;
    if (how == FIRST) {
      memory.copy(d + off, first, (<usize>count) << 2);
      continue;
    }
    if (how == AVERAGE || how == SUM_F64) memory.fill(d + off, 0, (<usize>count) << (how == SUM_F64 ? 3 : 2));
    else memory.copy(d + off, first, (<usize>count) << 2);
    for (let j = how == AVERAGE || how == SUM_F64 ? 0 : 1; j < k; j++) {
      const src = learnerState(<usize>load<u32>(handles + ((<usize>j) << 2))) + off;
      if (how == AVERAGE) axpy(d + off, <f32>(load<f64>(weights + ((<usize>j) << 3)) / total), src, count);
      else if (how == SUM_F64)
        for (let i = 0; i < count; i++) {
          const q = (<usize>i) << 3;
          store<f64>(d + off + q, load<f64>(d + off + q) + load<f64>(src + q));
        }
      else
        for (let i = 0; i < count; i++) {
          const q = (<usize>i) << 2,
            a = load<u32>(d + off + q),
            b = load<u32>(src + q);
          store<u32>(d + off + q, how == SUM_U32 ? a + b : max(a, b));
        }
    }
  }
  heap.free(list);
}
