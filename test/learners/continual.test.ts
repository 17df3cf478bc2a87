// engram.continual: the streaming LDA head against a float64 LDA computed here, the
// order invariance and exact merge of its statistics, a class first seen late, the
// competitive feature rule against a float64 reference step, snapshots.
import { describe, expect, it } from "vitest";
import { Continual } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";

const engram = await loadEngram();
const pad4 = (n: number) => Math.ceil(n / 4) * 4;
const pad2 = (n: number) => Math.ceil(n / 2) * 2;

/** The persisted statistics, read through save() as docs/snapshot-format.md lays them out. */
function stats(l: Continual) {
  const { state } = decodeSnapshot(l.save());
  const buf = state.buffer.slice(state.byteOffset, state.byteOffset + state.length);
  const c = l.config as unknown as {
    classes: number;
    detectors?: number;
    grid?: number;
    inputs: number;
    patch?: number;
    image?: { channels: number };
  };
  const K = c.detectors ?? 0,
    d = c.image ? c.grid! ** 2 * K : c.inputs,
    C = c.classes;
  const P = c.image ? c.patch! ** 2 * c.image.channels : 0;
  let off = 16;
  const counts = new Float64Array(buf, off, C);
  off += 8 * pad2(C);
  const wins = new Float64Array(buf, off, K);
  off += 8 * pad2(K);
  const means = Array.from({ length: C }, (_, k) => new Float32Array(buf, off + 4 * k * pad4(d), d));
  off += 4 * C * pad4(d);
  const scatter = new Float32Array(buf, off, d * d);
  off += 4 * pad4(d * d);
  const centroids = new Float32Array(buf, off, pad4(P) * K);
  return { samples: new Float64Array(buf, 0, 1)[0]!, counts, wins, means, scatter, centroids, d, K, P };
}

/** A Gaussian-ish mixture: class c centred on a fixed prototype, spread `noise`. */
function mixture(seed: number, n: number, classes: number, width: number, noise = 0.6) {
  const r = rng(seed);
  const protoR = rng(999);
  const protos = Array.from({ length: classes }, () => Float32Array.from({ length: width }, () => protoR() * 2 - 1));
  const xs: Float32Array[] = [],
    ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(r() * classes);
    xs.push(Float32Array.from(protos[y]!, (p) => p + noise * (r() + r() + r() - 1.5)));
    ys.push(y);
  }
  return { xs, ys };
}

/** Float64 LDA of the equations in assembly/rules/streamingLda.ts, probabilities among seen classes. */
function ldaProbabilities(
  xs: Float32Array[],
  ys: number[],
  classes: number,
  shrinkage: number,
  probe: Float32Array,
): number[] {
  const d = probe.length;
  const n = new Array(classes).fill(0),
    mu = Array.from({ length: classes }, () => new Float64Array(d));
  xs.forEach((x, i) => {
    n[ys[i]!]++;
    x.forEach((v, j) => (mu[ys[i]!]![j]! += v));
  });
  const seen = [...n.keys()].filter((c) => n[c] > 0);
  for (const c of seen) mu[c] = mu[c]!.map((v) => v / n[c]);
  const S = new Float64Array(d * d);
  xs.forEach((x, i) => {
    const m = mu[ys[i]!]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b] += (x[a]! - m[a]!) * (x[b]! - m[b]!);
  });
  const dof = Math.max(xs.length - seen.length, 1);
  let tau = 0;
  for (let a = 0; a < d; a++) tau += S[a * d + a]! / dof / d;
  const A = S.map((v, k) => ((1 - shrinkage) * v) / dof + (k % (d + 1) === 0 ? shrinkage * tau : 0));
  // Gaussian elimination on A w = μ_c for each class
  const solve = (rhs: Float64Array) => {
    const M = Array.from({ length: d }, (_, i) => [...A.subarray(i * d, i * d + d), rhs[i]!]);
    for (let i = 0; i < d; i++) {
      for (let k = i + 1; k < d; k++) {
        const f = M[k]![i]! / M[i]![i]!;
        for (let j = i; j <= d; j++) M[k]![j]! -= f * M[i]![j]!;
      }
    }
    const w = new Float64Array(d);
    for (let i = d - 1; i >= 0; i--) {
      let s = M[i]![d]!;
      for (let j = i + 1; j < d; j++) s -= M[i]![j]! * w[j]!;
      w[i] = s / M[i]![i]!;
    }
    return w;
  };
  // t = tr(A⁻¹Σ): column i of A⁻¹Σ solves A y = Σ e_i
  let t = 0;
  for (let i = 0; i < d; i++) t += solve(Float64Array.from({ length: d }, (_, k) => S[k * d + i]! / dof))[i]!;
  // discriminant μ_cᵀA⁻¹x − ½ (μ_cᵀA⁻¹μ_c − t/n_c): the plug-in quadratic term made unbiased
  const logit = seen.map((c) => {
    const w = solve(mu[c]!);
    let s = 0,
      q = 0;
    for (let j = 0; j < d; j++) {
      s += w[j]! * probe[j]!;
      q += w[j]! * mu[c]![j]!;
    }
    return s - (q - t / n[c]) / 2;
  });
  const top = Math.max(...logit),
    e = logit.map((z) => Math.exp(z - top)),
    sum = e.reduce((a, b) => a + b, 0);
  const p = new Array(classes).fill(0);
  seen.forEach((c, k) => (p[c] = e[k]! / sum));
  return p;
}

