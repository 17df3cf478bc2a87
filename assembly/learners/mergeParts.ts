// How a learner's persisted state merges (engram.merge, ./merge.ts), region by region.
//
// Each mergeable kind describes its state in a "merge accessors" block at the end of its own
// file: a list of parts (byte offset from the start of the state, element count, how), written
// by `<kind>MergeParts(h, parts)`. Learners of one kind and one config share one layout, so
// the offsets of the first learner hold for every one. ./merge.ts applies the parts:
//
//   AVERAGE   f32   θ = Σ_j α_j θ_j           (federated averaging, α_j = w_j / Σ w)
//   SUM_F64   f64   c = Σ_j c_j               (counts: exact while they are integers < 2⁵³)
//   SUM_U32   u32   c = Σ_j c_j               (counters; wraps at 2³² as the counter itself does)
//   ANY_U32   u32   c = max_j c_j             (flags: set when any learner set it)
//   FIRST     bytes copied from learners[0]   (settings a learner may change at run time)
//
// Everything not listed stays as the merged learner was created from the config: its PRNG
// restarts from the seed, traces, live dynamics and pending gradients are at rest, optimizer
// moments not listed are zero.

export const AVERAGE: u32 = 0,
  SUM_F64: u32 = 1,
  SUM_U32: u32 = 2,
  ANY_U32: u32 = 3,
  FIRST: u32 = 4;

/**
 * Flag on `how`: the part is optimizer state (moments, bias corrections). With the merge's
 * `optimizer: "reset"` (the default) it is skipped, so it stays as created (moments 0,
 * β1ᵗ = β2ᵗ = 1); with `"average"` it is merged as `how` says.
 */
export const OPTIMIZER: u32 = 16;

/** One part: `count` elements at byte `offset` of the state, merged `how`. */
@unmanaged
export class MergePart {
  offset: u32;
  count: u32;
  how: u32;
}

/** Writes part i of the list at `parts` (nothing when parts = 0: the list is being counted); returns i + 1. */
export function part(parts: usize, i: i32, offset: usize, count: i32, how: u32): i32 {
  if (parts == 0) return i + 1;
  const p = changetype<MergePart>(parts + <usize>i * offsetof<MergePart>());
  p.offset = <u32>offset;
  p.count = <u32>count;
  p.how = how;
  return i + 1;
}
