// The Hebbian family: each rule reaches the answer theory gives, computed here
// independently (eigenvectors of a covariance we construct, BCM's ⟨y²⟩, norms);
// the rule kernels agree bitwise with their scalar twins; determinism,
// snapshots and bad input as for every learner; the numeric guard's documented bounds.
import { beforeAll, describe, expect, it } from "vitest";
import type { Engram, Hebbian, HebbianOptions } from "../../src/index.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { loadRaw, type RawWasm } from "../helpers/wasm.js";
import { firstBitDiff, randArray, rng, SIZES } from "../kernels/util.js";

let engram: Engram;
let raw: RawWasm;
beforeAll(async () => {
  engram = await loadEngram();
  raw = await loadRaw();
});

const make = (o: HebbianOptions) => engram.hebbian(o);

/** Standard normal from a uniform stream (Box–Muller, float64). */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A random orthonormal basis of R^d (Gram–Schmidt on Gaussian vectors); rows are the basis. */
function orthonormal(d: number, r: () => number): number[][] {
  const q: number[][] = [];
  while (q.length < d) {
    const v = Array.from({ length: d }, () => normal(r));
    for (const b of q) {
      const c = dot(v, b);
      for (let i = 0; i < d; i++) v[i]! -= c * b[i]!;
    }
    const n = Math.hypot(...v);
    q.push(v.map((x) => x / n));
  }
  return q;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const row = (w: Float32Array, i: number, n: number) => Array.from(w.subarray(i * n, i * n + n));
const pnorm = (v: number[], p: number) => v.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
const cosine = (a: number[], b: number[]) => dot(a, b) / (Math.hypot(...a) * Math.hypot(...b));

/**
 * Zero-mean Gaussian samples with covariance Σ = Qᵀ diag(λ) Q: x = Σ_k √λ_k z_k q_k.
 * The eigenvectors of Σ are the rows q_k, by construction.
 */
function gaussian(lambda: number[], seed: number) {
  const r = rng(seed);
  const d = lambda.length;
  const q = orthonormal(d, r);
  const sample = () => {
    const x = new Float32Array(d);
    for (let k = 0; k < d; k++) {
      const a = Math.sqrt(lambda[k]!) * normal(r);
      for (let i = 0; i < d; i++) x[i] = x[i]! + a * q[k]![i]!;
    }
    return x;
  };
  return { q, sample };
}

/** `steps` online steps, η annealed from `eta` to eta/20 over the last half (Robbins–Monro). */
function train(l: Hebbian, steps: number, eta: number, sample: () => Float32Array): void {
  for (let t = 0; t < steps; t++) {
    if (t % 1000 === 0) l.learningRate = t < steps / 2 ? eta : eta * Math.max(0.05, 2 * (1 - t / steps));
    l.learn(sample());
  }
}

describe("rule kernels: f32x4 == Ref bitwise", () => {
  const call = (name: string, args: number[]) => raw.exports[name](...args);
  it("hebbRow, hebbRowMaxAbs, sangerRows, pCurrents, powerRelu", () => {
    const r = rng(11);
    for (const n of SIZES) {
      for (const rows of [1, 3]) {
        const w0 = randArray(r, rows * n),
          x = randArray(r, n),
          y = randArray(r, rows);
        const outs = ["", "Ref"].map((suffix) => {
          const w = raw.f32(rows * n, w0),
            xp = raw.f32(n, x),
            yp = raw.f32(rows, y),
            out = raw.f32(rows);
          call("hebbRow" + suffix, [w, xp, n, 0.3, -0.7]);
          const m = call("hebbRowMaxAbs" + suffix, [w, xp, n, 1.3]);
          const rp = raw.f32(n, x);
          call("sangerRows" + suffix, [w, yp, rp, rows, n, 0.05]);
          const cur = [2, 3, 4].map(
            (p) => (call("pCurrents" + suffix, [out, w, xp, rows, n, p]), raw.readF32(out, rows)),
          );
          const pr = raw.f32(n);
          call("powerRelu" + suffix, [pr, xp, n, 4.5]);
          return [raw.readF32(w, rows * n), raw.readF32(rp, n), ...cur, raw.readF32(pr, n), new Float32Array([m])];
        });
        outs[0]!.forEach((a, k) => expect(firstBitDiff(a, outs[1]![k]!), `n=${n} rows=${rows} output ${k}`).toBe(-1));
        raw.reset();
      }
    }
  });
  it("pCurrents is Σ sgn(w)|w|^(p−1) x (float64 reference)", () => {
    const r = rng(5);
    const n = 37,
      w = randArray(r, 2 * n),
      x = randArray(r, n);
    const out = raw.f32(2);
    raw.exports.pCurrents(out, raw.f32(2 * n, w), raw.f32(n, x), 2, n, 3);
    const got = raw.readF32(out, 2);
    for (let i = 0; i < 2; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += w[i * n + j]! * Math.abs(w[i * n + j]!) * x[j]!;
      expect(got[i]).toBeCloseTo(s, 5);
    }
    raw.reset();
  });
});

describe("principal components", () => {
  const lambda = [4, 2, 1, 0.5, 0.25, 0.1, 0.1, 0.1];

  it("oja: w → ± the leading eigenvector of the input covariance, with unit norm", () => {
    const { q, sample } = gaussian(lambda, 1);
    const l = make({ inputs: 8, outputs: 1, rule: "oja", seed: 3 });
    train(l, 20000, 0.01, sample);
    const w = row(l.weights(), 0, 8);
    expect(Math.abs(cosine(w, q[0]!))).toBeGreaterThanOrEqual(0.99);
    expect(Math.hypot(...w)).toBeCloseTo(1, 1);
    expect(Math.abs(Math.hypot(...w) - 1)).toBeLessThan(0.02);
  });

  it("hebb (with row normalisation): also the leading eigenvector", () => {
    const { q, sample } = gaussian(lambda, 2);
    const l = make({ inputs: 8, outputs: 1, rule: "hebb", seed: 4 });
    train(l, 20000, 0.01, sample);
    const w = row(l.weights(), 0, 8);
    expect(Math.abs(cosine(w, q[0]!))).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(Math.hypot(...w) - 1)).toBeLessThan(1e-5);
  });

  it("sanger: row i → ± the i-th eigenvector, in order of eigenvalue", () => {
    const { q, sample } = gaussian(lambda, 3);
    const l = make({ inputs: 8, outputs: 3, rule: "sanger", seed: 5 });
    train(l, 40000, 0.01, sample);
    const W = l.weights();
    for (let i = 0; i < 3; i++) {
      const w = row(W, i, 8);
      expect(Math.abs(cosine(w, q[i]!)), `component ${i}`).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(Math.hypot(...w) - 1)).toBeLessThan(0.05);
    }
  });

  it("oja + lateral anti-Hebbian decorrelation: uncorrelated outputs, the components in order", () => {
    const { q, sample } = gaussian(lambda, 4);
    const l = make({ inputs: 8, outputs: 3, rule: "oja", lateral: 0.002, seed: 6 });
    train(l, 40000, 0.01, sample);
    const W = l.weights();
    for (let i = 0; i < 3; i++)
      expect(Math.abs(cosine(row(W, i, 8), q[i]!)), `component ${i}`).toBeGreaterThanOrEqual(0.99);
    // sample correlation of the outputs (transform includes the lateral term)
    const ys = Array.from({ length: 4000 }, () => l.transform(sample()));
    const c = (i: number, k: number) => ys.reduce((s, y) => s + y[i]! * y[k]!, 0) / ys.length;
    for (let i = 0; i < 3; i++)
      for (let k = 0; k < i; k++)
        expect(Math.abs(c(i, k)) / Math.sqrt(c(i, i) * c(k, k)), `corr(y${i}, y${k})`).toBeLessThan(0.05);
  });
});

