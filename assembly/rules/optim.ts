// Optimizers, fused with a rank-2 gradient so a local rule's update is one pass over W.
//
//   g_ij = a_i x_j + b_i z_j                     (gradient of the loss; a, b per row)
//   SGD with momentum:  u ← μ u + g,  W ← W − η u
//   Adam:  m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,
//          W ← W − η̂ m / (√v + ε̂),  η̂ = η √(1 − β2ᵗ) / (1 − β1ᵗ),  ε̂ = ε √(1 − β2ᵗ)
//
// Symbols: W (rows, cols) row-major parameters; u, m, v moments of the same shape; a, b
// (rows); x, z (cols); η learning rate; t step count (the caller passes η̂, ε̂, so it
// keeps β1ᵗ, β2ᵗ as running products in persisted state).
// A dense gradient g of n values is the case rows = 1, a = [1], x = g, b = [0], z = g.
// see: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015 (Alg. 1 and
// the ε̂ form at the end of section 2); Polyak, "Some methods of speeding up the
// convergence of iteration methods", 1964 (heavy ball).
//
// Moments below 1e-30 in magnitude are flushed to +0: a weight whose input stays 0 (an
// image's blank border) would otherwise decay its moment into subnormals, which x86 runs
// about 100x slower, and wasm cannot turn on flush-to-zero.
//
// Elementwise, so the f32x4 kernel and its Ref twin do the same operations per element.

const TINY: f32 = 1e-30;
// @ts-ignore: decorator
@inline function flush4(v: v128): v128 { return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(TINY))); }
// @ts-ignore: decorator
@inline function flush1(v: f32): f32 { return Mathf.abs(v) >= TINY ? v : 0; }

/** Adam step on W (rows, cols) with gradient a xᵀ + b zᵀ; m, v have W's shape. */
export function adamRows(w: usize, m: usize, v: usize, a: usize, x: usize, b: usize, z: usize,
  rows: i32, cols: i32, lr: f32, beta1: f32, beta2: f32, eps: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(<f32>1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(<f32>1 - beta2);
  const lv = f32x4.splat(lr), ev = f32x4.splat(eps);
  const c4 = <usize>(cols & ~3) << 2;
  const cn = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + (<usize>i << 2)), bi = load<f32>(b + (<usize>i << 2));
    const av = f32x4.splat(ai), bv = f32x4.splat(bi);
    const r = <usize>i * cn;
    const pw = w + r, pm = m + r, pv = v + r;
    let o: usize = 0;
    for (; o < c4; o += 16) {
      const g = f32x4.add(f32x4.mul(av, v128.load(x + o)), f32x4.mul(bv, v128.load(z + o)));
      const mm = flush4(f32x4.add(f32x4.mul(b1, v128.load(pm + o)), f32x4.mul(c1, g)));
      const vv = flush4(f32x4.add(f32x4.mul(b2, v128.load(pv + o)), f32x4.mul(c2, f32x4.mul(g, g))));
      v128.store(pm + o, mm);
      v128.store(pv + o, vv);
      const step = f32x4.div(f32x4.mul(lv, mm), f32x4.add(f32x4.sqrt(vv), ev));
      v128.store(pw + o, f32x4.sub(v128.load(pw + o), step));
    }
    for (; o < cn; o += 4) adam1(pw + o, pm + o, pv + o, ai * load<f32>(x + o) + bi * load<f32>(z + o), lr, beta1, beta2, eps);
  }
}

export function adamRowsRef(w: usize, m: usize, v: usize, a: usize, x: usize, b: usize, z: usize,
  rows: i32, cols: i32, lr: f32, beta1: f32, beta2: f32, eps: f32): void {
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + (<usize>i << 2)), bi = load<f32>(b + (<usize>i << 2));
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2;
      const g = ai * load<f32>(x + (<usize>j << 2)) + bi * load<f32>(z + (<usize>j << 2));
      adam1(w + o, m + o, v + o, g, lr, beta1, beta2, eps);
    }
  }
}

// @ts-ignore: decorator
@inline function adam1(pw: usize, pm: usize, pv: usize, g: f32, lr: f32, beta1: f32, beta2: f32, eps: f32): void {
  const mm = flush1(beta1 * load<f32>(pm) + (<f32>1 - beta1) * g);
  const vv = flush1(beta2 * load<f32>(pv) + (<f32>1 - beta2) * (g * g));
  store<f32>(pm, mm);
  store<f32>(pv, vv);
  store<f32>(pw, load<f32>(pw) - (lr * mm) / (Mathf.sqrt(vv) + eps));
}

/** SGD with momentum on W (rows, cols) with gradient a xᵀ + b zᵀ; u has W's shape. */
export function sgdRows(w: usize, u: usize, a: usize, x: usize, b: usize, z: usize,
  rows: i32, cols: i32, lr: f32, momentum: f32): void {
  const mu = f32x4.splat(momentum), lv = f32x4.splat(lr);
  const c4 = <usize>(cols & ~3) << 2;
  const cn = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + (<usize>i << 2)), bi = load<f32>(b + (<usize>i << 2));
    const av = f32x4.splat(ai), bv = f32x4.splat(bi);
    const r = <usize>i * cn;
    const pw = w + r, pu = u + r;
    let o: usize = 0;
    for (; o < c4; o += 16) {
      const g = f32x4.add(f32x4.mul(av, v128.load(x + o)), f32x4.mul(bv, v128.load(z + o)));
      const uu = flush4(f32x4.add(f32x4.mul(mu, v128.load(pu + o)), g));
      v128.store(pu + o, uu);
      v128.store(pw + o, f32x4.sub(v128.load(pw + o), f32x4.mul(lv, uu)));
    }
    for (; o < cn; o += 4) sgd1(pw + o, pu + o, ai * load<f32>(x + o) + bi * load<f32>(z + o), lr, momentum);
  }
}

export function sgdRowsRef(w: usize, u: usize, a: usize, x: usize, b: usize, z: usize,
  rows: i32, cols: i32, lr: f32, momentum: f32): void {
  for (let i = 0; i < rows; i++) {
    const ai = load<f32>(a + (<usize>i << 2)), bi = load<f32>(b + (<usize>i << 2));
    for (let j = 0; j < cols; j++) {
      const o = (<usize>i * <usize>cols + <usize>j) << 2;
      sgd1(w + o, u + o, ai * load<f32>(x + (<usize>j << 2)) + bi * load<f32>(z + (<usize>j << 2)), lr, momentum);
    }
  }
}

// @ts-ignore: decorator
@inline function sgd1(pw: usize, pu: usize, g: f32, lr: f32, momentum: f32): void {
  const uu = flush1(momentum * load<f32>(pu) + g);
  store<f32>(pu, uu);
  store<f32>(pw, load<f32>(pw) - lr * uu);
}
