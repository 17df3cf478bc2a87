import { describe, expect, it } from "vitest";
import type { Engram } from "../../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { accuracy, rings, rng, train } from "./feedbackAlignment.data.js";

const engram: Engram = await loadEngram();

describe("feedbackAlignment", () => {
  const trainSet = rings(2000, 1);
  const testSet = rings(1000, 2);

  for (const mode of ["dfa", "fa"] as const) {
    it(`${mode} learns concentric rings to ≥ 95 % held-out accuracy`, () => {
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [64, 64], classes: 2, mode });
      const before = accuracy(net, testSet, 2);
      train(net, trainSet, 10, 2);
      const after = accuracy(net, testSet, 2);
      expect(before).toBeLessThan(0.8);
      expect(after).toBeGreaterThanOrEqual(0.95);
      net.dispose();
    });
  }

  for (const mode of ["dfa", "fa"] as const) {
    it(`${mode} with dropout 0.2 on the hidden units still learns the rings to ≥ 95 %; prediction draws no mask`, () => {
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [64, 64], classes: 2, mode, dropout: 0.2 });
      train(net, trainSet, 10, 2);
      expect(accuracy(net, testSet, 2)).toBeGreaterThanOrEqual(0.95);
      // scores and predict use every unit unscaled and leave the PRNG alone: repeatable, state untouched
      const before = net.save();
      const x = testSet.xs.subarray(0, 2);
      expect(net.scores(x)).toEqual(net.scores(x));
      expect(net.save()).toEqual(before);
      net.dispose();
    });
  }

  it("a dropped unit neither sends nor learns: with p ≈ 1 the hidden weights (almost) never move", () => {
    // p = 0.999: nearly every step drops every hidden unit, so the hidden weights W0, b0 see
    // (almost) no update while without dropout they move on every step.
    const data = rings(50, 8);
    const moved = (dropout: number) => {
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [8], classes: 2, dropout, learningRate: 0.1 });
      const w0 = weights(net.save(), 16 + 8).slice(0, 24);
      train(net, data, 1, 2);
      const w1 = weights(net.save(), 16 + 8).slice(0, 24);
      let changed = 0;
      for (let i = 0; i < 24; i++) if (w0[i] !== w1[i]) changed++;
      return changed;
    };
    expect(moved(0)).toBe(24);
    expect(moved(0.999)).toBeLessThan(8);
  });

  it("trains a step-activation network (zero derivative a.e.) with DFA's surrogate", () => {
    // Biases start at 0, so every initial step unit is a half-plane through the origin: its
    // output depends only on the angle, and no readout of it separates rings. ≥ 95 % means
    // the hidden layer itself learned, through the surrogate derivative.
    const net = engram.feedbackAlignment({ inputs: 2, hidden: [16], classes: 2, activation: "step" });
    train(net, trainSet, 10, 2);
    expect(accuracy(net, testSet, 2)).toBeGreaterThanOrEqual(0.95);
    const sign = engram.feedbackAlignment({ inputs: 2, hidden: [16], classes: 2, activation: "sign" });
    train(sign, trainSet, 10, 2);
    expect(accuracy(sign, testSet, 2)).toBeGreaterThanOrEqual(0.95);
  });

  it("the forward weights come to align with the fixed random feedback (the mechanism of DFA)", () => {
    // sizes [2, 32, 2]: the state holds W0 (64 floats), b0 (32), then W1 (2 × 32); the
    // feedback D (2 × 32) sits in scratch, never in snapshots: the test module reports where.
    for (const seed of [1, 2, 3]) {
      // the defaults (normalised step): chosen on images (‖x‖² ≈ 100), they fit these 2-d points too
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [32], classes: 2, seed });
      const exportsRaw = engram.wasm.exports as unknown as Record<string, (...args: number[]) => number>;
      const d = exportsRaw["faFeedback"]!((net as unknown as { h: number }).h, 0) >>> 2;
      const D = engram.wasm.f32.slice(d, d + 64);
      const W1 = () => weights(net.save(), 160).subarray(96);
      const cos = (a: Float32Array, b: Float32Array) => {
        let ab = 0,
          aa = 0,
          bb = 0;
        for (let i = 0; i < a.length; i++) ((ab += a[i]! * b[i]!), (aa += a[i]! ** 2), (bb += b[i]! ** 2));
        return ab / Math.sqrt(aa * bb);
      };
      expect(Math.abs(cos(W1(), D))).toBeLessThan(0.2);
      train(net, trainSet, 3, 2);
      expect(cos(W1(), D)).toBeGreaterThan(0.3);
      // the snapshot's state is the PRNG and counter (32 B) and W0 b0 W1 b1 (64 + 32 + 64 + 4 floats): no feedback
      for (const mode of ["fa", "dfa"] as const)
        expect(
          decodeSnapshot(engram.feedbackAlignment({ inputs: 2, hidden: [32], classes: 2, mode }).save()).state.length,
        ).toBe(32 + 164 * 4);
    }
  });

  it("scores are probabilities and predict is their argmax", () => {
    const net = engram.feedbackAlignment({ inputs: 3, hidden: [5], classes: 4, seed: 7 });
    const x = [0.1, -0.4, 2];
    const p = net.scores(x);
    expect(p.length).toBe(4);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(net.predict(x)).toBe(p.indexOf(Math.max(...p)));
  });

  it("a one-layer network follows the exact softmax-regression gradient step (checked in float64)", () => {
    const net = engram.feedbackAlignment({ inputs: 3, hidden: [], classes: 2, learningRate: 0.5, normalize: false });
    const x = [0.3, -1, 0.5];
    const save = net.save();
    const w0 = weights(save, 8 + 2);
    const p = net.scores(x);
    const { loss } = net.learn(x, 1);
    expect(loss).toBeCloseTo(-Math.log(p[1]!), 5);
    const w1 = weights(net.save(), 8 + 2);
    for (let i = 0; i < 2; i++) {
      const e = p[i]! - (i === 1 ? 1 : 0);
      for (let j = 0; j < 3; j++) expect(w1[i * 3 + j]!).toBeCloseTo(w0[i * 3 + j]! - 0.5 * e * x[j]!, 5);
      expect(w1[8 + i]!).toBeCloseTo(w0[8 + i]! - 0.5 * e, 5); // W is padded to 8 floats, then b
    }
  });

  it("normalised step: W ← W − η/(1 + ‖x‖²) e xᵀ, b ← b − η/(1 + ‖x‖²) e (checked in float64)", () => {
    const net = engram.feedbackAlignment({ inputs: 3, hidden: [], classes: 2, learningRate: 0.5 });
    expect(net.config.normalize).toBe(true);
    const x = [0.3, -1, 0.5];
    const w0 = weights(net.save(), 8 + 2);
    const p = net.scores(x);
    net.learn(x, 0);
    const w1 = weights(net.save(), 8 + 2);
    const rate = 0.5 / (1 + x.reduce((s, v) => s + v * v, 0));
    for (let i = 0; i < 2; i++) {
      const e = p[i]! - (i === 0 ? 1 : 0);
      for (let j = 0; j < 3; j++) expect(w1[i * 3 + j]!).toBeCloseTo(w0[i * 3 + j]! - rate * e * x[j]!, 6);
      expect(w1[8 + i]!).toBeCloseTo(w0[8 + i]! - rate * e, 6);
    }
  });

  it("normalised step is scale-free: one step moves the logits of x by exactly −η e, for x and for c·x", () => {
    // NLMS's a-posteriori property: a′ − a = −η̃ e (‖x‖² + 1) = −η e, whatever the scale c of x.
    // Logits are read as centred log-probabilities (e sums to 0, so the shift cancels).
    const centred = (p: Float32Array) => {
      const l = Array.from(p, Math.log);
      const m = l.reduce((s, v) => s + v, 0) / l.length;
      return l.map((v) => v - m);
    };
    const eta = 0.3;
    const base = [0.2, -0.7, 0.4, 0.05, -0.3, 0.6, 0.1, -0.2];
    for (const c of [0.05, 1, 20]) {
      const net = engram.feedbackAlignment({ inputs: 8, hidden: [], classes: 4, learningRate: eta, seed: 5 });
      const x = base.map((v) => c * v);
      const p = net.scores(x);
      const before = centred(p);
      net.learn(x, 2);
      const after = centred(net.scores(x));
      for (let k = 0; k < 4; k++) expect(after[k]! - before[k]!).toBeCloseTo(-eta * (p[k]! - (k === 2 ? 1 : 0)), 5);
      // the plain rule moves them by −η (‖x‖² + 1) e: 400× more at c = 20 than at c = 1
      net.dispose();
    }
  });

  it("a snapshot made before `normalize` existed restores with the plain rate; `normalize: false` is that rule", () => {
    const data = rings(200, 9);
    const plain = engram.feedbackAlignment({
      inputs: 2,
      hidden: [16],
      classes: 2,
      learningRate: 0.01,
      normalize: false,
    });
    train(plain, data, 1, 2);
    const parts = decodeSnapshot(plain.save());
    const { normalize, ...old } = parts.config as Record<string, unknown>;
    expect(normalize).toBe(false);
    const restored = engram.restore(encodeSnapshot({ ...parts, config: old })) as typeof plain;
    expect(restored.config.normalize).toBe(false);
    const normalized = engram.restore(
      encodeSnapshot({ ...parts, config: { ...old, normalize: true } }),
    ) as typeof plain;
    train(plain, data, 1, 2);
    train(restored, data, 1, 2);
    train(normalized, data, 1, 2);
    expect(restored.save()).toEqual(plain.save());
    expect(decodeSnapshot(normalized.save()).state).not.toEqual(decodeSnapshot(plain.save()).state);
  });

  it("same seed gives identical bits; a different seed differs", () => {
    const data = rings(200, 5);
    const run = (seed: number, mode: "fa" | "dfa") => {
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [16, 16], classes: 2, seed, mode });
      train(net, data, 1, 2);
      return net.save();
    };
    expect(run(3, "fa")).toEqual(run(3, "fa"));
    expect(run(3, "dfa")).toEqual(run(3, "dfa"));
    expect(run(3, "dfa")).not.toEqual(run(4, "dfa"));
    const dropped = (seed: number) => {
      const net = engram.feedbackAlignment({ inputs: 2, hidden: [16, 16], classes: 2, seed, dropout: 0.3 });
      train(net, data, 1, 2);
      return net.save();
    };
    expect(dropped(3)).toEqual(dropped(3));
    expect(dropped(3)).not.toEqual(dropped(4));
    expect(decodeSnapshot(dropped(3)).state).not.toEqual(decodeSnapshot(run(3, "dfa")).state);
  });

  it("save → restore → continue is bit-identical to never stopping; learnBatch equals learn in a loop", () => {
    const data = rings(300, 6);
    for (const [mode, dropout] of [
      ["fa", 0],
      ["dfa", 0],
      ["fa", 0.25],
      ["dfa", 0.25],
    ] as const) {
      const a = engram.feedbackAlignment({
        inputs: 2,
        hidden: [12, 10],
        classes: 2,
        mode,
        learningRateDecay: 0.01,
        dropout,
      });
      const b = engram.feedbackAlignment({
        inputs: 2,
        hidden: [12, 10],
        classes: 2,
        mode,
        learningRateDecay: 0.01,
        dropout,
      });
      a.learnBatch(data.xs.subarray(0, 300), data.ys.slice(0, 150));
      for (let i = 0; i < 150; i++) b.learn(data.xs.subarray(2 * i, 2 * i + 2), data.ys[i]!);
      expect(a.save()).toEqual(b.save());
      const c = engram.restore(a.save()) as typeof a;
      a.learnBatch(data.xs.subarray(300), data.ys.slice(150));
      c.learnBatch(data.xs.subarray(300), data.ys.slice(150));
      expect(c.save()).toEqual(a.save());
      expect(c.kind).toBe("feedbackAlignment");
      expect(c.config).toEqual(a.config);
    }
  });

  it("rejects bad input and bad options without changing state", () => {
    const net = engram.feedbackAlignment({ inputs: 2, hidden: [4], classes: 3 });
    const before = net.save();
    expectCode(() => net.learn([1, 2, 3] as never, 0), "E_SHAPE");
    expectCode(() => net.learn([1, NaN], 0), "E_NONFINITE");
    expectCode(() => net.learn([1, 2], 3), "E_LABEL");
    expectCode(() => net.learn([1, 2], -1), "E_LABEL");
    expectCode(() => net.learn([1, 2], 0.5), "E_LABEL");
    expectCode(() => net.learn("x" as never, 0), "E_TYPE");
    expectCode(() => net.learnBatch([1, 2, 3], [0]), "E_SHAPE");
    expectCode(() => net.learnBatch([1, 2, 3, 4], [0, 7]), "E_LABEL");
    expectCode(() => net.learnBatch([1, 2, 3, 4], [0]), "E_SHAPE");
    expectCode(() => net.predict([Infinity, 0]), "E_NONFINITE");
    expect(net.save()).toEqual(before);
    expectCode(() => engram.feedbackAlignment({ sizes: [2] } as never), "E_CONFIG");
    for (const hidden of [[0], [-1], [1.5], ["4"], 4])
      expectCode(() => engram.feedbackAlignment({ inputs: 2, hidden: hidden as never, classes: 2 }), "E_CONFIG");
    // the deprecated sizes: alone it means [inputs, ...hidden, classes]; beside the new keys it is refused, saying what to write
    expect(engram.feedbackAlignment({ sizes: [3, 5, 2] } as never).config).toMatchObject({
      inputs: 3,
      hidden: [5],
      classes: 2,
    });
    expect(
      expectCode(() => engram.feedbackAlignment({ sizes: [3, 5, 2], classes: 2 } as never), "E_CONFIG").message,
    ).toMatch(/write \{ inputs: 784, hidden: \[256\], classes: 10 \}/);
    expect(expectCode(() => engram.forwardForward({ sizes: [3, 5] } as never), "E_CONFIG").message).toMatch(
      /ambiguous without 'classes'; write \{ inputs/,
    );
    expect(engram.forwardForward({ sizes: [3, 5], classes: 4 } as never).config).toMatchObject({
      inputs: 3,
      hidden: [5],
      classes: 4,
    });
    expectCode(() => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 1 }), "E_CONFIG");
    expectCode(() => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2, mode: "bp" as never }), "E_CONFIG");
    expectCode(
      () => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2, activation: "gelu" as never }),
      "E_CONFIG",
    );
    expectCode(() => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2, learningRate: 0 }), "E_CONFIG");
    expectCode(() => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2, lr: 1 } as never), "E_CONFIG");
    for (const dropout of [-0.1, 1, NaN, Infinity, "0.5"])
      expectCode(
        () => engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2, dropout: dropout as never }),
        "E_CONFIG",
      );
    expect(engram.feedbackAlignment({ inputs: 2, hidden: [], classes: 2 }).config.dropout).toBe(0);
    expectCode(() => engram.feedbackAlignment({ inputs: 1 << 20, hidden: [1 << 20], classes: 2 }), "E_MEMORY");
    net.dispose();
    expectCode(() => net.learn([1, 2], 0), "E_DISPOSED");
    net.dispose();
  });

  it("hadamard: the SIMD kernel equals its scalar twin bitwise", () => {
    const w = engram.wasm;
    const e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    const r = rng(9);
    for (const n of [0, 1, 3, 4, 7, 16, 33]) {
      const a = w.alloc(n * 4 + 16),
        b = w.alloc(n * 4 + 16),
        y1 = w.alloc(n * 4 + 16),
        y2 = w.alloc(n * 4 + 16);
      const f = w.f32;
      for (let i = 0; i < n; i++) {
        f[(a >>> 2) + i] = (r() - 0.5) * 1e3;
        f[(b >>> 2) + i] = (r() - 0.5) * 1e-3;
      }
      e["faHadamard"]!(y1, a, b, n);
      e["faHadamardRef"]!(y2, a, b, n);
      const g = w.f32;
      for (let i = 0; i < n; i++) {
        expect(Object.is(g[(y1 >>> 2) + i], g[(y2 >>> 2) + i])).toBe(true);
        expect(g[(y1 >>> 2) + i]).toBe(Math.fround(g[(a >>> 2) + i]! * g[(b >>> 2) + i]!));
      }
      for (const p of [a, b, y1, y2]) w.free(p);
    }
  });
});

