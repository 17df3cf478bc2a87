// Forward-Forward's layer step and each optimizer's first steps against the
// published equations in float64 (Hinton 2022; Kingma & Ba 2015 with bias
// correction; Shazeer & Stern 2018's factored second moment), from the
// learner's own state before each step (read through docs/snapshot-format.md).
// The negative label of each step is the one the learner reports.
import { describe, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { dot, expectStep, matvec, pad4, rows, sigmoid, stateF32, type Mat } from "./reference.js";

const engram = await loadEngram();
const C = 4,
  THETA = 2,
  B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-8;
type Optimizer = "sgd" | "adam" | "adafactor";

/** One block of parameters (W, U or b) with its optimizer state, as float64 copies. */
interface Block {
  w: number[];
  m: number[];
  v?: number[];
  r?: number[];
  c?: number[];
  rows: number;
  cols: number;
  at: number[];
}
interface Layer {
  W: Block;
  U?: Block;
  b: Block;
}

/** Reads every layer's blocks (offsets kept in `at`) from the state: docs/snapshot-format.md, forwardForward. */
function layers(
  s: Float32Array,
  sizes: number[],
  opt: Optimizer,
): { t: number; b1t: number; b2t: number; layers: Layer[]; peerAt: number } {
  const out: Layer[] = [];
  let o = 8;
  for (let k = 0; k + 1 < sizes.length; k++) {
    const n = sizes[k + 1]!,
      nin = sizes[k]!;
    const shapes: [string, number, number][] = [
      ["W", n, nin],
      ...(k === 0 ? [["U", C, n] as [string, number, number]] : []),
      ["b", 1, n],
    ];
    const pc = shapes.reduce((a, [, r, c]) => a + pad4(r * c), 0);
    const blocks: Record<string, Block> = {};
    let off = o;
    for (const [name, r, c] of shapes) {
      const len = r * c,
        sl = (p: number) => Array.from(s.subarray(p, p + len));
      blocks[name] = { w: sl(off), m: sl(off + pc), rows: r, cols: c, at: [off, off + pc] };
      if (opt === "adam") blocks[name]!.v = sl(off + 2 * pc);
      off += pad4(len);
    }
    if (opt === "adafactor") {
      let f = o + 2 * pc;
      blocks["W"]!.r = Array.from(s.subarray(f, f + n));
      f += pad4(n);
      blocks["W"]!.c = Array.from(s.subarray(f, f + nin));
      f += pad4(nin);
      if (k === 0) {
        blocks["U"]!.v = Array.from(s.subarray(f, f + C * n));
        f += pad4(C * n);
      }
      blocks["b"]!.v = Array.from(s.subarray(f, f + n));
    }
    out.push({ W: blocks["W"]!, U: blocks["U"], b: blocks["b"]! });
    o +=
      2 * pc +
      (opt === "adam" ? pc : opt === "adafactor" ? pad4(n) + pad4(nin) + (k === 0 ? pad4(C * n) : 0) + pad4(n) : 0);
  }
  const A = sizes.slice(1).reduce((a, b) => a + b, 0);
  const u = new Uint32Array(s.buffer, s.byteOffset, 8);
  return { t: u[4]!, b1t: s[5]!, b2t: s[6]!, layers: out, peerAt: o + pad4(C * A) + pad4(C) };
}

const relu = (z: number[]) => z.map((v) => Math.max(v, 0));
const goodness = (h: number[]) => dot(h, h) / h.length; // the mean of h² (the paper: the sum; docs/deviations.md)
const unit = (h: number[]) => {
  const n = Math.sqrt(dot(h, h));
  return h.map((v) => v / (n + 1e-6));
};

/**
 * Hinton 2022, one step of every layer: positive pass with the true label y, negative pass with ng;
 * G = mean h², L = softplus(θ − G⁺) + softplus(G⁻ − θ), δ = ∂L/∂z; the label enters layer 1 as the
 * one-hot λ e_y prepended to x, both scaled by 1/r (λ = ½ max(‖x‖, 1), r = √(‖x‖² + λ²));
 * each layer above sees the normalised activity of the one below. Peer normalisation (weight w):
 * a ← 0.9 a + 0.1 h⁺, δ⁺_i += w 0.2 (a_i − ā)/n. Returns each block's gradient.
 */
function gradients(
  net: Layer[],
  peer: number[][],
  w: number,
  x: number[],
  y: number,
  ng: number,
): { W: number[]; U?: number[]; b: number[] }[] {
  const xx = dot(x, x),
    lam = 0.5 * Math.max(Math.sqrt(xx), 1),
    r = Math.sqrt(xx + lam * lam),
    u = lam / r;
  let inP = x.map((v) => v / r),
    inN = inP;
  return net.map((l, k) => {
    const n = l.b.cols,
      Wm = rows(l.W.w, n, l.W.cols);
    const pre = (inp: number[], c: number) =>
      matvec(Wm, inp).map((v, i) => v + l.b.w[i]! + (k === 0 ? u * l.U!.w[c * n + i]! : 0));
    const hP = relu(pre(inP, y)),
      hN = relu(pre(inN, ng));
    const gP = goodness(hP),
      gN = goodness(hN);
    const dP = hP.map((h) => -sigmoid(THETA - gP) * (2 / n) * h),
      dN = hN.map((h) => sigmoid(gN - THETA) * (2 / n) * h);
    if (w > 0) {
      const a = peer[k]!.map((ai, i) => 0.9 * ai + 0.1 * hP[i]!);
      const mean = a.reduce((s, v) => s + v, 0) / n;
      for (let i = 0; i < n; i++) dP[i]! += ((w * 0.2) / n) * (a[i]! - mean);
      peer[k] = a;
    }
    const g = {
      W: Wm.flatMap((_, i) => inP.map((xj, j) => dP[i]! * xj + dN[i]! * inN[j]!)),
      U:
        k === 0
          ? Array.from(
              { length: C * n },
              (_, q) =>
                (Math.floor(q / n) === y ? u * dP[q % n]! : 0) + (Math.floor(q / n) === ng ? u * dN[q % n]! : 0),
            )
          : undefined,
      b: dP.map((d, i) => d + dN[i]!),
    };
    inP = unit(hP);
    inN = unit(hN);
    return g;
  });
}

/** SGD with momentum (Polyak 1964): u ← μ u + g, w ← w − η u. */
function sgd(b: Block, g: number[], eta: number, mu: number): void {
  b.m = b.m.map((u, i) => mu * u + g[i]!);
  b.w = b.w.map((w, i) => w - eta * b.m[i]!);
}

/** Adam (Kingma & Ba 2015, Alg. 1) at step t: bias-corrected m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ). */
function adam(b: Block, g: number[], eta: number, t: number): void {
  b.m = b.m.map((m, i) => B1 * m + (1 - B1) * g[i]!);
  b.v = b.v!.map((v, i) => B2 * v + (1 - B2) * g[i]! ** 2);
  b.w = b.w.map((w, i) => w - (eta * (b.m[i]! / (1 - B1 ** t))) / (Math.sqrt(b.v![i]! / (1 - B2 ** t)) + EPS));
}

/**
 * Factored Adam on W (Shazeer & Stern 2018, Alg. 4, with Adam's β1 and bias correction):
 * r_i ← β2 r_i + (1 − β2) Σ_j g²_ij, c_j ← β2 c_j + (1 − β2) Σ_i g²_ij, v̂_ij = r_i c_j / Σ r,
 * each factor of √v̂ floored at √ε̂ (ε̂ = ε √(1 − β2ᵗ)); w ← w − clip(η m̂ / √(v̂/(1 − β2ᵗ)), ±η (1 − β1)/√(1 − β2)).
 */
function factored(b: Block, g: number[], eta: number, t: number): void {
  const R = b.rows,
    Cn = b.cols;
  b.r = b.r!.map((r, i) => B2 * r + (1 - B2) * g.slice(i * Cn, (i + 1) * Cn).reduce((s, v) => s + v * v, 0));
  b.c = b.c!.map(
    (c, j) => B2 * c + (1 - B2) * Array.from({ length: R }, (_, i) => g[i * Cn + j]! ** 2).reduce((s, v) => s + v, 0),
  );
  const S = b.r.reduce((s, v) => s + v, 0),
    q = S > 0 ? S ** 0.25 : Infinity;
  const se = Math.sqrt(EPS * Math.sqrt(1 - B2 ** t)),
    cap = (eta * (1 - B1)) / Math.sqrt(1 - B2);
  b.m = b.m.map((m, i) => B1 * m + (1 - B1) * g[i]!);
  b.w = b.w.map((w, q2) => {
    const i = Math.floor(q2 / Cn),
      j = q2 % Cn;
    const sqrtV =
      (Math.max(Math.sqrt(b.r![i]!) / q, se) * Math.max(Math.sqrt(b.c![j]!) / q, se)) / Math.sqrt(1 - B2 ** t);
    const s = (eta * (b.m[q2]! / (1 - B1 ** t))) / sqrtV;
    return w - Math.min(Math.max(s, -cap), cap);
  });
}

function check(sizes: number[], optimizer: Optimizer, peerNormalization: number, steps: number): void {
  const eta = optimizer === "sgd" ? 0.5 : 0.01,
    mu = 0.9;
  const l = engram.forwardForward({
    inputs: sizes[0]!,
    hidden: sizes.slice(1),
    classes: C,
    optimizer,
    learningRate: eta,
    momentum: mu,
    threshold: THETA,
    thresholdWarmup: 0, // the float64 reference uses θ and η from the first step
    learningRateDecay: 0,
    peerNormalization,
    negatives: "random",
    readout: false,
    seed: 4,
  });
  const r = rng(11);
  for (let s = 0; s < steps; s++) {
    const x = Array.from({ length: sizes[0]! }, () => Math.fround(r() * 2 - 0.5)),
      y = s % C;
    const before = stateF32(l.save());
    const st = layers(before, sizes, optimizer);
    const peer = st.layers.map((ly, k) =>
      Array.from(
        before.subarray(
          st.peerAt + sizes.slice(1, k + 1).reduce((a, n) => a + pad4(n), 0),
          st.peerAt + sizes.slice(1, k + 1).reduce((a, n) => a + pad4(n), 0) + ly.b.cols,
        ),
      ),
    );
    const ng = l.learn(Float32Array.from(x), y).negativeLabel;
    expect(ng).not.toBe(y);
    const grads = gradients(st.layers, peer, peerNormalization, x, y, ng);
    const t = st.t + 1;
    expect(Math.abs(st.b1t - B1 ** st.t)).toBeLessThan(1e-6); // β1ᵗ kept as a running product
    const after = stateF32(l.save());
    st.layers.forEach((ly, k) => {
      const g = grads[k]!;
      for (const [name, blk, gb] of [
        ["W", ly.W, g.W],
        ["U", ly.U, g.U],
        ["b", ly.b, g.b],
      ] as const) {
        if (!blk || !gb) continue;
        const w0 = blk.w.slice(),
          m0 = blk.m.slice();
        if (optimizer === "sgd") sgd(blk, gb, eta, mu);
        else if (optimizer === "adam" || name !== "W") adam(blk, gb, eta, t);
        else factored(blk, gb, eta, t);
        const what = `${optimizer} step ${s + 1} layer ${k} ${name}`;
        expectStep(what, w0, after.subarray(blk.at[0]!, blk.at[0]! + w0.length), blk.w);
        expectStep(`${what} (first moment)`, m0, after.subarray(blk.at[1]!, blk.at[1]! + m0.length), blk.m);
      }
    });
  }
  l.dispose();
}

describe("Forward-Forward: one layer step and each optimizer's first steps are the published equations", () => {
  it("SGD with momentum: goodness loss, label input, peer normalisation; two layers", () =>
    check([7, 6, 5], "sgd", 0.1, 4));
  it("Adam's first steps with bias correction (m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ)); two layers", () =>
    check([7, 6, 5], "adam", 0, 4));
  it("factored Adam's first steps with bias correction; U and b by Adam", () => check([7, 6], "adafactor", 0, 4));
  it("factored Adam on two layers with peer normalisation", () => check([9, 6, 5], "adafactor", 0.1, 3));
});
