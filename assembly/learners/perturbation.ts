// A multilayer perceptron whose hidden layers learn by node perturbation (equation and
// papers: ../rules/perturbation.ts). The network of ./mlp.ts without the
// feedback matrices; the noise ξ comes from the PRNG in the persisted state, so a
// restored learner draws the same noise as one that never stopped.

import { rngFillNormal } from "../kernels/prng";
import { antitheticEstimate } from "../rules/perturbation";
import { mlpNew, mlpForward, mlpDescend, mlpScores, mlpPredict, layers, layer, width, sigma, rngOf } from "./mlp";

export const KIND_NP: u32 = 0x4e50; // "NP"

/**
 * New network; sizes: nSizes i32 at `sizes`; sig = σ, the perturbation size; normalized ≠ 0:
 * every layer steps at η / (1 + ‖h_{l−1}‖²) (../rules/nlms.ts).
 */
export function npNew(
  sizes: usize,
  nSizes: i32,
  act: i32,
  eta: f32,
  decay: f32,
  sig: f32,
  seed: u32,
  normalized: i32,
): usize {
  return mlpNew(KIND_NP, sizes, nSizes, act, 0, eta, decay, sig, 0, seed, false, normalized != 0);
}

/** One online step on x with class `label`: a clean pass and an antithetic pair; returns the clean loss. */
export function npLearn(h: usize, x: usize, label: i32): f32 {
  const loss = mlpForward(h, x, label, false, 0);
  const hidden = layers(h) - 1,
    s = sigma(h);
  for (let l = 0; l < hidden; l++) rngFillNormal(rngOf(h), layer(h, l).xi, width(h, l + 1), 0, 1);
  const plus = mlpForward(h, x, label, true, s);
  const minus = mlpForward(h, x, label, true, -s);
  for (let l = 0; l < hidden; l++)
    antitheticEstimate(layer(h, l).delta, layer(h, l).xi, plus, minus, s, width(h, l + 1));
  mlpDescend(h, x);
  return loss;
}

/** n online steps in order: rows of xs (n × n_0), labels n i32; returns the mean loss. */
export function npLearnBatch(h: usize, xs: usize, labels: usize, n: i32): f32 {
  const stride = (<usize>width(h, 0)) << 2;
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += npLearn(h, xs + <usize>i * stride, load<i32>(labels + ((<usize>i) << 2)));
  return sum / <f32>n;
}

/** Class probabilities for x (a pointer to n_L floats, valid until the next call). */
export function npScores(h: usize, x: usize): usize {
  return mlpScores(h, x);
}

/** The most probable class for x. */
export function npPredict(h: usize, x: usize): i32 {
  return mlpPredict(h, x);
}
