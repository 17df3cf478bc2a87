import { describe, expect, it } from "vitest";
import type { Engram, ForwardForward } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";

const engram: Engram = await loadEngram();

/**
 * Image-like data in [0, 1]: each class lights up its own random subset of pixels
 * (prototypes from seed 99), every sample is its prototype with noise and dropout.
 */
function blobs(count: number, seed: number, d = 32, classes = 4): { xs: Float32Array[]; ys: number[] } {
  const proto = rng(99);
  const protos = Array.from({ length: classes }, () =>
    Float32Array.from({ length: d }, () => (proto() < 0.3 ? 0.6 + 0.4 * proto() : 0)),
  );
  const r = rng(seed);
  const xs: Float32Array[] = [],
    ys: number[] = [];
  for (let i = 0; i < count; i++) {
    const y = Math.floor(r() * classes);
    xs.push(Float32Array.from(protos[y]!, (v) => Math.min(1, Math.max(0, (r() < 0.15 ? 0 : v) + 0.25 * r()))));
    ys.push(y);
  }
  return { xs, ys };
}

function accuracy(net: ForwardForward, set: { xs: Float32Array[]; ys: number[] }, fast = false): number {
  let ok = 0;
  set.xs.forEach((x, i) => {
    if ((fast ? net.predictFast(x) : net.predict(x)) === set.ys[i]) ok++;
  });
  return ok / set.xs.length;
}

const train = blobs(3000, 1);
const test = blobs(500, 2);

