// Golden hashes: a regression guard, not a test of meaning. Every conformance
// case (test/conformance/cases.ts), every robustness variant
// (test/robustness/learners.ts) and every snapshot fixture continued for a few
// seeded steps gives a save() hash that was recorded once from the code before
// a refactoring (test/fixtures/golden.json). A refactoring that changes a bit
// fails here; if a change must alter bits, re-record the entries it changes
// (GOLDEN=write adds missing entries, GOLDEN=rewrite replaces all) and say why
// in the commit. The meaning of each rule is checked in test/rules/.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createEngram, type Engram } from "../../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/snapshot.js";
import { loadEngram } from "../helpers/engram.js";
import {
  descriptor,
  DESCRIPTORS,
  rng,
  sample as robustSample,
  train,
  type AnyLearner,
} from "../robustness/learners.js";
import { CASES, PROBES, sample } from "./cases.js";
import { runConformance } from "./runner.js";
import { fnv1a64, Stream } from "./hash.js";

const engram = await loadEngram(); // over the test module (assembly/testing.ts)
// the release module users get (assembly/index.ts): its learners must give the same bits
const release = await createEngram(
  new WebAssembly.Module(readFileSync(fileURLToPath(new URL("../../build/engram.wasm", import.meta.url)))),
);
const goldenPath = fileURLToPath(new URL("../fixtures/golden.json", import.meta.url));
const fixtureRoot = fileURLToPath(new URL("../fixtures/snapshots/v1/", import.meta.url));
const mode = process.env["GOLDEN"]; // "write" | "rewrite" | undefined
const golden: Record<string, string> =
  mode !== "rewrite" && existsSync(goldenPath) ? JSON.parse(readFileSync(goldenPath, "utf8")) : {};
const got: Record<string, string> = {};

// Issue #15 changed how a network's shape is written in a snapshot's config: { inputs,
// hidden, classes } where it was `sizes` (forwardForward: [inputs, ...hidden] beside
// classes; the perceptrons: [inputs, ...hidden, classes]). The hashes were recorded before;
// what they guard is the state and the config's values, so a snapshot is hashed in the
// spelling it had then: the shape written back as `sizes`, in its place, the state untouched.
const SHAPED = ["forwardForward", "feedbackAlignment", "perturbation"];

/** `bytes` re-encoded with the shape spelt as before issue #15 and the options of `ABSENT` at their old-behaviour values left out (any other snapshot: as it is). */
function legacy(bytes: Uint8Array): Uint8Array {
  const p = decodeSnapshot(bytes);
  const c = dropAbsent(p.kind, p.config);
  if (c !== p.config) bytes = encodeSnapshot({ kind: p.kind, config: c, state: p.state });
  if (!SHAPED.includes(p.kind) || !("inputs" in c) || !("hidden" in c)) return bytes;
  const ff = p.kind === "forwardForward";
  const sizes = [c["inputs"], ...(c["hidden"] as number[]), ...(ff ? [] : [c["classes"]])];
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === "inputs") config["sizes"] = sizes;
    else if (k !== "hidden" && (ff || k !== "classes")) config[k] = v;
  }
  return encodeSnapshot({ kind: p.kind, config, state: p.state });
}

/**
 * Options added later, with the value that means what a snapshot without them does (issue 17:
 * the learning-rate floor, the warm-up's start, the Hebbian feature-rate decay, the normalised step): left out of the hashed config, so
 * that a hash moves only when bits do (an old fixture restores with these values).
 */
const ABSENT: Record<string, Record<string, unknown>> = {
  forwardForward: { learningRateFloor: 0, thresholdWarmupStart: 0 },
  hebbian: { learningRateDecay: 0, learningRateFloor: 0 },
  // issue 17's normalised step: a snapshot saved before it has no key and restores with `false`,
  // the plain rule, so the fixtures' hashes prove that an old snapshot continues bit for bit
  feedbackAlignment: { normalize: false },
  perturbation: { normalize: false },
  rewardModulated: { normalize: false },
};
function dropAbsent(kind: string, c: Record<string, unknown>): Record<string, unknown> {
  const absent = ABSENT[kind];
  if (!absent || !Object.keys(absent).some((k) => k in c && c[k] === absent[k])) return c;
  return Object.fromEntries(Object.entries(c).filter(([k, v]) => !(k in absent && v === absent[k])));
}

