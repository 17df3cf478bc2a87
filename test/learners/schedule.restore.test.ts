// Snapshots saved before the learning-rate floor (Forward-Forward) and the feature-rate decay
// (Hebbian) existed restore with the schedule they were saved with (issue 17): floor 0 (the
// plain decay η/(1 + κ t)) and a constant feature rate. The bits of the steps after restoring
// are guarded by the golden fixtures (test/conformance/golden.test.ts); this checks the options.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";

const engram = await loadEngram();
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/snapshots/v1/${name}.engram`, import.meta.url)));

describe("old snapshots keep their step-size schedule", () => {
  it("forwardForward: restored with learningRateFloor 0; a new learner gets the floor", () => {
    for (const name of ["forwardForward", "forwardForward~adafactor", "forwardForward~seen"]) {
      const l = engram.restore(fixture(name)) as unknown as { config: Record<string, unknown>; dispose(): void };
      expect(l.config["learningRateFloor"], name).toBe(0);
      l.dispose();
    }
    const fresh = engram.forwardForward({ inputs: 8, hidden: [6], classes: 3 });
    expect(fresh.config.learningRateFloor).toBeGreaterThan(0);
    fresh.dispose();
  });

  it("hebbian: restored with a constant feature rate; a new softhebb layer decays", () => {
    const l = engram.restore(fixture("hebbian")) as unknown as { config: Record<string, unknown>; dispose(): void };
    expect(l.config["learningRateDecay"]).toBe(0);
    expect(l.config["learningRateFloor"]).toBe(0);
    l.dispose();
    const fresh = engram.hebbian({ inputs: 8, outputs: 4 });
    expect(fresh.config.learningRateDecay).toBeGreaterThan(0);
    fresh.dispose();
    const oja = engram.hebbian({ inputs: 8, outputs: 4, rule: "oja" });
    expect(oja.config.learningRateDecay).toBe(0);
    oja.dispose();
  });
});
