import { describe, expect, it } from "vitest";
import type { Engram, RewardModulated } from "../../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "./feedbackAlignment.data.js";

const engram: Engram = await loadEngram();

/**
 * A contextual bandit: 4 contexts, each a Gaussian cloud (σ 0.3) around a random centre
 * in 8 dimensions; 3 actions; the optimal action of context c is BEST[c]. It pays 1 for
 * the optimal action and 0 otherwise, plus `offset` (a positive payoff scale is where
 * REINFORCE without a baseline suffers).
 */
const BEST = [0, 1, 2, 1];
function bandit(seed: number, offset = 0) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centres = BEST.map(() => Array.from({ length: 8 }, gauss));
  return {
    context(): { x: Float32Array; c: number } {
      const c = Math.floor(r() * 4);
      return { x: Float32Array.from(centres[c]!, (v) => v + 0.3 * gauss()), c };
    },
    pay: (c: number, a: number) => (a === BEST[c] ? 1 : 0) + offset,
  };
}

/** W and b of a snapshot (inputs 8, actions 3: W is 24 floats, b 3 → 4). */
function params(learner: RewardModulated): Float64Array {
  const state = decodeSnapshot(learner.save()).state;
  return Float64Array.from(new Float32Array(state.slice(32, 32 + 27 * 4).buffer));
}