describe("continual: the streaming LDA head (raw inputs)", () => {
  it("gives the probabilities of a float64 LDA with the same shrinkage and bias correction; unseen classes score 0", () => {
    const { xs, ys } = mixture(1, 300, 4, 6, 1.5);
    const l = engram.continual({ inputs: 6, classes: 5, shrinkage: 0.05 });
    xs.forEach((x, i) => l.learn(x, ys[i]!));
    const probes = mixture(2, 20, 4, 6, 1.5).xs;
    for (const p of probes) {
      const got = l.scores(p),
        want = ldaProbabilities(xs, ys, 5, 0.05, p);
      expect(got[4]).toBe(0);
      for (let c = 0; c < 5; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThan(2e-4);
      expect(l.predict(p)).toBe(want.indexOf(Math.max(...want)));
    }
    l.dispose();
  });

  it("has statistics independent of the order of the samples (counts exactly; means and scatter to f32 summation error)", () => {
    const { xs, ys } = mixture(3, 600, 3, 10);
    const a = engram.continual({ inputs: 10, classes: 3 }),
      b = engram.continual({ inputs: 10, classes: 3 });
    xs.forEach((x, i) => a.learn(x, ys[i]!));
    for (let i = xs.length - 1; i >= 0; i--) b.learn(xs[i]!, ys[i]!); // reversed
    const sa = stats(a),
      sb = stats(b);
    expect([...sa.counts]).toEqual([...sb.counts]);
    expect(sa.samples).toBe(600);
    // Welford sums n terms; recursive summation errs by ≤ (n − 1) u Σ|terms| (Higham, Accuracy and
    // Stability, §4.2), u = 2⁻²⁴. The terms' magnitudes are bounded by the entry scale, so a relative
    // difference of n u ≈ 4e-5 between two orders is the bound; 1e-4 leaves a factor 2.5.
    const tol = 600 * 2 ** -24 * 2.5;
    const scale = Math.max(...sa.scatter.map(Math.abs));
    sa.scatter.forEach((v, k) => expect(Math.abs(v - sb.scatter[k]!)).toBeLessThanOrEqual(tol * scale));
    sa.means.forEach((m, c) =>
      m.forEach((v, j) => expect(Math.abs(v - sb.means[c]![j]!)).toBeLessThanOrEqual(tol * 2)),
    );
    // and the scatter is the float64 pooled within-class scatter (upper triangle; the lower stays 0)
    const d = 10;
    const mu = [0, 1, 2].map((c) => {
      const m = new Float64Array(d);
      let n = 0;
      xs.forEach((x, i) => {
        if (ys[i] === c) {
          n++;
          x.forEach((v, j) => (m[j] += v));
        }
      });
      return m.map((v) => v / n);
    });
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        xs.forEach((x, k) => (s += (x[i]! - mu[ys[k]!]![i]!) * (x[j]! - mu[ys[k]!]![j]!)));
        expect(Math.abs(sa.scatter[i * d + j]! - (j >= i ? s : 0))).toBeLessThanOrEqual(tol * scale);
      }
    }
    a.dispose();
    b.dispose();
  });

  it("merges exactly: two learners on two streams give the statistics of one learner on both", () => {
    const { xs, ys } = mixture(4, 500, 4, 8);
    const a = engram.continual({ inputs: 8, classes: 5 }),
      b = engram.continual({ inputs: 8, classes: 5 }),
      both = engram.continual({ inputs: 8, classes: 5 });
    xs.forEach((x, i) => {
      (i < 200 || ys[i] === 3 ? a : b).learn(x, ys[i]!);
      both.learn(x, ys[i]!);
    }); // class 3 only in a
    const before = b.save();
    Continual.merge(a, b);
    expect(b.save()).toEqual(before); // the source is unchanged
    const sa = stats(a),
      sw = stats(both);
    expect([...sa.counts]).toEqual([...sw.counts]);
    expect(sa.samples).toBe(500);
    const tol = 500 * 2 ** -24 * 2.5,
      scale = Math.max(...sw.scatter.map(Math.abs));
    sa.scatter.forEach((v, k) => expect(Math.abs(v - sw.scatter[k]!)).toBeLessThanOrEqual(tol * scale));
    sa.means.forEach((m, c) =>
      m.forEach((v, j) => expect(Math.abs(v - sw.means[c]![j]!)).toBeLessThanOrEqual(tol * 2)),
    );
    const probe = mixture(5, 1, 4, 8).xs[0]!;
    const pa = a.scores(probe),
      pw = both.scores(probe);
    pa.forEach((v, c) => expect(Math.abs(v - pw[c]!)).toBeLessThan(1e-3));
    expectCode(() => Continual.merge(a, a), "E_CONFIG");
    const other = engram.continual({ inputs: 8, classes: 6 });
    expectCode(() => Continual.merge(a, other), "E_CONFIG");
    for (const l of [a, b, both, other]) l.dispose();
  });

  it("learns a class first seen after 1 000 samples of the others, from its first samples", () => {
    const { xs, ys } = mixture(6, 1400, 5, 16, 1.2);
    const l = engram.continual({ inputs: 16, classes: 6 });
    const late = xs.map((x, i) => ({ x, y: ys[i]! })).filter((s) => s.y === 4);
    const rest = xs
      .map((x, i) => ({ x, y: ys[i]! }))
      .filter((s) => s.y !== 4)
      .slice(0, 1000);
    for (const s of rest) l.learn(s.x, s.y);
    expect(l.classesSeen).toEqual([0, 1, 2, 3]);
    const test = mixture(7, 400, 5, 16, 1.2);
    const acc = (only?: number) => {
      let hit = 0,
        n = 0;
      test.xs.forEach((x, i) => {
        if (only !== undefined && test.ys[i] !== only) return;
        if (only === undefined && test.ys[i] === 4) return;
        n++;
        if (l.predict(x) === test.ys[i]) hit++;
      });
      return hit / n;
    };
    const oldBefore = acc();
    expect(acc(4)).toBe(0); // never predicted before it is seen
    l.learn(late[0]!.x, 4);
    expect(l.classesSeen).toEqual([0, 1, 2, 3, 4]);
    for (const s of late.slice(1, 10)) l.learn(s.x, 4);
    expect(acc(4)).toBeGreaterThan(0.9);
    expect(acc()).toBeGreaterThan(oldBefore - 0.02);
    l.dispose();
  });

  it("scores are uniform before any sample and sum to 1 after", () => {
    const l = engram.continual({ inputs: 3, classes: 4 });
    expect([...l.scores([1, 2, 3])]).toEqual([0.25, 0.25, 0.25, 0.25]);
    l.learn([1, 2, 3], 2);
    expect([...l.scores([0, 0, 0])]).toEqual([0, 0, 1, 0]);
    expect(l.predict([0, 0, 0])).toBe(2);
    l.learn([0, 1, 0], 1);
    const p = l.scores([0, 1, 0]);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    expect(l.predict([0, 1, 0])).toBe(1);
    l.dispose();
  });
});

