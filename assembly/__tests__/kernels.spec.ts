// Internals: PRNG state, kWTA ties.
import { rngSeed, rngNextU32 } from "../kernels/prng";
import { kWinnersTakeAll, kWinnersTakeAllRef } from "../kernels/normalize";

describe("prng", () => {
  it("seeding never gives the all-zero state", () => {
    const st = memory.data(16, 16);
    for (let seed: u32 = 0; seed < 10000; seed++) {
      rngSeed(st, seed);
      const any = load<u32>(st) | load<u32>(st, 4) | load<u32>(st, 8) | load<u32>(st, 12);
      expect<bool>(any != 0).toBe(true);
    }
    // the seeds whose splitmix32 inputs hit 0: still non-zero
    rngSeed(st, <u32>(0 - 0x9e3779b9));
    expect<u32>(load<u32>(st)).toBe(0);
    expect<bool>((load<u32>(st, 4) | load<u32>(st, 8) | load<u32>(st, 12)) != 0).toBe(true);
  });
  it("same seed, same stream", () => {
    const a = memory.data(16, 16),
      b = memory.data(16, 16);
    rngSeed(a, 5);
    rngSeed(b, 5);
    for (let i = 0; i < 100; i++) expect<u32>(rngNextU32(a)).toBe(rngNextU32(b));
  });
});

describe("kWinnersTakeAll", () => {
  it("ties are broken by the lower index", () => {
    const x = memory.data(32, 16),
      y = memory.data(32, 16);
    // x = [1, 3, 3, 2, 3, 0, 3, 1]
    const v: StaticArray<f32> = [1, 3, 3, 2, 3, 0, 3, 1];
    for (let i = 0; i < 8; i++) store<f32>(x + ((<usize>i) << 2), v[i]);
    kWinnersTakeAll(y, x, 8, 2);
    expect<f32>(load<f32>(y, 4)).toBe(3);
    expect<f32>(load<f32>(y, 8)).toBe(3);
    expect<f32>(load<f32>(y, 16)).toBe(0);
    expect<f32>(load<f32>(y, 24)).toBe(0);
    kWinnersTakeAllRef(y, x, 8, 5);
    // 3,3,3,3 then the 2 at index 3
    expect<f32>(load<f32>(y, 12)).toBe(2);
    expect<f32>(load<f32>(y, 24)).toBe(3);
    expect<f32>(load<f32>(y, 0)).toBe(0);
  });
});
