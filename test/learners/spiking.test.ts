// The spiking STDP learner (assembly/learners/spiking.ts, rules in assembly/rules/stdp.ts):
// kernels against their scalar twins bitwise, the neuron, trace and threshold dynamics against
// float64 references of the paper's equations written here, the STDP window's sign and shape,
// homeostasis, learning on held-out data, determinism and snapshots.
import { beforeAll, describe, expect, it } from "vitest";
import type { Engram, Spiking } from "../../src/index.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { loadRaw, type RawWasm } from "../helpers/wasm.js";
import { firstBitDiff } from "../kernels/util.js";

let engram: Engram;
let raw: RawWasm;
beforeAll(async () => {
  engram = await loadEngram();
  raw = await loadRaw();
});

// the paper's constants (ms, mV), as documented in assembly/rules/stdp.ts
const V_REST = -65,
  V_THR = -52,
  E_EXC = 0,
  E_INH = -100,
  TAU_M = 100,
  TAU_E = 1,
  TAU_I = 2;
const TAU_PRE = 20,
  TAU_POST1 = 20,
  TAU_POST2 = 40,
  TAU_THETA = 1e7;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Internals = {
  wasm: { fn: Record<string, (...a: number[]) => number>; f32: Float32Array; alloc(n: number): number };
  h: number;
};
const inside = (l: Spiking) => l as unknown as Internals;

/** Prototype patterns with noise: class c lights inputs [c·w, (c+1)·w) of an n-wide input; sample k of class c is fixed. */
function patterns(n: number, classes: number, seed: number) {
  const w = n / classes;
  return (c: number, k = 0) => {
    const r = rng(seed * 100003 + c * 1009 + k);
    return Float32Array.from({ length: n }, (_, i) => (Math.floor(i / w) === c ? 0.6 + 0.4 * r() : 0.1 * r()));
  };
}

describe("spiking kernels: SIMD == scalar Ref, bitwise", () => {
  it("lifStep (v, conductances, traces, refractory clocks and the spike list)", () => {
    const l = engram.spiking({ inputs: 4, neurons: 4 });
    const params = inside(l).wasm.fn["spLifParams"]!(inside(l).h);
    // copy the learner's parameters into the raw module: the same struct bytes
    const pBytes = new Uint8Array(inside(l).wasm.f32.buffer, params, 64).slice();
    const p = raw.u32(16);
    new Uint8Array(raw.exports.memory.buffer, p, 64).set(pBytes);
    const r = rng(3);
    for (const K of [4, 8, 64, 400]) {
      const init = [
        Float32Array.from({ length: K }, () => -110 + 115 * r()), // v, some beyond the reversal potentials (the guard)
        Float32Array.from({ length: K }, () => 3 * r()), // g_e
        Float32Array.from({ length: K }, () => 3 * r()), // g_i
        Float32Array.from({ length: K }, () => 10 * r()), // θ
        Float32Array.from({ length: K }, () => (r() < 0.3 ? Math.floor(10 * r()) : 0)), // refractory
        Float32Array.from({ length: K }, () => r()), // x1
        Float32Array.from({ length: K }, () => r()), // x2
      ];
      const out: Float32Array[][] = [];
      for (const fn of ["spLifStep", "spLifStepRef"]) {
        const ptrs = init.map((a) => raw.f32(K, a));
        const spiked = raw.u32(K);
        const res: Float32Array[] = [];
        for (let s = 0; s < 5; s++) {
          const n = raw.exports[fn](p, ...ptrs, K, spiked);
          res.push(Float32Array.from(raw.readU32(spiked, n)));
        }
        out.push([...ptrs.map((q) => raw.readF32(q, K)), ...res]);
      }
      for (let a = 0; a < out[0]!.length; a++)
        expect(firstBitDiff(out[0]![a]!, out[1]![a]!), `K ${K}, array ${a}`).toBe(-1);
      expect(
        out[0]!.slice(7).some((s) => s.length > 0),
        "some neurons spike",
      ).toBe(true);
    }
    raw.reset();
    l.dispose();
  });

  it("stdpNearestPre and normalizeColumns", () => {
    const r = rng(5);
    for (const K of [4, 12, 400]) {
      const w0 = Float32Array.from({ length: K }, () => r() * 0.02),
        g0 = Float32Array.from({ length: K }, () => r()),
        x0 = Float32Array.from({ length: K }, () => r());
      const res = ["stdpNearestPre", "stdpNearestPreRef"].map((fn) => {
        const w = raw.f32(K, w0),
          g = raw.f32(K, g0),
          x = raw.f32(K, x0);
        raw.exports[fn](w, g, x, K, 0.01);
        return [raw.readF32(w, K), raw.readF32(g, K)];
      });
      expect(firstBitDiff(res[0]![0]!, res[1]![0]!)).toBe(-1);
      expect(firstBitDiff(res[0]![1]!, res[1]![1]!)).toBe(-1);
      expect(
        res[0]![0]!.some((v) => v === 0),
        "clipped at 0",
      ).toBe(true);
      for (const N of [1, 7, 30]) {
        const W0 = Float32Array.from({ length: N * K }, (_, i) => (i % K === 1 ? 0 : r()));
        const [a, b] = ["normalizeColumns", "normalizeColumnsRef"].map((fn) => {
          const w = raw.f32(N * K, W0),
            s = raw.f32(K);
          raw.exports[fn](w, s, N, K, 7.8);
          return raw.readF32(w, N * K);
        });
        expect(firstBitDiff(a!, b!), `N ${N} K ${K}`).toBe(-1);
        for (let j = 0; j < K; j++) {
          let s = 0;
          for (let i = 0; i < N; i++) s += a![i * K + j]!;
          expect(s).toBeCloseTo(j === 1 ? 0 : 7.8, 4); // an all-zero column stays zero
        }
      }
    }
    raw.reset();
  });
});

