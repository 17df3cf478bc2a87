// xoshiro128** + splitmix32 seeding: the module's stream equals an independent TypeScript one.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

/** splitmix32 as documented in prng.ts: z += golden ratio, then murmur3 fmix32. */
function seedState(seed: number): Uint32Array {
  const s = new Uint32Array(4);
  let z = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b9) >>> 0;
    let h = z;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    s[i] = (h ^ (h >>> 16)) >>> 0;
  }
  return s;
}
const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
/** xoshiro128** reference (Blackman & Vigna). */
function next(s: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

describe("prng", () => {
  it("u32 stream and uniforms match an independent xoshiro128** for several seeds", () => {
    for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
      const st = w.u32(4);
      w.exports.rngSeed(st, seed);
      const ref = seedState(seed);
      expect(Array.from(w.readU32(st, 4))).toEqual(Array.from(ref));
      for (let i = 0; i < 1000; i++) expect(w.exports.rngNextU32(st) >>> 0).toBe(next(ref));
      for (let i = 0; i < 1000; i++) expect(w.exports.rngUniform(st)).toBe((next(ref) >>> 8) * 2 ** -24);
      w.reset();
    }
  });

  it("fills: uniform in [lo, hi) in order; normal mean ≈ 0, var ≈ 1", () => {
    const st = w.u32(4);
    w.exports.rngSeed(st, 7);
    const ref = seedState(7);
    const n = 1001;
    const p = w.f32(n);
    w.exports.rngFillUniform(st, p, n, -2, 3);
    const u = w.readF32(p, n);
    for (let i = 0; i < n; i++) {
      expect(u[i]).toBe(Math.fround(-2 + Math.fround(5 * Math.fround((next(ref) >>> 8) * 2 ** -24))));
      expect(u[i] >= -2 && u[i] < 3).toBe(true);
    }
    const m = 200_000;
    const q = w.f32(m);
    w.exports.rngFillNormal(st, q, m, 0, 1);
    const z = w.readF32(q, m);
    let s1 = 0,
      s2 = 0,
      s4 = 0;
    for (const v of z) {
      s1 += v;
      s2 += v * v;
      s4 += v ** 4;
    }
    const mean = s1 / m,
      variance = s2 / m - mean ** 2,
      kurt = s4 / m / variance ** 2;
    console.log(`normal: mean ${mean.toFixed(4)} var ${variance.toFixed(4)} kurtosis ${kurt.toFixed(3)}`);
    // 5 sigma: sd(mean) = 1/sqrt(m), sd(var) = sqrt(2/m)
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(m));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
    expect(Math.abs(kurt - 3)).toBeLessThan(0.1);
    // mean/std scaling
    w.exports.rngFillNormal(st, q, 1000, 5, 0);
    expect(w.readF32(q, 1000).every((v) => v === 5)).toBe(true);
    w.reset();
  });

  it("rngBelow is in range, unbiased-looking, and n = 0 gives 0", () => {
    const st = w.u32(4);
    w.exports.rngSeed(st, 3);
    const counts = new Array(7).fill(0);
    const m = 70_000;
    for (let i = 0; i < m; i++) counts[w.exports.rngBelow(st, 7) >>> 0]++;
    const chi2 = counts.reduce((a, c) => a + (c - m / 7) ** 2 / (m / 7), 0);
    expect(chi2).toBeLessThan(22.5); // p ≈ 0.001 for 6 dof
    for (let i = 0; i < 1000; i++) expect(w.exports.rngBelow(st, 0xfffffffb) >>> 0).toBeLessThan(0xfffffffb);
    expect(w.exports.rngBelow(st, 1)).toBe(0);
    expect(w.exports.rngBelow(st, 0)).toBe(0);
    w.reset();
  });

  it("the 16-byte state alone determines the stream", () => {
    const a = w.u32(4),
      b = w.u32(4);
    w.exports.rngSeed(a, 99);
    for (let i = 0; i < 17; i++) w.exports.rngNormal(a);
    w.exports.copy(b, a, 16);
    for (let i = 0; i < 100; i++) expect(w.exports.rngNormal(b)).toBe(w.exports.rngNormal(a));
    w.reset();
  });
});
