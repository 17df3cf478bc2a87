// Float64 gradient estimators for the variance study (issue #21): the exact backprop
// gradient of a small MLP and the updates of the gradient-free rules, written from their
// papers' equations, so that bench/variance.ts measures them and test/variance*.test.ts
// checks that these same functions estimate what they claim to.
//
// Network (bias-free, so that every estimator covers the same parameters):
//   a_l = W_l h_{l−1},  h_l = tanh(a_l) for the hidden layers l = 1 … L−1,  h_0 = x
//   p = softmax(a_L),  loss ℓ = −log p_y,  batch loss L = (1/B) Σ_b ℓ_b
//   δ_l = ∂ℓ/∂a_l:  δ_L = p − onehot(y),  δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ (1 − h_l²)
//   g_l = ∂L/∂W_l = (1/B) Σ_b δ_{l,b} h_{l−1,b}ᵀ                         (the reference)
// Every estimate below covers the hidden layers' weights W_1 … W_{L−1} only: the output
// layer's gradient δ_L h_{L−1}ᵀ is local (its own error times its input) and every
// learner in Engram uses it exactly, so it is left out of the comparison.
//
// Estimators (ξ ~ N(0, I) drawn fresh per draw; σ the perturbation size):
//   weight perturbation  ĝ = (L(W + σξ) − L(W)) / σ · ξ                   (one ξ per weight, batch loss)
//   node perturbation    ĝ_l = (1/B) Σ_b k_b ξ_{l,b} h_{l−1,b}ᵀ,  a_{l,b} → a_{l,b} + σ ξ_{l,b}
//                        one-sided k_b = (ℓ_b(+σξ) − ℓ_b) / σ,  antithetic k_b = (ℓ_b(+σξ) − ℓ_b(−σξ)) / (2σ)
//   three-factor         k_b = (ℓ_b(+σξ) − r̄) / σ, then r̄ ← r̄ + α (ℓ_b(+σξ) − r̄)    (REINFORCE with
//                        Gaussian units: ξ/σ is ∂ log π/∂a; α = 0 keeps r̄ = 0: no baseline)
//   feedback alignment   δ_l = (B_{l+1}ᵀ δ_{l+1}) ⊙ (1 − h_l²),  B fixed random          (no weight transport)
//   direct FA            δ_l = (D_lᵀ δ_L) ⊙ (1 − h_l²),  D_l fixed random (classes × n_l)
// Node perturbation and the three-factor rule use the clean presynaptic activity h_{l−1}
// (as the library's learner does); all hidden layers are perturbed at once. By Stein's
// lemma their expectation is E_ξ[δ_l(σξ)] h_{l−1}ᵀ, the node gradient of the Gaussian-
// smoothed loss (→ g as σ → 0); `smoothedNodeGradient` computes that projection directly.
//
// see: Williams 1992 (REINFORCE, Mach. Learn. 8:229); Werfel, Xie & Seung 2005 "Learning
//      curves for stochastic gradient descent in linear feedforward networks", Neural
//      Comput. 17:2699 (weight vs node perturbation); Fiete & Seung 2006 (PRL 97:048104);
//      Lillicrap et al. 2016 (Nat. Commun. 7:13276, FA); Nøkland 2016 (NeurIPS, DFA);
//      Hinton 2022 (arXiv:2212.13345, Forward-Forward).
//
// This is benchmark and test code: plain float64 JavaScript, never part of the library.

/** A stream of floats in [0, 1). */
export type Rand = () => number;

/** Standard normal draws from a uniform stream (Box–Muller, both values used). */
export function normal(rand: Rand): Rand {
  let spare = NaN;
  return () => {
    if (spare === spare) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - rand(),
      v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Fills a new array of n standard normal draws. */
export function gaussians(n: number, z: Rand): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = z();
  return v;
}

/** A bias-free tanh MLP: W[l] is (sizes[l+1] × sizes[l]) row-major; the last layer is the softmax output. */
export interface Net {
  sizes: number[];
  W: Float64Array[];
}

/** Weights ~ N(0, 1/fan_in) from `z`. */
export function initNet(sizes: number[], z: Rand): Net {
  const W: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = gaussians(sizes[l + 1]! * sizes[l]!, z);
    const s = 1 / Math.sqrt(sizes[l]!);
    for (let i = 0; i < w.length; i++) w[i]! *= s;
    W.push(w);
  }
  return { sizes, W };
}