describe("spiking dynamics against float64 references", () => {
  it("membrane potential, conductances, refractory period and post traces follow the paper's equations", () => {
    const dt = 0.5;
    const l = engram.spiking({ inputs: 4, neurons: 4, dt });
    const { wasm, h } = inside(l);
    const K = 4;
    const ptr = Array.from({ length: 8 }, () => wasm.alloc(K * 4));
    const [v, ge, gi, theta, refr, x1, x2, spiked] = ptr as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const f = () => wasm.f32;
    // four neurons: excitation of different strengths, one also inhibited
    const kickE = [0.1, 0.6, 1.5, 1.5],
      kickI = [0, 0, 0, 1];
    for (let j = 0; j < K; j++) {
      f()[v / 4 + j] = V_REST;
      f()[x1 / 4 + j] = 1;
      f()[x2 / 4 + j] = 1;
    }
    const ref = { v: Array(K).fill(V_REST), ge: Array(K).fill(0), gi: Array(K).fill(0), r: Array(K).fill(0) };
    const params = wasm.fn["spLifParams"]!(h);
    const spikesW: number[] = [],
      spikesR: number[] = [];
    let worst = 0;
    for (let s = 0; s < 600; s++) {
      // scripted input every 4th step for 300 steps
      if (s % 4 === 0 && s < 300)
        for (let j = 0; j < K; j++) {
          f()[ge / 4 + j]! += kickE[j]!;
          f()[gi / 4 + j]! += kickI[j]!;
          ref.ge[j] += Math.fround(kickE[j]!);
          ref.gi[j] += Math.fround(kickI[j]!);
        }
      const n = wasm.fn["spLifStep"]!(params, v, ge, gi, theta, refr, x1, x2, K, spiked);
      for (let q = 0; q < n; q++) {
        const j = wasm.f32.buffer && new Int32Array(wasm.f32.buffer, spiked, K)[q]!;
        spikesW.push(s * 10 + j);
        f()[v / 4 + j] = -65; // the learner's reset (v_reset, t_ref = 5 ms)
        f()[refr / 4 + j] = 10;
      }
      for (let j = 0; j < K; j++) {
        const active = ref.r[j] <= 0;
        if (active)
          ref.v[j] = Math.min(
            Math.max(
              ref.v[j] +
                (dt / TAU_M) * (V_REST - ref.v[j] + ref.ge[j] * (E_EXC - ref.v[j]) + ref.gi[j] * (E_INH - ref.v[j])),
              E_INH,
            ),
            E_EXC,
          );
        ref.r[j] = Math.max(ref.r[j] - 1, 0);
        ref.ge[j] *= Math.exp(-dt / TAU_E);
        ref.gi[j] *= Math.exp(-dt / TAU_I);
        if (active && ref.v[j] > V_THR) {
          spikesR.push(s * 10 + j);
          ref.v[j] = -65;
          ref.r[j] = 5 / dt;
        }
        worst = Math.max(worst, Math.abs(f()[v / 4 + j]! - ref.v[j]), Math.abs(f()[ge / 4 + j]! - ref.ge[j]));
      }
      // post traces: x(t) = exp(−t dt / τ) from 1 at t = 0 (nothing spiked into x1/x2 here)
      expect(f()[x1 / 4]!).toBeCloseTo(Math.exp(-((s + 1) * dt) / TAU_POST1), 5);
      expect(f()[x2 / 4]!).toBeCloseTo(Math.exp(-((s + 1) * dt) / TAU_POST2), 5);
    }
    expect(worst).toBeLessThan(2e-3); // mV (f32 Euler over 600 steps)
    expect(spikesW).toEqual(spikesR);
    // the weakest drive stays subthreshold, the strong ones fire, the inhibited one fires less
    const count = (j: number) => spikesR.filter((e) => e % 10 === j).length;
    expect(count(0)).toBe(0);
    expect(count(2)).toBeGreaterThan(2);
    expect(count(3)).toBeLessThan(count(2));
    l.dispose();
  });

  it("adaptive thresholds: θ_j = θ₊ · spikes_j, decaying by exp(−(T dt + rest)/τ_θ) per presentation", () => {
    const thetaPlus = 0.5,
      dt = 0.5,
      presentationTime = 100,
      restTime = 150;
    const l = engram.spiking({
      inputs: 30,
      neurons: 6,
      minSpikes: 0,
      thetaPlus,
      dt,
      presentationTime,
      restTime,
      maxRate: 400,
      seed: 4,
    });
    const { wasm, h } = inside(l);
    const make = patterns(30, 3, 9);
    const expected = new Float64Array(6);
    const decay = Math.exp(-(presentationTime + restTime) / TAU_THETA);
    let total = 0;
    for (let t = 0; t < 12; t++) {
      total += l.learn(make(t % 3, t)).spikes;
      const c = wasm.fn["spCountsPtr"]!(h) / 4;
      for (let j = 0; j < 6; j++) expected[j] = (expected[j]! + thetaPlus * wasm.f32[c + j]!) * decay;
    }
    expect(total).toBeGreaterThan(0);
    const theta = l.thresholds();
    for (let j = 0; j < 6; j++)
      expect(Math.abs(theta[j]! - expected[j]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, expected[j]!));
    l.dispose();
  });

  it("homeostasis bounds firing: a repeated stimulus raises the winners' thresholds until the load is shared and rates fall", () => {
    const x = patterns(40, 1, 2)(0);
    const rates = (thetaPlus: number) => {
      const l = engram.spiking({
        inputs: 40,
        neurons: 8,
        minSpikes: 0,
        thetaPlus,
        learningRate: 1e-9,
        depressionRate: 0,
        maxRate: 400,
        seed: 6,
      });
      const counts: number[] = [];
      for (let t = 0; t < 150; t++) counts.push(l.learn(x).spikes);
      const theta = Array.from(l.thresholds());
      l.dispose();
      const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
      return { first: mean(counts.slice(0, 10)), last: mean(counts.slice(-50)), theta };
    };
    const off = rates(0),
      on = rates(0.5);
    expect(off.last).toBeGreaterThan(0.8 * off.first); // without homeostasis nothing slows the winners down
    expect(on.last).toBeLessThan(on.first / 4);
    // every neuron took its turn: the thresholds end up close together, far above θ₊
    const mean = on.theta.reduce((p, q) => p + q, 0) / on.theta.length;
    expect(Math.min(...on.theta)).toBeGreaterThan(0.8 * mean);
    expect(Math.max(...on.theta)).toBeLessThan(1.2 * mean);
    expect(mean).toBeGreaterThan(10 * 0.5);
  });

  it("pre/post traces and the STDP window: pre-before-post potentiates, post-before-pre depresses, both decay with |Δt|", () => {
    const dt = 0.5,
      etaPre = 1e-4,
      etaPost = 1e-2;
    const K = 4; // neuron 0 is the post-synaptic one
    // the kernels of one input → neuron synapse, driven through a scripted spike pair: the learner's
    // order per step is (pre event, lifStep, post event); x_pre decays by exp(−dt/τ_pre) per step
    const pair = (delta: number) => {
      const l = engram.spiking({ inputs: 1, neurons: K, dt });
      const { wasm, h } = inside(l);
      const params = wasm.fn["spLifParams"]!(h);
      const arrays = Array.from({ length: 8 }, () => wasm.alloc(K * 4));
      const [v, ge, gi, theta, refr, x1, x2, spiked] = arrays as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const w = wasm.alloc(K * 4),
        xPre = wasm.alloc(16);
      for (let j = 0; j < K; j++) {
        wasm.f32[v / 4 + j] = -80;
        wasm.f32[theta / 4 + j] = 1e6;
        wasm.f32[w / 4 + j] = 0.5;
      }
      // an earlier post spike 100 steps before the pair (the triplet factor x_post2 needs one)
      const tPre = 100 + Math.max(0, -delta),
        tPost = tPre + delta;
      let x = 0;
      for (let s = 0; s <= Math.max(tPre, tPost); s++) {
        if (s === tPre) {
          wasm.fn["stdpNearestPre"]!(w, ge, x1, K, etaPre);
          x = 1;
        }
        wasm.f32[xPre / 4] = x;
        wasm.fn["spLifStep"]!(params, v, ge, gi, theta, refr, x1, x2, K, spiked);
        if (s === 0 || s === tPost) {
          if (s === tPost) wasm.fn["stdpNearestPost"]!(w, xPre, 1, K, 0, etaPost * wasm.f32[x2 / 4]!, 1);
          wasm.f32[x1 / 4] = 1;
          wasm.f32[x2 / 4] = 1;
        }
        x *= Math.exp(-dt / TAU_PRE);
      }
      const dw = wasm.f32[w / 4]! - 0.5;
      l.dispose();
      // float64: a pre event at step s sees x_post1 decayed over steps after the post spike's step,
      // a post event at step s sees x_pre decayed over the steps since the pre spike (the learner's order)
      const depression = -etaPre * Math.exp(-((delta > 0 ? tPre - 1 : -delta - 1) * dt) / TAU_POST1);
      const potentiation =
        delta >= 0 ? etaPost * Math.exp(-(tPost * dt) / TAU_POST2) * Math.exp(-(delta * dt) / TAU_PRE) : 0;
      return { dw, want: depression + potentiation };
    };
    for (const d of [1, 4, 10, 40]) {
      const pre = pair(d),
        post = pair(-d);
      expect(pre.dw).toBeGreaterThan(0);
      expect(post.dw).toBeLessThan(0);
      expect(Math.abs(pre.dw - pre.want)).toBeLessThan(1e-3 * Math.abs(pre.want) + 2e-7);
      expect(Math.abs(post.dw - post.want)).toBeLessThan(1e-3 * Math.abs(post.want) + 2e-8);
    }
    expect(pair(2).dw).toBeGreaterThan(pair(20).dw);
    expect(pair(-2).dw).toBeLessThan(pair(-20).dw);
  });

  it("the paper's rule: Δw = η (x_pre − x_tar)(w_max − w)^μ, clipped to [0, w_max]", () => {
    const N = 5,
      K = 4,
      eta = 0.1,
      xTar = 0.4,
      wMax = 1;
    const xs = [0, 0.2, 0.4, 0.9, 3];
    for (const mu of [0, 1, 0.5]) {
      const w0 = Float32Array.from({ length: N * K }, (_, i) => ((i * 37) % 97) / 100);
      const w = raw.f32(N * K, w0),
        x = raw.f32(N, xs);
      raw.exports["stdpPowerLawPost"](w, x, N, K, 2, eta, xTar, wMax, mu);
      const got = raw.readF32(w, N * K);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < K; j++) {
          const o = w0[i * K + j]!;
          const want = j !== 2 ? o : Math.min(Math.max(o + eta * (xs[i]! - xTar) * (wMax - o) ** mu, 0), wMax);
          expect(got[i * K + j]!).toBeCloseTo(want, 5);
        }
      }
      raw.reset();
    }
  });
});

