// Every learner lives in ONE block of wasm memory, so creating it either
// succeeds whole or fails before anything was allocated (no leak on OOM):
//
//   [Header 16 B][layout: offsets, not persisted][state: persisted][scratch]
//
// `state` holds everything a snapshot must carry: parameters, optimizer
// moments, PRNG state, step counters. `layout` holds derived offsets and
// `scratch` per-step buffers; both are rebuilt from the config on restore.
//
// The template a learner follows (see hebbian.ts, rewardModulated.ts, mlp.ts, forwardForward.ts):
//
//   @unmanaged class Thing {               // the layout region: one named field per size,
//     n: i32; eta: f32;                    // hyper-parameter and array (byte offsets)
//     W: usize; b: usize; u: usize;
//   }
//   @inline function lay(h: usize): Thing { return changetype<Thing>(layoutOf(h)); }
//
//   export function thingNew(n: i32, eta: f32): usize {     // carved in ONE function
//     const h = learnerNew(KIND, <u32>offsetof<Thing>(), stateBytes, scratchBytes);
//     const l = lay(h);
//     l.n = n; l.eta = eta;
//     l.W = learnerState(h);  l.b = l.W + f32Bytes(n * n);   // arrays 16-byte aligned
//     l.u = learnerScratch(h);
//     return h;
//   }
//   export function thingLearn(h: usize, x: usize): f32 {    // composes rules of ../rules/,
//     const l = lay(h);                                      // the guard around them
//     ...
//   }
//   export function thingWeights(h: usize): usize { return lay(h).W; } // TypeScript reads state
//                                                                      // only at exported offsets
// No slot-number tables; the persisted head of the state, if any, is a named class too
// (HebbHead, FfHead). Add the exports src/ calls to ../index.ts; scripts/abi.mjs types them.

@unmanaged
export class Header {
  kind: u32;
  layoutBytes: u32;
  stateBytes: u32;
  scratchBytes: u32;
}

const HEADER: usize = 16;

// @inline: rounds up to the allocator's 16-byte alignment.
// @ts-ignore: decorator
@inline
function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/** Bytes of n f32 rounded up to 16: every array in a learner block starts 16-byte aligned. */
// @ts-ignore: decorator
@inline
export function f32Bytes(n: u32): u32 {
  return ((n + 3) & ~3) << 2;
}

// What the host computed, exactly, for the next learnerNew (see learnerExpect).
let expectTotal: u64 = 0,
  expectState: i64 = -1,
  limitTotal: u64 = 0;

/**
 * The host's exact sizes for the next block (0 / −1: not known) and its budget (0:
 * none). learnerNew refuses, before allocating, a block that disagrees or exceeds
 * it, so a size computed in 32 bits that wrapped can never be carved. Reset by
 * every learnerNew. f64 carries integers exactly below 2^53.
 */
export function learnerExpect(total: f64, state: f64, limit: f64): void {
  expectTotal = <u64>total;
  expectState = state < 0 ? -1 : <i64>state;
  limitTotal = <u64>limit;
}

/** Allocates a zeroed learner block; returns its handle (0 never). */
export function learnerNew(kind: u32, layoutBytes: u32, stateBytes: u32, scratchBytes: u32): usize {
  const exact =
    <u64>HEADER + ((<u64>layoutBytes + 15) & ~15) + ((<u64>stateBytes + 15) & ~15) + ((<u64>scratchBytes + 15) & ~15);
  const want = expectTotal,
    wantState = expectState,
    limit = limitTotal;
  expectTotal = 0;
  expectState = -1;
  limitTotal = 0;
  if (limit != 0 && exact > limit) abort("learnerNew: block larger than its budget");
  if (want != 0 && exact != want) abort("learnerNew: block size disagrees with the host's");
  if (wantState >= 0 && <i64>stateBytes != wantState) abort("learnerNew: state size disagrees with the snapshot's");
  const total = <usize>exact;
  const h = heap.alloc(total);
  memory.fill(h, 0, total);
  const hd = changetype<Header>(h);
  hd.kind = kind;
  hd.layoutBytes = layoutBytes;
  hd.stateBytes = stateBytes;
  hd.scratchBytes = scratchBytes;
  return h;
}

/** Frees a learner block. */
export function learnerFree(h: usize): void {
  if (h != 0) heap.free(h);
}

/** Bytes of the whole block (header, layout, state, scratch), as learnerNew carved it. */
export function learnerBytes(h: usize): u32 {
  const hd = changetype<Header>(h);
  return <u32>(HEADER + align16(hd.layoutBytes) + align16(hd.stateBytes) + align16(hd.scratchBytes));
}

/** The learner's kind tag as passed to learnerNew. */
export function learnerKind(h: usize): u32 {
  return changetype<Header>(h).kind;
}

/** Byte offset of the learner's layout region (derived offsets). */
// @ts-ignore: decorator
@inline
export function layoutOf(h: usize): usize {
  return h + HEADER;
}

/** Byte offset of the learner's persisted state. */
export function learnerState(h: usize): usize {
  return h + HEADER + align16(changetype<Header>(h).layoutBytes);
}

/** Size in bytes of the learner's persisted state. */
export function learnerStateBytes(h: usize): u32 {
  return changetype<Header>(h).stateBytes;
}

/** Byte offset of the learner's scratch region. */
export function learnerScratch(h: usize): usize {
  const hd = changetype<Header>(h);
  return h + HEADER + align16(hd.layoutBytes) + align16(hd.stateBytes);
}

/** Layout slot i (u32) of learner h. Deprecated: give the layout a class (see the header); kept for branches that still use it. */
// @ts-ignore: decorator
@inline
export function slot(h: usize, i: i32): u32 {
  return load<u32>(layoutOf(h) + ((<usize>i) << 2));
}

// @ts-ignore: decorator
@inline
export function setSlot(h: usize, i: i32, v: u32): void {
  store<u32>(layoutOf(h) + ((<usize>i) << 2), v);
}