/** Float64 reference of the patch rule (assembly/rules/competitive.ts) as the learner drives it. */
function referenceCentroids(
  images: Float32Array[],
  W: number,
  H: number,
  p: number,
  stride: number,
  K: number,
  plasticFor: number,
): Float64Array[] {
  const cents: Float64Array[] = [],
    wins: number[] = [];
  const P = p * p;
  images.slice(0, plasticFor).forEach((x) => {
    let e = 0;
    for (const v of x) e += v * v;
    const threshold = (e * P) / (2 * W * H);
    for (let py = 0; py + p <= H; py += stride) {
      for (let px = 0; px + p <= W; px += stride) {
        const patch = new Float64Array(P);
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) patch[r * p + c] = x[(py + r) * W + px + c]!;
        if (patch.reduce((a, v) => a + v * v, 0) <= threshold) continue;
        let k: number;
        if (cents.length < K) {
          k = cents.length;
          cents.push(new Float64Array(P));
          wins.push(0);
        } else {
          const dist = cents.map((c) => c.reduce((a, v, j) => a + (v - patch[j]!) ** 2, 0));
          k = dist.indexOf(Math.min(...dist));
        }
        wins[k]!++;
        cents[k] = cents[k]!.map((v, j) => v + (patch[j]! - v) / wins[k]!);
      }
    }
  });
  return cents;
}

