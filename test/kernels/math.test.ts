// Deterministic math (assembly/kernels/math.ts) against float64 Math, in ulps.
// The f32x4 twins (exp4 ...) are checked lane-for-lane in assembly/__tests__/math.spec.ts
// and through the activation kernels (actTanh vs actTanhRef ...).
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { bitsOf, firstBitDiff, fromBits, rng, ulpAt, ulps } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

/** Worst ulp error of f over every `step`-th f32 bit pattern with |x| in [lo, hi] (both signs if `signs`). */
function sweep(
  f: (x: number) => number,
  truth: (x: number) => number,
  lo: number,
  hi: number,
  signs: number[],
  step = 97,
): { worst: number; at: number } {
  let worst = 0;
  let at = NaN;
  const b0 = bitsOf(lo);
  const b1 = bitsOf(hi);
  for (const sign of signs) {
    for (let b = b0; b <= b1; b += step) {
      const x = sign * fromBits(b);
      const e = ulps(f(x), truth(x));
      if (e > worst) {
        worst = e;
        at = x;
      }
    }
  }
  return { worst, at };
}

const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus64 = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

describe("math ulp sweeps (every 97th f32 bit pattern)", () => {
  const cases: [string, string, (x: number) => number, number, number, number[], number][] = [
    // name, export, truth, |x| lo, |x| hi, signs, bound
    ["exp", "expf", Math.exp, 0, 87.3, [1, -1], 2], // results normal on [-87.3, 87.3]
    ["exp (to overflow)", "expf", Math.exp, 87.3, 88.72, [1], 2],
    ["log", "logf", Math.log, 1e-45, 3.4e38, [1], 2], // all positive floats incl. subnormals
    ["tanh", "tanhf", Math.tanh, 0, 10, [1, -1], 2.5],
    ["sigmoid", "sigmoidf", sigmoid64, 0, 104, [1, -1], 2.5], // down to σ(−104) < 2⁻¹⁵⁰: subnormal results in 2⁻¹⁴⁹ units
    ["softplus", "softplusf", softplus64, 0, 80, [1, -1], 4],
  ];
  for (const [name, fn, truth, lo, hi, signs, bound] of cases) {
    it(`${name}: worst ≤ ${bound} ulp on ±[${lo}, ${hi}]`, () => {
      const f = w.exports[fn] as (x: number) => number;
      const { worst, at } = sweep(f, truth, lo, hi, signs);
      console.log(`${name}: worst ${worst.toFixed(3)} ulp at x = ${at}`);
      expect(worst).toBeLessThanOrEqual(bound);
    });
  }
});

describe("math special values", () => {
  it("exp", () => {
    const { expf } = w.exports;
    expect(expf(0)).toBe(1);
    expect(expf(-0)).toBe(1);
    expect(expf(Infinity)).toBe(Infinity);
    expect(expf(88.73)).toBe(Infinity);
    expect(expf(-Infinity)).toBe(0);
    expect(expf(-104)).toBe(0);
    expect(expf(NaN)).toBeNaN();
    // subnormal results are rounded, not flushed: within 1 subnormal ulp
    const x = -100;
    expect(Math.abs(expf(x) - Math.exp(x))).toBeLessThanOrEqual(2 ** -149);
  });
  it("log", () => {
    const { logf } = w.exports;
    expect(logf(1)).toBe(0);
    expect(logf(0)).toBe(-Infinity);
    expect(logf(-0)).toBe(-Infinity);
    expect(logf(-1)).toBeNaN();
    expect(logf(-Infinity)).toBeNaN();
    expect(logf(Infinity)).toBe(Infinity);
    expect(logf(NaN)).toBeNaN();
    expect(logf(2 ** -149)).toBe(Math.fround(Math.log(2 ** -149)));
  });
  it("tanh, sigmoid, softplus", () => {
    const { tanhf, sigmoidf, softplusf } = w.exports;
    expect(Object.is(tanhf(-0), -0)).toBe(true);
    expect(Object.is(tanhf(0), 0)).toBe(true);
    expect(tanhf(9.1)).toBe(1);
    expect(tanhf(9.5)).toBe(1);
    expect(tanhf(-3e38)).toBe(-1);
    expect(tanhf(-50)).toBe(-1);
    expect(tanhf(Infinity)).toBe(1);
    expect(tanhf(NaN)).toBeNaN();
    expect(sigmoidf(0)).toBe(0.5);
    expect(sigmoidf(Infinity)).toBe(1);
    expect(sigmoidf(-Infinity)).toBe(0);
    expect(sigmoidf(NaN)).toBeNaN();
    expect(sigmoidf(-0)).toBe(0.5);
    expect(sigmoidf(3e38)).toBe(1);
    expect(sigmoidf(-3e38)).toBe(0);
    expect(sigmoidf(-104)).toBe(0); // σ(−104) ≈ 6.8·10⁻⁴⁶ < 2⁻¹⁵⁰: rounds to 0
    // subnormal results are rounded, not flushed
    expect(Math.abs(sigmoidf(-100) - sigmoid64(-100))).toBeLessThanOrEqual(2 ** -149);
    expect(softplusf(100)).toBe(100);
    expect(softplusf(Infinity)).toBe(Infinity);
    expect(softplusf(-Infinity)).toBe(0);
    expect(softplusf(-30)).toBe(Math.fround(Math.exp(-30)));
    expect(softplusf(NaN)).toBeNaN();
  });
});

