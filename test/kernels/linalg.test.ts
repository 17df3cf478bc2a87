// linalg kernels: f32x4 == Ref bitwise, both close to a float64 reference.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { firstBitDiff, randArray, rng, SIZES } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

const EPS = 2 ** -24;
const SEEDS = [1, 2, 3];
const DIMS = [0, 1, 3, 4, 5, 16, 17, 33, 64, 67];
// start offsets in floats: arrays need not be 16-byte aligned
const OFFSETS = [0, 1, 3];

/** Copies `src` into wasm memory `off` floats after a fresh allocation; returns the byte offset. */
function put(src: Float32Array, off: number): number {
  const p = w.f32(src.length + off + 1) + 4 * off;
  w.writeF32(p, src);
  return p;
}

/** Runs fn on a fresh copy for both variants; returns [simd, ref] outputs read back from `out` (size m). */
function both(
  make: () => { out: number; m: number; run: (name: string) => number | void },
  name: string,
): [Float32Array, Float32Array, (number | void)[]] {
  const res: Float32Array[] = [];
  const ret: (number | void)[] = [];
  for (const n of [name, name + "Ref"]) {
    const c = make();
    ret.push(c.run(n));
    res.push(w.readF32(c.out, c.m));
  }
  return [res[0], res[1], ret];
}

function expectClose(got: Float32Array, want: Float64Array, tol: Float64Array | number) {
  for (let i = 0; i < want.length; i++) {
    const t = typeof tol === "number" ? tol : tol[i];
    expect(Math.abs(got[i] - want[i]), `index ${i}`).toBeLessThanOrEqual(t);
  }
}

describe("dot", () => {
  it("SIMD == Ref bitwise; close to float64", () => {
    for (const seed of SEEDS)
      for (const n of SIZES)
        for (const off of OFFSETS) {
          const r = rng(seed * 1000 + n);
          const a = randArray(r, n),
            b = randArray(r, n);
          const pa = put(a, off),
            pb = put(b, (off + 2) % 4);
          const s = w.exports.dot(pa, pb, n);
          const sr = w.exports.dotRef(pa, pb, n);
          expect(Object.is(s, sr), `n=${n} off=${off}`).toBe(true);
          let t = 0,
            m = 0;
          for (let i = 0; i < n; i++) {
            t += a[i] * b[i];
            m += Math.abs(a[i] * b[i]);
          }
          expect(Math.abs(s - t)).toBeLessThanOrEqual((n + 2) * EPS * m + 1e-30);
          w.reset();
        }
  });
});

describe("axpy, scale", () => {
  it("SIMD == Ref bitwise; close to float64", () => {
    for (const seed of SEEDS)
      for (const n of SIZES)
        for (const off of OFFSETS) {
          const r = rng(seed * 7 + n);
          const x = randArray(r, n),
            y = randArray(r, n);
          const alpha = Math.fround(r() * 4 - 2);
          const [s, sr] = both(() => {
            const py = put(y, off),
              px = put(x, (off + 1) % 4);
            return { out: py, m: n, run: (f) => w.exports[f](py, alpha, px, n) };
          }, "axpy");
          expect(firstBitDiff(s, sr)).toBe(-1);
          const want = Float64Array.from(y, (v, i) => v + alpha * x[i]);
          expectClose(
            s,
            want,
            Float64Array.from(want, (v) => 2 * EPS * (Math.abs(v) + 2)),
          );
          const [c, cr] = both(() => {
            const py = put(y, off);
            return { out: py, m: n, run: (f) => w.exports[f](py, alpha, n) };
          }, "scale");
          expect(firstBitDiff(c, cr)).toBe(-1);
          expectClose(
            c,
            Float64Array.from(y, (v) => v * alpha),
            EPS * 2,
          );
          w.reset();
        }
  });
});

function matrixCases(fn: (rows: number, cols: number, seed: number, off: number) => void) {
  for (const seed of SEEDS)
    for (const rows of DIMS) for (const cols of DIMS) fn(rows, cols, seed, OFFSETS[(rows + cols + seed) % 3]);
}

describe("matvec, matvecT", () => {
  it("matvec: SIMD == Ref bitwise, row i == dot(W_i, x), close to float64", () => {
    matrixCases((rows, cols, seed, off) => {
      const r = rng(seed * 31 + rows * 101 + cols);
      const W = randArray(r, rows * cols),
        x = randArray(r, cols);
      const [y, yr] = both(() => {
        const pw = put(W, off),
          px = put(x, 0),
          py = put(new Float32Array(rows), off);
        return { out: py, m: rows, run: (f) => w.exports[f](py, pw, px, rows, cols) };
      }, "matvec");
      expect(firstBitDiff(y, yr), `${rows}x${cols}`).toBe(-1);
      const pw = put(W, off),
        px = put(x, 0);
      for (let i = 0; i < rows; i++) {
        expect(Object.is(y[i], w.exports.dot(pw + 4 * i * cols, px, cols))).toBe(true);
        let t = 0,
          m = 0;
        for (let j = 0; j < cols; j++) {
          t += W[i * cols + j] * x[j];
          m += Math.abs(W[i * cols + j] * x[j]);
        }
        expect(Math.abs(y[i] - t)).toBeLessThanOrEqual((cols + 2) * EPS * m + 1e-30);
      }
      w.reset();
    });
  });

  it("matvecT: SIMD == Ref bitwise, close to float64", () => {
    matrixCases((rows, cols, seed, off) => {
      const r = rng(seed * 37 + rows * 103 + cols);
      const W = randArray(r, rows * cols),
        x = randArray(r, rows);
      const [y, yr] = both(() => {
        const pw = put(W, off),
          px = put(x, 1),
          py = put(randArray(r, cols), off); // y garbage: overwritten
        return { out: py, m: cols, run: (f) => w.exports[f](py, pw, px, rows, cols) };
      }, "matvecT");
      expect(firstBitDiff(y, yr), `${rows}x${cols}`).toBe(-1);
      for (let j = 0; j < cols; j++) {
        let t = 0,
          m = 0;
        for (let i = 0; i < rows; i++) {
          t += W[i * cols + j] * x[i];
          m += Math.abs(W[i * cols + j] * x[i]);
        }
        expect(Math.abs(y[j] - t)).toBeLessThanOrEqual((rows + 2) * EPS * m + 1e-30);
      }
      w.reset();
    });
  });
});