/** P nonnegative prototypes in R^d (sparse bars), and noisy samples of them. */
function prototypes(P: number, d: number, seed: number, density = 0.3) {
  const r = rng(seed);
  const protos = Array.from({ length: P }, () =>
    Float32Array.from({ length: d }, () => (r() < density ? 0.5 + 0.5 * r() : 0)),
  );
  const sample = (noise = 0.05) => {
    const k = Math.floor(r() * P);
    return { k, x: protos[k]!.map((v) => Math.max(0, v + noise * normal(r))) };
  };
  return { protos, sample };
}

describe("BCM", () => {
  it("θ tracks ⟨y²⟩ and each unit becomes selective for one pattern", () => {
    const P = 4,
      d = 12,
      K = 4;
    const { protos, sample } = prototypes(P, d, 21, 0.5);
    const l = make({ inputs: d, outputs: K, rule: "bcm", seed: 2, learningRate: 0.0005, thetaRate: 0.01 });
    for (let t = 0; t < 100000; t++) l.learn(sample(0).x);
    // θ is a running average over random patterns: compare its own time average
    const theta = new Float64Array(K);
    for (let t = 0; t < 4000; t++) {
      l.learn(sample(0).x);
      l.thresholds().forEach((v, i) => (theta[i] = theta[i]! + v / 4000));
    }
    const W = l.weights();
    for (let i = 0; i < K; i++) {
      const y = protos.map((x) => dot(row(W, i, d), x));
      const meanY2 = y.reduce((s, v) => s + v * v, 0) / P; // patterns are equally likely
      expect(theta[i]! / meanY2, `unit ${i}: θ vs ⟨y²⟩`).toBeGreaterThan(0.9);
      expect(theta[i]! / meanY2).toBeLessThan(1.1);
      // the selective fixed point: y = P for its pattern (θ = y²/P = y), 0 for the others
      expect(Math.max(...y) / P).toBeCloseTo(1, 1);
      const sorted = y.map(Math.abs).sort((a, b) => b - a);
      expect(sorted[1]! / sorted[0]!, `unit ${i} responds to one pattern: ${y.map((v) => v.toFixed(2))}`).toBeLessThan(
        0.1,
      );
    }
  });
});

