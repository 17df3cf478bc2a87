// The streaming-LDA kernels (assembly/kernels/spd.ts) and the patch codes
// (assembly/kernels/patches.ts): f32x4 == Ref bitwise, and the results mean what
// they claim against float64 references written here.
import { beforeAll, describe, expect, it } from "vitest";
import { loadRaw, type RawWasm } from "../helpers/wasm";
import { firstBitDiff, randArray, rng } from "./util";

let w: RawWasm;
beforeAll(async () => {
  w = await loadRaw();
});

const DIMS = [1, 2, 3, 4, 5, 7, 16, 17, 33, 40];

/** A random SPD matrix B Bᵀ + n I (n × n, float64) and its upper triangle as f32 row-major. */
function spd(r: () => number, n: number): { a: Float64Array; upper: Float32Array } {
  const b = randArray(r, n * n);
  const a = new Float64Array(n * n);
  const upper = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = Math.fround(s);
      if (j >= i) upper[i * n + j] = s;
    }
  }
  return { a, upper };
}

describe("symRank1", () => {
  it.each(DIMS)("n = %i: SIMD == Ref bitwise; the upper triangle gets alpha v vᵀ, the lower stays", (n) => {
    const r = rng(n);
    const s = randArray(r, n * n),
      v = randArray(r, n),
      alpha = 0.37;
    const out: Float32Array[] = [];
    for (const name of ["symRank1", "symRank1Ref"]) {
      const ps = w.f32(n * n, s),
        pv = w.f32(n, v);
      w.exports[name](ps, pv, n, alpha);
      out.push(w.readF32(ps, n * n));
    }
    expect(firstBitDiff(out[0]!, out[1]!)).toBe(-1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const want = j >= i ? s[i * n + j]! + Math.fround(alpha * v[i]!) * v[j]! : s[i * n + j]!;
        expect(Math.abs(out[0]![i * n + j]! - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
      }
    }
    w.reset();
  });
});

describe("symRankK", () => {
  it.each([
    [1, 5],
    [3, 8],
    [4, 8],
    [5, 3],
    [17, 8],
    [33, 5],
    [40, 8],
  ])(
    "n = %i, m = %i: the same bits as m sequential symRank1 calls (SIMD and Ref), zero coefficients included",
    (n, m) => {
      const r = rng(50 + n + m);
      const s = randArray(r, n * n),
        v = randArray(r, m * n),
        alpha = Float32Array.from([0.5, 0, 1.25, 0.75, 0.125, 2, 0.25, 1].slice(0, m));
      v[2 * n] = 0; // a zero entry
      const seq = w.f32(n * n, s);
      for (let b = 0; b < m; b++) w.exports["symRank1Ref"](seq, w.f32(n, v.subarray(b * n, b * n + n)), n, alpha[b]!);
      const want = w.readF32(seq, n * n);
      for (const name of ["symRankK", "symRankKRef"]) {
        const ps = w.f32(n * n, s);
        w.exports[name](ps, w.f32(m * n, v), w.f32(m, alpha), w.f32(m), n, m);
        expect(firstBitDiff(w.readF32(ps, n * n), want), name).toBe(-1);
      }
      w.reset();
    },
  );
});

describe("cholesky and cholSolve", () => {
  it.each(DIMS)("n = %i: SIMD == Ref bitwise; L Lᵀ x = b solved to float32 accuracy", (n) => {
    const r = rng(100 + n);
    const { a, upper } = spd(r, n);
    const b = randArray(r, n);
    const out: Float32Array[] = [];
    for (const [chol, solve] of [
      ["cholesky", "cholSolve"],
      ["choleskyRef", "cholSolveRef"],
    ] as const) {
      const pa = w.f32(n * n, upper),
        pd = w.f32(n),
        pb = w.f32(n, b);
      w.exports[chol](pa, pd, n, 1e-30);
      w.exports[solve](pa, pd, pb, n);
      out.push(Float32Array.from([...w.readF32(pa, n * n), ...w.readF32(pd, n), ...w.readF32(pb, n)]));
    }
    expect(firstBitDiff(out[0]!, out[1]!)).toBe(-1);
    const x = out[0]!.subarray(n * n + n);
    // residual of A x = b in float64, relative to ‖A‖‖x‖ (the matrix has condition number ≲ 10)
    let worst = 0,
      scale = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        s += a[i * n + j]! * x[j]!;
        scale = Math.max(scale, Math.abs(a[i * n + j]!));
      }
      worst = Math.max(worst, Math.abs(s - b[i]!));
    }
    const xmax = Math.max(...x.map(Math.abs));
    expect(worst).toBeLessThanOrEqual(n * 2 ** -20 * scale * xmax + 1e-7);
    w.reset();
  });

  it.each(DIMS)("n = %i: triInverseNorm2 is tr(A⁻¹) (SIMD == Ref bitwise)", (n) => {
    const r = rng(300 + n);
    const { a, upper } = spd(r, n);
    const got: number[] = [];
    for (const [chol, inv] of [
      ["cholesky", "triInverseNorm2"],
      ["choleskyRef", "triInverseNorm2Ref"],
    ] as const) {
      const pa = w.f32(n * n, upper),
        pd = w.f32(n);
      w.exports[chol](pa, pd, n, 1e-30);
      got.push(w.exports[inv](pa, pd, w.f32(n), n));
    }
    expect(got[0]).toBe(got[1]);
    // float64 tr(A⁻¹) by Gauss-Jordan on the same (f32-rounded) matrix
    const M = Array.from({ length: n }, (_, i) => [
      ...a.subarray(i * n, i * n + n),
      ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
    ]);
    for (let i = 0; i < n; i++) {
      const p = M[i]![i]!;
      for (let j = 0; j < 2 * n; j++) M[i]![j]! /= p;
      for (let k = 0; k < n; k++)
        if (k !== i) {
          const f = M[k]![i]!;
          for (let j = 0; j < 2 * n; j++) M[k]![j]! -= f * M[i]![j]!;
        }
    }
    let tr = 0;
    for (let i = 0; i < n; i++) tr += M[i]![n + i]!;
    expect(Math.abs(got[0]! - tr)).toBeLessThanOrEqual(1e-5 * tr);
    w.reset();
  });

  it("floors a non-positive pivot (a singular matrix still factors finitely)", () => {
    const n = 3;
    const pa = w.f32(9, [1, 1, 1, 0, 1, 1, 0, 0, 1]),
      pd = w.f32(3);
    w.exports["cholesky"](pa, pd, n, 1e-6);
    const diag = w.readF32(pd, 3);
    expect([...diag].every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(diag[1]).toBe(Math.fround(Math.sqrt(1e-6)));
    w.reset();
  });
});

