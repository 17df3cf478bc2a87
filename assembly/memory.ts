// Raw memory owned by the host side. Every learner, scratch buffer and input
// slot lives in blocks from here; `free` returns them to the TLSF allocator so
// creating and disposing learners in a loop keeps memory bounded.

/** Allocates `bytes` zeroed bytes, 16-byte aligned; returns the byte offset. */
export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Returns a block from `alloc` to the allocator. */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Copies `bytes` bytes from `src` to `dst` (regions may overlap). */
export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}