describe("competitive rules", () => {
  const P = 6,
    d = 32,
    K = 12;
  for (const rule of ["krotov", "softhebb"] as const) {
    it(`${rule}: winners' weight norms → 1 (p-norm) and units specialise on distinct prototypes`, () => {
      const { protos, sample } = prototypes(P, d, 31);
      const p = rule === "krotov" ? 3 : 2;
      // this test drives η itself (below): the default feature-rate decay is off
      const l = make({ inputs: d, outputs: K, rule, seed: 7, rank: 2, power: 0, learningRateDecay: 0 });
      const before = Array.from({ length: K }, (_, i) => pnorm(row(l.weights(), i, d), p));
      for (let t = 0; t < 20000; t++) {
        if (t % 1000 === 0) l.learningRate = 0.02 * (1 - t / 20000) + 1e-4;
        l.learn(sample().x);
      }
      const W = l.weights();
      // the unit with the largest current for each prototype (dot with sgn|w|^(p−1))
      const winners = protos.map((x) => {
        let best = 0,
          bestI = -Infinity;
        for (let i = 0; i < K; i++) {
          const I = row(W, i, d).reduce((s, w, j) => s + Math.sign(w) * Math.abs(w) ** (p - 1) * x[j]!, 0);
          if (I > bestI) ((bestI = I), (best = i));
        }
        return best;
      });
      expect(new Set(winners).size, `winners ${winners}`).toBe(P);
      for (const i of new Set(winners)) {
        expect(Math.abs(before[i]! - 1)).toBeGreaterThan(0.1); // they did not start there
        expect(Math.abs(pnorm(row(W, i, d), p) - 1), `unit ${i}`).toBeLessThan(0.05);
      }
    });
  }
});

