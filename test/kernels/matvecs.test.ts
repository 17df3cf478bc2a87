// matvecs: k products with one matrix in one pass; each equals matvec's (dot's) bits, and
// the f32x4 kernel equals its Ref twin bitwise.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { firstBitDiff, randArray, rng } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

const EPS = 2 ** -24;
const DIMS = [0, 1, 3, 4, 5, 16, 17, 33, 67];
const KS = [0, 1, 2, 3, 4, 5, 7, 10];

function put(src: Float32Array, off: number): number {
  const p = w.f32(src.length + off + 1) + 4 * off;
  w.writeF32(p, src);
  return p;
}

describe("matvecs", () => {
  it("SIMD == Ref bitwise; y_v[i] == dot(W_i, x_v) bitwise; close to float64", () => {
    let cases = 0;
    for (const rows of DIMS)
      for (const cols of DIMS)
        for (const k of KS) {
          const r = rng(rows * 1009 + cols * 31 + k);
          // strides larger than the vectors: rows of a wider buffer, as the learner passes them
          const xs = cols + (k % 3),
            ys = rows + ((k + 1) % 3),
            off = (rows + cols + k) % 3;
          const W = randArray(r, rows * cols),
            X = randArray(r, k * xs);
          const pw = put(W, off),
            px = put(X, (off + 1) % 4);
          const out: Float32Array[] = [];
          for (const f of ["matvecs", "matvecsRef"]) {
            const py = put(new Float32Array(k * ys), off);
            w.exports[f](py, ys, pw, px, xs, rows, cols, k);
            out.push(w.readF32(py, k * ys));
          }
          expect(firstBitDiff(out[0]!, out[1]!), `${rows}x${cols} k=${k}`).toBe(-1);
          for (let v = 0; v < k; v++)
            for (let i = 0; i < rows; i++) {
              const y = out[0]![v * ys + i]!;
              expect(Object.is(y, w.exports.dot(pw + 4 * i * cols, px + 4 * v * xs, cols))).toBe(true);
              let t = 0,
                m = 0;
              for (let j = 0; j < cols; j++) {
                t += W[i * cols + j]! * X[v * xs + j]!;
                m += Math.abs(W[i * cols + j]! * X[v * xs + j]!);
              }
              expect(Math.abs(y - t)).toBeLessThanOrEqual((cols + 2) * EPS * m + 1e-30);
              cases++;
            }
          w.reset();
        }
    expect(cases).toBeGreaterThan(10000);
  });
});
