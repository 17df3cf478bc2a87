// The Classifier contract every supervised learner shares (src/classifier.ts):
// fit = learn over the samples in a seeded order, yielding to the event loop;
// evaluate = accuracy of predict; using/Symbol.dispose; the FinalizationRegistry net.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Classifier, Engram } from "../../src/index.js";
import { expectCode, loadEngram } from "../helpers/engram.js";

const engram = await loadEngram();

/** Two Gaussian-ish blobs in 6 dimensions, from an integer LCG (no Math.random). */
function blobs(n: number, seed: number): { xs: Float32Array[]; labels: number[] } {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const xs: Float32Array[] = [],
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2,
      x = new Float32Array(6);
    for (let j = 0; j < 6; j++) x[j] = (c ? 0.8 : -0.8) * (j % 2 ? 1 : -1) + (u() - 0.5);
    xs.push(x);
    labels.push(c);
  }
  return { xs, labels };
}

const makers: [string, (e: Engram) => Classifier][] = [
  ["forwardForward", (e) => e.forwardForward({ inputs: 6, hidden: [16], classes: 2, seed: 2 })],
  ["feedbackAlignment", (e) => e.feedbackAlignment({ inputs: 6, hidden: [16], classes: 2, learningRate: 0.05 })],
  ["perturbation", (e) => e.perturbation({ inputs: 6, hidden: [16], classes: 2, learningRate: 0.05 })],
  ["hebbian", (e) => e.hebbian({ inputs: 6, outputs: 8, rule: "oja", readout: { classes: 2 } })],
];

describe.each(makers)("%s as a Classifier", (_, make) => {
  const train = blobs(200, 1),
    test = blobs(100, 2);

  it("fit learns held-out data; evaluate counts predict's hits", async () => {
    const net = make(engram);
    const res = await net.fit(train.xs, train.labels, { epochs: 3 });
    expect(res).toMatchObject({ epochs: 3, steps: 600 });
    const ev = net.evaluate(test.xs, test.labels);
    let hits = 0;
    for (let i = 0; i < 100; i++) if (net.predict(test.xs[i]!) === test.labels[i]) hits++;
    expect(ev).toEqual({ accuracy: hits / 100, correct: hits, total: 100 });
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.9);
    const p = net.scores(test.xs[0]!);
    expect(p.every((v) => v >= 0)).toBe(true);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p.indexOf(Math.max(...p))).toBe(net.predict(test.xs[0]!));
    net.dispose();
  });

  it("fit equals learn over the same order: unshuffled, the same bits as a plain loop; a seed fixes the shuffled order", async () => {
    const a = make(engram),
      b = make(engram),
      c = make(engram),
      d = make(engram);
    await a.fit(train.xs, train.labels, { epochs: 2, shuffle: false });
    for (let e = 0; e < 2; e++) for (let i = 0; i < 200; i++) b.learn(train.xs[i]!, train.labels[i]!);
    expect(a.save()).toEqual(b.save());
    await c.fit(train.xs, train.labels, { seed: 9 });
    await d.fit(train.xs, train.labels, { seed: 9 });
    expect(c.save()).toEqual(d.save());
    expect(c.save()).not.toEqual(a.save());
    for (const l of [a, b, c, d]) l.dispose();
  });

  it("checks shapes, labels and options before the first step (nothing learned)", async () => {
    const net = make(engram);
    const before = net.save();
    await expect(net.fit(train.xs, train.labels.slice(1))).rejects.toMatchObject({ code: "E_SHAPE" });
    await expect(net.fit(train.xs, [...train.labels.slice(1), 7])).rejects.toMatchObject({ code: "E_LABEL" });
    await expect(net.fit([...train.xs.slice(1), new Float32Array(2)], train.labels)).rejects.toMatchObject({
      code: "E_SHAPE",
    });
    await expect(net.fit(train.xs, train.labels, { epochs: 0 })).rejects.toMatchObject({ code: "E_CONFIG" });
    await expect(net.fit(train.xs, train.labels, { yieldEvery: 1.5 })).rejects.toMatchObject({ code: "E_CONFIG" });
    expectCode(() => net.evaluate(train.xs, [1]), "E_SHAPE");
    expect(net.save()).toEqual(before);
    net.dispose();
  });

  it("yields to the event loop every yieldEvery samples and stops between samples on abort", async () => {
    const net = make(engram);
    const ctl = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const progress: number[] = [];
    const run = net.fit(train.xs, train.labels, {
      epochs: 50,
      yieldEvery: 10,
      signal: ctl.signal,
      onProgress: (p) => {
        progress.push(p.epoch * p.samples + p.sample);
        if (p.epoch === 1 && p.sample === 50) ctl.abort(new Error("stop"));
      },
    });
    await expect(run).rejects.toThrow("stop");
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0); // timers ran while fit was training
    expect(progress.at(-1)).toBe(250); // nothing after the abort
    net.dispose();
  });

  it("using disposes; Symbol.dispose is dispose", () => {
    const net = make(engram);
    net[Symbol.dispose]();
    expectCode(() => net.predict(train.xs[0]!), "E_DISPOSED");
  });
});

it("the FinalizationRegistry net frees a dropped learner's memory once it is collected (node --expose-gc)", () => {
  const script = fileURLToPath(new URL("./finalization.ts", import.meta.url));
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const out = execFileSync(process.execPath, ["--expose-gc", "scripts/ts.mjs", script], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  const r = JSON.parse(out.trim().split("\n").pop()!) as { disposed: number; dropped: number; baseline: number };
  // 200 learners of ~1 MB each (512·514 floats), dropped without dispose(): kept alive they would
  // need 200 MB; collected and freed by the net, their blocks are reused, so the engine stays
  // within a quarter of that (measured: 20 MiB against 1.3 MiB with dispose())
  const all = 200 * 512 * 514 * 4;
  expect(r.disposed).toBeLessThan(r.baseline + 8 * 2 ** 20);
  expect(r.dropped).toBeLessThan(all / 4);
});
