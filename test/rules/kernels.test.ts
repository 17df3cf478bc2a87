// The Hebbian row kernels against their definitions in float64, on every size
// class (n % 4 ≠ 0: the scalar tail; n % 16 ≠ 0). The f32x4 == Ref tests show the
// twins agree with each other; these show both compute what their names say,
// so a mistake made in both twins (a skipped tail element) is caught.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm.js";
import { randArray, rng, SIZES } from "../kernels/util.js";

let raw: RawWasm;
beforeAll(async () => {
  raw = await loadRaw();
});

describe("Hebbian row kernels compute their definition on every element, tail included", () => {
  for (const suffix of ["", "Ref"]) {
    it(`hebbRowMaxAbs${suffix} = max_j |x_j − c w_j|, the largest entry placed at every index`, () => {
      const r = rng(23);
      for (const n of SIZES.filter((n) => n > 0 && n <= 100)) {
        for (const at of new Set([0, n >> 1, n - 1])) {
          const w = randArray(r, n),
            x = randArray(r, n);
          x[at] = 5; // the largest |x_j − c w_j| sits at `at`
          const c = 0.75;
          const want = Math.max(...Array.from(x, (xj, j) => Math.abs(Math.fround(xj - Math.fround(c * w[j]!)))));
          const got = raw.exports["hebbRowMaxAbs" + suffix](raw.f32(n, w), raw.f32(n, x), n, c);
          expect(got, `n=${n}, max at ${at}`).toBe(Math.fround(want));
          raw.reset();
        }
      }
    });

    it(`hebbRow${suffix}: w_j ← w_j + a (x_j − c w_j) for every j`, () => {
      const r = rng(29);
      for (const n of SIZES.filter((n) => n > 0 && n <= 100)) {
        const w = randArray(r, n),
          x = randArray(r, n),
          a = 0.3,
          c = -0.7;
        const p = raw.f32(n, w);
        raw.exports["hebbRow" + suffix](p, raw.f32(n, x), n, a, c);
        const got = raw.readF32(p, n);
        for (let j = 0; j < n; j++) expect(got[j], `n=${n} j=${j}`).toBeCloseTo(w[j]! + a * (x[j]! - c * w[j]!), 6);
        raw.reset();
      }
    });

    it(`sangerRows${suffix}: w_i ← w_i + η y_i (x − Σ_{k≤i} y_k w_k) for every row and column`, () => {
      const r = rng(31);
      for (const n of [1, 3, 5, 17, 33]) {
        const K = 3,
          w = randArray(r, K * n),
          x = randArray(r, n),
          y = randArray(r, K),
          eta = 0.1;
        const p = raw.f32(K * n, w);
        raw.exports["sangerRows" + suffix](p, raw.f32(K, y), raw.f32(n, x), K, n, eta);
        const got = raw.readF32(p, K * n);
        for (let i = 0; i < K; i++) {
          for (let j = 0; j < n; j++) {
            let res = x[j]!;
            for (let k = 0; k <= i; k++) res -= y[k]! * w[k * n + j]!;
            expect(got[i * n + j], `n=${n} i=${i} j=${j}`).toBeCloseTo(w[i * n + j]! + eta * y[i]! * res, 5);
          }
        }
        raw.reset();
      }
    });
  }
});
