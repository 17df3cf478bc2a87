// engram.merge (issue 16): the exact merge of continual learners against one learner that
// saw every stream, federated averaging against a float64 Σ α_j θ_j computed here from the
// documented snapshot layout (docs/snapshot-format.md), the merge algebra (an empty learner
// is the identity, order changes only rounding, weights are honoured) and what it refuses.
import { describe, expect, it } from "vitest";
import type { Continual, FeedbackAlignment, Learner } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";

const engram = await loadEngram();

/** A mixture: class c around a fixed prototype. */
function data(seed: number, n: number, classes: number, width: number, only?: number[]) {
  const r = rng(seed),
    protoR = rng(77);
  const protos = Array.from({ length: classes }, () => Float32Array.from({ length: width }, () => protoR() * 2 - 1));
  const xs: Float32Array[] = [],
    ys: number[] = [];
  while (xs.length < n) {
    const y = Math.floor(r() * classes);
    if (only && !only.includes(y)) continue;
    xs.push(Float32Array.from(protos[y]!, (p) => p + 0.5 * (r() + r() + r() - 1.5)));
    ys.push(y);
  }
  return { xs, ys };
}

/** An MLP's samples seen and parameters (every W_l and b_l, padding included), from save() as the format documents them. */
function mlp(l: Learner) {
  const { state } = decodeSnapshot(l.save());
  const buf = state.buffer.slice(state.byteOffset, state.byteOffset + state.length);
  return { samples: new Float64Array(buf, 16, 1)[0]!, params: new Float32Array(buf, 32) };
}

const FA = { inputs: 6, hidden: [5], classes: 3, seed: 3, learningRate: 0.05 };

describe("exact merge (continual)", () => {
  it("disjoint streams merged equal one learner on all of them, in any order, up to float rounding", () => {
    const streams = [data(1, 150, 4, 8, [0, 1]), data(2, 90, 4, 8, [2]), data(3, 120, 4, 8, [3, 1])];
    const parts = streams.map((s) => {
      const l = engram.continual({ inputs: 8, classes: 4 });
      s.xs.forEach((x, i) => l.learn(x, s.ys[i]!));
      return l;
    });
    const all = engram.continual({ inputs: 8, classes: 4 });
    streams.forEach((s) => s.xs.forEach((x, i) => all.learn(x, s.ys[i]!)));
    const before = parts.map((p) => p.save());
    const merged = engram.merge(parts) as Continual,
      reversed = engram.merge([parts[2]!, parts[0]!, parts[1]!]) as Continual;
    parts.forEach((p, i) => expect(p.save()).toEqual(before[i])); // inputs unchanged
    expect(merged.kind).toBe("continual");
    expect(merged.samples).toBe(360);
    expect(merged.classesSeen).toEqual([0, 1, 2, 3]);
    const probes = data(9, 40, 4, 8).xs;
    for (const x of probes) {
      const pm = merged.scores(x),
        pr = reversed.scores(x),
        pa = all.scores(x);
      pm.forEach((v, c) => {
        expect(Math.abs(v - pa[c]!)).toBeLessThan(1e-3);
        expect(Math.abs(v - pr[c]!)).toBeLessThan(1e-3);
      });
      expect(merged.predict(x)).toBe(all.predict(x));
    }
    // associative: (a + b) + c = a + (b + c), up to rounding
    const ab = engram.merge([parts[0]!, parts[1]!]),
      bc = engram.merge([parts[1]!, parts[2]!]);
    const left = engram.merge([ab, parts[2]!]) as Continual,
      right = engram.merge([parts[0]!, bc]) as Continual;
    for (const x of probes)
      left.scores(x).forEach((v, c) => expect(Math.abs(v - right.scores(x)[c]!)).toBeLessThan(1e-3));
    // an empty learner is the identity
    const empty = engram.continual({ inputs: 8, classes: 4 });
    const same = engram.merge([merged, empty]) as Continual;
    expect(same.samples).toBe(360);
    for (const x of probes) same.scores(x).forEach((v, c) => expect(v).toBe(merged.scores(x)[c]));
    expectCode(() => engram.merge(parts, { weights: [1, 2, 3] }), "E_CONFIG");
    for (const l of [...parts, all, merged, reversed, ab, bc, left, right, empty, same]) l.dispose();
  });
});