/** A mini-batch: n inputs and their labels. */
export interface Batch {
  x: Float64Array[];
  y: number[];
}

/** Per-hidden-layer weight arrays: a gradient or an update of W_1 … W_{L−1}. */
export type Grad = Float64Array[];

/** out = W v, W is (rows × cols) row-major. */
function matvec(
  W: Float64Array,
  v: Float64Array,
  rows: number,
  cols: number,
  out = new Float64Array(rows),
): Float64Array {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += W[o + c]! * v[c]!;
    out[r] = s;
  }
  return out;
}

/** out = Wᵀ v, W is (rows × cols) row-major. */
function matvecT(W: Float64Array, v: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const k = v[r]!;
    if (k === 0) continue;
    for (let c = 0; c < cols; c++) out[c]! += k * W[o + c]!;
  }
  return out;
}

/** G += k · u vᵀ, G is (u.length × v.length). */
function addOuter(G: Float64Array, k: number, u: Float64Array, v: Float64Array): void {
  const cols = v.length;
  for (let r = 0, o = 0; r < u.length; r++, o += cols) {
    const a = k * u[r]!;
    if (a === 0) continue;
    for (let c = 0; c < cols; c++) G[o + c]! += a * v[c]!;
  }
}

/** −log softmax(a)_y, computed stably; writes p = softmax(a) into `p` when given. */
function crossEntropy(a: Float64Array, y: number, p?: Float64Array): number {
  let m = -Infinity;
  for (const v of a) m = Math.max(m, v);
  let s = 0;
  for (const v of a) s += Math.exp(v - m);
  if (p) for (let i = 0; i < a.length; i++) p[i] = Math.exp(a[i]! - m) / s;
  return Math.log(s) + m - a[y]!;
}

/** One sample's forward pass: pre-activations a[l] and activities h[l] (h[0] = x, h[L] = softmax). */
export interface Pass {
  a: Float64Array[];
  h: Float64Array[];
  loss: number;
}

/**
 * Forward pass of one sample. With `noise`, σ·noise[l] is added to the pre-activations of
 * hidden layer l (l = 0 … L−2); `first` reuses a clean first-layer pre-activation.
 */
export function forward(
  net: Net,
  x: Float64Array,
  y: number,
  noise?: Float64Array[],
  sigma = 0,
  first?: Float64Array,
  W = net.W,
): Pass {
  const L = W.length,
    s = net.sizes;
  const a: Float64Array[] = [],
    h: Float64Array[] = [x];
  for (let l = 0; l < L; l++) {
    const al = l === 0 && first ? Float64Array.from(first) : matvec(W[l]!, h[l]!, s[l + 1]!, s[l]!);
    if (noise && l < L - 1) for (let i = 0; i < al.length; i++) al[i]! += sigma * noise[l]![i]!;
    a.push(al);
    if (l < L - 1) h.push(al.map(Math.tanh));
  }
  const p = new Float64Array(s[L]!);
  const loss = crossEntropy(a[L - 1]!, y, p);
  h.push(p);
  return { a, h, loss };
}

/** Backprop deltas δ_l = ∂ℓ/∂a_l of one pass, for every layer (the last is p − onehot(y)). */
export function deltas(net: Net, pass: Pass, y: number): Float64Array[] {
  const L = net.W.length,
    s = net.sizes;
  const d: Float64Array[] = new Array(L);
  const out = Float64Array.from(pass.h[L]!);
  out[y]! -= 1;
  d[L - 1] = out;
  for (let l = L - 2; l >= 0; l--) {
    const back = matvecT(net.W[l + 1]!, d[l + 1]!, s[l + 2]!, s[l + 1]!);
    const h = pass.h[l + 1]!;
    for (let i = 0; i < back.length; i++) back[i]! *= 1 - h[i]! * h[i]!;
    d[l] = back;
  }
  return d;
}

