// Step-size schedule: a hyperbolic decay that levels off at a floor.
//
//   η_t = η f + η (1 − f) / (1 + κ t)  =  η (1 + f κ t) / (1 + κ t)
//
// Symbols: η the base step size, κ ≥ 0 the decay per update, f ∈ [0, 1] the floor (a
// fraction of η), t the updates applied before this one. η_0 = η; η_t falls like η/(κ t)
// while κ t ≪ (1 − f)/f, and tends to η f as t → ∞ (within η (1 − f)/(κ t) of it).
// Computed in the second form, so that f = 0 is the plain decay η/(1 + κ t) bit for bit
// (f κ t = 0, η·1 = η exactly in f32: learners saved before the floor existed keep their
// schedule) and κ = 0 is η bit for bit whatever f (learners without a decay keep theirs).
// Why this shape: the 1/t decay (Robbins & Monro 1951) makes the first few thousand samples
// count, but a rate that goes to zero stops a learner from improving (or tracking) after a
// few epochs; a floor keeps a constant rate's long-run behaviour once the decay has done its
// work, with one extra number, and one formula for both ends (f = 0, f = 1).
// see: Robbins & Monro 1951, "A stochastic approximation method"; Darken & Moody 1992,
//      "Towards faster stochastic gradient search" (search-then-converge schedules).

/** η_t = η (1 + f κ t) / (1 + κ t): the step size before update t (t as f32: exact below 2²⁴). */
export function rateAt(eta: f32, decay: f32, floor: f32, t: f32): f32 {
  const kt = decay * t;
  return (eta * (<f32>1 + floor * kt)) / (<f32>1 + kt);
}
