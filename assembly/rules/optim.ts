// Optimizers, fused with a rank-2 gradient so a local rule's update is one pass over W.
//
//   g_ij = a_i x_j + b_i z_j                     (gradient of the loss; a, b per row)
//   SGD with momentum:  u ← μ u + g,  W ← W − η u
//   Adam:  m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,
//          W ← W − η̂ m / (√v + ε̂),  η̂ = η √(1 − β2ᵗ) / (1 − β1ᵗ),  ε̂ = ε √(1 − β2ᵗ)
//
// Symbols: W (rows, cols) row-major parameters; u, m, v moments of the same shape; a, b
// (rows); x, z (cols); η learning rate; t step count (the caller passes η̂, ε̂, so it
// keeps β1ᵗ, β2ᵗ as running products in persisted state).
// A dense gradient g of n values is the case rows = 1, a = [1], x = g, b = [0], z = g.
// see: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015 (Alg. 1 and
// the ε̂ form at the end of section 2); Polyak, "Some methods of speeding up the
// convergence of iteration methods", 1964 (heavy ball).
//
// Moments below 1e-30 in magnitude are flushed to +0: a weight whose input stays 0 (an
// image's blank border) would otherwise decay its moment into subnormals, which x86 runs
// about 100x slower, and wasm cannot turn on flush-to-zero. The factored step's first
// moments (one per weight, the hot loop of Forward-Forward's step) are flushed only on every
// FLUSH_EVERY-th step (the caller says which: `flush`): the test and its mask are 3 of the
// 11–13 vector operations per weight. A moment that falls under 1e-30 by decay is zeroed at
// most FLUSH_EVERY steps later, by then β1^FLUSH_EVERY · 1e-30 = 0.9^64 · 1e-30 ≈ 1.2e-33 at the
// least, far above the smallest normal float (1.2e-38); meanwhile its step |m·γ·k| ≤
// 1e-30 · η̂/ε̂ (≈ 3e-24 at η = 0.03) moves no weight larger than ~1e-16. The factored second
// moments (vectors) are flushed every step. See docs/numerics.md.
//
// Elementwise, so the f32x4 kernel and its Ref twin do the same operations per element.

import { dot, dotRef } from "../kernels/linalg";
import { SIMD } from "../kernels/simd";

/** Adam's hyper-parameters (Kingma & Ba 2015, section 2: the defaults). */
export const BETA1: f32 = 0.9,
  BETA2: f32 = 0.999,
  ADAM_EPS: f32 = 1e-8;

/** One step's step sizes: what adamRows, factoredRows and sgdRows take as lr, eps, se, cap. */
@unmanaged
export class StepSizes {
  /** η̂ (Adam: bias-corrected), or η (SGD). */
  lr: f32;
  /** ε̂ = ε √(1 − β2ᵗ). */
  eps: f32;
  /** √ε̂: the factored step's floor under each factor. */
  se: f32;
  /** η B, B = (1 − β1)/√(1 − β2): the factored step's clip. */
  cap: f32;
}

/**
 * Adam's bias correction folded into the step size (Kingma & Ba 2015, end of section 2):
 *   η̂ = η √(1 − β2ᵗ) / (1 − β1ᵗ),   ε̂ = ε √(1 − β2ᵗ)
 * so that η̂ m / (√v + ε̂) = η m̂ / (√v̂ + ε) with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ).
 * b1t = β1ᵗ, b2t = β2ᵗ (t ≥ 1, kept by the caller as running products).
 */
export function adamStepSizes(s: StepSizes, lr: f32, b1t: f32, b2t: f32): void {
  const c2 = Mathf.sqrt(<f32>1 - b2t);
  s.lr = (lr * c2) / (<f32>1 - b1t);
  s.eps = ADAM_EPS * c2;
  s.se = Mathf.sqrt(s.eps);
  s.cap = lr * ((<f32>1 - BETA1) / Mathf.sqrt(<f32>1 - BETA2));
}

/** SGD's step size is the learning rate itself. */
export function sgdStepSizes(s: StepSizes, lr: f32): void {
  s.lr = lr;
}