/** A variant's golden key as it was spelt before issue #15 (`hidden` of a perceptron variant as the full `sizes`). */
function legacyKey(kind: string, v: Record<string, unknown>): string {
  if (!SHAPED.includes(kind) || kind === "forwardForward" || !("hidden" in v)) return JSON.stringify(v);
  const small = descriptor(kind).small;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "hidden") out["sizes"] = [small["inputs"], ...(x as number[]), small["classes"]];
    else out[k] = x;
  }
  return JSON.stringify(out);
}

/** fnv1a64 of save() after the case's stream, then of the probe outputs' bits. */
function caseHash(kind: string, index: number, on: Engram = engram): string {
  const c = CASES[kind]![index]!;
  const l = on.create(kind, c.options) as AnyLearner;
  try {
    const data = new Stream(0xc0ffee);
    for (let t = 0; t < c.steps; t++) {
      const { x, label } = sample(data, c.inputs, c.classes);
      c.learn(l, x, label, t);
    }
    const probes = new Stream(0x9e0be);
    const out: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const o = c.probe(l, sample(probes, c.inputs, c.classes).x);
      if (typeof o === "number") out.push(o);
      else out.push(...Array.from(o as ArrayLike<number>));
    }
    return `${fnv1a64(legacy(l.save()))} ${fnv1a64(new Uint8Array(Float32Array.from(out).buffer))}`;
  } finally {
    l.dispose();
  }
}

const cases = Object.entries(CASES).flatMap(([kind, cs]) =>
  cs.map((c, i) => [`case ${kind}/${c.name ?? i}`, kind, i] as const),
);
const variants = Object.keys(DESCRIPTORS).flatMap((kind) =>
  [{}, ...descriptor(kind).variants].map((v) => [`variant ${kind} ${legacyKey(kind, v)}`, kind, v] as const),
);
const fixtures = existsSync(fixtureRoot)
  ? readdirSync(fixtureRoot)
      .filter((f) => f.endsWith(".engram"))
      .map((f) => f.slice(0, -".engram".length))
  : [];

function check(key: string, hash: string): void {
  got[key] = hash;
  if (mode) return;
  expect(golden[key], `${key} has no golden hash: run GOLDEN=write on the code before your change`).toBeDefined();
  expect(hash, `${key}: save() bits changed`).toBe(golden[key]);
}

describe("golden save() hashes (regression guard for refactorings)", () => {
  it.each(cases)("%s", (key, kind, i) => {
    const h = caseHash(kind, i);
    expect(caseHash(kind, i, release), "the release module gives the test module's bits").toBe(h);
    check(key, h);
  });

  it.each(variants)("%s: 40 seeded steps", (key, kind, v) => {
    const l = engram.create(kind, { ...descriptor(kind).small, ...v }) as AnyLearner;
    train(l, kind, 40);
    check(key, fnv1a64(legacy(l.save())));
    l.dispose();
  });

  it.each(fixtures)("fixture %s: restored, then 10 seeded steps", (name) => {
    const kind = name.split("~")[0]!;
    const l = engram.restore(new Uint8Array(readFileSync(`${fixtureRoot}${name}.engram`))) as AnyLearner;
    const d = descriptor(kind);
    const r = rng(8);
    for (let i = 0; i < 10; i++) d.step(l, robustSample(r, d.inputs(l.config as Record<string, unknown>)), i % 2);
    check(`fixture ${name}`, fnv1a64(legacy(l.save())));
    l.dispose();
  });

  it("conformance report: every learner case and the raw kernel sequence", () => {
    const report = runConformance(engram);
    expect(report.errors).toEqual({});
    const hashes: Record<string, string> = { "conformance kernels": report.kernels.hash };
    for (const [k, h] of Object.entries(report.learners)) hashes[`conformance ${k}`] = h.hash;
    Object.assign(got, hashes);
    if (mode) return;
    const changed = Object.entries(hashes)
      .filter(([k, h]) => golden[k] !== h)
      .map(([k]) => k);
    expect(changed, "conformance hashes changed (or have no golden entry)").toEqual([]);
  });

  it("records (GOLDEN=write|rewrite) or has no stale entries", () => {
    if (mode) {
      const merged = mode === "write" ? { ...got, ...golden } : got;
      writeFileSync(goldenPath, JSON.stringify(Object.fromEntries(Object.entries(merged).sort()), null, 1) + "\n");
      return;
    }
    const stale = Object.keys(golden).filter((k) => !(k in got));
    expect(stale, "golden entries no case produces any more (remove them)").toEqual([]);
  });
});