describe("patch codes", () => {
  it.each([1, 3, 4, 7, 16, 29])(
    "K = %i: distances and the triangle code, SIMD == Ref bitwise and equal to the float64 definitions",
    (K) => {
      const r = rng(7 + K);
      const P = 9;
      const x = randArray(r, P),
        c = randArray(r, P * K); // centroid k: c[k*P ..]
      const z = new Float32Array(K),
        cc = new Float32Array(K);
      let xx = 0;
      for (let j = 0; j < P; j++) xx = Math.fround(xx + x[j]! * x[j]!);
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < P; j++) {
          z[k] = Math.fround(z[k]! + c[k * P + j]! * x[j]!);
          cc[k] = Math.fround(cc[k]! + c[k * P + j]! ** 2);
        }
      }
      const pool0 = randArray(r, K);
      const outs: Float32Array[] = [];
      for (const suffix of ["", "Ref"]) {
        const pd = w.f32(K),
          pz = w.f32(K, z),
          pc = w.f32(K, cc),
          pp = w.f32(K, pool0);
        w.exports["patchDistances" + suffix](pd, pz, pc, xx, K);
        const dist = w.readF32(pd, K);
        const mean = Math.fround(dist.reduce((a, b) => a + b, 0) / K);
        w.exports["triangleAccumulate" + suffix](pp, pd, mean, K);
        outs.push(Float32Array.from([...dist, ...w.readF32(pp, K)]));
      }
      expect(firstBitDiff(outs[0]!, outs[1]!)).toBe(-1);
      const dist = outs[0]!.subarray(0, K),
        pool = outs[0]!.subarray(K);
      const mean = dist.reduce((a, b) => a + b, 0) / K;
      for (let k = 0; k < K; k++) {
        let d2 = 0;
        for (let j = 0; j < P; j++) d2 += (x[j]! - c[k * P + j]!) ** 2;
        expect(Math.abs(dist[k]! - Math.sqrt(d2))).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(pool[k]! - (pool0[k]! + Math.max(0, mean - dist[k]!)))).toBeLessThanOrEqual(1e-5);
      }
      w.reset();
    },
  );
});