const TINY: f32 = 1e-30;

/** The factored step flushes its first moments on every FLUSH_EVERY-th step (see the header). */
export const FLUSH_EVERY: u32 = 64;

/** Whether update t (1, 2, ...: the count including this update) flushes the factored first moments. */
// @ts-ignore: decorator
@inline
export function flushAt(t: u32): bool {
  return t % FLUSH_EVERY == 0;
}
// |v| as an AND with a constant mask (the same bits as f32x4.abs): V8 lowers f32x4.abs to
// three instructions that rebuild the mask in every iteration, the constant stays in a
// register outside the loop; in the optimizer's loops that is 2 of about 13 vector operations.
// @ts-ignore: decorator
@inline
function flush4(v: v128): v128 {
  return v128.and(v, f32x4.ge(v128.and(v, i32x4.splat(0x7fffffff)), f32x4.splat(TINY)));
}
// @ts-ignore: decorator
@inline
function flush1(v: f32): f32 {
  return Mathf.abs(v) >= TINY ? v : 0;
}
// The factored rows' loops come in two versions, chosen by a type so that the compiler drops
// the other branch (a flag, even a constant one, ends up tested in every iteration once the
// optimizer merges the two copies): FLUSH flushes the first moments, KEEP does not.
type FLUSH = bool;
type KEEP = i32;
// @ts-ignore: decorator
@inline
function flushIf4<F>(v: v128): v128 {
  if (isBoolean<F>()) return flush4(v);
  return v;
}
// @ts-ignore: decorator
@inline
function flushIf1(v: f32, flush: bool): f32 {
  return flush ? flush1(v) : v;
}

/** Adam step on W (rows, cols) with gradient a xᵀ + b zᵀ; m, v have W's shape. */
export function adamRows(
  w: usize,
  m: usize,
  v: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
): void {
  if (!SIMD) return adamRowsRef(w, m, v, a, x, b, z, rows, cols, lr, beta1, beta2, eps);
  const b1 = f32x4.splat(beta1),
    c1 = f32x4.splat(<f32>1 - beta1);
  const b2 = f32x4.splat(beta2),
    c2 = f32x4.splat(<f32>1 - beta2);
  const lv = f32x4.splat(lr),
    ev = f32x4.splat(eps);
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    const av = f32x4.splat(ai),
      bv = f32x4.splat(bi);
    const r = <usize>i * cn;
    const pw = w + r,
      pm = m + r,
      pv = v + r;
    let o: usize = 0;
    for (; o < c4; o += 16) {
      const g = f32x4.add(f32x4.mul(av, v128.load(x + o)), f32x4.mul(bv, v128.load(z + o)));
      const mm = flush4(f32x4.add(f32x4.mul(b1, v128.load(pm + o)), f32x4.mul(c1, g)));
      const vv = flush4(f32x4.add(f32x4.mul(b2, v128.load(pv + o)), f32x4.mul(c2, f32x4.mul(g, g))));
      v128.store(pm + o, mm);
      v128.store(pv + o, vv);
      const step = f32x4.div(f32x4.mul(lv, mm), f32x4.add(f32x4.sqrt(vv), ev));
      v128.store(pw + o, f32x4.sub(v128.load(pw + o), step));
    }
    for (; o < cn; o += 4)
      adam1(pw + o, pm + o, pv + o, ai * load<f32>(x + o) + bi * load<f32>(z + o), lr, beta1, beta2, eps);
  }
}

export function adamRowsRef(
  w: usize,
  m: usize,
  v: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
): void {
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2;
      const g = ai * load<f32>(x + ((<usize>j) << 2)) + bi * load<f32>(z + ((<usize>j) << 2));
      adam1(w + o, m + o, v + o, g, lr, beta1, beta2, eps);
    }
  }
}

