// Every registered learner kind must have a robustness descriptor, and every
// descriptor must describe a registered kind and the learner's real surface.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { DESCRIPTORS, descriptor, make } from "./learners.js";

const engram = await loadEngram();

/** Names declared private or protected anywhere in src/ (visible on prototypes at run time, but not public). */
function nonPublicNames(): Set<string> {
  const dir = new URL("../../src/", import.meta.url);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const names = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(new URL(f, dir), "utf8").matchAll(
      /^\s*(?:private|protected)\s+(?:override\s+)?(?:get\s+|set\s+)?(\w+)\s*[(<]/gm,
    ))
      names.add(m[1]!);
  }
  return names;
}

describe("robustness coverage", () => {
  it("has a descriptor for every registered kind (a new learner must be covered)", () => {
    for (const kind of engram.kinds) expect(() => descriptor(kind), kind).not.toThrow();
  });

  it("describes only registered kinds", () => {
    for (const kind of Object.keys(DESCRIPTORS)) expect(engram.kinds).toContain(kind);
  });

  it.each(engram.kinds)("%s: the descriptor lists every public method of the learner", (kind) => {
    const d = descriptor(kind);
    const l = make(engram, kind);
    const proto = Object.getPrototypeOf(l);
    const own = new Set<string>();
    const accessors = new Set<string>();
    for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) {
        const desc = Object.getOwnPropertyDescriptor(p, name)!;
        if (name !== "constructor" && typeof desc.value === "function") own.add(name);
        if (desc.get || desc.set) accessors.add(name);
      }
    }
    // dispose takes no input; loadState is @internal (restore's); private and protected helpers are not API;
    // fit and evaluate (lists of samples, fit async) are SupervisedLearner's, tested in test/learners/classifier.test.ts
    for (const name of ["dispose", "loadState", "disposed", "fit", "evaluate", ...nonPublicNames()]) {
      own.delete(name);
      accessors.delete(name);
    }
    const described = new Set([...d.methods.map((m) => m.name), ...d.getters]);
    expect([...own].filter((m) => !described.has(m)).sort(), `${kind} methods missing from its descriptor`).toEqual([]);
    const props = new Set([...(d.props ?? []), ...(d.setters ?? []).map((s) => s.name)]);
    expect(
      [...accessors].filter((a) => !props.has(a)).sort(),
      `${kind} accessors missing from its descriptor (props / setters)`,
    ).toEqual([]);
    l.dispose();
  });
});
