// The training order: a fresh permutation per epoch, reproducible from the seed.

/** A permutation of [0, n) from a xorshift32 stream seeded by (seed, epoch): integer-only, so the same everywhere. */
export function shuffled(n: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = (Math.imul(seed + 1, 0x9e3779b9) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