describe("rewardModulated", () => {
  it("solves a contextual bandit: ≥ 90 % optimal actions over the last 500 trials", () => {
    const env = bandit(1);
    const agent = engram.rewardModulated({ inputs: 8, actions: 3 });
    let optimal = 0;
    for (let t = 0; t < 3000; t++) {
      const { x, c } = env.context();
      const a = agent.act(x);
      agent.reward(env.pay(c, a));
      if (t >= 2500 && a === BEST[c]) optimal++;
    }
    expect(optimal / 500).toBeGreaterThanOrEqual(0.9);
    expect(agent.baseline).toBeGreaterThan(0.8); // r̄ tracks the mean reward
  });

  it("the baseline measurably reduces the variance of the update at a fixed policy", () => {
    // Train briefly, then measure single updates from that same state many times:
    // with the learned baseline r̄, and with r̄ = 0 and α = 0 (textbook REINFORCE).
    const env = bandit(2, 1);
    // the default (normalised step): chosen on 784-pixel contexts, it fits this 8-d bandit too
    const agent = engram.rewardModulated({ inputs: 8, actions: 3, seed: 4 });
    for (let t = 0; t < 200; t++) {
      const { x, c } = env.context();
      agent.reward(env.pay(c, agent.act(x)));
    }
    const withBaseline = agent.save();
    const parts = decodeSnapshot(withBaseline);
    const state = parts.state.slice();
    new DataView(state.buffer).setFloat32(16, 0, true);
    const without = encodeSnapshot({ kind: parts.kind, config: { ...parts.config, baselineRate: 0 }, state });
    const variance = (snapshot: Uint8Array) => {
      const updates: Float64Array[] = [];
      for (let k = 0; k < 400; k++) {
        const a = engram.restore(snapshot) as RewardModulated;
        const w0 = params(a);
        const { x, c } = env.context();
        a.reward(env.pay(c, a.act(x)));
        updates.push(params(a).map((v, i) => v - w0[i]!));
        a.dispose();
      }
      const mean = updates[0]!.map((_, i) => updates.reduce((s, u) => s + u[i]!, 0) / updates.length);
      return updates.reduce((s, u) => s + u.reduce((q, v, i) => q + (v - mean[i]!) ** 2, 0), 0) / updates.length;
    };
    const vWith = variance(withBaseline),
      vWithout = variance(without);
    console.log(
      `update variance (trace of the covariance): with baseline ${vWith.toExponential(3)}, without ${vWithout.toExponential(3)}, ratio ${(vWithout / vWith).toFixed(1)}`,
    );
    expect(vWith).toBeLessThan(vWithout / 2);
  });

  // the plain rule (normalize: false, ν = 1) and the normalised one (the default, ν = 1/(1 + ‖x‖²))
  it.each([
    { normalize: false, digits: 5 },
    { normalize: true, digits: 6 },
  ])(
    "the update is η (r − r̄) (onehot(a) − π) xᵀ ν, checked in float64 (normalize: $normalize)",
    ({ normalize, digits }) => {
      const options = { inputs: 8, actions: 3, learningRate: 0.5, baselineRate: 0.25 };
      // the normalised rule is the default: leave the key out for it
      const agent = engram.rewardModulated(normalize ? options : { ...options, normalize });
      expect(agent.config.normalize).toBe(normalize);
      const env = bandit(3);
      for (let t = 0; t < 20; t++) {
        const { x, c } = env.context();
        agent.reward(env.pay(c, agent.act(x)));
      }
      const { x } = env.context();
      const pi = agent.scores(x),
        rbar = agent.baseline,
        w0 = params(agent);
      const a = agent.act(x);
      expect(agent.reward(0.75)).toBeCloseTo(0.75 - rbar, 6);
      const w1 = params(agent);
      const nu = normalize ? 1 / (1 + Array.from(x).reduce((s, v) => s + v * v, 0)) : 1;
      for (let i = 0; i < 3; i++) {
        const post = (i === a ? 1 : 0) - pi[i]!;
        for (let j = 0; j < 8; j++)
          expect(w1[i * 8 + j]! - w0[i * 8 + j]!).toBeCloseTo(0.5 * (0.75 - rbar) * nu * post * x[j]!, digits);
        expect(w1[24 + i]! - w0[24 + i]!).toBeCloseTo(0.5 * (0.75 - rbar) * nu * post, digits);
      }
      expect(agent.baseline).toBeCloseTo(rbar + 0.25 * (0.75 - rbar), 6);
    },
  );

  it("normalised: one reward moves the logits of its context by η (r − r̄)(onehot(a) − π), for x and for c·x", () => {
    // NLMS's a-posteriori property, whatever the scale c of the context: Δz = η (r − r̄) ν post (‖x‖² + 1).
    // Logits are read as centred log-probabilities (post sums to 0, so the shift cancels).
    const centred = (p: Float32Array) => {
      const l = Array.from(p, Math.log);
      const m = l.reduce((s, v) => s + v, 0) / l.length;
      return l.map((v) => v - m);
    };
    const base = [0.4, -0.2, 0.9, 0.1, -0.6, 0.3, -0.1, 0.5];
    for (const c of [0.03, 1, 30]) {
      const agent = engram.rewardModulated({ inputs: 8, actions: 3, learningRate: 2, seed: 3 });
      const x = base.map((v) => c * v);
      for (let t = 0; t < 5; t++) agent.reward(agent.act(x) === 1 ? 1 : 0); // a policy that is not uniform
      const pi = agent.scores(x),
        before = centred(pi),
        rbar = agent.baseline;
      const a = agent.act(x);
      agent.reward(1);
      const after = centred(agent.scores(x));
      for (let k = 0; k < 3; k++)
        expect(after[k]! - before[k]!).toBeCloseTo(2 * (1 - rbar) * ((k === a ? 1 : 0) - pi[k]!), 5);
      agent.dispose();
    }
  });

  it("same seed → same bits; save → restore → continue (even between act and reward) is bit-identical", () => {
    const run = (seed: number, cut: number) => {
      const env = bandit(5);
      let agent = engram.rewardModulated({ inputs: 8, actions: 3, seed, traceDecay: 0.5 });
      const acts: number[] = [];
      for (let t = 0; t < 300; t++) {
        const { x, c } = env.context();
        const a = agent.act(x);
        acts.push(a);
        if (t === cut) agent = engram.restore(agent.save()) as RewardModulated;
        agent.reward(env.pay(c, a));
      }
      return { bytes: agent.save(), acts };
    };
    const a = run(1, -1),
      b = run(1, 150),
      c = run(2, -1);
    expect(b.bytes).toEqual(a.bytes);
    expect(b.acts).toEqual(a.acts);
    expect(c.acts).not.toEqual(a.acts);
  });

  it("rejects bad input and bad options without changing state", () => {
    const agent = engram.rewardModulated({ inputs: 2, actions: 3 });
    agent.act([1, 0]);
    const before = agent.save();
    expectCode(() => agent.act([1, 2, 3]), "E_SHAPE");
    expectCode(() => agent.act([NaN, 2]), "E_NONFINITE");
    expectCode(() => agent.act(undefined as never), "E_TYPE");
    expectCode(() => agent.reward(NaN), "E_NONFINITE");
    expectCode(() => agent.reward(1e39), "E_NONFINITE");
    expectCode(() => agent.reward("1" as never), "E_TYPE");
    expectCode(() => agent.predict([1]), "E_SHAPE");
    expect(agent.save()).toEqual(before);
    expectCode(() => engram.rewardModulated({ inputs: 2 } as never), "E_CONFIG");
    expectCode(() => engram.rewardModulated({ inputs: 2, actions: 1 }), "E_CONFIG");
    expectCode(() => engram.rewardModulated({ inputs: 2, actions: 2, baselineRate: 2 }), "E_CONFIG");
    expectCode(() => engram.rewardModulated({ inputs: 2, actions: 2, traceDecay: -1 }), "E_CONFIG");
    expectCode(() => engram.rewardModulated({ inputs: 2, actions: 2, gamma: 1 } as never), "E_CONFIG");
    agent.dispose();
    expectCode(() => agent.reward(1), "E_DISPOSED");
    expectCode(() => agent.act([1, 0]), "E_DISPOSED");
  });

  it("numeric guard: float32-max contexts and rewards keep every row within ‖W_i‖ ≤ C, |b_i| ≤ C and r̄ finite (C = 1e6, assembly/rules/guard.ts)", () => {
    const F32_MAX = 3.4028234663852886e38,
      C = 1e6;
    for (const o of [{}, { traceDecay: 1, learningRate: 100 }, { traceDecay: 0.9, baselineRate: 1 }]) {
      const agent = engram.rewardModulated({ inputs: 6, actions: 4, ...o });
      const r = rng(41);
      for (let t = 0; t < 2000; t++) {
        const huge = t % 3 === 0 ? F32_MAX : t % 3 === 1 ? 1e30 : 1e-40;
        const x = Float32Array.from({ length: 6 }, () => (r() < 0.5 ? -huge : huge));
        const copy = x.slice();
        agent.act(x);
        expect(x).toEqual(copy); // only the scratch copy is scaled into ‖x‖ ≤ R
        expect(Number.isFinite(agent.reward(t % 2 ? F32_MAX : -F32_MAX))).toBe(true);
      }
      const state = decodeSnapshot(agent.save()).state;
      const f = new Float32Array(state.slice(16).buffer); // r̄, pad, W (24), b (4), E (24), E_b (4)
      expect(f.every(Number.isFinite)).toBe(true);
      for (let i = 0; i < 4; i++) {
        expect(Math.hypot(...f.subarray(4 + i * 6, 4 + (i + 1) * 6))).toBeLessThanOrEqual(C * (1 + 1e-5));
        expect(Math.abs(f[28 + i]!)).toBeLessThanOrEqual(C);
      }
      const p = agent.scores([1, 0, 0, 0, 0, 0]);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it("a restore in the middle of an adversarial run, even between act and reward, continues bit-identically", () => {
    const F32_MAX = 3.4028234663852886e38;
    for (const cut of [1, 33]) {
      const make = () => engram.rewardModulated({ inputs: 5, actions: 3, traceDecay: 0.9, learningRate: 10 });
      const a = make();
      let b = make();
      const r = rng(6);
      for (let t = 0; t < 120; t++) {
        const huge = [F32_MAX, 1e30, 1e-40, 0.5][t % 4]!;
        const x = Float32Array.from({ length: 5 }, () => (r() < 0.5 ? -huge : huge));
        expect(b.act(x)).toBe(a.act(x));
        if (t === cut) b = engram.restore(b.save()) as RewardModulated;
        const reward = t % 3 ? F32_MAX : -1;
        expect(b.reward(reward)).toBe(a.reward(reward));
      }
      expect(b.save()).toEqual(a.save());
    }
  });
});