// @ts-ignore: decorator
@inline
function adam1(pw: usize, pm: usize, pv: usize, g: f32, lr: f32, beta1: f32, beta2: f32, eps: f32): void {
  const mm = flush1(beta1 * load<f32>(pm) + (<f32>1 - beta1) * g);
  const vv = flush1(beta2 * load<f32>(pv) + (<f32>1 - beta2) * (g * g));
  store<f32>(pm, mm);
  store<f32>(pv, vv);
  store<f32>(pw, load<f32>(pw) - (lr * mm) / (Mathf.sqrt(vv) + eps));
}

/** SGD with momentum on W (rows, cols) with gradient a xᵀ + b zᵀ; u has W's shape. */
export function sgdRows(
  w: usize,
  u: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  momentum: f32,
): void {
  if (!SIMD) return sgdRowsRef(w, u, a, x, b, z, rows, cols, lr, momentum);
  const mu = f32x4.splat(momentum),
    lv = f32x4.splat(lr);
  const c4 = (<usize>(cols & ~3)) << 2;
  const cn = (<usize>cols) << 2;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    const av = f32x4.splat(ai),
      bv = f32x4.splat(bi);
    const r = <usize>i * cn;
    const pw = w + r,
      pu = u + r;
    let o: usize = 0;
    for (; o < c4; o += 16) {
      const g = f32x4.add(f32x4.mul(av, v128.load(x + o)), f32x4.mul(bv, v128.load(z + o)));
      const uu = flush4(f32x4.add(f32x4.mul(mu, v128.load(pu + o)), g));
      v128.store(pu + o, uu);
      v128.store(pw + o, f32x4.sub(v128.load(pw + o), f32x4.mul(lv, uu)));
    }
    for (; o < cn; o += 4) sgd1(pw + o, pu + o, ai * load<f32>(x + o) + bi * load<f32>(z + o), lr, momentum);
  }
}

export function sgdRowsRef(
  w: usize,
  u: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  momentum: f32,
): void {
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2;
      sgd1(w + o, u + o, ai * load<f32>(x + ((<usize>j) << 2)) + bi * load<f32>(z + ((<usize>j) << 2)), lr, momentum);
    }
  }
}

// @ts-ignore: decorator
@inline
function sgd1(pw: usize, pu: usize, g: f32, lr: f32, momentum: f32): void {
  const uu = flush1(momentum * load<f32>(pu) + g);
  store<f32>(pu, uu);
  store<f32>(pw, load<f32>(pw) - lr * uu);
}

// ---------------------------------------------------------------- factored Adam
//
// Adam with its second moment factored as in Adafactor: instead of v (rows, cols), running
// means of g²'s row sums and column sums,
//   r ← β2 r + (1 − β2) Σ_j g²_ij,   c ← β2 c + (1 − β2) Σ_i g²_ij,   v̂_ij = r_i c_j / Σ_i r_i,
// so the state is W and m plus rows + cols floats, and the inner loop has no sqrt or div.
// √v̂_ij = p_i q_j with p_i = √r_i / S^¼, q_j = √c_j / S^¼ (S = Σ r); Adam's ε becomes a
// floor √ε̂ under each factor: 1 / (max(p_i, √ε̂) max(q_j, √ε̂)). Where p_i q_j ≫ ε this is
// exactly 1/√v̂ (Adam's √v + ε differs from √v by ε/√v there); a row or column whose
// gradients stay below about √ε is damped, as Adam damps gradients below ε; every factor
// stays finite (≤ 1/√ε̂).
//   m ← β1 m + (1 − β1) g,   W ← W − clip(η̂ m ρ_i γ_j, ±η B)   ((1 − β1) folded into g's row factors;
//   when z = x, g_ij = (a_i + b_i) x_j),
//   ρ_i = 1/max(p_i, √ε̂), γ_j = 1/max(q_j, √ε̂), B = (1 − β1)/√(1 − β2)
// (η̂, ε̂ as for Adam above). B is the bound Adam's own bias-corrected step obeys
// (Kingma & Ba §2.1); the factored estimate can underrate v̂ where g is far from rank 1,
// and the clip keeps such a step no larger than Adam's largest (Adafactor clips the RMS).
// For the rank-2 gradient the row and column sums are exact in O(rows + cols):
//   Σ_j g²_ij = a_i² x·x + 2 a_i b_i x·z + b_i² z·z,  Σ_i g²_ij = x_j² a·a + 2 x_j z_j a·b + z_j² b·b.
// A vector (rows = 1) gets c_j = its own g²_j average and S = Σ_j c_j: elementwise Adam
// up to how ε enters.
// see: Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost",
// ICML 2018 (Alg. 4, factored second moment; section 5 on β1 and update clipping).