/** The first `count` f32 parameters of a snapshot's state block (after the 32-byte PRNG/counter header). */
function weights(snapshot: Uint8Array, count: number): Float32Array {
  const dv = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  let at = 12;
  at += 2 + dv.getUint16(at, true);
  at += 4 + dv.getUint32(at, true);
  at += 4;
  return new Float32Array(snapshot.slice(at + 32, at + 32 + count * 4).buffer);
}

// ---------------------------------------------------------------- the numeric guard (assembly/rules/guard.ts)

/** The guard's constants, as assembly/rules/guard.ts defines them: R, A, C. */
const GUARD = { maxInputNorm: 1e9, maxPreactivation: 1e15, maxNorm: 1e6 };
const F32_MAX = 3.4028234663852886e38;

/** Per layer: the largest row norm ‖W_i‖ and the largest |b_i| of a perceptron's snapshot (float64). */
function rowNormsAndBiases(snapshot: Uint8Array, sizes: number[]): { w: number; b: number }[] {
  const f = new Float32Array(decodeSnapshot(snapshot).state.slice(32).buffer);
  const pad4 = (n: number) => (n + 3) & ~3;
  const out: { w: number; b: number }[] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const rows = sizes[l + 1]!,
      cols = sizes[l]!;
    let w = 0,
      b = 0;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += f[at + i * cols + j]! ** 2;
      w = Math.max(w, Math.sqrt(s));
    }
    at += pad4(rows * cols);
    for (let i = 0; i < rows; i++) b = Math.max(b, Math.abs(f[at + i]!));
    at += pad4(rows);
    out.push({ w, b });
  }
  return out;
}

