// The step-size schedule of assembly/rules/schedule.ts against its formula in float64,
// η_t = η (f + (1 − f)/(1 + κ t)), and its ends: t = 0 gives η, t → ∞ gives η f, f = 0 is
// the plain decay η/(1 + κ t) with the bits f32 arithmetic gives it, κ = 0 is η exactly.
import { describe, expect, it } from "vitest";
import { loadRaw } from "../helpers/wasm.js";

const raw = await loadRaw();
const rateAt = (eta: number, decay: number, floor: number, t: number): number =>
  raw.exports["rateAt"](eta, decay, floor, t);
const f32 = Math.fround;
/** The published form, in float64. */
const formula = (eta: number, k: number, f: number, t: number) => eta * (f + (1 - f) / (1 + k * t));

const ETAS = [0.03, 0.05, 1, 6];
const DECAYS = [1e-5, 2e-4, 1e-3, 0.1];
const FLOORS = [0, 0.05, 0.2, 0.5, 1];
const TS = [0, 1, 7, 100, 3000, 10000, 60000, 300000, 1e6, 1e7];

describe("rateAt: η (f + (1 − f)/(1 + κ t))", () => {
  it("matches the formula in float64 to f32 rounding on a grid of η, κ, f, t", () => {
    for (const eta of ETAS)
      for (const k of DECAYS)
        for (const f of FLOORS)
          for (const t of TS) {
            const want = formula(f32(eta), f32(k), f32(f), t);
            expect(Math.abs(rateAt(eta, k, f, t) - want)).toBeLessThanOrEqual(4e-7 * want);
          }
  });

  it("starts at η and levels off at η f (within η (1 − f)/(κ t) of it)", () => {
    for (const eta of ETAS)
      for (const k of DECAYS)
        for (const f of FLOORS) {
          expect(rateAt(eta, k, f, 0)).toBe(f32(eta));
          const t = 1e7,
            r = rateAt(eta, k, f, t),
            lim = f32(eta) * f32(f);
          expect(r).toBeGreaterThanOrEqual(lim * (1 - 1e-6));
          expect(r - lim).toBeLessThanOrEqual((f32(eta) * (1 - f32(f))) / (f32(k) * t) + 1e-6 * f32(eta));
        }
  });

  it("never rises as t grows, and a higher floor never gives a smaller rate (up to one f32 rounding)", () => {
    const ulp = 1 + 2 ** -22;
    for (const k of DECAYS)
      for (const f of FLOORS) {
        let last = Infinity;
        for (const t of TS) {
          const r = rateAt(0.03, k, f, t);
          expect(r).toBeLessThanOrEqual(last * ulp);
          last = r;
        }
      }
    for (const t of TS)
      for (let i = 1; i < FLOORS.length; i++)
        expect(rateAt(0.03, 2e-4, FLOORS[i]!, t) * ulp).toBeGreaterThanOrEqual(rateAt(0.03, 2e-4, FLOORS[i - 1]!, t));
  });

  it("f = 0 is η/(1 + κ t) bit for bit, and κ = 0 is η bit for bit whatever f", () => {
    for (const eta of ETAS)
      for (const k of DECAYS)
        for (const t of TS) expect(rateAt(eta, k, 0, t)).toBe(f32(f32(eta) / f32(1 + f32(f32(k) * f32(t)))));
    for (const eta of ETAS) for (const f of FLOORS) for (const t of TS) expect(rateAt(eta, 0, f, t)).toBe(f32(eta));
  });
});