// @ts-ignore: decorator
@inline
function rowFactor(ri: f32, k: f32, se: f32): f32 {
  return <f32>1 / floorAt(Mathf.sqrt(ri) * k, se);
}

/** max(p, se) as f32x4.pmax(se, p) computes it (a NaN p gives se). */
// @ts-ignore: decorator
@inline
function floorAt(p: f32, se: f32): f32 {
  return se < p ? p : se;
}

/** Updates r with the rank-2 gradient's row sums of g² (scalar, in index order: the same in both twins); returns S = Σ r. */
// @ts-ignore: decorator
@inline
function updateRows(r: usize, a: usize, b: usize, rows: i32, sxx: f32, sxz2: f32, szz: f32, beta2: f32): f32 {
  let s: f32 = 0;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    const q = ai * ai * sxx + ai * bi * sxz2 + bi * bi * szz;
    const ri = flush1(beta2 * load<f32>(r + ((<usize>i) << 2)) + (<f32>1 - beta2) * q);
    store<f32>(r + ((<usize>i) << 2), ri);
    s += ri;
  }
  return s;
}

/** S^(−1/4), or 0 when S = 0 (no gradient yet: every p_i is then 0). */
// @ts-ignore: decorator
@inline
function quarter(s: f32): f32 {
  return s > 0 ? <f32>1 / Mathf.sqrt(Mathf.sqrt(s)) : 0;
}

/**
 * Factored Adam step on W (rows, cols) with gradient a xᵀ + b zᵀ: m has W's shape, r (rows)
 * and c (cols) the factored second moment, gam scratch (cols). lr = η̂, se = √ε̂, cap = η B;
 * `flush`: this step flushes the first moments (`flushAt(t)`, see the header).
 */
export function factoredRows(
  w: usize,
  m: usize,
  r: usize,
  c: usize,
  gam: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  se: f32,
  cap: f32,
  flush: bool,
): void {
  if (!SIMD) return factoredRowsRef(w, m, r, c, gam, a, x, b, z, rows, cols, lr, beta1, beta2, se, cap, flush);
  const saa = dot(a, a, rows),
    sab2 = <f32>2 * dot(a, b, rows),
    sbb = dot(b, b, rows);
  const k = quarter(updateRows(r, a, b, rows, dot(x, x, cols), <f32>2 * dot(x, z, cols), dot(z, z, cols), beta2));
  const b2 = f32x4.splat(beta2),
    c2 = f32x4.splat(<f32>1 - beta2);
  const vaa = f32x4.splat(saa),
    vab = f32x4.splat(sab2),
    vbb = f32x4.splat(sbb);
  const kv = f32x4.splat(k),
    sv = f32x4.splat(se),
    one = f32x4.splat(1);
  const c4 = (<usize>(cols & ~3)) << 2,
    cn = (<usize>cols) << 2;
  let o: usize = 0;
  for (; o < c4; o += 16) {
    const xj = v128.load(x + o),
      zj = v128.load(z + o);
    const q = f32x4.add(
      f32x4.add(f32x4.mul(f32x4.mul(xj, xj), vaa), f32x4.mul(f32x4.mul(xj, zj), vab)),
      f32x4.mul(f32x4.mul(zj, zj), vbb),
    );
    const cj = flush4(f32x4.add(f32x4.mul(b2, v128.load(c + o)), f32x4.mul(c2, q)));
    v128.store(c + o, cj);
    v128.store(gam + o, f32x4.div(one, f32x4.pmax(sv, f32x4.mul(f32x4.sqrt(cj), kv))));
  }
  for (; o < cn; o += 4) colFactor1(c + o, gam + o, load<f32>(x + o), load<f32>(z + o), saa, sab2, sbb, beta2, k, se);
  const c1 = <f32>1 - beta1;
  for (let i = 0; i < rows; i++) {
    // (1 − β1) g_ij = pa x_j + pb z_j; with z = x (one shared input) = pe x_j, one product fewer
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    const pa = c1 * ai,
      pb = c1 * bi,
      pe = c1 * (ai + bi);
    const ki = lr * rowFactor(load<f32>(r + ((<usize>i) << 2)), k, se);
    const pw = w + <usize>i * cn,
      pm = m + <usize>i * cn;
    // the flush's two versions of each loop are separate code: no test inside the loop
    if (x == z) {
      if (flush) factoredRow<FLUSH>(pw, pm, x, gam, pe, ki, beta1, cap, cols);
      else factoredRow<KEEP>(pw, pm, x, gam, pe, ki, beta1, cap, cols);
    } else if (flush) factoredRow2<FLUSH>(pw, pm, x, z, gam, pa, pb, ki, beta1, cap, cols);
    else factoredRow2<KEEP>(pw, pm, x, z, gam, pa, pb, ki, beta1, cap, cols);
  }
}

