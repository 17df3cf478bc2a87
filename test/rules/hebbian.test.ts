// One step of every Hebbian rule against its published equation, written here in
// float64 from the learner's weights before the step (assembly/rules/ holds the
// rules; the equations and papers are in their headers). Convergence tests
// (test/learners/hebbian.test.ts) catch a rule that stops learning; these catch
// a rule that is wrong but still learns.
import { describe, it } from "vitest";
import type { HebbianOptions } from "../../src/index.js";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { argmax, dot, expectStep, matvec, rows, softmax, type Mat } from "./reference.js";

const engram = await loadEngram();
const N = 6,
  K = 5; // N % 4 ≠ 0: every kernel's scalar tail runs too

/** A rule's step in float64: returns the new W; `state` carries what the rule keeps (BCM's θ). */
type Rule = (W: Mat, x: number[], state: Record<string, number[]>) => Mat;

const axpyRow = (w: number[], a: number, v: number[]): number[] => w.map((wj, j) => wj + a * v[j]!);

/** Oja 1982: Δw_i = η y_i (x − y_i w_i), y = W x. */
const oja =
  (eta: number): Rule =>
  (W, x) => {
    const y = matvec(W, x);
    return W.map((w, i) => w.map((wj, j) => wj + eta * y[i]! * (x[j]! - y[i]! * wj)));
  };

/** Hebb with renormalisation: w_i ← (w_i + η y_i x) / ‖w_i + η y_i x‖. */
const hebb =
  (eta: number): Rule =>
  (W, x) => {
    const y = matvec(W, x);
    return W.map((w, i) => {
      const v = axpyRow(w, eta * y[i]!, x);
      const n = Math.sqrt(dot(v, v));
      return v.map((e) => e / n);
    });
  };

/** Sanger 1989 (GHA): Δw_i = η y_i (x − Σ_{k≤i} y_k w_k), all from the old W. */
const sanger =
  (eta: number): Rule =>
  (W, x) => {
    const y = matvec(W, x);
    return W.map((w, i) => {
      const r = x.map((xj, j) => xj - W.slice(0, i + 1).reduce((s, wk, k) => s + y[k]! * wk[j]!, 0));
      return axpyRow(w, eta * y[i]!, r);
    });
  };

/** BCM 1982: Δw_i = η y_i (y_i − θ_i) x, then θ_i ← θ_i + ρ (y_i² − θ_i). */
const bcm =
  (eta: number, rho: number): Rule =>
  (W, x, s) => {
    const y = matvec(W, x);
    const theta = (s["theta"] ??= W.map(() => 0));
    const next = W.map((w, i) => axpyRow(w, eta * y[i]! * (y[i]! - theta[i]!), x));
    s["theta"] = theta.map((t, i) => t + rho * (y[i]! ** 2 - t));
    return next;
  };

/**
 * Krotov & Hopfield 2019: currents I_i = Σ_j sgn(w_ij)|w_ij|^{p−1} x_j; the unit with the
 * largest I gets g = 1, the k-th largest g = −Δ; Δw_i = g_i (x − I_i w_i), and both rows'
 * steps are scaled jointly so that the largest |Δw_ij| is η.
 */
const krotov =
  (eta: number, p: number, k: number, delta: number): Rule =>
  (W, x) => {
    const I = W.map((w) => w.reduce((s, wj, j) => s + Math.sign(wj) * Math.abs(wj) ** (p - 1) * x[j]!, 0));
    const order = I.map((_, i) => i).sort((a, b) => I[b]! - I[a]! || a - b);
    const g = W.map(() => 0);
    g[order[0]!] = 1;
    g[order[k - 1]!] = -delta;
    const ds = W.map((w, i) => w.map((wj, j) => g[i]! * (x[j]! - I[i]! * wj)));
    const m = Math.max(...ds.flat().map(Math.abs));
    return W.map((w, i) => w.map((wj, j) => wj + (eta / m) * ds[i]![j]!));
  };