describe("spiking learner", () => {
  it("learns prototype classes unsupervised; labels only assign neurons (held-out accuracy ≥ 90 %)", () => {
    const make = patterns(64, 4, 11);
    const l = engram.spiking({
      inputs: 64,
      neurons: 16,
      classes: 4,
      presentationTime: 150,
      maxRate: 200,
      learningRate: 0.05,
      seed: 2,
    });
    const before = l.weights();
    // few samples: a faster rate than the default (tuned for MNIST's 60 000)
    for (let t = 0; t < 200; t++) l.learn(make(t % 4, t), t >= 120 ? t % 4 : undefined);
    expect(l.samples).toBe(200);
    const weights = l.weights();
    expect(weights.some((v, i) => v !== before[i])).toBe(true);
    let correct = 0;
    for (let t = 0; t < 80; t++) if (l.predict(make(t % 4, 1000 + t)) === t % 4) correct++; // held out
    expect(correct / 80).toBeGreaterThanOrEqual(0.9);
    const s = l.scores(make(1));
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // receptive fields: each row sums to weightSum and stays within [0, w_max]
    for (let j = 0; j < 16; j++) {
      const row = weights.subarray(j * 64, (j + 1) * 64);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo((64 * 78) / 784, 3);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...row)).toBeLessThanOrEqual(1);
    }
    l.dispose();
  });

  it("both vote rules score as their definitions say, from the labelled spike counts (float64 references)", () => {
    const make = patterns(32, 4, 5);
    const opts = {
      inputs: 32,
      neurons: 12,
      classes: 4,
      presentationTime: 100,
      maxRate: 200,
      learningRate: 0.05,
      seed: 3,
    };
    const a = engram.spiking({ ...opts, vote: "class" }),
      b = engram.spiking({ ...opts, vote: "weighted" });
    const votes = new Float64Array(12 * 4),
      seen = new Float64Array(4);
    for (let t = 0; t < 60; t++) {
      const label = t >= 20 ? t % 4 : undefined;
      a.learn(make(t % 4, t), label);
      b.learn(make(t % 4, t), label);
      if (label === undefined) continue;
      const n = a.lastCounts();
      for (let j = 0; j < 12; j++) votes[j * 4 + label] += n[j]!;
      seen[label]++;
    }
    expect(b.weights()).toEqual(a.weights()); // the vote rule touches no synapse
    const r = (j: number, c: number) => votes[j * 4 + c]! / seen[c]!;
    for (let k = 0; k < 6; k++) {
      const x = make(k % 4, 500 + k);
      const sa = a.scores(x),
        n = a.lastCounts();
      const sb = b.scores(x);
      expect(b.lastCounts()).toEqual(n); // same evaluation spikes
      // "class": each neuron's argmax class; a class's score is the mean count of its neurons
      const sum = [0, 0, 0, 0],
        members = [0, 0, 0, 0];
      for (let j = 0; j < 12; j++) {
        let best = -1,
          top = 0;
        for (let c = 0; c < 4; c++) if (r(j, c) > top) [top, best] = [r(j, c), c];
        if (best >= 0) [sum[best], members[best]] = [sum[best]! + n[j]!, members[best]! + 1];
      }
      const meanA = sum.map((s, c) => (members[c]! > 0 ? s / members[c]! : 0));
      // "weighted": every neuron votes r_jc / Σ_c' r_jc' times its count
      const weighted = [0, 0, 0, 0];
      for (let j = 0; j < 12; j++) {
        const total = [0, 1, 2, 3].reduce((s, c) => s + r(j, c), 0);
        if (total > 0) for (let c = 0; c < 4; c++) weighted[c]! += (n[j]! * r(j, c)) / total;
      }
      for (const [got, want] of [
        [sa, meanA],
        [sb, weighted],
      ] as const) {
        const z = want.reduce((s, v) => s + v, 0);
        expect(z).toBeGreaterThan(0);
        for (let c = 0; c < 4; c++) expect(got[c]).toBeCloseTo(want[c]! / z, 5);
      }
    }
    a.dispose();
    b.dispose();
  });

  it("a label changes no synapse: learn(x) and learn(x, c) leave identical weights and thresholds", () => {
    const make = patterns(32, 2, 3);
    const a = engram.spiking({ inputs: 32, neurons: 8, classes: 2, presentationTime: 100 });
    const b = engram.spiking({ inputs: 32, neurons: 8, classes: 2, presentationTime: 100 });
    for (let t = 0; t < 30; t++) {
      a.learn(make(t % 2, t));
      b.learn(make(t % 2, t), t % 2);
    }
    expect(firstBitDiff(a.weights(), b.weights())).toBe(-1);
    expect(firstBitDiff(a.thresholds(), b.thresholds())).toBe(-1);
    a.dispose();
    b.dispose();
  });

  it("evaluation changes nothing; the same seed gives the same bits, another seed others", () => {
    const make = patterns(32, 2, 4);
    const run = (seed: number) => {
      const l = engram.spiking({ inputs: 32, neurons: 8, classes: 2, presentationTime: 100, seed });
      for (let t = 0; t < 20; t++) l.learn(make(t % 2, t), t % 2);
      const snap = l.save();
      const s1 = l.spikes(make(0)),
        p = l.scores(make(1));
      expect(l.save()).toEqual(snap);
      expect(l.spikes(make(0))).toEqual(s1); // reseeded per call
      l.dispose();
      return [snap, p] as const;
    };
    expect(run(1)[0]).toEqual(run(1)[0]);
    expect(run(1)[0]).not.toEqual(run(2)[0]);
  });

  it("regular coding is deterministic without any randomness in the input", () => {
    const l = engram.spiking({ inputs: 16, neurons: 4, coding: "regular", presentationTime: 100, minSpikes: 0 });
    const x = new Float32Array(16).fill(1);
    // 16 inputs at p = 63.75 Hz · 0.5 ms per step, first spike at 0.5/p: ⌊(k + 0.5)/p⌋ for k = 0, 1, ...
    expect(l.spikes(x)).toEqual(l.spikes(x));
    expect(l.spikes(new Float32Array(16)).every((c) => c === 0)).toBe(true);
    l.dispose();
  });

  it("save → restore → continue is bit-identical to never stopping", () => {
    const make = patterns(48, 3, 5);
    for (const options of [{}, { rule: "paper" as const }, { coding: "regular" as const }]) {
      const a = engram.spiking({ inputs: 48, neurons: 12, classes: 3, presentationTime: 120, ...options });
      for (let t = 0; t < 15; t++) a.learn(make(t % 3, t), t % 3);
      const b = engram.restore(a.save()) as Spiking;
      expect(b.kind).toBe("spiking");
      for (let t = 15; t < 25; t++) {
        a.learn(make(t % 3, t), t % 3);
        b.learn(make(t % 3, t), t % 3);
      }
      expect(b.save()).toEqual(a.save());
      expect(b.scores(make(2))).toEqual(a.scores(make(2)));
      a.dispose();
      b.dispose();
    }
  });

  it("scores over many classes and few neurons stay inside the learner's own memory", () => {
    const l = engram.spiking({
      inputs: 1,
      neurons: 1,
      classes: 5000,
      presentationTime: 50,
      maxRate: 2000,
      weightSum: 1,
    });
    const neighbour = engram.spiking({ inputs: 4, neurons: 4, presentationTime: 5 });
    const before = neighbour.save();
    l.learn([1], 4999);
    const s = l.scores([1]);
    expect(s.length).toBe(5000);
    expect(l.spikes([1])[0]).toBeGreaterThan(0);
    expect(s[4999]).toBe(1); // the one neuron votes for the one class it was labelled with
    expect(neighbour.save()).toEqual(before);
    l.dispose();
    neighbour.dispose();
  });

  it("rejects bad options and inputs with stable codes", () => {
    expectCode(() => engram.spiking({ inputs: 4 } as never), "E_CONFIG");
    expectCode(() => engram.spiking({ inputs: 4, neurons: 2, rule: "triplet" } as never), "E_CONFIG");
    expectCode(() => engram.spiking({ inputs: 4, neurons: 2, dt: 0 }), "E_CONFIG");
    expectCode(() => engram.spiking({ inputs: 4, neurons: 2, presentationTime: 10000, dt: 0.001 }), "E_CONFIG");
    const l = engram.spiking({ inputs: 4, neurons: 2, classes: 3 });
    expectCode(() => l.learn([1, 2, 3]), "E_SHAPE");
    expectCode(() => l.learn([1, 2, 3, 4], 3), "E_LABEL");
    expectCode(() => l.predict([1, 2, NaN, 4]), "E_NONFINITE");
    l.dispose();
    expectCode(() => l.spikes([1, 2, 3, 4]), "E_DISPOSED");
  });
});