describe("rank1Update, denseStep", () => {
  it("rank1Update: SIMD == Ref bitwise, close to float64", () => {
    matrixCases((rows, cols, seed, off) => {
      const r = rng(seed * 41 + rows * 107 + cols);
      const W = randArray(r, rows * cols),
        a = randArray(r, rows),
        b = randArray(r, cols);
      const eta = 0.01;
      const [v, vr] = both(() => {
        const pw = put(W, off),
          pa = put(a, 0),
          pb = put(b, 3);
        return { out: pw, m: rows * cols, run: (f) => w.exports[f](pw, pa, pb, rows, cols, eta) };
      }, "rank1Update");
      expect(firstBitDiff(v, vr), `${rows}x${cols}`).toBe(-1);
      const want = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) want[i * cols + j] = W[i * cols + j] + Math.fround(eta) * a[i] * b[j];
      expectClose(v, want, 4 * EPS);
      w.reset();
    });
  });

  for (const decay of [0, 1, 0.5]) {
    it(`denseStep decay=${decay}: SIMD == Ref bitwise, y == matvec, close to float64`, () => {
      matrixCases((rows, cols, seed, off) => {
        const r = rng(seed * 43 + rows * 109 + cols);
        const W = randArray(r, rows * cols),
          x = randArray(r, cols);
        const eta = Math.fround(0.05);
        const outs: Float32Array[] = [];
        for (const f of ["denseStep", "denseStepRef"]) {
          const pw = put(W, off),
            px = put(x, 2),
            py = put(new Float32Array(rows), 0);
          w.exports[f](pw, py, px, rows, cols, eta, decay);
          outs.push(w.readF32(pw, rows * cols), w.readF32(py, rows));
        }
        expect(firstBitDiff(outs[0], outs[2]), `W ${rows}x${cols}`).toBe(-1);
        expect(firstBitDiff(outs[1], outs[3]), `y ${rows}x${cols}`).toBe(-1);
        // y must equal the forward pass on the old weights
        const pw = put(W, off),
          px = put(x, 0),
          py = put(new Float32Array(rows), 0);
        w.exports.matvec(py, pw, px, rows, cols);
        expect(firstBitDiff(outs[1], w.readF32(py, rows))).toBe(-1);
        const y = outs[1];
        const want = new Float64Array(rows * cols);
        const tol = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const wij = W[i * cols + j];
            const hebb = eta * y[i] * x[j],
              shrink = eta * decay * y[i] * y[i] * wij;
            want[i * cols + j] = wij + hebb - shrink;
            tol[i * cols + j] = 6 * EPS * (Math.abs(wij) + Math.abs(hebb) + Math.abs(shrink));
          }
        expectClose(outs[0], want, tol);
        w.reset();
      });
    });
  }

  it("denseStep decay=1 with some y_i = 0 (c = 1 exactly on those rows): SIMD == Ref bitwise, y == matvec", () => {
    for (const [rows, cols] of [
      [7, 67],
      [6, 64],
      [5, 33],
      [9, 17],
    ]) {
      const r = rng(rows * 1000 + cols);
      const W = randArray(r, rows * cols),
        x = randArray(r, cols);
      for (let i = 0; i < rows; i += 2) W.fill(0, i * cols, (i + 1) * cols); // even rows give y_i = 0
      const outs: Float32Array[] = [];
      for (const f of ["denseStep", "denseStepRef"]) {
        const pw = put(W, 1),
          px = put(x, 3),
          py = put(new Float32Array(rows), 0);
        w.exports[f](pw, py, px, rows, cols, 0.05, 1);
        outs.push(w.readF32(pw, rows * cols), w.readF32(py, rows));
      }
      expect(firstBitDiff(outs[0], outs[2]), `W ${rows}x${cols}`).toBe(-1);
      expect(firstBitDiff(outs[1], outs[3]), `y ${rows}x${cols}`).toBe(-1);
      const pw = put(W, 0),
        px = put(x, 0),
        py = put(new Float32Array(rows), 0);
      w.exports.matvec(py, pw, px, rows, cols);
      expect(firstBitDiff(outs[1], w.readF32(py, rows))).toBe(-1);
      for (let i = 0; i < rows; i += 2) expect(outs[1][i]).toBe(0);
      w.reset();
    }
  });

  it("Oja (decay=1) drives a row to unit norm", () => {
    const cols = 37;
    const r = rng(9);
    const pw = put(randArray(r, cols, -0.1, 0.1), 1),
      px = w.f32(cols),
      py = w.f32(1);
    for (let t = 0; t < 4000; t++) {
      w.writeF32(px, randArray(r, cols));
      w.exports.denseStep(pw, py, px, 1, cols, 0.01, 1);
    }
    const row = w.readF32(pw, cols);
    const norm = Math.hypot(...row);
    expect(Math.abs(norm - 1)).toBeLessThan(0.1);
    w.reset();
  });
});
