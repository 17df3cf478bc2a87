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
    const o = <usize>i << 2;
    store<f32>(d + o, k * load<f32>(h + o));
  }
  return positive ? softplusf(theta - g) : softplusf(g - theta);
}
