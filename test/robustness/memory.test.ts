// Memory stays bounded: creating and disposing many learners, and many steps
// on one learner, stop growing wasm memory after a warm-up; a configuration
// larger than the host allows fails at construction with E_MEMORY, never
// halfway through. CI sizes here; `npm run soak` runs the full figures.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { cycleLearners, longRun, type LimitAttempt } from "./memory.js";
import { describeKinds } from "./suite.js";
import { descriptor } from "./learners.js";

const engram = await loadEngram();
const CYCLES = 600;
const STEPS = 20_000;
const figures: string[] = [];
afterAll(() => console.log(`memory robustness (wasm bytes):\n  ${figures.join("\n  ")}`));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

it("raw learner blocks: 10 000 create/free cycles of mixed sizes keep memory bounded", async () => {
  const e = (await loadEngram()).wasm.exports;
  const mem = () => e.memory.buffer.byteLength;
  let warm = 0;
  for (let i = 0; i < 10_000; i++) {
    const held = [e.learnerNew(1, 64, 4096 * ((i % 7) + 1), 1024), e.learnerNew(2, 16, 100_000 + (i % 13) * 4000, 64)];
    for (const h of held) e.learnerFree(h);
    if (i === 999) warm = mem();
  }
  figures.push(`raw blocks: 10000 cycles, ${mib(warm)} after 1000, ${mib(mem())} after 10000`);
  expect(mem()).toBe(warm);
});

describeKinds(engram.kinds, "memory", (kind) => {
  it(`${CYCLES} learners created, used, saved, restored and disposed leave memory bounded`, async () => {
    const f = cycleLearners(await loadEngram(), kind, CYCLES);
    figures.push(
      `${kind}: ${f.count} learners: ${mib(f.start)} → ${mib(f.warm)} after ${f.count / 10} → ${mib(f.end)} (${(f.ms / f.count).toFixed(3)} ms each)`,
    );
    expect(f.end).toBe(f.warm);
  });

  it(`${STEPS} learning steps on one learner leave memory bounded and parameters finite`, async () => {
    const f = longRun(await loadEngram(), kind, STEPS);
    figures.push(
      `${kind}: ${f.count} steps: ${mib(f.start)} → ${mib(f.warm)} after ${f.count / 10} → ${mib(f.end)} (${((f.ms * 1000) / f.count).toFixed(2)} µs per step)`,
    );
    expect(f.end).toBe(f.warm);
    expect(f.finite).toBe(true);
  });
});

it("under a host memory limit (32 MiB), too large a learner or batch fails with E_MEMORY and nothing changes", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const out = execFileSync(
    process.execPath,
    ["--wasm-max-mem-pages=512", "scripts/ts.mjs", "test/robustness/hostLimit.ts"],
    { cwd: root, encoding: "utf8", env: process.env, timeout: 120_000 },
  );
  const results = JSON.parse(out.trim().split("\n").pop()!) as Record<
    string,
    {
      attempts: LimitAttempt[];
      batchCode: string;
      witnessIntact: boolean;
      worksAfter: boolean;
      reuses: boolean;
      error?: string;
    }
  >;
  expect(Object.keys(results).sort()).toEqual(engram.kinds);
  for (const [kind, r] of Object.entries(results)) {
    expect(r.error, kind).toBeUndefined();
    const last = r.attempts[r.attempts.length - 1]!;
    figures.push(
      `${kind} under 32 MiB: built n = ${r.attempts
        .filter((a) => a.ok)
        .map((a) => a.n)
        .join(
          ", ",
        )}; n = ${last.n} refused with ${last.code}, memory ${mib(last.before)} → ${mib(last.after)}; a 48 MiB batch: ${r.batchCode}`,
    );
    expect(last.ok, `${kind}: some learner must be too large for 32 MiB`).toBe(false);
    expect(last.code, kind).toBe("E_MEMORY");
    expect(last.after, `${kind}: a refused learner must not grow memory`).toBe(last.before);
    // a learner with a row limit refuses the batch by its length (E_SHAPE) before the budget is reached
    const refusal = descriptor(kind).rowLimit !== undefined ? /^E_SHAPE$/ : /^(E_MEMORY|no batch method)$/;
    expect(r.batchCode, `${kind}: a 48 MiB batch under a 32 MiB host`).toMatch(refusal);
    expect(r.witnessIntact, `${kind}: another learner was disturbed`).toBe(true);
    expect(r.worksAfter, `${kind}: the engine must still work`).toBe(true);
    expect(r.reuses, `${kind}: disposed memory must be reused`).toBe(true);
  }
});
