// Streaming linear discriminant analysis on exact sufficient statistics.
//
// Learn (Welford's update, one sample x of class c, n_c samples of c before it):
//   δ = x − μ_c,   S ← S + n_c/(n_c + 1) δ δᵀ,   μ_c ← μ_c + δ/(n_c + 1),   n_c ← n_c + 1
// Merge (Chan, Golub & LeVeque's pairwise update; statistics a and b of one config):
//   n = n_a + n_b,  δ = μ_b − μ_a,  μ = μ_a + (n_b/n) δ,
//   S = S_a + S_b + Σ_c n_a,c n_b,c / n_c δ_c δ_cᵀ
// Discriminant (solved lazily, Friedman's shrinkage toward a scaled identity):
//   Σ = S / max(N − C, 1),   τ = tr Σ / d,   A = (1 − λ) Σ + λ τ I   (τ = 1 when tr Σ = 0)
//   m = mean of the seen μ_c,   w_c = A⁻¹ (μ_c − m),   b_c = −½ (μ_c − m)·w_c + ½ t / n_c,
//   t = tr(A⁻¹ Σ) = (d − λτ tr A⁻¹) / (1 − λ)   (t = d when λ = 1),
//   score_c(f) = w_c·(f − m) + b_c
// which differs from μ_cᵀA⁻¹f − ½ (μ_cᵀA⁻¹μ_c − t/n_c) by a constant shared by all classes
// (centring keeps f32 cancellation small when features carry a large common offset). The
// term t/n_c removes the plug-in bias of the quadratic term: a mean estimated from n_c samples
// carries noise of covariance Σ/n_c, so E[μ̂ᵀA⁻¹μ̂] = μᵀA⁻¹μ + t/n_c. Uncorrected, a class seen
// n_c times is handicapped by ≈ t/(2 n_c) (≈ 50 nats for 10 samples at d = 1024): negligible
// for classes with thousands of samples, decisive for a class learned from a few.
//
// The rank-1 terms of S are applied in blocks of up to `capacity` samples (kernels/spd.ts
// symRankK: each element receives the same additions in the same order, so the bits equal
// applying each sample at once; S is streamed once per block instead of once per sample).
// Anything reading S calls flushScatter first.
//
// Symbols: x (or the features f) in R^d; μ_c the mean of class c; n_c its count (f64, exact to
// 2⁵³); S the pooled within-class scatter Σ_c Σ_{x∈c} (x − μ_c)(x − μ_c)ᵀ, stored as the upper
// triangle of a (d, d) row-major f32 matrix; N = Σ n_c; C the classes seen; λ the shrinkage.
// The statistics do not depend on the order of the samples, up to f32 rounding of the sums:
// the counts are exact in any order, μ and S agree to rounding (test/learners/continual.test.ts
// bounds it), and a merge gives the statistics of the concatenated streams the same way.
//
// see: Welford 1962, "Note on a method for calculating corrected sums of squares and products",
//      Technometrics 4:419; Chan, Golub & LeVeque 1979, "Updating formulae and a pairwise algorithm
//      for computing sample variances", Stanford CS-TR-79-773; Friedman 1989, "Regularized
//      discriminant analysis", JASA 84:165; Hayes & Kanan 2020, "Lifelong machine learning with deep
//      streaming linear discriminant analysis", CVPR-W (SLDA for class-incremental streams).

import { axpy, dot } from "../kernels/linalg";
import { cholSolve, cholesky, symRank1, symRankK, triInverseNorm2 } from "../kernels/spd";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** Rank-1 scatter terms waiting to be added to S: v (capacity × d), alpha (capacity), a (capacity floats of scratch). */
@unmanaged
export class DeferredScatter {
  v: usize;
  alpha: usize;
  a: usize;
  count: i32;
  capacity: i32;
}

