// Writes test/fixtures/snapshots/v<FORMAT_VERSION>/<kind>.engram for every
// learner kind: a small learner (its robustness descriptor's config) trained 50
// steps on seeded data, with <kind>.json beside it holding probe inputs and the
// outputs the learner gave for them when written. test/robustness/fixtures.test.ts
// checks every committed version still loads and still gives those outputs.
//
//   node scripts/ts.mjs scripts/make-fixtures.ts [kind or kind~variant ...]
//
// Run it once per released format version. Never overwrite a released version's
// fixtures: they are the proof that old snapshots keep loading.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FORMAT_VERSION } from "../src/snapshot.js";
import { loadEngram } from "../test/helpers/engram.js";
import { descriptor, make, rng, sample, train } from "../test/robustness/learners.js";

const engram = await loadEngram();
const only = process.argv.slice(2);
const dir = fileURLToPath(new URL(`../test/fixtures/snapshots/v${FORMAT_VERSION}/`, import.meta.url));
mkdirSync(dir, { recursive: true });
// option sets whose state is laid out differently, added to a format version after its first
// fixtures: written as <kind>~<variant>.engram
const VARIANTS: Record<string, Record<string, Record<string, unknown>>> = {
  forwardForward: { adafactor: { optimizer: "adafactor" }, seen: { optimizer: "adafactor", negatives: "seen" } },
  continual: { patches: { inputs: 16, image: { width: 4, height: 4 }, patch: 2, detectors: 3, consolidateAfter: 20 } },
};
for (const kind of engram.kinds) {
  for (const [variant, over] of [["", {}] as const, ...Object.entries(VARIANTS[kind] ?? {})]) {
    const name = variant ? `${kind}~${variant}` : kind;
    if (only.length ? !only.includes(name) : false) continue;
    const d = descriptor(kind);
    const l = make(engram, kind, over);
    train(l, kind, 50, 2024);
    const n = d.inputs(l.config as Record<string, unknown>);
    const r = rng(4242);
    const probes = Array.from({ length: 4 }, () => Array.from(sample(r, n)));
    const bytes = l.save();
    const record = {
      kind,
      formatVersion: FORMAT_VERSION,
      config: l.config,
      note: "probe outputs recorded when the snapshot was written (scripts/make-fixtures.ts)",
      probes: probes.map((x) => ({ x, out: d.probe(l, Float32Array.from(x)) })),
    };
    writeFileSync(`${dir}${name}.engram`, bytes);
    writeFileSync(`${dir}${name}.json`, `${JSON.stringify(record, null, 1)}\n`);
    console.log(`v${FORMAT_VERSION}/${name}.engram: ${bytes.length} bytes`);
    l.dispose();
  }
}