/** One row of the factored step when (1 − β1) g_j = pa x_j + pb z_j (see `factoredRow`). */
function factoredRow2<F>(
  pw: usize,
  pm: usize,
  x: usize,
  z: usize,
  gam: usize,
  pa: f32,
  pb: f32,
  ki: f32,
  beta1: f32,
  cap: f32,
  cols: i32,
): void {
  const flush = isBoolean<F>();
  const b1 = f32x4.splat(beta1),
    av = f32x4.splat(pa),
    bv = f32x4.splat(pb),
    kr = f32x4.splat(ki);
  const hi = f32x4.splat(cap),
    lo = f32x4.splat(-cap);
  const c4 = (<usize>(cols & ~3)) << 2,
    cn = (<usize>cols) << 2;
  let o: usize = 0;
  for (; o < c4; o += 16) {
    const g = f32x4.add(f32x4.mul(av, v128.load(x + o)), f32x4.mul(bv, v128.load(z + o)));
    const mm = flushIf4<F>(f32x4.add(f32x4.mul(b1, v128.load(pm + o)), g));
    v128.store(pm + o, mm);
    const s = f32x4.pmin(hi, f32x4.pmax(lo, f32x4.mul(mm, f32x4.mul(v128.load(gam + o), kr))));
    v128.store(pw + o, f32x4.sub(v128.load(pw + o), s));
  }
  for (; o < cn; o += 4)
    factored1(pw + o, pm + o, pa * load<f32>(x + o) + pb * load<f32>(z + o), load<f32>(gam + o), ki, beta1, cap, flush);
}

export function factoredRowsRef(
  w: usize,
  m: usize,
  r: usize,
  c: usize,
  gam: usize,
  a: usize,
  x: usize,
  b: usize,
  z: usize,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  se: f32,
  cap: f32,
  flush: bool,
): void {
  const saa = dotRef(a, a, rows),
    sab2 = <f32>2 * dotRef(a, b, rows),
    sbb = dotRef(b, b, rows);
  const k = quarter(
    updateRows(r, a, b, rows, dotRef(x, x, cols), <f32>2 * dotRef(x, z, cols), dotRef(z, z, cols), beta2),
  );
  for (let j = 0; j < cols; j++) {
    const o = (<usize>j) << 2;
    colFactor1(c + o, gam + o, load<f32>(x + o), load<f32>(z + o), saa, sab2, sbb, beta2, k, se);
  }
  const c1 = <f32>1 - beta1;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + ((<usize>i) << 2)),
      bi = load<f32>(b + ((<usize>i) << 2));
    const pa = c1 * ai,
      pb = c1 * bi,
      pe = c1 * (ai + bi);
    const ki = lr * rowFactor(load<f32>(r + ((<usize>i) << 2)), k, se);
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2,
        oj = (<usize>j) << 2;
      const gc = x == z ? pe * load<f32>(x + oj) : pa * load<f32>(x + oj) + pb * load<f32>(z + oj);
      factored1(w + o, m + o, gc, load<f32>(gam + oj), ki, beta1, cap, flush);
    }
  }
}