/** A zero gradient shaped like the hidden layers' weights. */
export function zeroGrad(net: Net): Grad {
  return net.W.slice(0, -1).map((w) => new Float64Array(w.length));
}

/** Accumulates (k) Σ over layers of δ_l h_{l−1}ᵀ into G (hidden layers only). */
function addLayerOuters(G: Grad, k: number, d: Float64Array[], h: Float64Array[]): void {
  for (let l = 0; l < G.length; l++) addOuter(G[l]!, k, d[l]!, h[l]!);
}

/** Clean passes of a batch (reused by the estimators: the first layer is never recomputed). */
export function cleanPasses(net: Net, batch: Batch): Pass[] {
  return batch.x.map((x, b) => forward(net, x, batch.y[b]!));
}

/** Mean batch loss. */
export function batchLoss(net: Net, batch: Batch, W = net.W): number {
  let s = 0;
  for (let b = 0; b < batch.x.length; b++) s += forward(net, batch.x[b]!, batch.y[b]!, undefined, 0, undefined, W).loss;
  return s / batch.x.length;
}

/** The exact gradient g_l = ∂L/∂W_l of the batch loss, hidden layers (the reference). */
export function trueGradient(net: Net, batch: Batch, passes = cleanPasses(net, batch)): Grad {
  const G = zeroGrad(net),
    B = batch.x.length;
  passes.forEach((p, b) => addLayerOuters(G, 1 / B, deltas(net, p, batch.y[b]!), p.h));
  return G;
}

/** Per-sample node gradients δ_{l,b} (hidden layers), for the theory of node perturbation's variance. */
export function nodeGradients(net: Net, batch: Batch, passes: Pass[]): Float64Array[][] {
  return passes.map((p, b) => deltas(net, p, batch.y[b]!).slice(0, -1));
}

/** Hidden-layer noise vectors for one sample. */
function nodeNoise(net: Net, z: Rand): Float64Array[] {
  return net.sizes.slice(1, -1).map((n) => gaussians(n, z));
}

/** One weight-perturbation draw: ĝ = (L(W + σξ) − L(W)) / σ · ξ, ξ over every hidden weight. */
export function weightPerturbation(
  net: Net,
  batch: Batch,
  sigma: number,
  z: Rand,
  loss0 = batchLoss(net, batch),
): Grad {
  const L = net.W.length;
  const xi: Grad = net.W.slice(0, -1).map((w) => gaussians(w.length, z));
  const W = net.W.map((w, l) => (l < L - 1 ? w.map((v, i) => v + sigma * xi[l]![i]!) : w));
  const k = (batchLoss(net, batch, W) - loss0) / sigma;
  for (const g of xi) for (let i = 0; i < g.length; i++) g[i]! *= k;
  return xi;
}

/** How node perturbation turns the perturbed losses into the factor k_b. */
export type NodeMode = "one-sided" | "antithetic";

/** One node-perturbation draw over the batch (fresh ξ per sample and hidden layer). */
export function nodePerturbation(net: Net, batch: Batch, passes: Pass[], sigma: number, z: Rand, mode: NodeMode): Grad {
  const G = zeroGrad(net),
    B = batch.x.length;
  passes.forEach((p, b) => {
    const xi = nodeNoise(net, z),
      y = batch.y[b]!;
    const plus = forward(net, p.h[0]!, y, xi, sigma, p.a[0]).loss;
    const k =
      mode === "antithetic"
        ? (plus - forward(net, p.h[0]!, y, xi, -sigma, p.a[0]).loss) / (2 * sigma)
        : (plus - p.loss) / sigma;
    addLayerOuters(G, k / B, xi, p.h);
  });
  return G;
}

/** The running reward baseline r̄ of the three-factor rule (here a running mean of the loss); rate α = 0: none. */
export interface Baseline {
  value: number;
  rate: number;
}

