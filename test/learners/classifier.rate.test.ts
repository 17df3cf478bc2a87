// Classifier.learningRate and Classifier.samples (issue 15) on every supervised learner:
// a rate set on a live learner is the rate the next learn uses (the learner then saves
// exactly the bytes of one created with that rate), bad rates change nothing, samples
// counts learn/learnBatch/fit rows, and both survive save/restore, also of snapshots
// written by earlier versions (test/fixtures/snapshots).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Classifier, Engram } from "../../src/index.js";
import { expectCode, loadEngram } from "../helpers/engram.js";

const engram = await loadEngram();

/** Two classes in 6 dimensions from an integer LCG (no Math.random), values in [0, 1]. */
function data(n: number, seed: number): { xs: Float32Array[]; labels: number[]; flat: Float32Array } {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const xs: Float32Array[] = [],
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2,
      x = new Float32Array(6);
    for (let j = 0; j < 6; j++) x[j] = (j % 2 === c ? 0.7 : 0.1) + 0.3 * u();
    xs.push(x);
    labels.push(c);
  }
  const flat = new Float32Array(n * 6);
  xs.forEach((x, i) => flat.set(x, i * 6));
  return { xs, labels, flat };
}

/** kind, a maker taking the rate, a start rate, another valid rate, and the largest valid rate. */
const rated: [string, (e: Engram, rate: number) => Classifier, number, number, number][] = [
  [
    "forwardForward",
    (e, r) => e.forwardForward({ inputs: 6, hidden: [8], classes: 2, learningRate: r }),
    0.01,
    0.03,
    100,
  ],
  [
    "forwardForward sgd",
    (e, r) => e.forwardForward({ inputs: 6, hidden: [8], classes: 2, optimizer: "sgd", learningRate: r }),
    6,
    2,
    100,
  ],
  [
    "feedbackAlignment",
    (e, r) => e.feedbackAlignment({ inputs: 6, hidden: [8], classes: 2, learningRate: r, learningRateDecay: 0.01 }),
    0.05,
    0.2,
    10,
  ],
  ["perturbation", (e, r) => e.perturbation({ inputs: 6, hidden: [8], classes: 2, learningRate: r }), 0.05, 0.2, 10],
  [
    "hebbian",
    (e, r) => e.hebbian({ inputs: 6, outputs: 4, rule: "oja", learningRate: r, readout: { classes: 2 } }),
    0.01,
    0.05,
    10,
  ],
  [
    "spiking",
    (e, r) => e.spiking({ inputs: 6, neurons: 4, classes: 2, learningRate: r, presentationTime: 20, restTime: 5 }),
    0.01,
    0.1,
    1,
  ],
];

