// normalize, softmax, kWinnersTakeAll: f32x4 == Ref bitwise, against float64 / the definition.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { firstBitDiff, randArray, rng, SIZES } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});
const EPS = 2 ** -24;

describe("normalize", () => {
  it("SIMD == Ref bitwise; y = x / (‖x‖ + eps), returns ‖x‖", () => {
    for (const seed of [1, 2, 3])
      for (const n of SIZES) {
        const x = randArray(rng(seed * 13 + n), n, -3, 3);
        const eps = 1e-6;
        const outs: Float32Array[] = [];
        const norms: number[] = [];
        for (const f of ["normalize", "normalizeRef"]) {
          const px = w.f32(n, x);
          norms.push(w.exports[f](px, px, n, eps)); // in place
          outs.push(w.readF32(px, n));
        }
        expect(Object.is(norms[0], norms[1])).toBe(true);
        expect(firstBitDiff(outs[0], outs[1])).toBe(-1);
        const norm = Math.hypot(...x);
        expect(Math.abs(norms[0] - norm)).toBeLessThanOrEqual((n + 2) * EPS * norm);
        for (let i = 0; i < n; i++) expect(Math.abs(outs[0][i] - x[i] / (norm + eps))).toBeLessThanOrEqual(n * 2 * EPS);
        w.reset();
      }
  });
});

describe("softmax", () => {
  it("SIMD == Ref bitwise; close to float64; sums to 1", () => {
    for (const seed of [1, 2, 3])
      for (const n of SIZES) {
        const x = randArray(rng(seed * 17 + n), n, -20, 20);
        const outs: Float32Array[] = [];
        for (const f of ["softmax", "softmaxRef"]) {
          const px = w.f32(n, x),
            py = w.f32(n);
          w.exports[f](py, px, n);
          outs.push(w.readF32(py, n));
        }
        expect(firstBitDiff(outs[0], outs[1]), `n=${n}`).toBe(-1);
        const m = Math.max(...x);
        const e = Array.from(x, (v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        // x − max rounds in f32: a relative error of up to |x − max|·EPS in exp, on top of the sum's
        for (let i = 0; i < n; i++) {
          const rel = (n + 8 + Math.abs(x[i] - m)) * EPS;
          expect(Math.abs(outs[0][i] - e[i] / s)).toBeLessThanOrEqual(rel * (e[i] / s) + 1e-30);
        }
        if (n > 0) expect(Math.abs(outs[0].reduce((a, b) => a + b, 0) - 1)).toBeLessThan((n + 8) * EPS);
        w.reset();
      }
  });
  it("large inputs do not overflow", () => {
    const px = w.f32(3, [1000, 1000, -1000]),
      py = w.f32(3);
    w.exports.softmax(py, px, 3);
    expect(Array.from(w.readF32(py, 3))).toEqual([0.5, 0.5, 0]);
    w.reset();
  });
});

/** Independent definition: sort indices by (value desc, index asc), keep the first k. */
function kwtaTruth(x: Float32Array, k: number): Float32Array {
  const idx = Array.from(x, (_, i) => i).sort((a, b) => x[b] - x[a] || a - b);
  const y = new Float32Array(x.length);
  for (const i of idx.slice(0, Math.max(0, k))) y[i] = x[i];
  return y;
}

describe("kWinnersTakeAll", () => {
  it("SIMD == Ref == definition (ties by lower index), in place and not", () => {
    for (const seed of [1, 2, 3, 4])
      for (const n of SIZES) {
        const r = rng(seed * 19 + n);
        // few distinct values so ties are common
        const x = Float32Array.from({ length: n }, () => Math.floor(r() * 7) - 3);
        for (const k of [0, 1, 2, 3, Math.floor(n / 2), n - 1, n, n + 3]) {
          const want = kwtaTruth(x, k);
          for (const f of ["kWinnersTakeAll", "kWinnersTakeAllRef"]) {
            const px = w.f32(n, x),
              py = w.f32(n);
            w.exports[f](py, px, n, k);
            expect(firstBitDiff(w.readF32(py, n), want), `${f} n=${n} k=${k}`).toBe(-1);
            w.exports[f](px, px, n, k);
            expect(firstBitDiff(w.readF32(px, n), want), `${f} in place n=${n} k=${k}`).toBe(-1);
          }
          w.reset();
        }
      }
  });
  it("continuous values, ±Infinity", () => {
    const n = 101;
    const x = randArray(rng(5), n, -1, 1);
    x[3] = Infinity;
    x[50] = -Infinity;
    x[60] = -Infinity;
    for (const k of [1, 5, 33, 99, 100]) {
      const want = kwtaTruth(x, k);
      for (const f of ["kWinnersTakeAll", "kWinnersTakeAllRef"]) {
        const px = w.f32(n, x),
          py = w.f32(n);
        w.exports[f](py, px, n, k);
        expect(firstBitDiff(w.readF32(py, n), want), `${f} k=${k}`).toBe(-1);
      }
      w.reset();
    }
  });
});