// tanh and sigmoid are one branch-free sequence for every input (kernels/math.ts): checked here
// over the whole f32 range through the kernels (actTanh = f32x4 lanes, actTanhRef = the scalar
// twin), against float64 references of their equations.
describe("tanh and sigmoid over the whole f32 range", () => {
  const CH = 1 << 16;
  // float64 references: tanh, and σ(x) = 1 / (1 + e^−x) written without overflow
  const FNS: [string, (x: number) => number][] = [
    ["actTanh", Math.tanh],
    ["actSigmoid", sigmoid64],
  ];

  /** Runs the kernel and its twin over `xs` in chunks; returns [simd, ref] outputs. */
  function both(name: string, xs: Float32Array): [Float32Array, Float32Array] {
    const a = new Float32Array(xs.length),
      b = new Float32Array(xs.length);
    for (let o = 0; o < xs.length; o += CH) {
      const n = Math.min(CH, xs.length - o);
      const px = w.f32(n, xs.subarray(o, o + n)),
        py = w.f32(n),
        pr = w.f32(n);
      w.exports[name](py, px, n);
      w.exports[name + "Ref"](pr, px, n);
      a.set(w.readF32(py, n), o);
      b.set(w.readF32(pr, n), o);
      w.reset();
    }
    return [a, b];
  }

  /** Every `step`-th bit pattern of [0, +Inf] (subnormals included), with sign `sign`. */
  function patterns(step: number, sign: number): Float32Array {
    const u = new Uint32Array(Math.floor(0x7f800000 / step) + 2);
    for (let i = 0; i < u.length - 1; i++) u[i] = (i * step) | sign;
    u[u.length - 1] = 0x7f800000 | sign; // ±Inf
    return new Float32Array(u.buffer);
  }

  for (const [name, truth] of FNS) {
    it(`${name}: ≤ 2.5 ulp (subnormal results in units of 2⁻¹⁴⁹), monotone, twin equal, over every 1021st pattern of both signs`, () => {
      let worst = 0,
        at = NaN,
        backwards = 0;
      for (const sign of [0, 0x80000000]) {
        const x = patterns(1021, sign);
        const [y, r] = both(name, x);
        expect(firstBitDiff(y, r), `${name} twin`).toBe(-1);
        for (let i = 0; i < x.length; i++) {
          const e = ulps(y[i]!, truth(x[i]!));
          if (e > worst) [worst, at] = [e, x[i]!];
          // x moves away from 0: tanh and σ move in the direction of x
          if (i > 0 && (sign ? y[i]! > y[i - 1]! : y[i]! < y[i - 1]!)) backwards++;
        }
      }
      console.log(`${name}: worst ${worst.toFixed(3)} ulp at x = ${at} over the whole range`);
      expect(worst).toBeLessThanOrEqual(2.5);
      expect(backwards, `${name} steps against the direction of x`).toBe(0);
    });

    // tanh is monotone there; σ is for x ≥ 0 (2⁶⁴/d) and, like the previous exp-based σ, may step
    // back by one ulp for x < 0 where k changes (e/d inherits the exp's last-bit wobble)
    it(`${name}: monotone over every f32 around each range-reduction boundary and the clamp`, () => {
      // k = round(c·x·log2e) changes at |x| = (j + ½) / (c·log2e): c = 2 for tanh (argument −2|x|), 1 for σ
      const c = name === "actTanh" ? 2 : 1;
      const last = name === "actTanh" ? 26 : 150;
      const edges = [name === "actTanh" ? 9.1 : 104];
      for (let j = 0; j <= last; j++) edges.push((j + 0.5) / (c * Math.LOG2E));
      for (const sign of [1, -1]) {
        const u = new Uint32Array(edges.length * 2048);
        edges.forEach((e, i) => {
          const b0 = bitsOf(e) - 1024;
          for (let d = 0; d < 2048; d++) u[i * 2048 + d] = bitsOf(sign * fromBits(b0 + d));
        });
        const x = new Float32Array(u.buffer);
        const [y, r] = both(name, x);
        expect(firstBitDiff(y, r), `${name} twin`).toBe(-1);
        const backwards: number[] = [];
        const wobble = name === "actSigmoid" && sign < 0; // allowed: one ulp back, no more
        for (let i = 1; i < x.length; i++) {
          if (i % 2048 === 0) continue; // next window
          if (!(sign > 0 ? y[i]! < y[i - 1]! : y[i]! > y[i - 1]!)) continue;
          if (!wobble || y[i]! - y[i - 1]! > ulpAt(y[i - 1]!)) backwards.push(x[i]!);
        }
        expect(backwards, `${name} steps against the direction of x`).toEqual([]);
      }
    });

    it(`${name}: SIMD lanes == scalar twin bitwise over 2^20 random bit patterns and the specials`, () => {
      const r = rng(18);
      const u = new Uint32Array(1 << 20);
      for (let i = 0; i < u.length; i++) u[i] = (r() * 2 ** 32) >>> 0;
      // ±0, ±Inf, NaNs with payloads and signs, subnormals, FLT_MAX, the clamps
      const specials = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00123, 0x7f800001];
      specials.push(1, 0x80000001, 0x007fffff, 0x807fffff, 0x7f7fffff, 0xff7fffff, bitsOf(9.1), bitsOf(-104));
      u.set(specials, 0);
      const x = new Float32Array(u.buffer);
      const [y, ref] = both(name, x);
      expect(firstBitDiff(y, ref)).toBe(-1);
      // NaN in, the same NaN out (payload and sign): no host-dependent NaN bits (compared as
      // u32 views: a NaN read into a JS number may lose its payload)
      const yu = new Uint32Array(y.buffer),
        ru = new Uint32Array(ref.buffer);
      for (let i = 0; i < x.length; i++) {
        if (!Number.isNaN(x[i]!)) continue;
        expect(yu[i]).toBe(u[i]);
        expect(ru[i]).toBe(u[i]);
      }
    });
  }
});
