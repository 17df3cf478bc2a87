// engram.merge for forwardForward, hebbian, rewardModulated, eprop and spiking (issue 16):
// federated averaging against a float64 Σ_j α_j θ_j computed here from each learner's public
// weights (or the snapshot layout docs/snapshot-format.md documents), the spiking votes as
// exact sums, the merge algebra (merge(a) = a, an empty learner adds nothing, weights are
// honoured, order changes only rounding, exact sums are associative bit for bit) and what is
// reset (eligibility traces, e-prop's live state, optimizer state on request).
import { describe, expect, it } from "vitest";
import type { Learner } from "../../src/index.js";
import { decodeSnapshot } from "../../src/snapshot.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { make, train, descriptor, type AnyLearner } from "../robustness/learners.js";

const engram = await loadEngram();

/** The state block's bytes (docs/snapshot-format.md). */
function state(l: Learner): DataView {
  const { state } = decodeSnapshot(l.save());
  return new DataView(state.buffer, state.byteOffset, state.byteLength);
}
function f32s(l: Learner, from: number, count: number): Float32Array {
  const s = state(l);
  return Float32Array.from({ length: count }, (_, i) => s.getFloat32(from + 4 * i, true));
}

/** The averaged weights of each kind, read through its public API (or the documented state layout). */
const WEIGHTS: Record<string, (l: AnyLearner) => Float32Array> = {
  // layer 0's W (n₁ × d) right after the 32-byte head (assembly/learners/forwardForward.ts)
  forwardForward: (l) => f32s(l, 32, (l.config.hidden as number[])[0]! * (l.config.inputs as number)),
  hebbian: (l) => Float32Array.from([...l.weights(), ...l.thresholds()]),
  // W (actions × inputs) after [PRNG 16 B][r̄, pad]
  rewardModulated: (l) => f32s(l, 32, (l.config.actions as number) * (l.config.inputs as number)),
  eprop: (l) => {
    const w = l.weights();
    return Float32Array.from([...w.input, ...w.recurrent, ...w.output, ...w.bias]);
  },
  spiking: (l) => Float32Array.from([...l.weights(), ...l.thresholds()]),
};
/** Default weights are the samples seen, except for kinds that keep no count (equal). */
const COUNTS: Record<string, boolean> = {
  forwardForward: true,
  hebbian: true,
  rewardModulated: false,
  eprop: false,
  spiking: true,
};
const KINDS = Object.keys(WEIGHTS);
/** Over the robustness suite's small configs: spiking's presents long enough to spike and learn. */
const OVER: Record<string, Record<string, unknown>> = { spiking: { presentationTime: 100, maxRate: 2000 } };