/**
 * SoftHebb (Journé et al. 2023): y = softmax(u/τ), u = W x; post factor +y_i for the winner,
 * −y_i for the others (units with y_i < 1e-4 skip the step); Δw_i = η a_i (x − u_i w_i) / m,
 * m the largest |a_i (x_j − u_i w_ij)|.
 */
const softhebb =
  (eta: number, tau: number): Rule =>
  (W, x) => {
    const u = matvec(W, x);
    const y = softmax(u.map((v) => v / tau));
    const win = argmax(u);
    const a = y.map((yi, i) => (yi < 1e-4 ? 0 : i === win ? yi : -yi));
    const ds = W.map((w, i) => w.map((wj, j) => a[i]! * (x[j]! - u[i]! * wj)));
    const m = Math.max(...ds.flat().map(Math.abs));
    return W.map((w, i) => w.map((wj, j) => wj + (eta / m) * ds[i]![j]!));
  };

function checkSteps(
  name: string,
  options: Omit<HebbianOptions, "inputs" | "outputs">,
  rule: Rule,
  steps = 8,
  scale = 1,
): void {
  const l = engram.hebbian({ inputs: N, outputs: K, ...options });
  const r = rng(17);
  const state: Record<string, number[]> = {};
  for (let t = 0; t < steps; t++) {
    const x = Array.from({ length: N }, () => Math.fround((r() * 2 - 1) * scale));
    const before = l.weights();
    l.learn(Float32Array.from(x));
    const ref = rule(rows(before, K, N), x, state).flat();
    expectStep(`${name} step ${t}`, before, l.weights(), ref);
  }
  l.dispose();
}

describe("one step of each Hebbian rule is its published equation (float64 reference)", () => {
  it("hebb: Δw_i = η y_i x, then ‖w_i‖ ← 1", () =>
    checkSteps("hebb", { rule: "hebb", learningRate: 0.1, seed: 3 }, hebb(0.1)));
  it("oja: Δw_i = η y_i (x − y_i w_i)", () => checkSteps("oja", { rule: "oja", learningRate: 0.1, seed: 3 }, oja(0.1)));
  it("sanger: Δw_i = η y_i (x − Σ_{k≤i} y_k w_k)", () =>
    checkSteps("sanger", { rule: "sanger", learningRate: 0.1, seed: 3 }, sanger(0.1)));
  it("bcm: Δw_i = η y_i (y_i − θ_i) x with θ_i ← θ_i + ρ (y_i² − θ_i), over steps (θ carried)", () =>
    checkSteps("bcm", { rule: "bcm", learningRate: 0.05, thetaRate: 0.3, seed: 3 }, bcm(0.05, 0.3), 12, 2));
  for (const [p, rank, delta] of [
    [3, 3, 0.4],
    [2, 2, 0.7],
    [4, 5, 0.4],
  ] as const) {
    it(`krotov p=${p}, k=${rank}, Δ=${delta}: the top unit learns, the k-th is pushed away, one joint normaliser`, () =>
      checkSteps(
        `krotov p=${p}`,
        { rule: "krotov", learningRate: 0.05, p, rank, delta, seed: 5 },
        krotov(0.05, p, rank, delta),
      ));
  }
  it("softhebb: ±softmax(u/τ)_i (x − u_i w_i), normalised by the largest change", () =>
    checkSteps(
      "softhebb",
      { rule: "softhebb", learningRate: 0.05, learningRateDecay: 0, temperature: 1, seed: 5 },
      softhebb(0.05, 1),
    ));
  it("softhebb with its rate schedule: step t uses η_t = η (f + (1 − f)/(1 + κ t)) (assembly/rules/schedule.ts)", () => {
    let t = 0;
    const [eta, k, f] = [0.05, 0.3, 0.25];
    checkSteps(
      "softhebb η_t",
      { rule: "softhebb", learningRate: eta, learningRateDecay: k, learningRateFloor: f, temperature: 1, seed: 5 },
      (W, x, s) => softhebb(eta * (f + (1 - f) / (1 + k * t++)), 1)(W, x, s),
      12,
    );
  });
});