/** One three-factor (REINFORCE) draw: k_b = (ℓ_b(+σξ) − r̄)/σ, the baseline updated after each sample. */
export function threeFactor(net: Net, batch: Batch, passes: Pass[], sigma: number, z: Rand, baseline: Baseline): Grad {
  const G = zeroGrad(net),
    B = batch.x.length;
  passes.forEach((p, b) => {
    const xi = nodeNoise(net, z);
    const loss = forward(net, p.h[0]!, batch.y[b]!, xi, sigma, p.a[0]).loss;
    addLayerOuters(G, (loss - baseline.value) / sigma / B, xi, p.h);
    baseline.value += baseline.rate * (loss - baseline.value);
  });
  return G;
}

/**
 * What node perturbation and the three-factor rule estimate at finite σ (Stein's lemma):
 * (1/B) Σ_b E_ξ[δ_{l,b}(σξ)] h_{l−1,b}ᵀ, the backprop deltas of perturbed passes averaged over
 * `draws` noise draws, times the clean presynaptic activity.
 */
export function smoothedNodeGradient(
  net: Net,
  batch: Batch,
  passes: Pass[],
  sigma: number,
  z: Rand,
  draws: number,
): Grad {
  const G = zeroGrad(net),
    B = batch.x.length;
  passes.forEach((p, b) => {
    for (let r = 0; r < draws; r++) {
      const y = batch.y[b]!;
      const noisy = forward(net, p.h[0]!, y, nodeNoise(net, z), sigma, p.a[0]);
      addLayerOuters(G, 1 / (B * draws), deltas(net, noisy, y), p.h);
    }
  });
  return G;
}

/** Fixed random feedback: FA's B_{l+1} (the shape of W_{l+1}) or DFA's D_l (classes × n_l), per hidden layer. */
export interface Feedback {
  mode: "fa" | "dfa";
  B: Float64Array[];
}

/** Feedback matrices ~ N(0, 1/rows) from `z` (their scale does not change any angle). */
export function randomFeedback(net: Net, mode: "fa" | "dfa", z: Rand): Feedback {
  const s = net.sizes,
    C = s[s.length - 1]!;
  const B = s.slice(1, -1).map((n, l) => {
    const rows = mode === "fa" ? s[l + 2]! : C;
    return gaussians(rows * n, z).map((v) => v / Math.sqrt(rows));
  });
  return { mode, B };
}

/** FA / DFA deltas of one pass (all layers; the output layer's is its own error). */
export function alignmentDeltas(net: Net, pass: Pass, y: number, fb: Feedback): Float64Array[] {
  const L = net.W.length,
    s = net.sizes,
    C = s[L]!;
  const d: Float64Array[] = new Array(L);
  const e = Float64Array.from(pass.h[L]!);
  e[y]! -= 1;
  d[L - 1] = e;
  for (let l = L - 2; l >= 0; l--) {
    const back =
      fb.mode === "fa" ? matvecT(fb.B[l]!, d[l + 1]!, s[l + 2]!, s[l + 1]!) : matvecT(fb.B[l]!, e, C, s[l + 1]!);
    const h = pass.h[l + 1]!;
    for (let i = 0; i < back.length; i++) back[i]! *= 1 - h[i]! * h[i]!;
    d[l] = back;
  }
  return d;
}

/** The FA / DFA update direction of the batch (hidden layers), the analogue of g. */
export function alignmentUpdate(net: Net, batch: Batch, fb: Feedback, passes = cleanPasses(net, batch)): Grad {
  const G = zeroGrad(net),
    B = batch.x.length;
  passes.forEach((p, b) => addLayerOuters(G, 1 / B, alignmentDeltas(net, p, batch.y[b]!, fb), p.h));
  return G;
}

/** One online SGD step on (x, y): W_l −= η δ_l h_{l−1}ᵀ with backprop deltas, or FA / DFA deltas given `fb`. */
export function trainStep(net: Net, x: Float64Array, y: number, eta: number, fb?: Feedback): number {
  const p = forward(net, x, y);
  const d = fb ? alignmentDeltas(net, p, y, fb) : deltas(net, p, y);
  for (let l = 0; l < net.W.length; l++) addOuter(net.W[l]!, -eta, d[l]!, p.h[l]!);
  return p.loss;
}

