// Deterministic math (assembly/kernels/math.ts) against float64 Math, in ulps.
// The f32x4 twins (exp4 ...) are checked lane-for-lane in assembly/__tests__/math.spec.ts
// and through the activation kernels (actTanh vs actTanhRef ...).
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { bitsOf, fromBits, ulps } from "./util";

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
    ["tanh", "tanhf", Math.tanh, 0, 10, [1, -1], 3],
    ["sigmoid", "sigmoidf", sigmoid64, 0, 80, [1, -1], 3],
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
    expect(tanhf(9.5)).toBe(1);
    expect(tanhf(-50)).toBe(-1);
    expect(tanhf(Infinity)).toBe(1);
    expect(tanhf(NaN)).toBeNaN();
    expect(sigmoidf(0)).toBe(0.5);
    expect(sigmoidf(Infinity)).toBe(1);
    expect(sigmoidf(-Infinity)).toBe(0);
    expect(sigmoidf(NaN)).toBeNaN();
    expect(softplusf(100)).toBe(100);
    expect(softplusf(Infinity)).toBe(Infinity);
    expect(softplusf(-Infinity)).toBe(0);
    expect(softplusf(-30)).toBe(Math.fround(Math.exp(-30)));
    expect(softplusf(NaN)).toBeNaN();
  });
});
