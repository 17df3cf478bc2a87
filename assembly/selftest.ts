// selftest(): the conformance check for a host that is not JavaScript.
//
// A host without JavaScript (wasm-interp, wasmtime, WAMR, wasm3 on a microcontroller)
// cannot run test/conformance, so this export runs a fixed scenario per learner kind
// entirely inside the module and returns one 32-bit hash of everything it produced:
//
//   for each kind:  create it in a fixed configuration (seed 7);
//                   learn STEPS samples from the module's own PRNG stream (xoshiro128**,
//                   seed 0x5e1f7e57): a mixture of CLASSES prototypes in [-1, 1]^INPUTS
//                   plus uniform noise in [-0.3, 0.3], labels uniform;
//                   predict PROBES further samples of the same stream;
//                   save: hash its persisted state block (what save() carries);
//                   free it.
//   hash: 32-bit FNV-1a over, per kind, the state's 4-byte words (NaN canonicalised to
//   0x7fc00000, as the conformance suite does) and then each prediction as a u32.
//
// No parameters and an i32 result, so `wasm-interp --dummy-import-func --run-all-exports`
// prints `selftest() => i32:N`. Every host, and both builds (engram.wasm and
// engram.scalar.wasm), must print the same N; test/conformance checks that N against the
// same export called from every JavaScript host. The hash is no golden value: a change to
// a learner's math changes it everywhere at once, and only disagreement is a failure.
//
// Adding a learner kind: append one case to each of `create`, `learn` and `predict` below
// (the next free index; keep INPUTS and CLASSES), and the loop in `selftest` picks it up.

import { rngSeed, rngBelow, rngFillUniform } from "./kernels/prng";
import { alloc, free } from "./memory";
import { learnerFree, learnerState, learnerStateBytes } from "./learners/common";
import { ffNew, ffLearn, ffScores, ffArgmax } from "./learners/forwardForward";
import { faNew, faLearn, faPredict } from "./learners/feedbackAlignment";
import { npNew, npLearn, npPredict } from "./learners/perturbation";
import { rmNew, rmAct, rmReward, rmPredict } from "./learners/rewardModulated";
import { hebbNew, hebbLearn, hebbPredict } from "./learners/hebbian";

// Odd widths, so every SIMD kernel's scalar tail runs too.
const INPUTS = 21;
const HIDDEN = 13;
const CLASSES = 4;
const STEPS = 96;
const PROBES = 16;
const SEED: u32 = 7;
const STREAM_SEED: u32 = 0x5e1f7e57;

// ---------------------------------------------------------------- the scenarios

/** Creates learner kind `kind` in its fixed configuration; 0 past the last kind. `sizes` has room for 4 u32. */
function create(kind: i32, sizes: usize): usize {
  store<u32>(sizes, INPUTS);
  store<u32>(sizes, HIDDEN, 4);
  store<u32>(sizes, CLASSES, 8);
  switch (kind) {
    // forwardForward: 21-13, factored Adam, hard negatives, readout (flags 16 | 2 | 4)
    case 0:
      return ffNew(sizes, 2, CLASSES, SEED, 0.01, 0, 6, 0.9, 0.1, 0, 16 | 2 | 4, 0, 0);
    // feedbackAlignment: 21-13-4, direct feedback alignment, tanh
    case 1:
      return faNew(sizes, 3, 1, 0, 0.01, 0, 0, SEED, 0);
    // perturbation: 21-13-4, node perturbation, tanh, sigma 0.1
    case 2:
      return npNew(sizes, 3, 0, 0.01, 0, 0.1, SEED, 0);
    // rewardModulated: 21 inputs, 4 actions, baseline rate 0.05, no traces
    case 3:
      return rmNew(INPUTS, CLASSES, 0.1, 0.05, 0, SEED, 0);
    // hebbian: SoftHebb, 13 units, local readout over 4 classes
    case 4:
      return hebbNew(INPUTS, HIDDEN, 5, CLASSES, SEED, 0.05, 2, 3, 7, 0.4, 0.5, 0.01, 1, 0, 0, 0);
    default:
      return 0;
  }
}

/** One learning step of kind `kind` on sample x with its label. */
function learn(kind: i32, h: usize, x: usize, label: i32): void {
  switch (kind) {
    case 0:
      ffLearn(h, x, label);
      break;
    case 1:
      faLearn(h, x, label);
      break;
    case 2:
      npLearn(h, x, label);
      break;
    case 3: {
      // a contextual bandit: reward 1 for the label's action, else a penalty by distance
      const a = rmAct(h, x);
      rmReward(h, a == label ? 1 : <f32>-0.25 * <f32>abs<i32>(a - label));
      break;
    }
    case 4:
      hebbLearn(h, x, label, 3);
      break; // the rule and the readout (learn(x, label))
    default:
      unreachable();
  }
}

/** The class (or action) kind `kind` predicts for x; changes no persisted state. */
function predict(kind: i32, h: usize, x: usize): i32 {
  switch (kind) {
    case 0:
      return ffArgmax(ffScores(h, x), CLASSES);
    case 1:
      return faPredict(h, x);
    case 2:
      return npPredict(h, x);
    case 3:
      return rmPredict(h, x);
    case 4:
      return hebbPredict(h, x);
    default:
      unreachable();
  }
  return -1;
}

// ---------------------------------------------------------------- driver

/** Hash of every scenario's state and predictions (see the header). Allocates and frees all it uses. */
export function selftest(): i32 {
  const rng = alloc(16),
    sizes = alloc(16);
  const protos = alloc((<usize>(CLASSES * INPUTS)) << 2),
    x = alloc((<usize>INPUTS) << 2);
  let hash = FNV_OFFSET;
  for (let kind = 0; ; kind++) {
    const h = create(kind, sizes);
    if (h == 0) break;
    rngSeed(rng, STREAM_SEED);
    rngFillUniform(rng, protos, CLASSES * INPUTS, -1, 1);
    for (let t = 0; t < STEPS; t++) learn(kind, h, x, sample(rng, protos, x));
    for (let t = 0; t < PROBES; t++) {
      sample(rng, protos, x);
      hash = fnvWord(hash, <u32>predict(kind, h, x));
    }
    const state = learnerState(h),
      words = learnerStateBytes(h) >> 2;
    for (let i: u32 = 0; i < words; i++) hash = fnvWord(hash, canonical(load<u32>(state + ((<usize>i) << 2))));
    learnerFree(h);
  }
  free(x);
  free(protos);
  free(sizes);
  free(rng);
  return <i32>hash;
}

/** Draws one sample into x (prototype of a uniform label + noise); returns the label. */
function sample(rng: usize, protos: usize, x: usize): i32 {
  const label = <i32>rngBelow(rng, CLASSES);
  rngFillUniform(rng, x, INPUTS, -0.3, 0.3);
  const p = protos + ((<usize>(label * INPUTS)) << 2);
  for (let i = 0; i < INPUTS; i++) {
    const o = (<usize>i) << 2;
    store<f32>(x + o, load<f32>(x + o) + load<f32>(p + o));
  }
  return label;
}

// 32-bit FNV-1a, one little-endian word at a time (byte order as the words lie in memory)
const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

function fnvWord(hash: u32, w: u32): u32 {
  for (let b = 0; b < 4; b++) hash = (hash ^ ((w >>> (b << 3)) & 0xff)) * FNV_PRIME;
  return hash;
}

/** The word with any f32 NaN pattern replaced by the canonical quiet NaN. */
// @ts-ignore: decorator
@inline
function canonical(w: u32): u32 {
  return (w & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : w;
}