describe("local readout", () => {
  it("learns to classify on top of unsupervised features, no error sent into them", () => {
    const P = 6,
      d = 32;
    const { sample } = prototypes(P, d, 41);
    const l = make({ inputs: d, outputs: 24, rule: "softhebb", seed: 1, readout: { classes: P } });
    for (let t = 0; t < 5000; t++) l.learn(sample(0.15).x);
    const w = l.weights();
    for (let t = 0; t < 5000; t++) {
      const s = sample(0.15);
      l.learnReadout(s.x, s.k);
    }
    expect(l.weights()).toEqual(w); // the readout never touches the features
    let ok = 0;
    for (let t = 0; t < 1000; t++) {
      const s = sample(0.15);
      if (l.predict(s.x) === s.k) ok++;
    }
    expect(ok / 1000).toBeGreaterThan(0.95);
    const sc = l.scores(sample().x);
    expect(sc.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("stacks: a second layer learns on the first one's features", () => {
    const P = 6,
      d = 32;
    const { sample } = prototypes(P, d, 43);
    const l1 = make({ inputs: d, outputs: 24, rule: "softhebb", seed: 1 });
    // τ is in units of u = W x: the first layer's features have norm ~2, not MNIST's ~9
    const l2 = make({ inputs: 24, outputs: 16, rule: "softhebb", seed: 2, temperature: 0.05, readout: { classes: P } });
    for (let t = 0; t < 4000; t++) l1.learn(sample(0.15).x);
    for (let t = 0; t < 4000; t++) l2.learn(l1.transform(sample(0.15).x));
    for (let t = 0; t < 4000; t++) {
      const s = sample(0.15);
      l2.learnReadout(l1.transform(s.x), s.k);
    }
    let ok = 0;
    for (let t = 0; t < 1000; t++) {
      const s = sample(0.15);
      if (l2.predict(l1.transform(s.x)) === s.k) ok++;
    }
    expect(ok / 1000).toBeGreaterThan(0.9);
  });

  it("transform is max(W x, 0)^power", () => {
    const l = make({ inputs: 5, outputs: 3, rule: "oja", power: 2 });
    const x = [0.1, -0.4, 0.9, 0.3, -1];
    const W = l.weights(),
      f = l.transform(x);
    for (let i = 0; i < 3; i++) expect(f[i]).toBeCloseTo(Math.max(0, dot(row(W, i, 5), x)) ** 2, 5);
  });
});

describe("determinism and snapshots", () => {
  const opts = (rule: string): HebbianOptions => ({
    inputs: 10,
    outputs: 6,
    seed: 9,
    readout: { classes: 3 },
    ...(rule === "oja+lateral" ? { rule: "oja", lateral: 0.01 } : { rule: rule as HebbianOptions["rule"] }),
  });
  const stream = (seed: number) => {
    const r = rng(seed);
    return () => ({ x: randArray(r, 10, 0, 1), k: Math.floor(r() * 3) });
  };
  for (const rule of ["hebb", "oja", "sanger", "bcm", "krotov", "softhebb", "oja+lateral"] as const) {
    it(`${rule}: same seed → same bits; save → restore → continue == never stopping; batch == steps`, () => {
      const a = make(opts(rule)),
        b = make(opts(rule));
      const sa = stream(1),
        sb = stream(1);
      for (let t = 0; t < 200; t++) {
        const s = sa(),
          u = sb();
        a.learn(s.x, s.k);
        b.learn(u.x, u.k);
      }
      expect(a.save()).toEqual(b.save());
      const c = engram.restore(b.save()) as Hebbian;
      b.dispose();
      const xs = new Float32Array(50 * 10),
        ks: number[] = [];
      for (let t = 0; t < 50; t++) {
        const s = sa();
        xs.set(s.x, t * 10);
        ks.push(s.k);
      }
      for (let t = 0; t < 50; t++) a.learn(xs.subarray(t * 10, t * 10 + 10), ks[t]);
      c.learnBatch(xs, ks);
      expect(c.save()).toEqual(a.save());
      expect(c.steps).toBe(250);
      expect(make({ ...opts(rule), seed: 10 }).weights()).not.toEqual(make(opts(rule)).weights());
    });
  }
});

describe("numeric safety", () => {
  const R = 1e9,
    C = 1e6,
    F32_MAX = 3.4028234663852886e38;
  const norms = (l: Hebbian) =>
    Array.from({ length: l.outputs }, (_, i) => Math.hypot(...row(l.weights(), i, l.inputs)));
  const streams: Record<string, (n: number, r: () => number, t: number) => Float32Array> = {
    "±1e30": (n, r) => Float32Array.from({ length: n }, () => (r() < 0.5 ? -1e30 : 1e30)),
    "±f32 max": (n, r) => Float32Array.from({ length: n }, () => (r() < 0.5 ? -F32_MAX : F32_MAX)),
    "constant 1e6": (n) => new Float32Array(n).fill(1e6),
    denormals: (n, r) => Float32Array.from({ length: n }, () => normal(r) * 1e-40),
    "huge then tiny": (n, r, t) => Float32Array.from({ length: n }, () => normal(r) * (t % 2 ? 1e35 : 1e-35)),
  };

  it("a huge sample acts as itself scaled to ‖x‖ = R (the input cap)", () => {
    const l = make({ inputs: 6, outputs: 4, rule: "oja", seed: 2 });
    const r = rng(3);
    const x = Float64Array.from({ length: 6 }, () => normal(r));
    const n = Math.hypot(...x);
    const huge = l.transform(Float32Array.from(x, (v) => (v / n) * 1e30));
    const capped = l.transform(Float32Array.from(x, (v) => (v / n) * R));
    for (let i = 0; i < 4; i++) expect(huge[i]! / capped[i]!).toBeCloseTo(1, 4);
  });

  for (const rule of ["hebb", "oja", "sanger", "bcm", "krotov", "softhebb"] as const) {
    it(`${rule}: adversarial streams keep every row within the max-norm C = 1e6, then it still learns finite features`, () => {
      for (const [name, gen] of Object.entries(streams)) {
        for (const extra of rule === "oja" ? [{}, { lateral: 0.1 }] : rule === "krotov" ? [{}, { p: 16 }] : [{}]) {
          const l = make({ inputs: 8, outputs: 5, rule, seed: 4, readout: { classes: 3 }, learningRate: 10, ...extra });
          const r = rng(9);
          for (let t = 0; t < 60; t++) l.learn(gen(8, r, t), t % 3);
          const what = `${rule} ${JSON.stringify(extra)} on ${name}`;
          for (const v of norms(l)) expect(v, what).toBeLessThanOrEqual(C * (1 + 1e-5));
          expect(
            l.thresholds().every((v) => Math.abs(v) <= 1e15),
            what,
          ).toBe(true);
          for (let t = 0; t < 20; t++)
            l.learn(
              Float32Array.from({ length: 8 }, () => normal(r)),
              t % 3,
            );
          expect((engram.restore(l.save()) as Hebbian).weights(), `${what}: its snapshot restores it`).toEqual(
            l.weights(),
          );
          expect([...l.weights(), ...l.thresholds(), ...l.scores(gen(8, r, 1))].every(Number.isFinite), what).toBe(
            true,
          );
          expect(l.transform(gen(8, r, 0)).some(Number.isNaN), what).toBe(false);
          l.dispose();
        }
      }
    });
  }

  it("krotov, softhebb: no weight moves by more than η per sample, whatever the input's scale", () => {
    for (const rule of ["krotov", "softhebb"] as const) {
      for (const s of [1, 1e-20, 1e-40, 1e30]) {
        const l = make({ inputs: 16, outputs: 6, rule, seed: 5, learningRate: 0.1 });
        const r = rng(6);
        for (let t = 0; t < 30; t++) {
          const w0 = l.weights();
          l.learn(Float32Array.from({ length: 16 }, () => Math.abs(normal(r)) * s));
          const w1 = l.weights();
          let most = 0;
          for (let j = 0; j < w0.length; j++) most = Math.max(most, Math.abs(w1[j]! - w0[j]!));
          expect(most, `${rule} at scale ${s}`).toBeLessThanOrEqual(0.1 * (1 + 1e-5));
        }
        l.dispose();
      }
    }
  });
});

describe("bad input", () => {
  it("throws the right code and leaves the learner unchanged", () => {
    const l = make({ inputs: 4, outputs: 3, rule: "krotov", readout: { classes: 2 } });
    l.learn([0.1, 0.2, 0.3, 0.4], 1);
    const before = l.save();
    expectCode(() => l.learn([1, 2, 3]), "E_SHAPE");
    expectCode(() => l.learn([1, 2, NaN, 4]), "E_NONFINITE");
    expectCode(() => l.learn([1, 2, 3, 4], 2), "E_LABEL");
    expectCode(() => l.learn([1, 2, 3, 4], 0.5), "E_LABEL");
    expectCode(() => l.learn("abcd" as never), "E_TYPE");
    expectCode(() => l.learnBatch(new Float32Array(7)), "E_SHAPE");
    expectCode(() => l.learnBatch(new Float32Array(8), [0, 5]), "E_LABEL");
    expectCode(() => l.learnReadout([1, 2, 3, Infinity], 0), "E_NONFINITE");
    expectCode(() => (l.learningRate = -1), "E_CONFIG");
    // labels are required here: leaving them out must not train on whatever lies at address 0
    expectCode(() => (l.learnReadoutBatch as (xs: Float32Array) => number)(new Float32Array(8)), "E_TYPE");
    expectCode(() => l.learnReadoutBatch(new Float32Array(8), [0]), "E_SHAPE");
    expectCode(() => l.learnReadoutBatch(new Float32Array(8), [0, 2]), "E_LABEL");
    // setters take what the options take: 1e39 is finite in JS but +∞ as an f32
    for (const bad of [1e39, 10.5, 0, Infinity]) expectCode(() => (l.learningRate = bad), "E_CONFIG");
    for (const bad of [1e39, 101, -2]) expectCode(() => (l.readoutLearningRate = bad), "E_CONFIG");
    expect(l.save()).toEqual(before);
    l.dispose();
    expectCode(() => l.learn([1, 2, 3, 4]), "E_DISPOSED");
    expectCode(() => l.weights(), "E_DISPOSED");
  });

  it("labels without a readout and invalid options are E_CONFIG", () => {
    const l = make({ inputs: 4, outputs: 3, rule: "oja" });
    expectCode(() => l.learn([1, 2, 3, 4], 0), "E_CONFIG");
    expectCode(() => l.predict([1, 2, 3, 4]), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, rule: "nope" as never }), "E_CONFIG");
    expectCode(() => make({ inputs: 4 } as never), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, learningRate: 0 }), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, rank: 4 }), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, readout: { classes: 1 } }), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, readout: { classes: 2, lr: 1 } as never }), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, typo: 1 } as never), "E_CONFIG");
    expectCode(() => make({ inputs: 4, outputs: 3, rule: "krotov", lateral: 0.1 }), "E_CONFIG");
  });

  it("resolves defaults into config; restore rebuilds from it", () => {
    const l = make({ inputs: 4, outputs: 3 });
    expect(l.config).toMatchObject({
      rule: "softhebb",
      learningRate: 0.05,
      seed: 1,
      rank: 3,
      power: 1,
      temperature: 0.5,
    });
    const r = engram.restore(l.save()) as Hebbian;
    expect(r.config).toEqual(l.config);
    expect(r.weights()).toEqual(l.weights());
  });
});
