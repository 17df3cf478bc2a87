// Adversarial but finite input streams, shared by test/robustness/numeric.test.ts
// (CI lengths) and scripts/soak.ts (long runs). No vitest here.
import type { Engram } from "../../src/index.js";
import { descriptor, make, rng, sample, type AnyLearner, type Descriptor } from "./learners.js";

const F32_MAX = 3.4028234663852886e38;

/** Input generators: (width, seeded generator, step index) → a sample. */
export const SCENARIOS: Record<string, (n: number, r: () => number, i: number) => Float32Array> = {
  zeros: (n) => new Float32Array(n),
  constant: (n) => new Float32Array(n).fill(1),
  "constant large": (n) => new Float32Array(n).fill(1e6),
  "huge (±1e30)": (n, r) => sample(r, n).map((v) => (v < 0 ? -1e30 : 1e30)),
  "float32 max (±3.4e38)": (n, r) => sample(r, n).map((v) => (v < 0 ? -F32_MAX : F32_MAX)),
  "one huge value": (n, _r, i) => new Float32Array(n).fill(F32_MAX, i % n, (i % n) + 1),
  denormals: (n, r) => sample(r, n).map((v) => v * 1e-40),
  "alternating huge and tiny": (n, r, i) => sample(r, n).map((v) => (i % 2 ? v * 1e35 : v * 1e-35)),
  "ordinary, one class only": (n, r) => sample(r, n),
};

/** What is wrong with `l` (a non-finite parameter or a NaN output), or undefined. */
export function defect(d: Descriptor, l: AnyLearner, x: Float32Array): string | undefined {
  const p = d.params(l);
  for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i]!)) return `parameter ${i} of ${p.length} is ${p[i]}`;
  const out = d.probe(l, x);
  if (out.some(Number.isNaN)) return `an output is NaN (${out.slice(0, 6).join(", ")})`;
  return undefined;
}

/**
 * `steps` learning steps of scenario `name` on a small learner of `kind` (with
 * `variant` options), then 20 ordinary ones. Returns the first defect found,
 * naming the step, or undefined when parameters stayed finite throughout.
 */
export function runScenario(
  engram: Engram,
  kind: string,
  variant: Record<string, unknown>,
  name: string,
  steps: number,
): string | undefined {
  const d = descriptor(kind);
  const gen = SCENARIOS[name]!;
  const l = make(engram, kind, variant);
  try {
    const n = d.inputs(l.config as Record<string, unknown>);
    const classes = d.classes?.(l.config as Record<string, unknown>) ?? 2;
    const r = rng(17);
    for (let i = 0; i < steps; i++) {
      const x = gen(n, r, i);
      d.step(l, x, name.includes("one class") ? 0 : i % classes);
      // check every step early (to name the first bad one), then every 25 steps
      if (i < 10 || i % 25 === 24 || i === steps - 1) {
        const bad = defect(d, l, x);
        if (bad) return `after step ${i + 1}, ${bad}`;
      }
    }
    // and it still works on ordinary data afterwards
    for (let i = 0; i < 20; i++) d.step(l, sample(r, n), i % classes);
    const bad = defect(d, l, sample(r, n));
    return bad && `on ordinary data afterwards, ${bad}`;
  } finally {
    l.dispose();
  }
}