/** Adversarial but finite samples: float32 max, ±1e30, alternating huge and denormal, one huge value. */
function adversarial(n: number, i: number, r: () => number): Float32Array {
  const sign = () => (r() < 0.5 ? -1 : 1);
  switch (i % 4) {
    case 0:
      return Float32Array.from({ length: n }, () => sign() * F32_MAX);
    case 1:
      return Float32Array.from({ length: n }, () => sign() * 1e30);
    case 2:
      return Float32Array.from({ length: n }, () => sign() * (i % 8 === 2 ? 1e35 : 1e-40));
    default:
      return new Float32Array(n).fill(F32_MAX, i % n, (i % n) + 1);
  }
}

describe("numeric guard", () => {
  const w = engram.wasm;
  const e = w.exports as unknown as Record<string, (...a: number[]) => number>;
  const vectors = (n: number, r: () => number): Float32Array[] => [
    Float32Array.from({ length: n }, () => r() * 2 - 1),
    Float32Array.from({ length: n }, () => (r() < 0.5 ? -F32_MAX : F32_MAX)),
    Float32Array.from({ length: n }, () => (r() - 0.5) * 1e-40),
    Float32Array.from({ length: n }, () => (r() - 0.5) * 1e-25), // squares underflow, the norm does not
    Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1e30 : -3e-30)),
    new Float32Array(n),
  ];
  const put = (v: Float32Array) => {
    const p = w.alloc(v.length * 4 + 16);
    w.f32.set(v, p >>> 2);
    return p;
  };
  const read = (p: number, n: number) => w.f32.slice(p >>> 2, (p >>> 2) + n);
  const sameBits = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]));

  it("scaleClamp, norm2 and capNorm: each SIMD kernel equals its scalar twin bitwise", () => {
    const r = rng(11);
    for (const n of [0, 1, 3, 4, 5, 7, 16, 17, 33, 100]) {
      for (const v of vectors(n, r)) {
        const x = put(v),
          y1 = w.alloc(n * 4 + 16),
          y2 = w.alloc(n * 4 + 16);
        for (const [alpha, lim] of [
          [1, GUARD.maxPreactivation],
          [0.5, 0.25],
          [-3, Infinity],
          [1e30, 1e6],
        ] as const) {
          e["guardScaleClamp"]!(y1, x, n, alpha, lim);
          e["guardScaleClampRef"]!(y2, x, n, alpha, lim);
          expect(sameBits(read(y1, n), read(y2, n))).toBe(true);
          for (let i = 0; i < n; i++)
            expect(read(y1, n)[i]).toBe(
              Math.min(Math.max(Math.fround(Math.fround(alpha) * v[i]!), -Math.fround(lim)), Math.fround(lim)),
            );
        }
        expect(Object.is(e["guardNorm"]!(x, n), e["guardNormRef"]!(x, n))).toBe(true);
        for (const cap of [1, GUARD.maxInputNorm]) {
          w.f32.set(v, y1 >>> 2);
          w.f32.set(v, y2 >>> 2);
          expect(Object.is(e["guardCapNorm"]!(y1, n, cap), e["guardCapNormRef"]!(y2, n, cap))).toBe(true);
          expect(sameBits(read(y1, n), read(y2, n))).toBe(true);
        }
        for (const p of [x, y1, y2]) w.free(p);
      }
    }
  });

  it("norm2 is the float64 norm without overflow or underflow; capNorm scales into the ball and only when outside", () => {
    const r = rng(12);
    for (const n of [1, 5, 16, 33, 100]) {
      for (const v of vectors(n, r)) {
        const truth =
          Math.hypot(...Array.from(v, (t) => t / 1e30)) * 1e30 || Math.hypot(...Array.from(v, (t) => t * 1e30)) / 1e30;
        const x = put(v);
        const got = e["guardNorm"]!(x, n);
        if (truth > F32_MAX) expect(got).toBe(Infinity);
        else if (truth === 0) expect(got).toBe(0);
        else expect(Math.abs(got / truth - 1)).toBeLessThan(1e-5);
        for (const cap of [1, GUARD.maxInputNorm]) {
          w.f32.set(v, x >>> 2);
          const after = e["guardCapNorm"]!(x, n, cap);
          const y = read(x, n);
          if (truth <= cap)
            expect(sameBits(y, v)).toBe(true); // untouched
          else {
            const norm = Math.hypot(...y);
            expect(Math.abs(norm / cap - 1)).toBeLessThan(1e-5);
            expect(Math.abs(after / norm - 1)).toBeLessThan(1e-5);
            for (let i = 0; i < n; i++) expect(Math.sign(y[i]!) === Math.sign(v[i]!) || y[i] === 0).toBe(true); // same direction
          }
        }
        w.free(x);
      }
    }
  });

  for (const [mode, activation, sizes] of [
    ["dfa", "relu", [6, 12, 10, 3]],
    ["fa", "relu", [6, 12, 10, 3]],
    ["dfa", "tanh", [6, 12, 3]],
    ["fa", "sign", [6, 12, 10, 3]],
  ] as const) {
    it(`${mode} ${activation} ${sizes.join("-")}: 3000 adversarial steps keep every row within ‖W_i‖ ≤ C, |b_i| ≤ C; scores stay probabilities`, () => {
      const net = engram.feedbackAlignment({
        inputs: sizes[0],
        hidden: sizes.slice(1, -1),
        classes: sizes[sizes.length - 1]!,
        mode,
        activation,
        learningRate: 0.5,
      });
      const r = rng(21);
      for (let i = 0; i < 3000; i++) {
        const x = adversarial(sizes[0], i, r);
        const copy = x.slice();
        const { loss } = net.learn(x, i % 7 === 0 ? 1 : 0);
        expect(Number.isFinite(loss)).toBe(true);
        if (i === 0) expect(sameBits(x, copy)).toBe(true); // only the scratch copy is scaled
      }
      for (const { w, b } of rowNormsAndBiases(net.save(), [...sizes])) {
        expect(w).toBeLessThanOrEqual(GUARD.maxNorm * (1 + 1e-5));
        expect(b).toBeLessThanOrEqual(GUARD.maxNorm);
      }
      for (const x of [adversarial(sizes[0], 0, r), new Float32Array(sizes[0]).fill(0.5)]) {
        const p = net.scores(x);
        expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      }
    });
  }

  it("a restore in the middle of an adversarial run continues bit-identically (the scratch norm bounds never decide anything)", () => {
    for (const mode of ["fa", "dfa"] as const) {
      for (const cut of [2, 57]) {
        const make = () =>
          engram.feedbackAlignment({
            inputs: 5,
            hidden: [9, 7],
            classes: 3,
            mode,
            activation: "relu",
            learningRate: 0.5,
          });
        const a = make();
        let b = make();
        const r = rng(5);
        for (let i = 0; i < 150; i++) {
          const x = i % 5 === 4 ? Float32Array.from({ length: 5 }, () => r() - 0.5) : adversarial(5, i, r);
          if (i === cut) b = engram.restore(b.save()) as typeof b;
          a.learn(x, i % 3);
          b.learn(x, i % 3);
        }
        expect(b.save()).toEqual(a.save());
      }
    }
  });

  it("ordinary training stays four decades inside the bounds (rows ≪ C, |b| ≪ C), so the guard never binds there", () => {
    // the float64 exact-step test above shows an ordinary step is the unguarded one
    const trainSet = rings(2000, 1);
    const net = engram.feedbackAlignment({ inputs: 2, hidden: [64, 64], classes: 2, mode: "dfa", activation: "relu" });
    train(net, trainSet, 10, 2);
    for (const { w, b } of rowNormsAndBiases(net.save(), [2, 64, 64, 2])) {
      expect(w).toBeLessThan(GUARD.maxNorm * 1e-4);
      expect(b).toBeLessThan(GUARD.maxNorm * 1e-4);
    }
  });
});