// ---- Forward-Forward ----------------------------------------------------------------
//   x̂_1 = [onehot(label), x] / ‖·‖,  z_l = W_l x̂_l,  h_l = relu(z_l),  x̂_{l+1} = h_l / ‖h_l‖
//   G_l = (1/n_l) Σ h_l²,  layer objective L_l = softplus(θ − G_l⁺) + softplus(G_l⁻ − θ)
//   FF's update of layer l: ∂L_l/∂W_l with x̂_l held fixed (δ = c (2/n) h, c = −σ(θ − G⁺) or σ(G⁻ − θ))
//   reference: ∂(Σ_k L_k)/∂W_l, through every layer above l (relu and the normalisation)

/** A Forward-Forward network: W[l] is (sizes[l+1] × sizes[l]); sizes[0] = classes + pixels. */
export interface FFNet {
  sizes: number[];
  W: Float64Array[];
  classes: number;
  theta: number;
}

const softplus = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The normalised input of layer 1 for (x, label). */
export function ffInput(x: Float64Array, label: number, classes: number): Float64Array {
  const v = new Float64Array(classes + x.length);
  v[label] = 1;
  v.set(x, classes);
  return unit(v);
}

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const t of v) s += t * t;
  const n = Math.sqrt(s);
  return n > 0 ? v.map((t) => t / n) : v.slice();
}

interface FFPass {
  xh: Float64Array[];
  h: Float64Array[];
  g: number[];
}

function ffForward(net: FFNet, input: Float64Array): FFPass {
  const xh = [input],
    h: Float64Array[] = [],
    g: number[] = [];
  for (let l = 0; l < net.W.length; l++) {
    const n = net.sizes[l + 1]!;
    const hl = matvec(net.W[l]!, xh[l]!, n, net.sizes[l]!).map((v) => (v > 0 ? v : 0));
    let s = 0;
    for (const v of hl) s += v * v;
    h.push(hl);
    g.push(s / n);
    xh.push(unit(hl));
  }
  return { xh, h, g };
}

/** The goodness G_l of every layer for one (normalised) input. */
export function ffGoodness(net: FFNet, input: Float64Array): number[] {
  return ffForward(net, input).g;
}

/** Σ_l L_l of one pass: positive passes push G above θ, negative ones below. */
export function ffObjective(net: FFNet, input: Float64Array, positive: boolean): number {
  return ffForward(net, input).g.reduce((s, g) => s + softplus(positive ? net.theta - g : g - net.theta), 0);
}

/** ∂L_l/∂z_l of one layer: c (2/n) h. */
function ffLayerDelta(net: FFNet, h: Float64Array, g: number, positive: boolean): Float64Array {
  const c = positive ? -sigmoid(net.theta - g) : sigmoid(g - net.theta);
  return h.map((v) => (c * 2 * v) / h.length);
}

/** Adds one pass's FF update (`local`) or full-objective gradient into G (scaled by k). */
function ffAccumulate(net: FFNet, G: Grad, input: Float64Array, positive: boolean, local: boolean, k: number): void {
  const p = ffForward(net, input);
  let gh: Float64Array | undefined; // ∂(Σ_{k>l} L_k)/∂h_l, from the layers above
  for (let l = net.W.length - 1; l >= 0; l--) {
    const dz = ffLayerDelta(net, p.h[l]!, p.g[l]!, positive);
    if (gh) for (let i = 0; i < dz.length; i++) if (p.h[l]![i]! > 0) dz[i]! += gh[i]!;
    addOuter(G[l]!, k, dz, p.xh[l]!);
    if (local || l === 0) continue;
    // back through x̂_l = h_{l−1}/‖h_{l−1}‖: ∂x̂/∂h = (I − x̂x̂ᵀ)/‖h‖
    const gx = matvecT(net.W[l]!, dz, net.sizes[l + 1]!, net.sizes[l]!);
    const xh = p.xh[l]!,
      hp = p.h[l - 1]!;
    let norm = 0,
      proj = 0;
    for (let i = 0; i < hp.length; i++) {
      norm += hp[i]! * hp[i]!;
      proj += xh[i]! * gx[i]!;
    }
    norm = Math.sqrt(norm);
    gh = gx.map((v, i) => (norm > 0 ? (v - xh[i]! * proj) / norm : 0));
  }
}

