// One step of feedback alignment and of direct feedback alignment against their
// published equations in float64, on a network with two hidden layers: there
// FA's first hidden layer hears B₁ᵀ δ₁ (the error relayed through the layer
// above) and DFA's hears D₀ᵀ e (the output error directly), so a learner wired
// as the other fails. The fixed random feedback is regenerated here from the
// documented seed stream (assembly/learners/feedbackAlignment.ts: U(±√(3/rows)),
// xoshiro128** seeded with seed ^ 0x5bd1e995), the weights read from the snapshot.
import { describe, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import {
  expectStep,
  matvec,
  matvecT,
  pad4,
  rows,
  softmax,
  stateF32,
  stepError,
  Stream,
  uniformF32,
  type Mat,
} from "./reference.js";

const engram = await loadEngram();
const SIZES = [5, 7, 6, 3];
const L = SIZES.length - 1;

interface Net {
  W: Mat[];
  b: number[][];
}

/** W_l, b_l from the state: [PRNG 16 B][samples f64][8 B][W_0 b_0 W_1 b_1 ...], each padded to 16 B. */
function params(state: Float32Array): Net {
  const W: Mat[] = [],
    b: number[][] = [];
  let at = 8;
  for (let l = 0; l < L; l++) {
    const r = SIZES[l + 1]!,
      c = SIZES[l]!;
    W.push(rows(state, r, c, at));
    at += pad4(r * c);
    b.push(Array.from(state.subarray(at, at + r)));
    at += pad4(r);
  }
  return { W, b };
}

/** Feedback of hidden layer l: FA B_{l+1} (n_{l+2} × n_{l+1}), DFA D_l (n_L × n_{l+1}). */
function feedback(seed: number, mode: "fa" | "dfa"): Mat[] {
  const s = new Stream((seed ^ 0x5bd1e995) >>> 0);
  const out: Mat[] = [];
  for (let l = 0; l < L - 1; l++) {
    const fr = SIZES[mode === "dfa" ? L : l + 2]!,
      cols = SIZES[l + 1]!;
    const lim = Math.fround(Math.sqrt(Math.fround(3 / fr)));
    out.push(rows(uniformF32(s, fr * cols, -lim, lim), fr, cols));
  }
  return out;
}

/**
 * Lillicrap et al. 2016 (FA) and Nøkland 2016 (DFA), tanh hidden units:
 *   a_l = W_l h_{l−1} + b_l, h_l = tanh(a_l), p = softmax(a_L), e = p − onehot(y)
 *   FA  δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ f′(a_l)     DFA  δ_l = (D_lᵀ e) ⊙ f′(a_l)
 *   W_l ← W_l − η_l δ_l h_{l−1}ᵀ, b_l ← b_l − η_l δ_l,
 *   η_l = η (plain) or η / (1 + ‖h_{l−1}‖²) (normalised LMS, Nagumo & Noda 1967: `normalize`)
 */
function step(net: Net, fb: Mat[], mode: "fa" | "dfa", x: number[], y: number, eta: number, normalize: boolean): Net {
  const h: number[][] = [x],
    a: number[][] = [];
  for (let l = 0; l < L; l++) {
    a.push(matvec(net.W[l]!, h[l]!).map((v, i) => v + net.b[l]![i]!));
    if (l < L - 1) h.push(a[l]!.map(Math.tanh));
  }
  const e = softmax(a[L - 1]!).map((p, i) => p - (i === y ? 1 : 0));
  const delta: number[][] = [];
  delta[L - 1] = e;
  for (let l = L - 2; l >= 0; l--) {
    const back = matvecT(fb[l]!, mode === "dfa" ? e : delta[l + 1]!);
    delta[l] = back.map((v, i) => v * (1 - Math.tanh(a[l]![i]!) ** 2));
  }
  const rate = h.map((hl) => (normalize ? eta / (1 + hl.reduce((q, v) => q + v * v, 0)) : eta));
  return {
    W: net.W.map((W, l) => W.map((w, i) => w.map((wj, j) => wj - rate[l]! * delta[l]![i]! * h[l]![j]!))),
    b: net.b.map((b, l) => b.map((bi, i) => bi - rate[l]! * delta[l]![i]!)),
  };
}

const flatNet = (n: Net): number[] => n.W.flatMap((W, l) => [...W.flat(), ...n.b[l]!]);

describe("feedback alignment and DFA: one step is the published equation (two hidden layers)", () => {
  for (const mode of ["fa", "dfa"] as const)
    for (const normalize of [false, true]) {
      it(`${mode}${normalize ? ", normalised step" : ""}: every layer's step over several samples`, () => {
        const seed = 9,
          eta = 0.2;
        const net = engram.feedbackAlignment({
          inputs: SIZES[0]!,
          hidden: SIZES.slice(1, -1),
          classes: SIZES[SIZES.length - 1]!,
          mode,
          activation: "tanh",
          learningRate: eta,
          normalize,
          seed,
        });
        const fb = feedback(seed, mode),
          other = feedback(seed, mode === "fa" ? "dfa" : "fa");
        const r = rng(3);
        let distinct = 0;
        for (let t = 0; t < 6; t++) {
          const x = Array.from({ length: SIZES[0]! }, () => Math.fround(r() * 2 - 1)),
            y = t % SIZES[L]!;
          const before = params(stateF32(net.save()));
          net.learn(Float32Array.from(x), y);
          const after = flatNet(params(stateF32(net.save())));
          expectStep(
            `${mode} step ${t}`,
            flatNet(before),
            after,
            flatNet(step(before, fb, mode, x, y, eta, normalize)),
          );
          // the other wiring's step differs clearly on this network: the test can tell them apart
          distinct = Math.max(
            distinct,
            stepError(
              flatNet(before),
              after,
              flatNet(step(before, other, mode === "fa" ? "dfa" : "fa", x, y, eta, normalize)),
            ),
          );
        }
        expect(distinct, "FA and DFA must differ on two hidden layers").toBeGreaterThan(0.05);
        net.dispose();
      });
    }
});
