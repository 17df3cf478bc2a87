// Forward-Forward on a class-ordered stream (classes arrive task by task, as in Split
// MNIST class-incremental): it may forget old classes, but it must keep learning the new
// ones. Before negatives were restricted to labels seen as positives, the labels of later
// classes were driven silent while serving as negatives, and at the second task every unit
// fell silent: every score tied and every input was predicted 0 (on this stream, at the
// third task).
import { describe, expect, it } from "vitest";
import type { Engram, ForwardForward } from "../../src/index.js";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";

const engram: Engram = await loadEngram();
const D = 64,
  CLASSES = 6;

/** Each class lights its own random third of the pixels; a sample is its prototype with noise and dropout. */
function blobs(labels: number[], seed: number): { xs: Float32Array[]; ys: number[] } {
  const proto = rng(77);
  const protos = Array.from({ length: CLASSES }, () =>
    Float32Array.from({ length: D }, () => (proto() < 0.3 ? 0.6 + 0.4 * proto() : 0)),
  );
  const r = rng(seed);
  const xs = labels.map((y) =>
    Float32Array.from(protos[y]!, (v) => Math.min(1, Math.max(0, (r() < 0.15 ? 0 : v) + 0.25 * r()))),
  );
  return { xs, ys: labels };
}

/** `n` labels of the classes in `task`, alternating in a seeded order. */
function taskLabels(task: number[], n: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => task[Math.floor(r() * task.length)]!);
}

const TASKS = [
  [0, 1],
  [2, 3],
  [4, 5],
];

describe("forwardForward on a class-ordered stream", () => {
  it("after each task predicts that task's classes on their held-out samples (no collapse to one class)", () => {
    const net: ForwardForward = engram.forwardForward({ inputs: D, hidden: [32, 32], classes: CLASSES, seed: 1 });
    TASKS.forEach((task, t) => {
      const train = blobs(taskLabels(task, 4000, 10 + t), 20 + t);
      train.xs.forEach((x, i) => net.learn(x, train.ys[i]!));
      const test = blobs(taskLabels(task, 200, 30 + t), 40 + t);
      const predicted = test.xs.map((x) => net.predict(x));
      const correct = predicted.filter((p, i) => p === test.ys[i]).length / predicted.length;
      expect(new Set(predicted).size, `after task ${t}: distinct predictions`).toBeGreaterThan(1);
      expect(correct, `after task ${t}: accuracy on its own classes`).toBeGreaterThanOrEqual(0.9);
    });
    net.dispose();
  });

  it('negatives "seen": a label is never a negative before it has been a positive; the first sample has none', () => {
    const net = engram.forwardForward({ inputs: D, hidden: [16], classes: CLASSES, seed: 2 });
    const stream = blobs([3, 3, 3, ...taskLabels([3, 5], 300, 5), ...taskLabels([0, 1, 2, 3, 4, 5], 300, 6)], 7);
    const seen = new Set<number>();
    const negatives: number[] = [];
    stream.xs.forEach((x, i) => {
      const y = stream.ys[i]!;
      seen.add(y);
      const n = net.learn(x, y).negativeLabel;
      if (seen.size === 1) expect(n).toBe(-1);
      else {
        expect(n).not.toBe(y);
        expect(seen.has(n), `sample ${i}: negative ${n} before it was seen`).toBe(true);
      }
      negatives.push(n);
    });
    expect(new Set(negatives.slice(-300)).size).toBe(CLASSES); // once all are seen, all serve
    net.dispose();
  });
});
