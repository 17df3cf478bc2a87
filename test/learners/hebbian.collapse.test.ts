// SoftHebb features must not collapse on a long stream (issue 17). With a constant rate the
// rule's step never shrinks (it is normalised so that the largest weight change is η), the
// anti-Hebbian push keeps driving losing units away from the data, and one unit near the
// rule's fixed point ‖w‖ = 1 ends up winning most inputs: the features stop telling classes
// apart and the readout falls towards chance. The decaying feature rate (the default) bounds
// that push. Held-out MNIST images, a small layer (784→32) so that the collapse comes within
// 16 000 samples; the constant rate is run too, so the test shows it can fail.
import { describe, expect, it } from "vitest";
import type { Engram, HebbianOptions } from "../../src/index.js";
import { pixels } from "../../src/index.js";
import { loadEngram } from "../helpers/engram.js";
import { mnist } from "../hosts/mnist.js";

const engram: Engram = await loadEngram();
const K = 32,
  STEPS = 16000;
const train = mnist("train", 0, 8000),
  held = mnist("train", 58000, 1000);

/** Held-out accuracy and the largest share of held-out images one unit wins, after STEPS samples. */
function run(extra: Partial<HebbianOptions>): { acc: number; top: number } {
  const h = engram.hebbian({ inputs: 784, outputs: K, readout: { classes: 10 }, ...extra });
  const xs = train.images.map((b) => pixels(b));
  for (let t = 0; t < STEPS; t++) h.learn(xs[(t * 7919) % xs.length]!, train.labels[(t * 7919) % xs.length]!);
  let ok = 0;
  const wins = new Uint32Array(K);
  held.images.forEach((b, i) => {
    const x = pixels(b);
    if (h.predict(x) === held.labels[i]) ok++;
    const f = h.transform(x);
    let w = 0;
    for (let k = 1; k < K; k++) if (f[k]! > f[w]!) w = k;
    wins[w]!++;
  });
  h.dispose();
  return { acc: ok / held.labels.length, top: Math.max(...wins) / held.labels.length };
}

describe("hebbian softhebb: features do not collapse on a long stream", () => {
  it("with the default (decaying) feature rate the layer keeps many winners and a useful readout; a constant rate collapses", () => {
    const dflt = run({});
    expect(dflt.acc).toBeGreaterThan(0.7);
    expect(dflt.top).toBeLessThan(0.4);
    const constant = run({ learningRateDecay: 0 });
    expect(constant.top).toBeGreaterThan(0.5);
    expect(constant.acc).toBeLessThan(dflt.acc - 0.2);
  });
});
