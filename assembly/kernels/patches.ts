// Patch encodings for convolutional features (../learners/continual.ts): the
// distances of one image patch to K centroids and the "triangle" code of
// Coates, Lee & Ng 2011. Elementwise only (no reductions), so the f32x4
// version and the scalar Ref do the same IEEE operations per element and agree
// bitwise. x, y have n elements; no aliasing.
//
// see: Coates, Lee & Ng 2011, "An analysis of single-layer networks in
//      unsupervised feature learning", AISTATS, §3.2 (triangle activation).

import { SIMD } from "./simd";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** dist_k = √max((xx + cc_k) − (z_k + z_k), 0): ‖x − c_k‖ from z_k = c_k·x, xx = ‖x‖², cc_k = ‖c_k‖². */
export function patchDistances(dist: usize, z: usize, cc: usize, xx: f32, n: i32): void {
  if (!SIMD) return patchDistancesRef(dist, z, cc, xx, n);
  const xv = f32x4.splat(xx),
    zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const zv = v128.load(at(z, i));
    v128.store(
      at(dist, i),
      f32x4.sqrt(f32x4.max(f32x4.sub(f32x4.add(xv, v128.load(at(cc, i))), f32x4.add(zv, zv)), zero)),
    );
  }
  for (; i < n; i++) {
    const zk = load<f32>(at(z, i));
    store<f32>(at(dist, i), Mathf.sqrt(Mathf.max(xx + load<f32>(at(cc, i)) - (zk + zk), 0)));
  }
}

export function patchDistancesRef(dist: usize, z: usize, cc: usize, xx: f32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const zk = load<f32>(at(z, i));
    store<f32>(at(dist, i), Mathf.sqrt(Mathf.max(xx + load<f32>(at(cc, i)) - (zk + zk), 0)));
  }
}

/** Triangle code, summed into a pool: pool_k += max(mean − dist_k, 0), mean = the mean distance. */
export function triangleAccumulate(pool: usize, dist: usize, mean: f32, n: i32): void {
  if (!SIMD) return triangleAccumulateRef(pool, dist, mean, n);
  const mv = f32x4.splat(mean),
    zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    v128.store(at(pool, i), f32x4.add(v128.load(at(pool, i)), f32x4.max(f32x4.sub(mv, v128.load(at(dist, i))), zero)));
  }
  for (; i < n; i++) store<f32>(at(pool, i), load<f32>(at(pool, i)) + Mathf.max(mean - load<f32>(at(dist, i)), 0));
}

export function triangleAccumulateRef(pool: usize, dist: usize, mean: f32, n: i32): void {
  for (let i = 0; i < n; i++)
    store<f32>(at(pool, i), load<f32>(at(pool, i)) + Mathf.max(mean - load<f32>(at(dist, i)), 0));
}