function probes(kind: string, l: AnyLearner, n = 4): number[][] {
  const d = descriptor(kind),
    r = rng(99);
  const width = d.inputs(l.config as Record<string, unknown>);
  return Array.from({ length: n }, () =>
    d.probe(
      l,
      Float32Array.from({ length: width }, () => r() * 2 - 1),
    ),
  );
}
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe.each(KINDS)("merge %s", (kind) => {
  const trained = (steps: number, seed: number) => {
    const l = make(engram, kind, OVER[kind]);
    train(l, kind, steps, seed);
    return l;
  };

  it("θ = Σ_j α_j θ_j (α_j ∝ the samples seen, or equal for kinds that count none, or the weights given): a float64 reference", () => {
    const ls = [trained(6, 1), trained(2, 2), trained(9, 3)];
    const ws = ls.map(WEIGHTS[kind]!);
    for (const weights of [undefined, [1, 0, 3], [0.25, 5, 1]]) {
      const w = weights ?? (COUNTS[kind] ? [6, 2, 9] : [1, 1, 1]);
      const total = w.reduce((a, b) => a + b, 0);
      const m = engram.merge(ls, weights ? { weights } : undefined) as AnyLearner;
      expect(m.kind).toBe(kind);
      expect(m.config).toEqual(ls[0]!.config);
      const got = WEIGHTS[kind]!(m);
      let moved = 0;
      got.forEach((v, i) => {
        const ref = ws.reduce((s, p, j) => s + (w[j]! / total) * p[i]!, 0);
        const mag = ws.reduce((s, p) => s + Math.abs(p[i]!), 0);
        if (ws.some((p) => p[i] !== ws[0]![i])) moved++;
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(4 * 2 ** -24 * mag + 1e-30);
      });
      expect(moved).toBeGreaterThan(0); // the members differ: the test can fail
      m.dispose();
    }
    ls.forEach((l) => l.dispose());
  });

  it("merge([a]) behaves as a; an empty learner adds nothing; weights [1, 0] give the first; order changes only rounding", () => {
    const a = trained(7, 4),
      b = trained(5, 5),
      empty = make(engram, kind, OVER[kind]);
    const pa = probes(kind, a),
      wa = WEIGHTS[kind]!(a);
    const one = engram.merge([a]) as AnyLearner;
    expect(same(WEIGHTS[kind]!(one), wa)).toBe(true);
    expect(probes(kind, one)).toEqual(pa);
    // an empty (fresh) learner has seen nothing: weight 0 by default where samples are counted
    const withEmpty = engram.merge([empty, a], COUNTS[kind] ? undefined : { weights: [0, 1] }) as AnyLearner;
    expect(same(WEIGHTS[kind]!(withEmpty), wa)).toBe(true);
    expect(probes(kind, withEmpty)).toEqual(pa);
    const first = engram.merge([a, b], { weights: [1, 0] }) as AnyLearner;
    expect(same(WEIGHTS[kind]!(first), wa)).toBe(true);
    // copies of one learner merge into it (½θ + ½θ = θ exactly)
    const copy = engram.restore(a.save());
    const twice = engram.merge([a, copy], { weights: [1, 1] }) as AnyLearner;
    expect(same(WEIGHTS[kind]!(twice), wa)).toBe(true);
    // the order of the learners changes only float rounding
    const ab = WEIGHTS[kind]!(engram.merge([a, b]) as AnyLearner),
      ba = WEIGHTS[kind]!(engram.merge([b, a]) as AnyLearner),
      wb = WEIGHTS[kind]!(b);
    ab.forEach((v, i) =>
      expect(Math.abs(v - ba[i]!)).toBeLessThanOrEqual(2 ** -22 * (Math.abs(wa[i]!) + Math.abs(wb[i]!))),
    );
    // inputs unchanged, and the merged learner goes on learning
    expect(probes(kind, a)).toEqual(pa);
    train(twice, kind, 2, 8);
    expect(WEIGHTS[kind]!(twice).every(Number.isFinite)).toBe(true);
  });

  it("refuses another kind, another config and a bad optimizer option, and creates nothing", () => {
    const a = make(engram, kind);
    const other = KINDS.find((k) => k !== kind)!;
    const b = make(engram, other),
      c = make(engram, kind, { seed: 11 });
    const before = engram.memoryBytes;
    expect(expectCode(() => engram.merge([a, b]), "E_CONFIG").message).toMatch(/only one kind merges/);
    expect(expectCode(() => engram.merge([a, c]), "E_CONFIG").message).toMatch(
      /config differs from learners\[0\]'s in 'seed' \(11 vs /,
    );
    expectCode(() => engram.merge([a], { optimizer: "none" as never }), "E_CONFIG");
    expect(engram.memoryBytes).toBe(before);
    [a, b, c].forEach((l) => l.dispose());
  });
});

