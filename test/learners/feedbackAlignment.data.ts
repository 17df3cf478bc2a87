// Data generated in the tests with a seeded generator (shared by the perceptron learners' tests).

import { rng } from "../helpers/rng.js";

export { rng };

/**
 * n points on concentric rings, class c at radius ≈ 0.5 + 0.7 c (± 0.2), not linearly
 * separable; `classes` rings (default 2).
 */
export function rings(n: number, seed: number, classes = 2): { xs: Float32Array; ys: number[] } {
  const r = rng(seed);
  const xs = new Float32Array(n * 2);
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    const radius = 0.5 + 0.7 * y + (r() - 0.5) * 0.4;
    const t = r() * 2 * Math.PI;
    xs[2 * i] = radius * Math.cos(t);
    xs[2 * i + 1] = radius * Math.sin(t);
    ys.push(y);
  }
  return { xs, ys };
}

type Classifier = { learn(x: Float32Array, y: number): unknown; predict(x: Float32Array): number };

export function train(net: Classifier, data: { xs: Float32Array; ys: number[] }, epochs: number, width: number): void {
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < data.ys.length; i++) net.learn(data.xs.subarray(i * width, (i + 1) * width), data.ys[i]!);
  }
}

export function accuracy(net: Classifier, data: { xs: Float32Array; ys: number[] }, width: number): number {
  let ok = 0;
  for (let i = 0; i < data.ys.length; i++)
    if (net.predict(data.xs.subarray(i * width, (i + 1) * width)) === data.ys[i]) ok++;
  return ok / data.ys.length;
}