// @ts-ignore: decorator
@inline
function colFactor1(
  pc: usize,
  pg: usize,
  xj: f32,
  zj: f32,
  saa: f32,
  sab2: f32,
  sbb: f32,
  beta2: f32,
  k: f32,
  se: f32,
): void {
  const q = xj * xj * saa + xj * zj * sab2 + zj * zj * sbb;
  const cj = flush1(beta2 * load<f32>(pc) + (<f32>1 - beta2) * q);
  store<f32>(pc, cj);
  store<f32>(pg, <f32>1 / floorAt(Mathf.sqrt(cj) * k, se));
}

// The clip as f32x4.pmax(lo, ·) then pmin(hi, ·) computes it (pmax(a, b) = a < b ? b : a,
// pmin(a, b) = b < a ? b : a: one instruction each on x86, where min/max need NaN fix-ups).
// @ts-ignore: decorator
@inline
function clip(s: f32, cap: f32): f32 {
  const t = -cap < s ? s : -cap;
  return t < cap ? t : cap;
}

// @ts-ignore: decorator
@inline
function factored1(pw: usize, pm: usize, gc: f32, gj: f32, ki: f32, beta1: f32, cap: f32, flush: bool): void {
  const mm = flushIf1(beta1 * load<f32>(pm) + gc, flush);
  store<f32>(pm, mm);
  store<f32>(pw, load<f32>(pw) - clip(mm * (gj * ki), cap));
}

/**
 * Factored Adam step on W (rows, cols) with a dense gradient gs·G (G has W's shape; a
 * mini-batch's summed gradient, gs = 1/batch). Same state and parameters as factoredRows.
 */
export function factoredDense(
  w: usize,
  m: usize,
  r: usize,
  c: usize,
  gam: usize,
  G: usize,
  gs: f32,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  se: f32,
  cap: f32,
  flush: bool,
): void {
  if (!SIMD) return factoredDenseRef(w, m, r, c, gam, G, gs, rows, cols, lr, beta1, beta2, se, cap, flush);
  const cn = (<usize>cols) << 2,
    c4 = (<usize>(cols & ~3)) << 2;
  const g2 = gs * gs;
  // column sums of G² into gam (index order over rows), row sums straight into r
  memory.fill(gam, 0, cn);
  let s: f32 = 0;
  for (let i = 0; i < rows; i++) {
    const pg = G + <usize>i * cn;
    let o: usize = 0;
    for (; o < c4; o += 16) {
      const gv = v128.load(pg + o);
      v128.store(gam + o, f32x4.add(v128.load(gam + o), f32x4.mul(gv, gv)));
    }
    for (; o < cn; o += 4) {
      const gv = load<f32>(pg + o);
      store<f32>(gam + o, load<f32>(gam + o) + gv * gv);
    }
    s += denseRow(r + ((<usize>i) << 2), g2 * dot(pg, pg, cols), beta2);
  }
  const k = quarter(s);
  const b2 = f32x4.splat(beta2),
    c2 = f32x4.splat(<f32>1 - beta2),
    g2v = f32x4.splat(g2);
  const kv = f32x4.splat(k),
    sv = f32x4.splat(se),
    one = f32x4.splat(1);
  let o: usize = 0;
  for (; o < c4; o += 16) {
    const cj = flush4(f32x4.add(f32x4.mul(b2, v128.load(c + o)), f32x4.mul(c2, f32x4.mul(g2v, v128.load(gam + o)))));
    v128.store(c + o, cj);
    v128.store(gam + o, f32x4.div(one, f32x4.pmax(sv, f32x4.mul(f32x4.sqrt(cj), kv))));
  }
  for (; o < cn; o += 4) denseCol1(c + o, gam + o, g2, beta2, k, se);
  const gc = (<f32>1 - beta1) * gs;
  for (let i = 0; i < rows; i++) {
    const ki = lr * rowFactor(load<f32>(r + ((<usize>i) << 2)), k, se);
    const pw = w + <usize>i * cn,
      pm = m + <usize>i * cn,
      pg = G + <usize>i * cn;
    if (flush) factoredRow<FLUSH>(pw, pm, pg, gam, gc, ki, beta1, cap, cols);
    else factoredRow<KEEP>(pw, pm, pg, gam, gc, ki, beta1, cap, cols);
  }
}