describe("federated averaging (feedbackAlignment, perturbation)", () => {
  const trained = (seed: number, n: number, kind: "fa" | "dfa" = "dfa") => {
    const l = engram.feedbackAlignment({ ...FA, mode: kind });
    const { xs, ys } = data(seed, n, 3, 6);
    xs.forEach((x, i) => l.learn(x, ys[i]!));
    return l;
  };

  it("θ = Σ_j (n_j / n) θ_j by default, and Σ_j (w_j / Σ w) θ_j with weights: a float64 reference", () => {
    const ls = [trained(1, 30), trained(2, 10), trained(3, 60)];
    const ps = ls.map(mlp);
    for (const weights of [undefined, [1, 0, 3], [0.2, 5, 1]]) {
      const w = weights ?? ps.map((p) => p.samples);
      const total = w.reduce((a, b) => a + b, 0);
      const m = engram.merge(ls, weights ? { weights } : undefined);
      const got = mlp(m);
      expect(got.samples).toBe(100);
      let scale = 0;
      got.params.forEach((v, i) => {
        const ref = ps.reduce((s, p, j) => s + (w[j]! / total) * p.params[i]!, 0);
        scale = Math.max(scale, Math.abs(ref));
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(
          4 * 2 ** -24 * ps.reduce((s, p) => s + Math.abs(p.params[i]!), 0) + 1e-30,
        );
      });
      expect(scale).toBeGreaterThan(0.1);
      m.dispose();
    }
    ls.forEach((l) => l.dispose());
  });

  it("merge algebra: one weight 1 gives that learner's parameters bit for bit; an untrained learner adds nothing; order changes only rounding; copies of one learner merge into it", () => {
    const a = trained(4, 40),
      b = trained(5, 25, "dfa"),
      empty = engram.feedbackAlignment({ ...FA, mode: "dfa" });
    const pa = mlp(a).params;
    expect(mlp(engram.merge([a, b], { weights: [1, 0] })).params).toEqual(pa);
    expect(mlp(engram.merge([empty, a])).params).toEqual(pa); // empty has seen 0 samples: weight 0
    const ab = mlp(engram.merge([a, b])).params,
      ba = mlp(engram.merge([b, a])).params;
    ab.forEach((v, i) =>
      expect(Math.abs(v - ba[i]!)).toBeLessThanOrEqual(2 ** -22 * (Math.abs(pa[i]!) + Math.abs(mlp(b).params[i]!))),
    );
    const copy = engram.restore(a.save());
    const twice = engram.merge([a, copy]) as FeedbackAlignment;
    expect(mlp(twice).params).toEqual(pa); // ½θ + ½θ = θ exactly in binary floating point
    expect(mlp(twice).samples).toBe(80);
    const probe = data(6, 1, 3, 6).xs[0]!;
    expect(twice.predict(probe)).toBe(a.predict(probe));
    // the merged learner goes on learning
    expect(Number.isFinite(twice.learn(probe, 1).loss)).toBe(true);
  });

  it("node perturbation merges the same way", () => {
    const mk = (seed: number) => {
      const l = engram.perturbation({ inputs: 6, hidden: [4], classes: 3, seed: 2 });
      const { xs, ys } = data(seed, 20, 3, 6);
      xs.forEach((x, i) => l.learn(x, ys[i]!));
      return l;
    };
    const a = mk(1),
      b = mk(2);
    const m = engram.merge([a, b], { weights: [1, 1] });
    const [pa, pb, pm] = [a, b, m].map((l) => mlp(l).params);
    pm!.forEach((v, i) =>
      expect(Math.abs(v - 0.5 * (pa![i]! + pb![i]!))).toBeLessThanOrEqual(
        2 ** -23 * (Math.abs(pa![i]!) + Math.abs(pb![i]!)),
      ),
    );
  });

  it("refuses different kinds, configs, engines, kinds it cannot merge, bad weights and bad lists, and creates nothing", async () => {
    const a = trained(7, 5);
    const before = engram.memoryBytes;
    const other = await loadEngram();
    const cases: [unknown, unknown?][] = [
      [[a, engram.feedbackAlignment({ ...FA, mode: "dfa", seed: 4 })]],
      [[a, engram.feedbackAlignment({ ...FA, mode: "fa" })]],
      [[a, engram.continual({ inputs: 6, classes: 3 })]],
      [[a, other.feedbackAlignment({ ...FA, mode: "dfa" })]],
      [[a, engram.forwardForward({ inputs: 6, hidden: [8], classes: 3 })]],
      [[a, a]],
      [[]],
      ["not a list"],
      [[a, {}]],
      [[a], { weights: [-1] }],
      [[a], { weights: [0] }],
      [[a], { weight: [1] }],
    ];
    for (const [list, options] of cases)
      expectCode(() => engram.merge(list as Learner[], options as never), "E_CONFIG");
    expectCode(() => engram.merge([a], { weights: [1, 2] }), "E_SHAPE");
    expectCode(() => engram.merge([a], { weights: [NaN] }), "E_NONFINITE");
    expect(engram.memoryBytes).toBe(before);
  });
});