describe("continual: competitive patch features (image mode)", () => {
  const opts = {
    inputs: 64,
    classes: 3,
    image: { width: 8, height: 8 },
    patch: 3,
    stride: 2,
    detectors: 5,
    grid: 2,
    consolidateAfter: 30,
  };
  const images = (seed: number, n: number) => {
    const r = rng(seed);
    return Array.from({ length: n }, () => Float32Array.from({ length: 64 }, () => (r() < 0.4 ? r() : 0)));
  };

  it("detectors follow the float64 rule (running means of the patches they won) and freeze after consolidateAfter", () => {
    const xs = images(11, 50);
    const l = engram.continual(opts);
    xs.forEach((x, i) => l.learn(x, i % 3));
    const s = stats(l);
    const want = referenceCentroids(xs, 8, 8, 3, 2, 5, 30);
    expect(want.length).toBe(5);
    for (let k = 0; k < 5; k++)
      for (let j = 0; j < 9; j++) expect(Math.abs(s.centroids[j * 5 + k]! - want[k]![j]!)).toBeLessThan(1e-5);
    // wins sum to the patches learned from; no change after consolidation
    const frozen = stats(l).centroids.slice();
    for (const x of images(12, 10)) l.learn(x, 0);
    expect([...stats(l).centroids]).toEqual([...frozen]);
    l.dispose();
  });

  it("round-trips a snapshot and continues bit-identically, before and after consolidation", () => {
    const xs = images(13, 80);
    for (const cut of [10, 50]) {
      const a = engram.continual(opts);
      xs.slice(0, cut).forEach((x, i) => a.learn(x, i % 3));
      const b = engram.restore(a.save()) as Continual;
      expect(b.save()).toEqual(a.save());
      xs.slice(cut).forEach((x, i) => {
        a.learn(x, i % 3);
        b.learn(x, i % 3);
      });
      expect(b.save()).toEqual(a.save());
      expect([...b.scores(xs[0]!)]).toEqual([...a.scores(xs[0]!)]);
      a.dispose();
      b.dispose();
    }
  });

  it("merges learners that share consolidated detectors, and refuses ones that do not", () => {
    const xs = images(14, 90);
    const base = engram.continual(opts);
    xs.slice(0, 30).forEach((x, i) => base.learn(x, i % 3));
    const snap = base.save();
    const a = engram.restore(snap) as Continual,
      b = engram.restore(snap) as Continual;
    xs.slice(30, 60).forEach((x, i) => a.learn(x, i % 3));
    xs.slice(60).forEach((x, i) => b.learn(x, (i + 1) % 3));
    const ca = [...stats(a).counts],
      cb = [...stats(b).counts];
    Continual.merge(a, b);
    // statistics add: the 30 samples both inherited from the snapshot count twice (documented)
    expect(a.samples).toBe(120);
    expect([...stats(a).counts]).toEqual(ca.map((n, c) => n + cb[c]!));
    const fresh = engram.continual(opts);
    xs.slice(0, 5).forEach((x, i) => fresh.learn(x, i % 3));
    const before = a.save();
    expectCode(() => Continual.merge(a, fresh), "E_CONFIG");
    expect(a.save()).toEqual(before);
    for (const l of [base, a, b, fresh]) l.dispose();
  });

  it("learnBatch gives the same bits as one learn per row (blocks of deferred scatter terms included)", () => {
    const xs = images(15, 37);
    const a = engram.continual(opts),
      b = engram.continual(opts);
    xs.forEach((x, i) => a.learn(x, i % 3));
    const flat = new Float32Array(37 * 64);
    xs.forEach((x, i) => flat.set(x, i * 64));
    b.learnBatch(
      flat,
      xs.map((_, i) => i % 3),
    );
    expect(b.save()).toEqual(a.save());
    expect([...b.scores(xs[3]!)]).toEqual([...a.scores(xs[3]!)]);
    a.dispose();
    b.dispose();
  });

  it("validates its options", () => {
    expectCode(() => engram.continual({ inputs: 64, classes: 3, image: { width: 8, height: 7 } }), "E_CONFIG");
    expectCode(() => engram.continual({ inputs: 64, classes: 3, patch: 3 }), "E_CONFIG");
    expectCode(
      () => engram.continual({ inputs: 64, classes: 3, image: { width: 8, height: 8 }, patch: 9 }),
      "E_CONFIG",
    );
    expectCode(() => engram.continual({ inputs: 64, classes: 3, shrinkage: 0 }), "E_CONFIG");
    expectCode(
      () => engram.continual({ inputs: 64, classes: 3, image: { width: 8, height: 8, depth: 1 } as never }),
      "E_CONFIG",
    );
    const l = engram.continual({ inputs: 784, classes: 10, image: { width: 28, height: 28 } });
    expect(l.config).toMatchObject({
      patch: 5,
      stride: 2,
      grid: 2,
      detectors: 256,
      consolidateAfter: 1000,
      shrinkage: 0.0001,
    });
    l.dispose();
  });
});
