import { describe, expect, it } from "vitest";
import type { Engram } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { accuracy, rings, rng, train } from "./feedbackAlignment.data.js";

const engram: Engram = await loadEngram();

/** The state block's f32 values (after the 32-byte PRNG/counter header) from a snapshot. */
function stateF32(snapshot: Uint8Array): Float32Array {
  const dv = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  let at = 12;
  at += 2 + dv.getUint16(at, true);
  at += 4 + dv.getUint32(at, true);
  const len = dv.getUint32(at, true);
  at += 4;
  return new Float32Array(snapshot.slice(at + 32, at + len).buffer);
}

describe("perturbation", () => {
  const trainSet = rings(2000, 1);
  const testSet = rings(1000, 2);

  it("learns concentric rings through step and sign units, whose derivative is zero almost everywhere", () => {
    // Biases start at 0: each initial step unit is a half-plane through the origin, whose
    // output depends only on the angle, so no readout of it separates rings. ≥ 95 % means
    // the hidden layer learned, and nothing ever differentiated it.
    for (const activation of ["step", "sign", "tanh"] as const) {
      // the defaults (normalised step): chosen on images (‖x‖² ≈ 100), they fit these 2-d points too
      const net = engram.perturbation({ inputs: 2, hidden: [16], classes: 2, activation });
      expect(accuracy(net, testSet, 2)).toBeLessThan(0.8);
      train(net, trainSet, 10, 2);
      expect(accuracy(net, testSet, 2)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("the antithetic estimate points along the true gradient (float64 backprop in the test)", () => {
    // sizes [3, 5, 2], tanh. The state holds W0 (15 → 16 floats), b0 (5 → 8), W1 (10 → 12), b1 (2 → 4).
    const eta = 1e-4,
      steps = 4000;
    const net = engram.perturbation({ inputs: 3, hidden: [5], classes: 2, learningRate: eta, sigma: 0.01, seed: 3 });
    const x = [0.7, -0.4, 1.1],
      label = 0;
    const s0 = stateF32(net.save());
    const W0 = (i: number, j: number) => s0[i * 3 + j]!,
      W1 = (k: number, i: number) => s0[24 + k * 5 + i]!;
    const a = [0, 1, 2, 3, 4].map((i) => W0(i, 0) * x[0]! + W0(i, 1) * x[1]! + W0(i, 2) * x[2]! + s0[16 + i]!);
    const hid = a.map(Math.tanh);
    const z = [0, 1].map((k) => hid.reduce((s, v, i) => s + W1(k, i) * v, 0) + s0[36 + k]!);
    const m = Math.max(...z),
      ez = z.map((v) => Math.exp(v - m)),
      sum = ez[0]! + ez[1]!;
    const e = ez.map((v, k) => v / sum - (k === label ? 1 : 0));
    const g = a.map((v, i) => (W1(0, i) * e[0]! + W1(1, i) * e[1]!) * (1 - Math.tanh(v) ** 2));
    const want = [...g.flatMap((gi) => x.map((xj) => -gi * xj)), ...g.map((gi) => -gi)];
    for (let t = 0; t < steps; t++) net.learn(x, label);
    const s1 = stateF32(net.save());
    const got = [
      ...Array.from({ length: 15 }, (_, k) => s1[k]! - s0[k]!),
      ...Array.from({ length: 5 }, (_, i) => s1[16 + i]! - s0[16 + i]!),
    ];
    const dot = got.reduce((s, v, k) => s + v * want[k]!, 0);
    const cos = dot / Math.hypot(...got) / Math.hypot(...want);
    expect(cos).toBeGreaterThan(0.9);
  });

  it("same seed gives identical bits; save → restore → continue is bit-identical; learnBatch equals learn", () => {
    const data = rings(300, 6);
    const make = (seed: number) =>
      engram.perturbation({
        inputs: 2,
        hidden: [12, 10],
        classes: 2,
        activation: "step",
        seed,
        learningRateDecay: 0.01,
      });
    const a = make(5),
      b = make(5);
    a.learnBatch(data.xs.subarray(0, 300), data.ys.slice(0, 150));
    for (let i = 0; i < 150; i++) b.learn(data.xs.subarray(2 * i, 2 * i + 2), data.ys[i]!);
    expect(a.save()).toEqual(b.save());
    const c = engram.restore(a.save()) as typeof a;
    expect(c.kind).toBe("perturbation");
    a.learnBatch(data.xs.subarray(300), data.ys.slice(150));
    c.learnBatch(data.xs.subarray(300), data.ys.slice(150));
    expect(c.save()).toEqual(a.save());
    const d = make(6);
    d.learnBatch(data.xs, data.ys);
    expect(d.save()).not.toEqual(a.save());
  });

  it("rejects bad input and bad options without changing state", () => {
    const net = engram.perturbation({ inputs: 2, hidden: [4], classes: 3 });
    const before = net.save();
    expectCode(() => net.learn([1, 2, 3] as never, 0), "E_SHAPE");
    expectCode(() => net.learn([1, NaN], 0), "E_NONFINITE");
    expectCode(() => net.learn([1, 2], 3), "E_LABEL");
    expectCode(() => net.learn(null as never, 0), "E_TYPE");
    expectCode(() => net.learnBatch([1, 2, 3, 4], [0, 9]), "E_LABEL");
    expectCode(() => net.learnBatch([1, 2, 3, 4], "ab" as never), "E_TYPE");
    expectCode(() => net.scores([1]), "E_SHAPE");
    expect(net.save()).toEqual(before);
    expectCode(() => engram.perturbation({ inputs: 2, hidden: [4], classes: 3, sigma: 0 }), "E_CONFIG");
    expectCode(() => engram.perturbation({ inputs: 2, hidden: [4], classes: 3, mode: "dfa" } as never), "E_CONFIG");
    expectCode(() => engram.perturbation({ inputs: 2, hidden: [4], classes: 3, seed: 1.5 }), "E_CONFIG");
    net.dispose();
    expectCode(() => net.predict([1, 2]), "E_DISPOSED");
  });

  it("numeric guard: adversarial inputs and a σ that underflows keep every row within ‖W_i‖ ≤ C and |b_i| ≤ C (C = 1e6, assembly/rules/guard.ts)", () => {
    // (L⁺ − L⁻)/2σ is up to 69/σ: σ = 1e-30 makes it ~1e31, σ = 1e-46 is 0 in float32 (a division by zero);
    // the quotient is clamped to the float32 range and each row's step to norm C
    const F32_MAX = 3.4028234663852886e38,
      C = 1e6;
    for (const [activation, sigma, sizes] of [
      ["relu", 0.1, [5, 9, 7, 3]],
      ["step", 1e-30, [5, 9, 3]],
      ["relu", 1e-46, [5, 9, 7, 3]],
      ["tanh", 100, [5, 9, 3]],
    ] as const) {
      const net = engram.perturbation({
        inputs: sizes[0],
        hidden: sizes.slice(1, -1),
        classes: sizes[sizes.length - 1]!,
        activation,
        sigma,
        learningRate: 1,
      });
      const r = rng(31);
      for (let i = 0; i < 2000; i++) {
        const huge = i % 3 === 0 ? F32_MAX : i % 3 === 1 ? 1e30 : 1e-40;
        const x = Float32Array.from({ length: sizes[0] }, () => (r() < 0.5 ? -huge : huge));
        expect(Number.isFinite(net.learn(x, i % 2).loss)).toBe(true);
      }
      const f = new Float32Array(decodeSnapshot(net.save()).state.slice(32).buffer);
      expect(f.every(Number.isFinite)).toBe(true);
      let at = 0;
      for (let l = 0; l + 1 < sizes.length; l++) {
        const rows = sizes[l + 1]!,
          cols = sizes[l]!;
        for (let i = 0; i < rows; i++)
          expect(Math.hypot(...f.subarray(at + i * cols, at + (i + 1) * cols))).toBeLessThanOrEqual(C * (1 + 1e-5));
        at += (rows * cols + 3) & ~3;
        for (let i = 0; i < rows; i++) expect(Math.abs(f[at + i]!)).toBeLessThanOrEqual(C);
        at += (rows + 3) & ~3;
      }
      const p = net.scores([0.1, -0.2, 0.3, 0, 1]);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });
});
