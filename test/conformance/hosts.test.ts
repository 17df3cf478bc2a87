// Same bits everywhere: the conformance runner, bundled with the published
// bundles, in Node, Chromium, Firefox, WebKit and workerd, each with both builds
// (engram.wasm by detection and engram.scalar.wasm forced), in Node and Chromium
// with SIMD switched off (init() must fall back by itself), and the module's own
// `selftest` in wasm-interp (a host without JavaScript), both builds. Every host and
// build must give the same hashes for the kernel sequence and for every learner kind;
// a kind that `engram.kinds` lists without a case in cases.ts fails the suite.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTS, NO_SIMD_HOSTS, runIn, type Host } from "../hosts/index.js";
import { BUILDS, stage, DIST, type Stage } from "../hosts/stage.js";
import { runWasmInterp } from "../hosts/wasmInterp.js";
import { firstDifference } from "./compare.js";
import type { Report } from "./runner.js";

let staged: Stage;
/** By `host` (engram.wasm by detection) and `host/scalar` (simd: false). */
const reports = new Map<string, Report>();
/** selftest() in wasm-interp, by build and flags. */
const interp = new Map<string, number>();

beforeAll(async () => {
  staged = await stage(fileURLToPath(new URL("./runner.ts", import.meta.url)), DIST);
});
// ENGRAM_KEEP_STAGE=1 keeps the staged directory for debugging a host by hand.
afterAll(() => {
  if (process.env["ENGRAM_KEEP_STAGE"]) console.log(`staged in ${staged.dir}`);
  else rmSync(staged.dir, { recursive: true, force: true });
});

const ALL_HOSTS: readonly Host[] = [...HOSTS, ...NO_SIMD_HOSTS];

describe(`conformance across hosts (bundles from ${DIST})`, () => {
  for (const host of ALL_HOSTS) {
    it(`runs in ${host}`, async () => {
      const text = await runIn(host, staged);
      const result = JSON.parse(text) as Record<string, Report> & { error?: string };
      expect(result.error, `${host} threw`).toBeUndefined();
      expect(Object.keys(result).sort()).toEqual(Object.keys(BUILDS).sort());
      reports.set(host, result["auto"]!);
      reports.set(`${host}/scalar`, result["scalar"]!);
    });
  }

  it("runs selftest in wasm-interp, a host without JavaScript, for both builds", async () => {
    const simd = join(DIST, "engram.wasm"),
      scalar = join(DIST, "engram.scalar.wasm");
    for (const [name, file, flags] of [
      ["engram.wasm", simd, []],
      ["engram.scalar.wasm", scalar, []],
      ["engram.scalar.wasm --disable-simd", scalar, ["--disable-simd"]],
    ] as const) {
      const r = await runWasmInterp(file, [...flags]);
      expect(r["selftest"], `${name}: selftest() => i32:N in wasm-interp's output`).toBeTypeOf("number");
      expect(r["simdBuild"], `${name}: which build`).toBe(file === simd ? 1 : 0);
      interp.set(name, r["selftest"]!);
    }
  });

  it("has a conformance case for every learner kind the engine exports", () => {
    const node = reports.get("node");
    expect(node, "the node host must have run").toBeDefined();
    expect(node!.missing, "learner kinds without a case in test/conformance/cases.ts").toEqual([]);
  });

  it("runs every case without error", () => {
    const node = reports.get("node")!;
    expect(node.errors, "cases that threw").toEqual({});
    expect(Object.keys(node.learners).length).toBeGreaterThan(0);
  });

  it("loads engram.wasm where SIMD is available, engram.scalar.wasm where it is not or when asked", () => {
    const which: Record<string, boolean> = {};
    for (const [name, r] of reports) which[name] = r.simd;
    const expected: Record<string, boolean> = {};
    for (const host of ALL_HOSTS) {
      expected[host] = !(NO_SIMD_HOSTS as readonly string[]).includes(host);
      expected[`${host}/scalar`] = false;
    }
    expect(which).toEqual(expected);
  });

  it("gives identical bits in every host and both builds", () => {
    const ref = reports.get("node")!;
    const problems: string[] = [];
    for (const [host, r] of reports) {
      if (host === "node") continue;
      if (JSON.stringify(r.kinds) !== JSON.stringify(ref.kinds))
        problems.push(`${host} lists kinds ${r.kinds} but node ${ref.kinds}`);
      if (JSON.stringify(r.errors) !== JSON.stringify(ref.errors))
        problems.push(`${host} errors ${JSON.stringify(r.errors)}`);
      if (r.selftest !== ref.selftest) problems.push(`selftest: ${host} ${r.selftest}, node ${ref.selftest}`);
      if (r.kernels.hash !== ref.kernels.hash)
        problems.push(firstDifference("kernel sequence", ref.kernels, r.kernels, host));
      for (const [kind, h] of Object.entries(ref.learners)) {
        const got = r.learners[kind];
        if (!got) problems.push(`${kind}: no result from ${host}`);
        else if (got.hash !== h.hash) problems.push(firstDifference(kind, h, got, host));
      }
    }
    for (const [name, n] of interp)
      if (n !== ref.selftest) problems.push(`selftest: wasm-interp ${name} ${n}, node ${ref.selftest}`);
    expect(reports.size, "every host must have run both builds").toBe(2 * ALL_HOSTS.length);
    expect(interp.size, "wasm-interp must have run").toBe(3);
    expect(problems).toEqual([]);
  });
});