describe("forwardForward", () => {
  it("learns image-like data to ≥ 95 % held-out accuracy with defaults (goodness and readout)", () => {
    const net = engram.forwardForward({ inputs: 32, hidden: [64, 64], classes: 4 });
    const before = accuracy(net, test);
    for (let e = 0; e < 2; e++) train.xs.forEach((x, i) => net.learn(x, train.ys[i]!));
    expect(before).toBeLessThan(0.6);
    expect(accuracy(net, test)).toBeGreaterThanOrEqual(0.95);
    expect(accuracy(net, test, true)).toBeGreaterThanOrEqual(0.95);
    net.dispose();
  });

  it("learns image-like data to ≥ 95 % with Adam, and with the default in mini-batches", () => {
    const net = engram.forwardForward({ inputs: 32, hidden: [64, 64], classes: 4, optimizer: "adam" });
    for (let e = 0; e < 2; e++) train.xs.forEach((x, i) => net.learn(x, train.ys[i]!));
    expect(accuracy(net, test)).toBeGreaterThanOrEqual(0.95);
    expect(accuracy(net, test, true)).toBeGreaterThanOrEqual(0.95);
    const batched = engram.forwardForward({ inputs: 32, hidden: [64, 64], classes: 4 });
    const B = 8,
      xs = new Float32Array(32 * B);
    for (let e = 0; e < 12; e++) {
      for (let i = 0; i + B <= train.xs.length; i += B) {
        for (let k = 0; k < B; k++) xs.set(train.xs[i + k]!, 32 * k);
        batched.learnBatch(xs, train.ys.slice(i, i + B));
      }
    }
    expect(accuracy(batched, test)).toBeGreaterThanOrEqual(0.95);
    net.dispose();
    batched.dispose();
  });

  it("learns with SGD, random negatives, labels replacing inputs, and mini-batches", () => {
    const sgd = engram.forwardForward({
      inputs: 32,
      hidden: [64],
      classes: 4,
      optimizer: "sgd",
      learningRate: 2,
      negatives: "random",
      readout: false,
      labelInputs: "replace",
    });
    for (let e = 0; e < 2; e++) train.xs.forEach((x, i) => sgd.learn(x, train.ys[i]!));
    expect(accuracy(sgd, test)).toBeGreaterThanOrEqual(0.9);
    const batched = engram.forwardForward({ inputs: 32, hidden: [64, 64], classes: 4, learningRate: 0.01 });
    for (let e = 0; e < 4; e++) {
      for (let i = 0; i + 10 <= train.xs.length; i += 10) {
        const xs = new Float32Array(320);
        for (let b = 0; b < 10; b++) xs.set(train.xs[i + b]!, b * 32);
        batched.learnBatch(xs, train.ys.slice(i, i + 10));
      }
    }
    expect(accuracy(batched, test)).toBeGreaterThanOrEqual(0.9);
  });

  // T = 4: the first step's threshold is θ_0 = θ min(1, 1/T) = θ/4 (the warm-up's equation)
  it.each([0, 4])(
    "one SGD step (threshold warm-up %i) equals the Forward-Forward gradient step computed in float64",
    (T) => {
      const d = 6,
        n1 = 5,
        n2 = 4,
        C = 3,
        lr = 0.5,
        theta = 0.05;
      const w = 0.5; // peer normalisation weight
      const net = engram.forwardForward({
        inputs: d,
        hidden: [n1, n2],
        classes: C,
        optimizer: "sgd",
        momentum: 0,
        learningRate: lr,
        threshold: theta,
        thresholdWarmup: T,
        peerNormalization: w,
        readout: false,
        negatives: "random",
        seed: 3,
      });
      const x = [0.2, 0.9, 0, 0.5, 1, 0.3];
      const a = params(net, [d, n1, n2], C);
      // goodness summed over the layers under each label, recomputed in float64
      const want = [0, 1, 2].map((c) => forward(a, x, c).g.reduce((s, g) => s + g, 0));
      const got = net.goodness(x);
      for (let c = 0; c < C; c++) expect(got[c]!).toBeCloseTo(want[c]!, 5);
      // scores: class probabilities, the softmax of that goodness (float64 reference)
      const m = Math.max(...want),
        e = want.map((g) => Math.exp(g - m)),
        z = e.reduce((s, v) => s + v, 0);
      const probs = net.scores(x);
      for (let c = 0; c < C; c++) expect(probs[c]!).toBeCloseTo(e[c]! / z, 6);
      const y = 1;
      const stats = net.learn(x, y);
      const neg = stats.negativeLabel;
      expect(neg).not.toBe(y);
      const P = forward(a, x, y),
        N = forward(a, x, neg);
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const sp = (v: number) => Math.log1p(Math.exp(v));
      let loss = 0;
      const th = T > 0 ? theta * Math.min(1, 1 / T) : theta;
      const b = params(net, [d, n1, n2], C);
      for (let k = 0; k < 2; k++) {
        const n = k === 0 ? n1 : n2;
        loss += sp(th - P.g[k]!) + sp(N.g[k]! - th);
        // peer normalisation: running means start at 0, so after this step a = 0.1 h⁺
        const run = P.h[k]!.map((v) => 0.1 * v),
          mean = run.reduce((s, v) => s + v, 0) / n;
        const dP = P.h[k]!.map((v, i) => -sig(th - P.g[k]!) * (2 / n) * v + (w * 0.2 * (run[i]! - mean)) / n);
        const dN = N.h[k]!.map((v) => sig(N.g[k]! - th) * (2 / n) * v);
        const inP = k === 0 ? P.xh : P.hh[0]!,
          inN = k === 0 ? N.xh : N.hh[0]!;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < inP.length; j++) {
            expect(b.W[k]![i]![j]!).toBeCloseTo(a.W[k]![i]![j]! - lr * (dP[i]! * inP[j]! + dN[i]! * inN[j]!), 6);
          }
          expect(b.b[k]![i]!).toBeCloseTo(a.b[k]![i]! - lr * (dP[i]! + dN[i]!), 6);
          if (k === 0) {
            for (let c = 0; c < C; c++) {
              const g = (c === y ? dP[i]! * P.lab : 0) + (c === neg ? dN[i]! * N.lab : 0);
              expect(b.U[c]![i]!).toBeCloseTo(a.U[c]![i]! - lr * g, 6);
            }
          }
        }
      }
      expect(stats.loss).toBeCloseTo(loss, 4);
    },
  );

  it("learnBatch of one sample is the online step, bit for bit", () => {
    const a = engram.forwardForward({ inputs: 32, hidden: [16, 16], classes: 4 });
    const b = engram.forwardForward({ inputs: 32, hidden: [16, 16], classes: 4 });
    for (let i = 0; i < 50; i++) {
      a.learn(train.xs[i]!, train.ys[i]!);
      b.learnBatch(train.xs[i]!, [train.ys[i]!]);
    }
    expect(b.save()).toEqual(a.save());
  });

  it("the same seed gives the same bits; another seed does not", () => {
    const run = (seed: number) => {
      const net = engram.forwardForward({ inputs: 32, hidden: [16, 16], classes: 4, seed });
      for (let i = 0; i < 200; i++) net.learn(train.xs[i]!, train.ys[i]!);
      return net.save();
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  for (const opts of [
    {},
    { optimizer: "sgd" as const, negatives: "random" as const },
    { optimizer: "adam" as const },
  ]) {
    it(`save() → restore() continues bit-identically (${JSON.stringify(opts)})`, () => {
      const a = engram.forwardForward({ inputs: 32, hidden: [16, 16], classes: 4, ...opts });
      for (let i = 0; i < 100; i++) a.learn(train.xs[i]!, train.ys[i]!);
      const b = engram.restore(a.save()) as ForwardForward;
      expect(b.config).toEqual(a.config);
      for (const net of [a, b]) {
        for (let i = 100; i < 200; i++) net.learn(train.xs[i]!, train.ys[i]!);
        const xs = new Float32Array(32 * 5);
        for (let k = 0; k < 5; k++) xs.set(train.xs[200 + k]!, 32 * k);
        net.learnBatch(xs, train.ys.slice(200, 205));
      }
      expect(b.save()).toEqual(a.save());
      expect(b.scores(test.xs[0]!)).toEqual(a.scores(test.xs[0]!));
    });
  }

  it("bad input throws EngramError and leaves the learner unchanged", () => {
    const net = engram.forwardForward({ inputs: 32, hidden: [16, 16], classes: 4 });
    for (let i = 0; i < 20; i++) net.learn(train.xs[i]!, train.ys[i]!);
    const before = net.save();
    const x = train.xs[0]!;
    const nan = x.slice();
    nan[7] = NaN;
    expectCode(() => net.learn(x.subarray(0, 31), 0), "E_SHAPE");
    expectCode(() => net.learn(nan, 0), "E_NONFINITE");
    expectCode(() => net.learn(x, 4), "E_LABEL");
    expectCode(() => net.learn(x, -1), "E_LABEL");
    expectCode(() => net.learn(x, 1.5), "E_LABEL");
    expectCode(() => net.learn("x" as never, 0), "E_TYPE");
    expectCode(() => net.learnBatch(new Float32Array(33), [0]), "E_SHAPE");
    expectCode(() => net.learnBatch(new Float32Array(64), [0]), "E_SHAPE");
    expectCode(() => net.learnBatch(new Float32Array(64), [0, 9]), "E_LABEL");
    expectCode(() => net.predict(nan), "E_NONFINITE");
    expect(net.save()).toEqual(before);
    expectCode(() => engram.forwardForward({ inputs: 32, hidden: [16], typo: 1 } as never), "E_CONFIG");
    expectCode(() => engram.forwardForward({ sizes: [32] } as never), "E_CONFIG");
    expectCode(() => engram.forwardForward({ inputs: 32, hidden: [16], classes: 1 }), "E_CONFIG");
    expectCode(
      () => engram.forwardForward({ inputs: 32, hidden: [16], classes: 10, readout: false }).predictFast(x),
      "E_CONFIG",
    );
    net.dispose();
    expectCode(() => net.learn(x, 0), "E_DISPOSED");
    expectCode(() => net.save(), "E_DISPOSED");
  });

  it("resolves defaults into config and frees its memory", () => {
    const net = engram.forwardForward({ inputs: 784, hidden: [500, 500], classes: 10 });
    expect(net.config).toMatchObject({
      inputs: 784,
      hidden: [500, 500],
      classes: 10,
      seed: 1,
      optimizer: "adafactor",
      negatives: "seen",
      readout: true,
      labelInputs: "prepend",
    });
    net.dispose();
    const grown = engram.memoryBytes;
    for (let i = 0; i < 5; i++) engram.forwardForward({ inputs: 784, hidden: [500, 500], classes: 10 }).dispose();
    expect(engram.memoryBytes).toBe(grown);
  });

  it("factored Adam: one step equals its equations computed in float64", () => {
    const w = engram.wasm,
      e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    const r = rng(11);
    const rows = 5,
      cols = 9,
      n = rows * cols,
      lr = 0.01,
      b1 = 0.9,
      b2 = 0.999,
      se = 1e-3,
      cap = 0.02;
    const put = (v: number[]) => {
      const p = w.alloc(v.length * 4);
      w.f32.set(v, p >>> 2);
      return p;
    };
    const get = (p: number, k: number) => Array.from(w.f32.subarray(p >>> 2, (p >>> 2) + k));
    const f32 = (k: number, lo: number, hi: number) =>
      Array.from(Float32Array.from({ length: k }, () => lo + (hi - lo) * r()));
    const [W, M, R, Cc, a, x, b, z] = [
      f32(n, -1, 1),
      f32(n, -0.01, 0.01),
      f32(rows, 0, 1e-3),
      f32(cols, 0, 1e-3),
      f32(rows, -0.2, 0.2),
      f32(cols, 0, 1),
      f32(rows, -0.2, 0.2),
      f32(cols, 0, 1),
    ];
    a[rows - 1] = b[rows - 1] = R[rows - 1] = 0; // a row with no gradient: its factor sits on the floor se
    const pw = put(W),
      pm = put(M),
      pr = put(R),
      pc = put(Cc),
      pg = w.alloc(cols * 4);
    e["factoredRows"]!(pw, pm, pr, pc, pg, put(a), put(x), put(b), put(z), rows, cols, lr, b1, b2, se, cap);
    // float64: g, r, c, S, then the clipped step
    const g = (i: number, j: number) => a[i]! * x[j]! + b[i]! * z[j]!;
    const r2 = R.map((v, i) => b2 * v + (1 - b2) * x.reduce((s, _, j) => s + g(i, j) ** 2, 0));
    const c2 = Cc.map((v, j) => b2 * v + (1 - b2) * a.reduce((s, _, i) => s + g(i, j) ** 2, 0));
    const S4 = r2.reduce((s, v) => s + v, 0) ** 0.25;
    let clipped = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const m = b1 * M[i * cols + j]! + (1 - b1) * g(i, j);
        const step = (lr * m) / (Math.max(Math.sqrt(r2[i]!) / S4, se) * Math.max(Math.sqrt(c2[j]!) / S4, se));
        if (Math.abs(step) > cap) clipped++;
        const want = W[i * cols + j]! - Math.max(-cap, Math.min(cap, step));
        expect(get(pm, n)[i * cols + j]).toBeCloseTo(m, 6);
        expect(Math.abs(get(pw, n)[i * cols + j]! - want)).toBeLessThan(1e-6);
      }
    }
    // the row sums a²x·x + 2ab x·z + b²z·z cancel in part: float32 keeps ~5 digits of them
    get(pr, rows).forEach((v, i) => expect(r2[i] ? v / r2[i]! : v + 1).toBeCloseTo(1, 4));
    get(pc, cols).forEach((v, j) => expect(v / c2[j]!).toBeCloseTo(1, 4));
    expect(r2[rows - 1]).toBe(0);
    expect(clipped).toBeGreaterThan(0); // the cap was exercised
    expect(clipped).toBeLessThan(n);
  });

  it("factored Adam: the mini-batch (dense) form equals the online (rank-2) form on the same gradient", () => {
    const w = engram.wasm,
      e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    const r = rng(13);
    const rows = 7,
      cols = 13,
      n = rows * cols,
      B = 4;
    const put = (v: Float32Array) => {
      const p = w.alloc(v.length * 4);
      w.f32.set(v, p >>> 2);
      return p;
    };
    const rand = (k: number, lo: number, hi: number) => Float32Array.from({ length: k }, () => lo + (hi - lo) * r());
    const W = rand(n, -1, 1),
      M = rand(n, -0.01, 0.01),
      R = rand(rows, 0, 1e-3),
      Cc = rand(cols, 0, 1e-3);
    const sets = [0, 1].map(() => [put(W), put(M), put(R), put(Cc), w.alloc(cols * 4)] as const);
    const [A, X, Bv, Z] = [rand(rows, -0.3, 0.3), rand(cols, 0, 1), rand(rows, -0.3, 0.3), rand(cols, 0, 1)];
    // G = B · (a xᵀ + b zᵀ), applied as G / B
    const G = new Float32Array(n).map(
      (_, k) => B * (A[Math.floor(k / cols)]! * X[k % cols]! + Bv[Math.floor(k / cols)]! * Z[k % cols]!),
    );
    e["factoredRows"]!(...sets[0]!, put(A), put(X), put(Bv), put(Z), rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03);
    e["factoredDense"]!(...sets[1]!, put(G), 1 / B, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03);
    const sizes = [n, n, rows, cols];
    for (let k = 0; k < 4; k++) {
      const a = w.f32.subarray(sets[0]![k]! >>> 2, (sets[0]![k]! >>> 2) + sizes[k]!),
        b = w.f32.subarray(sets[1]![k]! >>> 2, (sets[1]![k]! >>> 2) + sizes[k]!);
      const before = [W, M, R, Cc][k]!;
      for (let i = 0; i < sizes[k]!; i++) {
        expect(a[i]).not.toBe(before[i]); // the step moved it
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(a[i]! - before[i]!) + 1e-7);
      }
    }
  });

  it("factored Adam moves like Adam on a rank-1 gradient stream (its factored v̂ is then exact)", () => {
    const w = engram.wasm,
      e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    const r = rng(12);
    const rows = 6,
      cols = 11,
      n = rows * cols;
    const buf = (k: number, v = 0) => {
      const p = w.alloc(k * 4);
      w.f32.fill(v, p >>> 2, (p >>> 2) + k);
      return p;
    };
    const [wa, ma, va] = [buf(n), buf(n), buf(n)];
    const [wf, mf, rf, cf, gf] = [buf(n), buf(n), buf(rows), buf(cols), buf(cols)];
    const a = buf(rows),
      x = buf(cols),
      zero = buf(rows);
    let b1t = 1,
      b2t = 1,
      maxRel = 0;
    for (let t = 1; t <= 200; t++) {
      // g = s_t · u vᵀ: one fixed direction per row and column, a scale that changes every step
      const s = 0.5 + r();
      for (let i = 0; i < rows; i++) w.f32[(a >>> 2) + i] = s * (0.01 + 0.02 * i) * (i % 2 ? -1 : 1);
      for (let j = 0; j < cols; j++) w.f32[(x >>> 2) + j] = 0.1 + 0.08 * j;
      b1t *= 0.9;
      b2t *= 0.999;
      const c2 = Math.sqrt(1 - b2t),
        lr = (0.001 * c2) / (1 - b1t);
      e["adamRows"]!(wa, ma, va, a, x, zero, x, rows, cols, lr, 0.9, 0.999, 1e-8 * c2);
      e["factoredRows"]!(wf, mf, rf, cf, gf, a, x, zero, x, rows, cols, lr, 0.9, 0.999, Math.sqrt(1e-8 * c2), 1);
      for (let k = 0; k < n; k++) {
        const A = w.f32[(wa >>> 2) + k]!,
          F = w.f32[(wf >>> 2) + k]!;
        maxRel = Math.max(maxRel, Math.abs(F - A) / Math.abs(A));
      }
    }
    expect(maxRel).toBeLessThan(1e-4); // float32 rounding and Adam's ε/√v
    expect(Math.abs(w.f32[wa >>> 2]!)).toBeGreaterThan(0.05); // they moved: 200 steps of ≈ 0.001
  });

  it("optimizer kernels: f32x4 and Ref twins agree bitwise", () => {
    const w = engram.wasm,
      e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    const r = rng(4);
    for (const [rows, cols] of [
      [3, 7],
      [2, 16],
      [1, 37],
      [2, 45],
    ] as const) {
      const n = rows * cols;
      const buf = (k: number) => {
        const p = w.alloc(k * 4);
        for (let i = 0; i < k; i++) w.f32[(p >>> 2) + i] = r() * 2 - 1;
        return p;
      };
      const get = (p: number, k: number) => w.f32.slice(p >>> 2, (p >>> 2) + k);
      const [a, x, b, z] = [buf(rows), buf(cols), buf(rows), buf(cols)];
      const state = [buf(n), buf(n), buf(n)];
      w.f32[state[1]! >>> 2] = 1e-31; // a moment about to be flushed
      for (let i = 0; i < n; i++) w.f32[(state[2]! >>> 2) + i] = Math.abs(w.f32[(state[2]! >>> 2) + i]!);
      const twin = state.map((p) => {
        const q = w.alloc(n * 4);
        w.f32.copyWithin(q >>> 2, p >>> 2, (p >>> 2) + n);
        return q;
      });
      e["adamRows"]!(state[0]!, state[1]!, state[2]!, a, x, b, z, rows, cols, 0.01, 0.9, 0.999, 1e-8);
      e["adamRowsRef"]!(twin[0]!, twin[1]!, twin[2]!, a, x, b, z, rows, cols, 0.01, 0.9, 0.999, 1e-8);
      for (let k = 0; k < 3; k++) expect(get(state[k]!, n)).toEqual(get(twin[k]!, n));
      e["sgdRows"]!(state[0]!, state[1]!, a, x, b, z, rows, cols, 0.1, 0.9);
      e["sgdRowsRef"]!(twin[0]!, twin[1]!, a, x, b, z, rows, cols, 0.1, 0.9);
      for (let k = 0; k < 2; k++) expect(get(state[k]!, n)).toEqual(get(twin[k]!, n));
      // factored Adam: W, m, then r (rows), c (cols), γ scratch (cols); rank-2 and dense forms
      const fr = [state[0]!, state[1]!, buf(rows), buf(cols), buf(cols)],
        ft = [twin[0]!, twin[1]!, buf(rows), buf(cols), buf(cols)];
      for (const [p, q, k] of [
        [fr[2]!, ft[2]!, rows],
        [fr[3]!, ft[3]!, cols],
      ] as const) {
        for (let i = 0; i < k; i++) w.f32[(p >>> 2) + i] = w.f32[(q >>> 2) + i] = Math.abs(w.f32[(p >>> 2) + i]!);
      }
      w.f32[fr[3]! >>> 2] = w.f32[ft[3]! >>> 2] = 0; // a column never seen: γ must stay finite
      const G = buf(n);
      for (let it = 0; it < 4; it++) {
        const flush = it % 2; // a flushing step, then one that keeps tiny first moments
        e["factoredRows"]!(...fr, a, x, b, z, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        e["factoredRowsRef"]!(...ft, a, x, b, z, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        // one input shared by both terms (the first layer's image): the x == z path
        e["factoredRows"]!(...fr, a, x, b, x, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        e["factoredRowsRef"]!(...ft, a, x, b, x, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        e["factoredDense"]!(...fr, G, 0.25, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        e["factoredDenseRef"]!(...ft, G, 0.25, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
      }
      const sz = [n, n, rows, cols, cols];
      for (let k = 0; k < 5; k++) expect(get(fr[k]!, sz[k]!)).toEqual(get(ft[k]!, sz[k]!));
      for (let k = 0; k < 4; k++) expect(get(fr[k]!, sz[k]!).every(Number.isFinite)).toBe(true);
    }
  });

  it("factored Adam zeroes first moments under 1e-30 on flushing steps only, in every loop and both twins", () => {
    const w = engram.wasm,
      e = w.exports as unknown as Record<string, (...a: number[]) => void>;
    // 2 rows × 13 columns: the two-vector loop, a 4-group and a scalar tail; no gradient, so
    // m ← β1 m exactly, from 1e-31 (under 1e-30) in one row and 1e-3 in the other
    const rows = 2,
      cols = 13,
      n = rows * cols;
    const buf = (k: number, v = 0) => {
      const p = w.alloc(k * 4);
      w.f32.fill(v, p >>> 2, (p >>> 2) + k);
      return p;
    };
    const a = buf(rows),
      x = buf(cols),
      G = buf(n);
    for (const f of ["factoredRows", "factoredRowsRef", "factoredDense", "factoredDenseRef"])
      for (const shared of f.includes("Rows") ? [true, false] : [false]) {
        const state = [buf(n), buf(n), buf(rows, 1e-6), buf(cols, 1e-6), buf(cols)];
        const m = () => Array.from(w.f32.subarray(state[1]! >>> 2, (state[1]! >>> 2) + n));
        w.f32.fill(1e-31, state[1]! >>> 2, (state[1]! >>> 2) + cols);
        w.f32.fill(1e-3, (state[1]! >>> 2) + cols, (state[1]! >>> 2) + n);
        const z = shared ? x : buf(cols);
        const step = (flush: number) =>
          f.includes("Rows")
            ? e[f]!(...state, a, x, a, z, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush)
            : e[f]!(...state, G, 1, rows, cols, 0.01, 0.9, 0.999, 1e-4, 0.03, flush);
        step(0);
        const kept = m();
        kept.slice(0, cols).forEach((v) => expect(v).toBe(Math.fround(Math.fround(0.9) * Math.fround(1e-31))));
        step(1);
        const flushed = m();
        flushed.slice(0, cols).forEach((v) => expect(Object.is(v, 0)).toBe(true));
        flushed.slice(cols).forEach((v, j) => expect(v).toBe(Math.fround(Math.fround(0.9) * kept[cols + j]!)));
      }
  });
});

// ---------------------------------------------------------------- float64 reference

interface Params {
  W: number[][][];
  U: number[][];
  b: number[][];
}

/** Reads the parameters from a snapshot (state layout: see assembly/learners/forwardForward.ts). */
function params(net: ForwardForward, sizes: number[], C: number): Params {
  const st = decodeSnapshot(net.save()).state;
  const f = new Float32Array(st.buffer.slice(st.byteOffset, st.byteOffset + st.byteLength));
  const al4 = (k: number) => (k + 3) & ~3;
  const moments = net.config.optimizer === "adam" ? 2 : 1;
  let o = 8;
  const out: Params = { W: [], U: [], b: [] };
  for (let k = 0; k + 1 < sizes.length; k++) {
    const n = sizes[k + 1]!,
      nin = sizes[k]!;
    const start = o;
    out.W.push(Array.from({ length: n }, (_, i) => Array.from(f.subarray(o + i * nin, o + (i + 1) * nin))));
    o += al4(n * nin);
    if (k === 0) {
      out.U = Array.from({ length: C }, (_, c) => Array.from(f.subarray(o + c * n, o + (c + 1) * n)));
      o += al4(C * n);
    }
    out.b.push(Array.from(f.subarray(o, o + n)));
    o += al4(n);
    o += (o - start) * moments;
  }
  return out;
}

/** Positive-style pass for label c in float64: normalised inputs, activities, goodness per layer. */
function forward(p: Params, x: number[], c: number) {
  const xx = x.reduce((s, v) => s + v * v, 0);
  const LABEL = 0.5 * Math.max(Math.sqrt(xx), 1); // the one-hot's value (see assembly/learners/forwardForward.ts)
  const r = Math.sqrt(xx + LABEL * LABEL);
  const xh = x.map((v) => v / r);
  const lab = LABEL / r;
  const h: number[][] = [],
    hh: number[][] = [],
    g: number[] = [];
  let input = xh;
  for (let k = 0; k < p.W.length; k++) {
    const z = p.W[k]!.map(
      (row, i) => row.reduce((s, w, j) => s + w * input[j]!, 0) + p.b[k]![i]! + (k === 0 ? p.U[c]![i]! * lab : 0),
    );
    const a = z.map((v) => Math.max(0, v));
    h.push(a);
    g.push(a.reduce((s, v) => s + v * v, 0) / a.length);
    const norm = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    input = a.map((v) => v / (norm + 1e-6));
    hh.push(input);
  }
  return { xh, lab, h, hh, g };
}
