// Online competitive learning (MacQueen's online k-means) with per-unit
// plasticity that decays with use:
//
//   k* = argmin_k ‖x − c_k‖                     (the winner; ties: lowest k)
//   n_k* ← n_k* + 1,   c_k* ← c_k* + (x − c_k*) / n_k*
//
// so c_k is exactly the running mean of the patches it has won: its rate 1/n_k
// is a local metaplasticity (a unit that has won often barely moves), and a
// learner that stops calling the rule (consolidation) keeps its detectors fixed.
// A unit with n_k = 0 takes the patch as it is (c_k = x, n_k = 1): the first K
// patches seed the K units (MacQueen's initialisation).
//
// Symbols: x a patch (P values), c_k the centroid of unit k, stored as column k
// of a (P, K) row-major matrix C (so one pass of matvecT gives every c_k · x),
// n_k its win count (f64, exact to 2⁵³), cc_k = ‖c_k‖² kept beside it for the
// distances ‖x − c_k‖² = ‖x‖² − 2 c_k·x + cc_k.
//
// Numeric safety: c_k is a convex combination of patches the learner saw, so
// ‖c_k‖ ≤ max ‖x‖ ≤ the input cap R of the guard (the learner caps ‖x‖ first);
// cc_k ≤ R² = 1e18. Nothing here can overflow.
//
// see: MacQueen 1967, "Some methods for classification and analysis of
//      multivariate observations", Proc. 5th Berkeley Symp. 1:281 (the online
//      update with rate 1/n); Coates, Lee & Ng 2011, AISTATS (k-means patch
//      features with the triangle code, ../kernels/patches.ts).

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** One step for patch x (P floats) won by unit k: C is (P, K) row-major, wins K f64, cc K f32. */
export function competitiveLearning(c: usize, wins: usize, cc: usize, x: usize, k: i32, P: i32, K: i32): void {
  const wp = wins + ((<usize>k) << 3);
  const n = load<f64>(wp) + 1;
  store<f64>(wp, n);
  const rate = <f32>(1 / n);
  let norm: f32 = 0;
  for (let j = 0; j < P; j++) {
    const p = at(c, j * K + k);
    const v = load<f32>(p) + rate * (load<f32>(at(x, j)) - load<f32>(p));
    store<f32>(p, v);
    norm += v * v;
  }
  store<f32>(at(cc, k), norm);
}