export function factoredDenseRef(
  w: usize,
  m: usize,
  r: usize,
  c: usize,
  gam: usize,
  G: usize,
  gs: f32,
  rows: i32,
  cols: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  se: f32,
  cap: f32,
  flush: bool,
): void {
  const cn = (<usize>cols) << 2;
  const g2 = gs * gs;
  memory.fill(gam, 0, cn);
  let s: f32 = 0;
  for (let i = 0; i < rows; i++) {
    const pg = G + <usize>i * cn;
    for (let j = 0; j < cols; j++) {
      const o = (<usize>j) << 2,
        gv = load<f32>(pg + o);
      store<f32>(gam + o, load<f32>(gam + o) + gv * gv);
    }
    s += denseRow(r + ((<usize>i) << 2), g2 * dotRef(pg, pg, cols), beta2);
  }
  const k = quarter(s);
  for (let j = 0; j < cols; j++) {
    const o = (<usize>j) << 2;
    denseCol1(c + o, gam + o, g2, beta2, k, se);
  }
  for (let i = 0; i < rows; i++) {
    const ki = lr * rowFactor(load<f32>(r + ((<usize>i) << 2)), k, se);
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2;
      factored1(
        w + o,
        m + o,
        (<f32>1 - beta1) * gs * load<f32>(G + o),
        load<f32>(gam + ((<usize>j) << 2)),
        ki,
        beta1,
        cap,
        flush,
      );
    }
  }
}

// @ts-ignore: decorator
@inline
function denseRow(pr: usize, q: f32, beta2: f32): f32 {
  const ri = flush1(beta2 * load<f32>(pr) + (<f32>1 - beta2) * q);
  store<f32>(pr, ri);
  return ri;
}

// @ts-ignore: decorator
@inline
function denseCol1(pc: usize, pg: usize, g2: f32, beta2: f32, k: f32, se: f32): void {
  const cj = flush1(beta2 * load<f32>(pc) + (<f32>1 - beta2) * (g2 * load<f32>(pg)));
  store<f32>(pc, cj);
  store<f32>(pg, <f32>1 / floorAt(Mathf.sqrt(cj) * k, se));
}

/**
 * One row of the factored step when (1 − β1) g_j = e u_j: m ← β1 m + e u (flushed when F is
 * FLUSH), W ← W − clip(m γ k, ±cap).
 */
function factoredRow<F>(
  pw: usize,
  pm: usize,
  u: usize,
  gam: usize,
  e: f32,
  ki: f32,
  beta1: f32,
  cap: f32,
  cols: i32,
): void {
  const flush = isBoolean<F>();
  const b1 = f32x4.splat(beta1),
    ev = f32x4.splat(e),
    kr = f32x4.splat(ki);
  const hi = f32x4.splat(cap),
    lo = f32x4.splat(-cap);
  const c4 = (<usize>(cols & ~3)) << 2,
    cn = (<usize>cols) << 2;
  let o: usize = 0;
  for (; o < c4; o += 16) {
    const mm = flushIf4<F>(f32x4.add(f32x4.mul(b1, v128.load(pm + o)), f32x4.mul(ev, v128.load(u + o))));
    v128.store(pm + o, mm);
    const s = f32x4.pmin(hi, f32x4.pmax(lo, f32x4.mul(mm, f32x4.mul(v128.load(gam + o), kr))));
    v128.store(pw + o, f32x4.sub(v128.load(pw + o), s));
  }
  for (; o < cn; o += 4) factored1(pw + o, pm + o, e * load<f32>(u + o), load<f32>(gam + o), ki, beta1, cap, flush);
}
