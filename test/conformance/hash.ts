// Host-neutral helpers for the conformance runner: a seeded integer PRNG for
// the synthetic streams, NaN canonicalisation and a 64-bit FNV-1a hash. Only
// integer arithmetic and exact conversions, so every JS engine agrees.

/** xoshiro128** seeded by splitmix32, as in assembly/kernels/prng.ts, in JS integers. */
export class Stream {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let h = z;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      this.s[i] = (h ^ (h >>> 16)) >>> 0;
    }
  }

  /** Next u32. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [lo, hi) on the 2^-24 grid, rounded to f32. */
  uniform(lo = 0, hi = 1): number {
    return Math.fround(lo + (hi - lo) * ((this.u32() >>> 8) / 16777216));
  }

  /** Integer in [0, n) (n small: the modulo bias is irrelevant for test data). */
  below(n: number): number {
    return this.u32() % n;
  }

  /** n uniform values in [lo, hi). */
  vector(n: number, lo = -1, hi = 1): Float32Array {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = this.uniform(lo, hi);
    return v;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const CANONICAL_NAN = 0x7fc00000;

/** The bits of f32 values with every NaN replaced by the canonical quiet NaN. */
export function canonicalBits(values: Float32Array): Uint32Array {
  const bits = new Uint32Array(values.length);
  const raw = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) bits[i] = values[i] !== values[i] ? CANONICAL_NAN : raw[i]!;
  return bits;
}

/** 64-bit FNV-1a over bytes, as 16 hex digits. */
export function fnv1a64(bytes: Uint8Array): string {
  // 64-bit arithmetic in two 32-bit halves: h = (h ^ b) * 0x100000001b3 mod 2^64.
  let hi = 0xcbf29ce4,
    lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) = lo·0x1b3 + (hi·0x1b3 + lo·2^8)·2^32, mod 2^64
    const loMul = lo * 0x1b3; // < 2^41: exact in float64
    const carry = Math.floor(loMul / 4294967296);
    const newHi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = loMul >>> 0;
    hi = newHi;
  }
  return hex32(hi) + hex32(lo);
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, "0");
}

/** Lowercase hex of bytes (for reporting where hosts differ). */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, "0");
  return s;
}

/** Bytes from lowercase hex. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