/** Adds the waiting terms to S (d × d upper triangle) in the order they came. */
export function flushScatter(s: usize, q: DeferredScatter, d: i32): void {
  if (q.count > 0) symRankK(s, q.v, q.alpha, q.a, d, q.count);
  q.count = 0;
}

/** Welford's step for sample x (d floats) of a class with mean mu (d) and count at `count` (f64); S's term waits in q. */
export function streamingLda(s: usize, mu: usize, count: usize, x: usize, q: DeferredScatter, d: i32): void {
  const n = load<f64>(count);
  if (q.count == q.capacity) flushScatter(s, q, d);
  const delta = q.v + <usize>q.count * ((<usize>d) << 2);
  memory.copy(delta, x, (<usize>d) << 2);
  axpy(delta, -1, mu, d); // δ = x − μ
  if (n > 0) {
    store<f32>(q.alpha + ((<usize>q.count) << 2), <f32>(n / (n + 1)));
    q.count++;
  }
  axpy(mu, <f32>(1 / (n + 1)), delta, d);
  store<f64>(count, n + 1);
}

/** Folds class statistics b (mean muB, count nB) into a (muA, count at countA), adding the between-part to S; delta is scratch. S_b itself is added by the caller. */
export function streamingLdaMerge(
  s: usize,
  muA: usize,
  countA: usize,
  muB: usize,
  nB: f64,
  delta: usize,
  d: i32,
): void {
  const nA = load<f64>(countA);
  if (nB == 0) return;
  const n = nA + nB;
  memory.copy(delta, muB, (<usize>d) << 2);
  axpy(delta, -1, muA, d); // δ = μ_b − μ_a
  if (nA > 0) symRank1(s, delta, d, <f32>((nA * nB) / n));
  axpy(muA, <f32>(nB / n), delta, d);
  store<f64>(countA, n);
}

/**
 * The shrunk covariance A of the header, factored: reads S (upper triangle, d × d), writes A's
 * Cholesky factor into `a` (d × d scratch) and its diagonal into `diag`. `dof` = max(N − C, 1).
 * Returns t = tr(A⁻¹Σ); x is d floats of scratch.
 */
export function ldaFactor(a: usize, diag: usize, s: usize, x: usize, d: i32, dof: f64, shrinkage: f32): f64 {
  const row = (<usize>d) << 2;
  let trace: f64 = 0;
  for (let i = 0; i < d; i++) trace += <f64>load<f32>(s + <usize>i * row + ((<usize>i) << 2));
  let tau = trace / dof / <f64>d;
  if (!(tau > 1e-30 && tau < 1e30)) tau = 1; // all features constant (or denormal): nearest class mean
  const keep = <f32>((1 - <f64>shrinkage) / dof),
    ridge = <f32>(<f64>shrinkage * tau);
  for (let i = 0; i < d; i++) {
    const src = s + <usize>i * row,
      dst = a + <usize>i * row;
    for (let j = i; j < d; j++) store<f32>(at(dst, j), keep * load<f32>(at(src, j)));
    store<f32>(at(dst, i), load<f32>(at(dst, i)) + ridge);
  }
  cholesky(a, diag, d, ridge);
  if (shrinkage >= 1) return <f64>d;
  const t = (<f64>d - <f64>ridge * triInverseNorm2(a, diag, x, d)) / (1 - <f64>shrinkage);
  return t > 0 ? t : 0;
}

/** w = A⁻¹ (μ − m) into `w` (d), returns b = −½ (μ − m)·w + ½ t/n. `centred` is d floats of scratch. */
export function ldaClass(
  a: usize,
  diag: usize,
  mu: usize,
  m: usize,
  w: usize,
  centred: usize,
  d: i32,
  t: f64,
  n: f64,
): f32 {
  memory.copy(centred, mu, (<usize>d) << 2);
  axpy(centred, -1, m, d);
  memory.copy(w, centred, (<usize>d) << 2);
  cholSolve(a, diag, w, d);
  return -0.5 * dot(centred, w, d) + <f32>((0.5 * t) / n);
}