/**
 * FF's layer-local update (`local`) or the gradient of the summed objective Σ_l L_l (not
 * local) over a batch, each sample's negative pass with the wrong label `negatives[b]`.
 */
export function ffGradient(net: FFNet, batch: Batch, negatives: number[], local: boolean): Grad {
  const G = net.W.map((w) => new Float64Array(w.length)),
    B = batch.x.length;
  batch.x.forEach((x, b) => {
    ffAccumulate(net, G, ffInput(x, batch.y[b]!, net.classes), true, local, 1 / B);
    ffAccumulate(net, G, ffInput(x, negatives[b]!, net.classes), false, local, 1 / B);
  });
  return G;
}

/** The expectation over uniformly drawn wrong labels: the mean over all C − 1 of them. */
export function ffExpectedGradient(net: FFNet, batch: Batch, local: boolean): Grad {
  const G = net.W.map((w) => new Float64Array(w.length));
  for (let shift = 1; shift < net.classes; shift++) {
    const neg = batch.y.map((y) => (y + shift) % net.classes);
    const part = ffGradient(net, batch, neg, local);
    part.forEach((g, l) => g.forEach((v, i) => (G[l]![i]! += v / (net.classes - 1))));
  }
  return G;
}

/** A uniformly drawn wrong label for each sample. */
export function wrongLabels(y: number[], classes: number, rand: Rand): number[] {
  return y.map((t) => (t + 1 + Math.floor(rand() * (classes - 1))) % classes);
}

// ---- statistics ------------------------------------------------------------------

/** ⟨a, b⟩ over all layers (or one layer). */
export function dot(a: Grad, b: Grad, layer?: number): number {
  let s = 0;
  for (let l = 0; l < a.length; l++) {
    if (layer !== undefined && l !== layer) continue;
    const u = a[l]!,
      v = b[l]!;
    for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!;
  }
  return s;
}

/** Cosine between two updates, over all layers or one. */
export function cosine(a: Grad, b: Grad, layer?: number): number {
  const d = Math.sqrt(dot(a, a, layer) * dot(b, b, layer));
  return d > 0 ? dot(a, b, layer) / d : 0;
}

/** Streaming moments of R draws of an estimator against a reference gradient. */
export class Draws {
  readonly sum: Grad;
  readonly sumSq: Grad;
  count = 0;
  private cosSum = 0;
  private cosSqSum = 0;
  private normSqSum = 0;
  constructor(readonly ref: Grad) {
    this.sum = ref.map((g) => new Float64Array(g.length));
    this.sumSq = ref.map((g) => new Float64Array(g.length));
  }
  add(g: Grad): void {
    const c = cosine(g, this.ref);
    this.cosSum += c;
    this.cosSqSum += c * c;
    this.normSqSum += dot(g, g);
    g.forEach((u, l) => {
      const s = this.sum[l]!,
        q = this.sumSq[l]!;
      for (let i = 0; i < u.length; i++) {
        s[i]! += u[i]!;
        q[i]! += u[i]! * u[i]!;
      }
    });
    this.count++;
  }
  /** The mean of the draws so far. */
  mean(): Grad {
    return this.sum.map((s) => s.map((v) => v / this.count));
  }
  /** Mean and standard deviation of the single-draw cosine with the reference. */
  cos(): { mean: number; sd: number } {
    const m = this.cosSum / this.count;
    return { mean: m, sd: Math.sqrt(Math.max(0, (this.cosSqSum - this.count * m * m) / (this.count - 1))) };
  }
  /** Total variance V = E‖ĝ − Eĝ‖² (the trace of the covariance), unbiased. */
  variance(): number {
    const m = this.mean();
    return (this.normSqSum - this.count * dot(m, m)) / (this.count - 1);
  }
}

/**
 * Draws K needed so that the mean of K draws reaches cosine c with the reference, for an
 * unbiased estimator of relative variance v = V/‖g‖²: cos_K = 1/√(1 + v/K) ⇒ K = v c²/(1 − c²).
 */
export function drawsForCosine(relVariance: number, c: number): number {
  return (relVariance * c * c) / (1 - c * c);
}
