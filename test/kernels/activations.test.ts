// Activation kernels: f32x4 == Ref bitwise (also in place), values against float64.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { firstBitDiff, randArray, rng, SIZES } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SLOPE = Math.fround(0.01);

// name, float64 reference, absolute+relative tolerance in f32 eps units, extra param
const CASES: [string, (x: number) => number, number, number?][] = [
  ["actRelu", (x) => (x > 0 ? x : 0), 0],
  ["actReluGrad", (x) => (x > 0 ? 1 : 0), 0],
  ["actLeakyRelu", (x) => (x > 0 ? x : SLOPE * x), 1, SLOPE],
  ["actLeakyReluGrad", (x) => (x > 0 ? 1 : SLOPE), 0, SLOPE],
  ["actTanh", Math.tanh, 3],
  ["actTanhGrad", (x) => 1 / Math.cosh(x) ** 2, 6],
  ["actSigmoid", sig, 3],
  ["actSigmoidGrad", (x) => sig(x) * sig(-x), 6],
  ["actSoftplus", (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), 4],
  ["actSoftplusGrad", sig, 3],
  ["actStep", (x) => (x > 0 ? 1 : 0), 0],
  ["actStepSurrogate", (x) => 1 / (1 + 10 * Math.abs(x)) ** 2, 6],
  ["actSign", (x) => Math.sign(x) + 0, 0],
  ["actSignSurrogate", (x) => (Math.abs(x) <= 1 ? 1 : 0), 0],
];

function input(seed: number, n: number): Float32Array {
  const r = rng(seed * 977 + n);
  const x = randArray(r, n, -6, 6);
  // sprinkle exact edge values: 0, ±1, 0.5
  for (let i = 0; i < n; i += 7) x[i] = [0, 1, -1, 0.5, -0][i % 5];
  return x;
}

describe("activations", () => {
  for (const [name, ref, tolEps, param] of CASES) {
    it(`${name}: SIMD == Ref bitwise (also in place), close to float64`, () => {
      for (const seed of [1, 2, 3])
        for (const n of SIZES) {
          const x = input(seed, n);
          const outs: Float32Array[] = [];
          for (const f of [name, name + "Ref"]) {
            const px = w.f32(n, x),
              py = w.f32(n);
            const args = param === undefined ? [py, px, n] : [py, px, n, param];
            w.exports[f](...args);
            outs.push(w.readF32(py, n));
            const inPlace = param === undefined ? [px, px, n] : [px, px, n, param];
            w.exports[f](...inPlace);
            outs.push(w.readF32(px, n));
          }
          expect(firstBitDiff(outs[0], outs[2]), `${name} n=${n}`).toBe(-1);
          expect(firstBitDiff(outs[0], outs[1]), `${name} in place n=${n}`).toBe(-1);
          expect(firstBitDiff(outs[2], outs[3]), `${name}Ref in place n=${n}`).toBe(-1);
          for (let i = 0; i < n; i++) {
            const t = ref(x[i]);
            const tol = tolEps * 2 ** -24 * Math.max(Math.abs(t), 2 ** -100);
            expect(Math.abs(outs[0][i] - t), `${name}(${x[i]})`).toBeLessThanOrEqual(tol);
          }
          w.reset();
        }
    });
  }

  it("tanh/sigmoid/softplus SIMD lanes == scalar over a dense sweep (incl. specials)", () => {
    const n = 1 << 16;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i - n / 2) * (200 / n) * Math.fround(1.0001);
    x.set([NaN, Infinity, -Infinity, 0, -0, 88.8, -88.8, 1e-30, -1e-30, 9, -9, 0.625, -0.625], 0);
    for (const name of ["actTanh", "actSigmoid", "actSoftplus", "actTanhGrad", "actSigmoidGrad"]) {
      const px = w.f32(n, x),
        py = w.f32(n),
        pr = w.f32(n);
      w.exports[name](py, px, n);
      w.exports[name + "Ref"](pr, px, n);
      expect(firstBitDiff(w.readF32(py, n), w.readF32(pr, n)), name).toBe(-1);
      w.reset();
    }
  });
});
