// A multilayer perceptron trained by feedback alignment or direct feedback alignment
// (equations and papers: ../rules/feedbackAlignment.ts; the network: ./mlp.ts).

import {
  MODE_DFA,
  layers,
  layer,
  width,
  activation,
  dropoutMasks,
  mlpForward,
  mlpDescend,
  mlpNew,
  mlpScores,
  mlpPredict,
  modeOf,
} from "./mlp";
import { hadamard } from "../rules/dense";
import { faHiddenStep, dfaHiddenStep } from "../rules/feedbackAlignment";

export const KIND_FA: u32 = 0x4641; // "FA"

// ---------------------------------------------------------------- exports

/**
 * New FA (mode 0) or DFA (mode 1) network; sizes: nSizes i32 at `sizes`; drop = dropout p ∈ [0, 1);
 * normalized ≠ 0: every layer steps at η / (1 + ‖h_{l−1}‖²) (../rules/nlms.ts).
 */
export function faNew(
  sizes: usize,
  nSizes: i32,
  mode: i32,
  act: i32,
  eta: f32,
  decay: f32,
  drop: f32,
  seed: u32,
  normalized: i32,
): usize {
  return mlpNew(KIND_FA, sizes, nSizes, act, mode, eta, decay, 0, drop, seed, true, normalized != 0);
}

/**
 * One online step on sample x (n_0 floats) with class `label`; returns the loss before it.
 * With dropout the forward pass and every δ_l use this step's mask: δ_l ⊙= m_l.
 */
export function faLearn(h: usize, x: usize, label: i32): f32 {
  const dropped = dropoutMasks(h);
  const loss = mlpForward(h, x, label, false, 0, dropped);
  const L = layers(h),
    act = activation(h),
    dfa = modeOf(h) == MODE_DFA;
  for (let l = L - 2; l >= 0; l--) {
    const ly = layer(h, l),
      n = width(h, l + 1);
    if (dfa) dfaHiddenStep(ly.delta, ly.feedback, layer(h, L - 1).delta, ly.a, act, width(h, L), n, ly.tmp);
    else faHiddenStep(ly.delta, ly.feedback, layer(h, l + 1).delta, ly.a, act, width(h, l + 2), n, ly.tmp);
    if (dropped) hadamard(ly.delta, ly.delta, ly.xi, n);
  }
  mlpDescend(h, x);
  return loss;
}

/** n online steps in order: rows of xs (n × n_0), labels n i32; returns the mean loss. */
export function faLearnBatch(h: usize, xs: usize, labels: usize, n: i32): f32 {
  const stride = (<usize>width(h, 0)) << 2;
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += faLearn(h, xs + <usize>i * stride, load<i32>(labels + ((<usize>i) << 2)));
  return sum / <f32>n;
}

/** Class probabilities for x; returns a pointer to n_L floats (valid until the next call). */
export function faScores(h: usize, x: usize): usize {
  return mlpScores(h, x);
}

/** The most probable class for x. */
export function faPredict(h: usize, x: usize): i32 {
  return mlpPredict(h, x);
}