describe("what each kind adds, resets or carries over", () => {
  it("spiking: the label votes and class counts add exactly, associatively and in any order; samples add", () => {
    const o = { inputs: 6, neurons: 4, classes: 3, presentationTime: 20, maxRate: 400, seed: 3 };
    const r = rng(5);
    const ls = [0, 1, 2].map((c) => {
      const l = engram.spiking(o);
      for (let i = 0; i < 3 + c; i++)
        l.learn(
          Float32Array.from({ length: 6 }, () => r()),
          c,
        );
      return l;
    });
    // votes K̂ × C f64 after [32 B][W N×K̂][θ K̂] (assembly/learners/spiking.ts), then seen (C f64)
    const votes = (l: Learner) => {
      const s = state(l),
        at = 32 + 6 * 4 * 4 + 4 * 4;
      return Array.from({ length: 4 * 3 + 3 }, (_, i) => s.getFloat64(at + 8 * i, true));
    };
    const vs = ls.map(votes);
    expect(vs.flat().some((v) => v > 0)).toBe(true);
    const sum = vs[0]!.map((_, i) => vs[0]![i]! + vs[1]![i]! + vs[2]![i]!);
    const m = engram.merge(ls);
    expect(votes(m)).toEqual(sum);
    expect(votes(m).slice(12)).toEqual([3, 4, 5]); // samples per class
    expect((m as AnyLearner).samples).toBe(12);
    const left = engram.merge([engram.merge([ls[0]!, ls[1]!]), ls[2]!], { weights: [1, 1] }),
      right = engram.merge([ls[2]!, engram.merge([ls[1]!, ls[0]!])]);
    expect(votes(left)).toEqual(sum);
    expect(votes(right)).toEqual(sum);
  });

  it("rewardModulated: the baseline averages, the eligibility traces reset (a reward after the merge moves nothing but r̄)", () => {
    const mk = (seed: number) => {
      const l = engram.rewardModulated({ inputs: 4, actions: 3, seed, learningRate: 0.5 });
      const r = rng(seed);
      for (let i = 0; i < 5; i++) {
        l.act(Float32Array.from({ length: 4 }, () => r() * 2 - 1));
        l.reward(i % 2 ? 1 : -0.5);
      }
      l.act(Float32Array.from({ length: 4 }, () => r())); // a trace waiting for its reward
      return l;
    };
    const a = mk(3),
      b = engram.restore(mk(3).save()) as AnyLearner;
    b.reward(2); // b's baseline differs
    const m = engram.merge([a, b], { weights: [1, 3] }) as AnyLearner;
    expect(m.baseline).toBeCloseTo(0.25 * (a as AnyLearner).baseline + 0.75 * b.baseline, 6);
    const x = Float32Array.from([0.3, -0.2, 0.9, 0.1]);
    const before = m.scores(x);
    m.reward(5);
    expect(m.scores(x)).toEqual(before); // E = 0: no action of the merged policy to credit
    const ra = engram.restore(a.save()) as AnyLearner;
    ra.reward(5);
    expect(ra.scores(x)).not.toEqual(a.scores(x)); // a's own trace would have moved it
  });

  it("eprop: a member mid-sequence (streaming step) merges into a network at rest; the member is unchanged", () => {
    const o = { inputs: 3, hidden: 4, outputs: 2, seed: 3 };
    const a = engram.eprop(o),
      b = engram.eprop(o);
    const r = rng(2);
    const seq = (T: number) => Float32Array.from({ length: T * 3 }, () => r());
    a.learn(seq(6), 1);
    b.learn(seq(5), 0);
    for (let t = 0; t < 4; t++) a.step(Float32Array.from([5, 5, 5]));
    const snap = a.save();
    const m = engram.merge([a, b]) as AnyLearner;
    const rest = engram.eprop(o) as AnyLearner;
    const internals = m.internals(),
      fresh = rest.internals();
    for (const k of Object.keys(fresh)) if (k !== "rates") expect([k, internals[k]]).toEqual([k, fresh[k]]);
    expect(a.save()).toEqual(snap);
  });

  it("forwardForward and eprop: optimizer 'average' keeps the averaged moments, 'reset' (the default) starts them at zero", () => {
    for (const kind of ["forwardForward", "eprop"]) {
      const a = make(engram, kind),
        b = make(engram, kind);
      train(a, kind, 4, 1);
      train(b, kind, 3, 2);
      const avg = engram.merge([a, b], { optimizer: "average" }),
        reset = engram.merge([a, b]);
      const fresh = make(engram, kind);
      // the averaged weights are the same either way; the state differs (the moments)
      expect(same(WEIGHTS[kind]!(avg as AnyLearner), WEIGHTS[kind]!(reset as AnyLearner))).toBe(true);
      expect(avg.save()).not.toEqual(reset.save());
      // β1ᵗ, β2ᵗ (f32 at byte 20 of FF's head, 20 of e-prop's counters) restart at 1
      expect(state(reset).getFloat32(20, true)).toBe(state(fresh).getFloat32(20, true));
      expect(state(avg).getFloat32(20, true)).toBeLessThan(1);
    }
  });
});
