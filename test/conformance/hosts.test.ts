// Same bits everywhere: the conformance runner, bundled with the published
// bundles, in Node, Chromium, Firefox, WebKit and workerd. Every host must give
// the same hashes for the kernel sequence and for every learner kind; a kind
// that `engram.kinds` lists without a case in cases.ts fails the suite.
import { fileURLToPath } from "node:url";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTS, runIn, type Host } from "../hosts/index.js";
import { stage, DIST, type Stage } from "../hosts/stage.js";
import { firstDifference } from "./compare.js";
import type { Report } from "./runner.js";

let staged: Stage;
const reports = new Map<Host, Report>();

beforeAll(async () => {
  staged = await stage(fileURLToPath(new URL("./runner.ts", import.meta.url)), DIST);
});
// ENGRAM_KEEP_STAGE=1 keeps the staged directory for debugging a host by hand.
afterAll(() => {
  if (process.env["ENGRAM_KEEP_STAGE"]) console.log(`staged in ${staged.dir}`);
  else rmSync(staged.dir, { recursive: true, force: true });
});

describe(`conformance across hosts (bundles from ${DIST})`, () => {
  for (const host of HOSTS) {
    it(`runs in ${host}`, async () => {
      const text = await runIn(host, staged);
      const report = JSON.parse(text) as Report & { error?: string };
      expect(report.error, `${host} threw`).toBeUndefined();
      reports.set(host, report);
    });
  }

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

  it("gives identical bits in every host", () => {
    const ref = reports.get("node")!;
    const problems: string[] = [];
    for (const [host, r] of reports) {
      if (host === "node") continue;
      if (JSON.stringify(r.kinds) !== JSON.stringify(ref.kinds)) problems.push(`${host} lists kinds ${r.kinds} but node ${ref.kinds}`);
      if (JSON.stringify(r.errors) !== JSON.stringify(ref.errors)) problems.push(`${host} errors ${JSON.stringify(r.errors)}`);
      if (r.kernels.hash !== ref.kernels.hash) problems.push(firstDifference("kernel sequence", ref.kernels, r.kernels, host));
      for (const [kind, h] of Object.entries(ref.learners)) {
        const got = r.learners[kind];
        if (!got) problems.push(`${kind}: no result from ${host}`);
        else if (got.hash !== h.hash) problems.push(firstDifference(kind, h, got, host));
      }
    }
    expect(reports.size, "every host must have run").toBe(HOSTS.length);
    expect(problems).toEqual([]);
  });
});
