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
import { learnerKind, learnerStateBytes } from "./common";
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
