// engram.scalar.wasm (issue 19): the same source built without SIMD, for engines that
// lack it. No v128 anywhere in it, within 64 KB, the same ABI and the same bits as
// engram.wasm, and the bindings load it by themselves where SIMD is missing.
// (Every host and the wasm-interp self-test: test/conformance/hosts.test.ts.)
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEngram } from "../src/index.js";
import { runConformance } from "./conformance/runner.js";
import { DIST } from "./hosts/stage.js";

const build = (f: string) => new URL(`../build/${f}`, import.meta.url);
const simdBytes = readFileSync(build("engram.wasm"));
const scalarBytes = readFileSync(build("engram.scalar.wasm"));
// the test modules (assembly/testing.ts) of both builds, for the raw kernel sequence
const simdTestBytes = readFileSync(build("engram.test.wasm"));
const scalarTestBytes = readFileSync(build("engram.test.scalar.wasm"));

/** wasm-validate's verdict on `file` with `flags` (WABT, installed by .ci/run). */
function validates(file: URL, flags: string[]): boolean {
  const r = spawnSync("wasm-validate", [...flags, file.pathname], { encoding: "utf8" });
  if (r.error) throw new Error(`wasm-validate is missing (Debian package wabt): ${r.error.message}`);
  return r.status === 0;
}

/** SIMD instructions and v128 values in the module's text form. */
function simdTokens(file: URL): number {
  const wat = execFileSync("wasm2wat", [file.pathname], { encoding: "utf8", maxBuffer: 1 << 26 });
  return wat.match(/\bv128\b|\b[if](?:8x16|16x8|32x4|64x2)\./g)?.length ?? 0;
}

describe("engram.scalar.wasm", () => {
  it("contains no SIMD: it validates with SIMD disabled and its text has no v128", () => {
    for (const f of ["engram.scalar.wasm", "engram.test.scalar.wasm"]) {
      expect(validates(build(f), ["--disable-simd"])).toBe(true);
      expect(simdTokens(build(f))).toBe(0);
    }
    // the same checks reject engram.wasm, so they can fail
    expect(validates(build("engram.wasm"), ["--disable-simd"])).toBe(false);
    expect(simdTokens(build("engram.wasm"))).toBeGreaterThan(100);
  });

  it("keeps within its 64 KB budget", () => {
    expect(scalarBytes.length).toBeLessThanOrEqual(64 * 1024);
  });

  it("has engram.wasm's ABI: the same exports, and imports nothing but env.abort", () => {
    const simd = new WebAssembly.Module(simdBytes),
      scalar = new WebAssembly.Module(scalarBytes);
    expect(WebAssembly.Module.exports(scalar)).toEqual(WebAssembly.Module.exports(simd));
    expect(WebAssembly.Module.imports(scalar)).toEqual([{ module: "env", name: "abort", kind: "function" }]);
  });

  it("says which build it is, and gives engram.wasm's bits on the whole conformance suite and selftest", async () => {
    const simd = await createEngram(simdBytes),
      scalar = await createEngram(scalarBytes);
    expect([simd.simd, scalar.simd]).toEqual([true, false]);
    const a = runConformance(simd, await createEngram(simdTestBytes)),
      b = runConformance(scalar, await createEngram(scalarTestBytes));
    expect(a.errors).toEqual({});
    expect(Object.keys(a.learners).length).toBeGreaterThan(10);
    expect(b.kernels.hash).toBe(a.kernels.hash);
    const hashes = (r: typeof a) => Object.fromEntries(Object.entries(r.learners).map(([k, h]) => [k, h.hash]));
    expect(hashes(b)).toEqual(hashes(a));
    expect(b.selftest).toBe(a.selftest);
  });
});

describe("selftest", () => {
  it("frees all it allocates and depends on nothing but the module: the same hash every call, in any instance state", async () => {
    const engram = await createEngram(scalarBytes);
    const selftest = engram.wasm.exports["selftest"] as () => number;
    const first = selftest() >>> 0;
    const kept = engram.wasm.alloc(4096); // other allocations in between change where its blocks land
    const grown = engram.memoryBytes;
    for (let i = 0; i < 3; i++) expect(selftest() >>> 0).toBe(first);
    expect(engram.memoryBytes).toBe(grown);
    engram.wasm.free(kept);
  });
});

describe("automatic fallback (the Node binding from dist/)", () => {
  afterEach(() => vi.restoreAllMocks());
  const load = async () =>
    (await import(pathToFileURL(join(DIST, "node.js")).href)) as typeof import("../bindings/node.js");

  it("loads engram.wasm where SIMD validates, engram.scalar.wasm when asked", async () => {
    const { init } = await load();
    expect((await init()).simd).toBe(true);
    expect((await init({ simd: false })).simd).toBe(false);
    expect((await init({ simd: true })).simd).toBe(true);
  });

  it("loads engram.scalar.wasm by itself when the engine rejects the SIMD probe", async () => {
    const { init } = await load();
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    const engram = await init();
    expect(validate).toHaveBeenCalled();
    expect(engram.simd).toBe(false);
    // and it works: a learner learns and predicts there
    const l = engram.create("rewardModulated", { inputs: 4, actions: 2, seed: 1 }) as unknown as {
      act(x: number[]): number;
      predict(x: number[]): number;
    };
    expect([0, 1]).toContain(l.act([1, 0, 0, 1]));
    expect([0, 1]).toContain(l.predict([1, 0, 0, 1]));
  });
});
