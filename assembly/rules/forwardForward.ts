// Forward-Forward: each layer learns on its own to tell positive from negative data.
//
//   h = relu(W x̂ + b),   x̂ = x / ‖x‖        (only the direction of the layer below passes on)
//   G = (1/n) Σ_i h_i²                       (goodness: mean squared activity)
//   p(positive) = σ(G − θ)
//   L = softplus(θ − G⁺) + softplus(G⁻ − θ)  (logistic loss: positive pushed up, negative down)
//   ∂L/∂z_i = c · (2/n) h_i,   c = −σ(θ − G⁺) for a positive pass, c = σ(G⁻ − θ) for a negative
//   ∂L/∂W = δ⁺ x̂⁺ᵀ + δ⁻ x̂⁻ᵀ,  ∂L/∂b = δ⁺ + δ⁻   (local: no gradient crosses a layer)
//
// Symbols: x̂ the normalised input of the layer (for the first layer, the image with the
// label's one-hot prepended); z = W x̂ + b; n the layer's width; θ the threshold per unit;
// ⁺ positive data (true label), ⁻ negative data (a wrong label).
// see: G. Hinton, "The Forward-Forward Algorithm: Some Preliminary Investigations",
// arXiv:2212.13345 (2022), sections 2 and 3.3.
// Deviations: G is the mean of h² (the paper: the sum), the label's own weights, prediction
// over every layer, ...: docs/deviations.md. Numerics: docs/numerics.md.

import { dot } from "../kernels/linalg";
import { actRelu } from "../kernels/activations";
import { sigmoidf, softplusf } from "../kernels/math";

/** h = relu(z) (h may alias z); returns the goodness G = (1/n) Σ h². */
export function ffGoodness(h: usize, z: usize, n: i32): f32 {
  actRelu(h, z, n);
  return dot(h, h, n) / <f32>n;
}

/**
 * δ = ∂L/∂z for a pass of goodness `g` over activity h (n units): δ_i = c (2/n) h_i.
 * Returns this pass's share of the loss.
 */
export function ffDelta(d: usize, h: usize, n: i32, g: f32, theta: f32, positive: bool): f32 {
  const c: f32 = positive ? -sigmoidf(theta - g) : sigmoidf(g - theta);
  const k: f32 = c * (<f32>2 / <f32>n);
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(d + o, k * load<f32>(h + o));
  }
  return positive ? softplusf(theta - g) : softplusf(g - theta);
}

/**
 * One layer's Forward-Forward step on a positive and a negative pass, given their
 * pre-activations z⁺, z⁻ (n; overwritten with h = relu(z)):
 *   G = (1/n) Σ h²,   δ⁺ = −σ(θ − G⁺) (2/n) h⁺,   δ⁻ = σ(G⁻ − θ) (2/n) h⁻
 * δ⁺, δ⁻ (n) are ∂L/∂z of L = softplus(θ − G⁺) + softplus(G⁻ − θ); G⁺, G⁻ go to the two
 * f32 at `goodness`. Returns L. The weight gradient is then δ⁺ x̂⁺ᵀ + δ⁻ x̂⁻ᵀ (the optimizer's).
 * Without a negative pass (`negative` false: no wrong label seen yet), δ⁻ = 0 and L is the
 * positive term alone.
 */
export function ffLayerStep(
  dP: usize,
  dN: usize,
  zP: usize,
  zN: usize,
  n: i32,
  theta: f32,
  goodness: usize,
  negative: bool,
): f32 {
  const gP = ffGoodness(zP, zP, n),
    gN = ffGoodness(zN, zN, n);
  store<f32>(goodness, gP);
  store<f32>(goodness, gN, 4);
  const lossP = ffDelta(dP, zP, n, gP, theta, true),
    lossN = ffDelta(dN, zN, n, gN, theta, false);
  if (negative) return lossP + lossN;
  memory.fill(dN, 0, (<usize>n) << 2);
  return lossP;
}

/**
 * Peer normalisation (Hinton 2022, as in its MNIST runs): a running mean a_i ← 0.9 a_i + 0.1 h⁺_i
 * of each unit's positive activity, and a loss w · mean_i (a_i − ā)² that pulls every unit
 * towards the layer's mean activity. Its gradient passes through the ReLU unchanged, so
 * a unit that went silent is drawn back: δ⁺_i += w · 0.2 (a_i − ā) / n.
 */
export function peerNormalization(a: usize, d: usize, hp: usize, n: i32, w: f32): void {
  let mean: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f32>0.9 * load<f32>(a + ((<usize>i) << 2)) + <f32>0.1 * load<f32>(hp + ((<usize>i) << 2));
    store<f32>(a + ((<usize>i) << 2), v);
    mean += v;
  }
  mean /= <f32>n;
  const k = (w * <f32>0.2) / <f32>n;
  for (let i = 0; i < n; i++)
    store<f32>(d + ((<usize>i) << 2), load<f32>(d + ((<usize>i) << 2)) + k * (load<f32>(a + ((<usize>i) << 2)) - mean));
}