/** The same training on any learner: one learn, one 3-row learnBatch, a 4-sample fit over 2 epochs (12 samples). */
async function train(net: Classifier, d: ReturnType<typeof data>): Promise<void> {
  net.learn(d.xs[0]!, d.labels[0]!);
  net.learnBatch(d.flat.subarray(6, 24), d.labels.slice(1, 4));
  await net.fit(d.xs.slice(4, 8), d.labels.slice(4, 8), { epochs: 2, seed: 5 });
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe.each(rated)("%s: learningRate and samples", (_, make, start, other, max) => {
  const d = data(8, 3);

  it("a rate set before learning gives the bits (save()) of a learner created with it; the old rate does not", async () => {
    const set = make(engram, start),
      created = make(engram, other),
      kept = make(engram, start);
    expect(set.learningRate).toBe(start);
    set.learningRate = other;
    expect(set.learningRate).toBeCloseTo(other, 6);
    for (const net of [set, created, kept]) await train(net, d);
    expect(same(set.save(), created.save())).toBe(true);
    expect(same(kept.save(), created.save())).toBe(false); // the rate matters, so the check above can fail
    for (const net of [set, created, kept]) net.dispose();
  });

  it("a rate set mid-stream is what the next steps use, and a snapshot taken later keeps it", async () => {
    const a = make(engram, start),
      b = make(engram, start);
    await train(a, d);
    await train(b, d);
    a.learningRate = other;
    // b: the same learner, saved and restored, with the rate set after the restore
    const b2 = engram.restore(b.save()) as Classifier;
    b2.learningRate = other;
    for (const net of [a, b2]) net.learnBatch(d.flat, d.labels);
    expect(same(a.save(), b2.save())).toBe(true);
    const back = engram.restore(a.save()) as Classifier;
    expect(back.learningRate).toBeCloseTo(other, 6);
    expect(back.samples).toBe(20);
    // and it continues as a does
    a.learn(d.xs[2]!, 0);
    back.learn(d.xs[2]!, 0);
    expect(same(a.save(), back.save())).toBe(true);
    for (const net of [a, b, b2, back]) net.dispose();
  });

  it("a rate that is not a finite number in the learner's range throws E_CONFIG and changes nothing", async () => {
    const net = make(engram, start);
    await train(net, d);
    const before = net.save();
    for (const bad of [0, -1, max * 1.01, NaN, Infinity, "0.1", undefined, null])
      expectCode(() => ((net as { learningRate: unknown }).learningRate = bad), "E_CONFIG");
    expect(net.learningRate).toBe(start);
    expect(same(net.save(), before)).toBe(true);
    net.learningRate = max; // the top of the range is accepted
    expect(net.learningRate).toBeCloseTo(max, 5);
    net.dispose();
    expectCode(() => net.learningRate, "E_DISPOSED");
    expectCode(() => (net.learningRate = start), "E_DISPOSED");
    expectCode(() => net.samples, "E_DISPOSED");
  });

  it("samples counts every learn, learnBatch row and fit step, and survives save/restore", async () => {
    const net = make(engram, start);
    expect(net.samples).toBe(0);
    net.learn(d.xs[0]!, d.labels[0]!);
    expect(net.samples).toBe(1);
    net.learnBatch(d.flat.subarray(6, 24), d.labels.slice(1, 4));
    expect(net.samples).toBe(4);
    await net.fit(d.xs.slice(4, 8), d.labels.slice(4, 8), { epochs: 2, seed: 5 });
    expect(net.samples).toBe(12);
    const back = engram.restore(net.save()) as Classifier;
    expect(back.samples).toBe(12);
    back.learn(d.xs[1]!, d.labels[1]!);
    expect([net.samples, back.samples]).toEqual([12, 13]);
    net.dispose();
    back.dispose();
  });
});

describe("continual: no step size", () => {
  it("learningRate is undefined and setting it throws E_CONFIG, changing nothing; samples counts and is saved", async () => {
    const d = data(8, 4);
    const net = engram.continual({ inputs: 6, classes: 2 });
    await train(net, d);
    expect(net.learningRate).toBeUndefined();
    const before = net.save();
    expectCode(() => (net.learningRate = 0.1), "E_CONFIG");
    expect(same(net.save(), before)).toBe(true);
    expect(net.samples).toBe(12);
    const back = engram.restore(before, "continual");
    expect(back.samples).toBe(12);
    expect(back.learningRate).toBeUndefined();
    net.dispose();
    back.dispose();
  });
});

describe("snapshots written by earlier versions", () => {
  const root = fileURLToPath(new URL("../fixtures/snapshots/", import.meta.url));
  const files = readdirSync(root).flatMap((v) =>
    readdirSync(`${root}${v}`)
      .filter((f) => f.endsWith(".engram"))
      .map((f) => `${v}/${f.slice(0, -".engram".length)}`),
  );
  it.each(files)("%s restores with its saved learning rate and a sample count; a new rate takes effect", (name) => {
    const bytes = new Uint8Array(readFileSync(`${root}${name}.engram`));
    const { config } = JSON.parse(readFileSync(`${root}${name}.json`, "utf8")) as {
      config: { learningRate?: number };
    };
    const net = engram.restore(bytes);
    if (!("samples" in net) || !("evaluate" in net)) return net.dispose(); // not a Classifier (eprop, rewardModulated)
    const c = net as Classifier;
    expect(c.learningRate).toBe(net.kind === "continual" ? undefined : config.learningRate);
    expect(Number.isInteger(c.samples) && c.samples >= 0).toBe(true);
    if (net.kind !== "continual") {
      const x = new Float32Array(c.inputs).fill(0.5);
      const twin = engram.restore(bytes) as Classifier;
      c.learningRate = (config.learningRate ?? 1) / 2;
      const n = c.samples;
      const step = (l: Classifier) =>
        l.classes ? l.learn(x, 1 % l.classes) : (l as unknown as { learn(x: Float32Array): number }).learn(x);
      step(c);
      step(twin);
      expect(c.samples).toBe(n + 1);
      expect(same(c.save(), twin.save())).toBe(false);
      twin.dispose();
    }
    net.dispose();
  });
});
