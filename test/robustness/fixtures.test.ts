// Snapshots of every released format version keep loading and keep giving the
// predictions they gave when written (test/fixtures/snapshots/v<N>/, written
// by scripts/make-fixtures.ts), and every learner kind has a fixture for the
// current version.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeSnapshot, FORMAT_VERSION } from "../../src/snapshot.js";
import { loadEngram } from "../helpers/engram.js";
import { descriptor, rng, sameBytes, sample, type AnyLearner } from "./learners.js";

const engram = await loadEngram();

/**
 * Configs written before 0.2 hold the deprecated `sizes`: forwardForward's is [inputs, ...hidden]
 * (classes beside it), the perceptrons' [inputs, ...hidden, classes]. The restored learner
 * resolves them to { inputs, hidden, classes }.
 */
function currentShape(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const { sizes, ...rest } = config as { sizes?: number[] };
  if (!sizes) return config;
  if (kind === "forwardForward") return { ...rest, inputs: sizes[0], hidden: sizes.slice(1) };
  return { ...rest, inputs: sizes[0], hidden: sizes.slice(1, -1), classes: sizes[sizes.length - 1] };
}
const root = fileURLToPath(new URL("../fixtures/snapshots/", import.meta.url));
const versions = existsSync(root)
  ? readdirSync(root)
      .filter((v) => /^v\d+$/.test(v))
      .sort()
  : [];
const fixtures = versions.flatMap((v) =>
  readdirSync(`${root}${v}`)
    .filter((f) => f.endsWith(".engram"))
    .map((f) => [v, f.slice(0, -".engram".length)] as const),
);

describe("snapshot fixtures", () => {
  it.each(engram.kinds)(`%s has a fixture for the current format version (v${FORMAT_VERSION})`, (kind) => {
    expect(
      existsSync(`${root}v${FORMAT_VERSION}/${kind}.engram`),
      `run: node scripts/ts.mjs scripts/make-fixtures.ts ${kind}`,
    ).toBe(true);
  });

  // <kind>.engram, or <kind>~<variant>.engram for an option set with its own state layout
  it.each(fixtures)("%s/%s loads, predicts as recorded and keeps learning", (version, name) => {
    const kind = name.split("~")[0]!;
    const bytes = new Uint8Array(readFileSync(`${root}${version}/${name}.engram`));
    const record = JSON.parse(readFileSync(`${root}${version}/${name}.json`, "utf8")) as {
      config: unknown;
      probes: { x: number[]; out: number[] }[];
    };
    const l = engram.restore(bytes) as AnyLearner;
    expect(l.kind).toBe(kind);
    expect(l.config).toMatchObject(currentShape(kind, record.config as Record<string, unknown>)); // options added later take their defaults
    const d = descriptor(kind);
    for (const p of record.probes) expect(d.probe(l, Float32Array.from(p.x))).toEqual(p.out);
    if (version === `v${FORMAT_VERSION}`) {
      // an option added since the fixture was written joins the re-saved config with its
      // default, so the whole bytes can match only when no option was added; the state always must
      const again = l.save();
      expect(
        sameBytes(decodeSnapshot(again).state, decodeSnapshot(bytes).state),
        "re-saving the current version gives the same state bytes",
      ).toBeUndefined();
      if (Object.keys(l.config).length === Object.keys(record.config as object).length)
        expect(sameBytes(again, bytes), "re-saving the current version gives the same bytes").toBeUndefined();
    }
    const r = rng(8);
    for (let i = 0; i < 10; i++) d.step(l, sample(r, d.inputs(l.config as Record<string, unknown>)), 0);
    expect(d.params(l).every(Number.isFinite)).toBe(true);
    l.dispose();
  });
});
