// Numeric safety: adversarial but finite inputs (huge magnitudes up to the
// float32 maximum, constant inputs, all zeros, denormals, long runs of one
// class) never make a parameter NaN or infinite, for every learner kind and
// every rule variant. The guard each learner relies on is named in its
// descriptor (test/robustness/learners.ts) and printed here. `npm run soak`
// runs the same scenarios far longer.
import { afterAll, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { runScenario, SCENARIOS } from "./numeric.js";
import { describeKinds } from "./suite.js";

const engram = await loadEngram();
const STEPS = 300;
let steps = 0;
afterAll(() =>
  console.log(`numeric robustness: ${steps} adversarial learning steps over ${engram.kinds.length} kinds`),
);

describeKinds(engram.kinds, "numeric safety", (kind, d) => {
  afterAll(() => console.log(`${kind} guard: ${d.guard}`));
  it.each(Object.keys(SCENARIOS))("%s never makes a parameter non-finite", (name) => {
    const failures: string[] = [];
    for (const variant of [{}, ...d.variants]) {
      const what = runScenario(engram, kind, variant, name, STEPS);
      steps += STEPS + 20;
      if (what) failures.push(`${JSON.stringify(variant)}: ${what}`);
    }
    if (failures.length) throw new Error(`${kind} on ${name} inputs:\n  ${failures.join("\n  ")}`);
  });
});
