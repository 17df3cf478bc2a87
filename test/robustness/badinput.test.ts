// Bad input, property-based, over every public method of every learner: each
// bad call throws EngramError with the right code and a message saying what
// was expected, leaves save() bytes unchanged, and no raw trap ever escapes.
// Absurd configurations fail at construction, before anything is allocated.
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import {
  BAD_NUMBERS,
  BAD_SIZES,
  badArg,
  engramError,
  FC,
  make,
  rng,
  sameBytes,
  sample,
  train,
  validArgs,
  type AnyLearner,
  type Bad,
  type Descriptor,
  type MethodSpec,
} from "./learners.js";
import { describeKinds } from "./suite.js";

const engram = await loadEngram();
let cases = 0;
afterAll(() => console.log(`bad-input robustness: ${cases} cases over ${engram.kinds.length} kinds`));

/** Calls `fn`, which must throw EngramError `code` with a message saying what was expected, leaving `l` unchanged. */
function rejects(l: AnyLearner, fn: () => unknown, code: string | string[], why: string): void {
  const before = l.save();
  const err = engramError(fn);
  cases++;
  const codes = Array.isArray(code) ? code : [code];
  if (!err) throw new Error(`${why}: expected ${codes.join(" or ")}, nothing was thrown`);
  if (!codes.includes(err.code))
    throw new Error(`${why}: expected ${codes.join(" or ")}, got ${err.code}: ${err.message}`);
  if (!/must|expected|needs|only|unknown/i.test(err.message))
    throw new Error(`${why}: the message does not say what was expected: ${err.message}`);
  const diff = sameBytes(l.save(), before);
  if (diff) throw new Error(`${why}: the learner changed (${diff})`);
}

/** Arguments for `spec` with argument `i` replaced by a bad value. */
function badCall(d: Descriptor, o: Record<string, unknown>, spec: MethodSpec) {
  const n = d.inputs(o);
  const c = d.classes?.(o) ?? 2;
  return fc
    .integer({ min: 0, max: spec.args.length - 1 })
    .chain((i) => fc.tuple(fc.constant(i), badArg(spec.args[i]!, n, c), fc.nat()))
    .filter(([i, bad]) => !(bad.value === undefined && spec.optionalFrom !== undefined && i >= spec.optionalFrom));
}

/** Every leaf option path of a resolved config, e.g. ["sizes"], ["readout", "classes"]. */
function optionPaths(config: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(config).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? optionPaths(v as Record<string, unknown>, [...prefix, k])
      : [[...prefix, k]],
  );
}

/** A copy of `config` with the option at `path` set to `value`. */
function withOption(config: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const out = structuredClone(config);
  let at = out;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
  return out;
}

describeKinds(engram.kinds, "bad input", (kind, d) => {
  const o = (l: AnyLearner) => l.config as Record<string, unknown>;

  it.each(d.methods.map((m) => [`${m.name}(${m.args.join(", ")})`, m] as const))(
    "%s: every bad argument throws its code and changes nothing",
    (_, spec) => {
      const l = make(engram, kind);
      train(l, kind, 3);
      fc.assert(
        fc.property(badCall(d, o(l), spec), ([i, bad, seed]: [number, Bad, number]) => {
          const args = validArgs(d, o(l), spec, rng(seed));
          args[i] = bad.value;
          rejects(l, () => l[spec.name](...args), bad.code, `${kind}.${spec.name} with ${bad.why}`);
        }),
        { ...FC, numRuns: 150 },
      );
      // no arguments at all
      if (spec.optionalFrom !== 0)
        rejects(l, () => l[spec.name](), ["E_TYPE", "E_SHAPE", "E_LABEL"], `${kind}.${spec.name}()`);
      l.dispose();
    },
  );

  it("every method of a disposed learner throws E_DISPOSED; dispose twice is a no-op", () => {
    const l = make(engram, kind);
    const r = rng(5);
    const calls = d.methods.map((m) => [m, validArgs(d, o(l), m, r)] as const);
    l.dispose();
    l.dispose();
    expect(l.disposed).toBe(true);
    for (const [m, args] of calls) {
      expect(engramError(() => l[m.name](...args))?.code, `${kind}.${m.name} after dispose`).toBe("E_DISPOSED");
      cases++;
    }
    for (const g of d.getters) {
      expect(engramError(() => l[g]())?.code, `${kind}.${g}() after dispose`).toBe("E_DISPOSED");
      cases++;
    }
    for (const p of d.props ?? []) {
      expect(engramError(() => l[p])?.code, `${kind}.${p} after dispose`).toBe("E_DISPOSED");
      cases++;
    }
    for (const s of d.setters ?? []) {
      expect(engramError(() => (l[s.name] = s.valid))?.code, `${kind}.${s.name} = after dispose`).toBe("E_DISPOSED");
      cases++;
    }
  });

  it.each((d.setters ?? []).map((s) => [s.name, s] as const))(
    "setter %s refuses bad values and changes nothing",
    (_, s) => {
      const l = make(engram, kind);
      for (const v of s.bad) rejects(l, () => (l[s.name] = v), "E_CONFIG", `${kind}.${s.name} = ${String(v)}`);
      l[s.name] = s.valid;
      expect(l[s.name]).toBeCloseTo(s.valid, 6);
      l.dispose();
    },
  );

  it("random sequences of good and bad calls never let a raw error escape, nor touch another learner", () => {
    const witness = make(engram, kind, { seed: 77 });
    const kept = witness.save();
    const l = make(engram, kind);
    const n = d.inputs(o(l));
    const c = d.classes?.(o(l)) ?? 2;
    const call = fc.tuple(fc.nat(d.methods.length - 1), fc.boolean(), fc.nat()).chain(([mi, good, seed]) => {
      const spec = d.methods[mi]!;
      const args = validArgs(d, o(l), spec, rng(seed));
      if (good) return fc.constant({ spec, args, bad: undefined as Bad | undefined });
      return badCall(d, o(l), spec).map(([i, bad]) => {
        const a = args.slice();
        a[i] = bad.value;
        return { spec, args: a, bad: bad as Bad | undefined };
      });
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (seq) => {
        for (const { spec, args, bad } of seq) {
          if (bad) rejects(l, () => l[spec.name](...args), bad.code, `${kind}.${spec.name} with ${bad.why}`);
          else {
            const err = engramError(() => l[spec.name](...args));
            cases++;
            if (err) throw new Error(`${kind}.${spec.name} with valid arguments threw ${err.message}`);
          }
        }
      }),
      { ...FC, numRuns: 100 },
    );
    // the learner is still sound: its outputs are finite
    const x = sample(rng(3), n);
    expect(d.probe(l, x).every(Number.isFinite)).toBe(true);
    expect(c).toBeGreaterThan(0);
    expect(sameBytes(witness.save(), kept)).toBeUndefined();
    witness.dispose();
    l.dispose();
  });

  // only kinds whose batch needs buffers beyond its input declare hugeBatch (for the others the
  // input itself would have to exceed 4 GiB): declared, not skipped, for the rest
  if (d.hugeBatch)
    it("a batch too large for wasm32 throws E_MEMORY and changes nothing", () => {
      const { options, rows } = d.hugeBatch!;
      const l = make(engram, kind, options);
      const o = l.config as Record<string, unknown>;
      const xs = sample(rng(1), d.inputs(o) * rows);
      const labels = Array.from({ length: rows }, (_, i) => i % (d.classes?.(o) ?? 2));
      rejects(
        l,
        () => l["learnBatch"](xs, labels),
        ["E_MEMORY", "E_SHAPE"],
        `${kind}.learnBatch of ${rows} rows on ${JSON.stringify(options)}`,
      );
      l.dispose();
    });

  it("refuses absurd configurations at construction, naming the option", () => {
    const witness = make(engram, kind);
    train(witness, kind, 2);
    const kept = witness.save();
    const resolved = witness.config as Record<string, unknown>;
    const memory = engram.memoryBytes;
    const refuse = (options: unknown, codes: string[], why: string, names?: string) => {
      const err = engramError(() => engram.create(kind, options));
      cases++;
      if (!err || !codes.includes(err.code))
        throw new Error(
          `${kind} ${why}: expected ${codes.join(" or ")}, got ${err ? `${err.code}: ${err.message}` : "a learner"}`,
        );
      if (names && !err.message.includes(names))
        throw new Error(`${kind} ${why}: the message does not name '${names}': ${err.message}`);
    };
    for (const bad of [null, 5, "sizes", [], true, () => 0]) refuse(bad, ["E_CONFIG"], `options ${String(bad)}`);
    refuse({ ...d.small, typo: 1 }, ["E_CONFIG"], "an unknown option", "typo");
    refuse({ ...d.small, Seed: 1 }, ["E_CONFIG"], "a misspelt option", "Seed");
    for (const path of optionPaths(resolved)) {
      const name = path[path.length - 1]!;
      const v = path.reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], resolved);
      const isSize = d.sizeKeys.includes(path.join("."));
      const bads = isSize
        ? BAD_SIZES
        : typeof v === "number"
          ? BAD_NUMBERS
          : typeof v === "string"
            ? ["", "nope", 1, true, {}]
            : typeof v === "boolean"
              ? ["yes", 1, 0, {}]
              : [];
      for (const bad of bads)
        refuse(
          withOption(resolved, path, bad),
          isSize ? ["E_CONFIG", "E_MEMORY"] : ["E_CONFIG"],
          `${path.join(".")} = ${JSON.stringify(bad) ?? String(bad)}`,
          name,
        );
    }
    for (const rate of [0, -1, -1e-9, NaN, Infinity])
      refuse({ ...d.small, learningRate: rate }, ["E_CONFIG"], `learningRate ${rate}`, "learningRate");
    for (const seed of [1.5, -1, NaN, 2 ** 53, "1"])
      refuse({ ...d.small, seed }, ["E_CONFIG"], `seed ${String(seed)}`, "seed");
    // too big for any host: E_MEMORY (or E_CONFIG) before anything is allocated
    for (const huge of d.huge)
      refuse({ ...d.small, ...huge }, ["E_MEMORY", "E_CONFIG"], `huge ${JSON.stringify(huge)}`);
    expect(engram.memoryBytes, "a refused configuration must not grow memory").toBe(memory);
    expect(sameBytes(witness.save(), kept), "a refused configuration must not touch other learners").toBeUndefined();
    // and the engine still works
    const after = make(engram, kind);
    train(after, kind, 3);
    expect(d.params(after).every(Number.isFinite)).toBe(true);
    after.dispose();
    witness.dispose();
  });

  it("odd but possibly valid option values either build a working learner or throw E_CONFIG", () => {
    const resolved = make(engram, kind).config as Record<string, unknown>;
    const numeric = optionPaths(resolved).filter(
      (p) => typeof p.reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], resolved) === "number",
    );
    const value = (path: string[]) =>
      d.sizeKeys.includes(path.join("."))
        ? fc.integer({ min: -2, max: 12 })
        : fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer({ min: -3, max: 2 ** 32 + 3 }),
            fc.constantFrom(0, -0, 1e-30, 1e30, 2 ** 32 - 1),
          );
    fc.assert(
      fc.property(
        fc.nat(numeric.length - 1).chain((i) => fc.tuple(fc.constant(numeric[i]!), value(numeric[i]!))),
        ([path, v]) => {
          let l: AnyLearner | undefined;
          const err = engramError(() => (l = engram.create(kind, withOption(resolved, path, v)) as AnyLearner));
          cases++;
          if (err) {
            expect(["E_CONFIG", "E_MEMORY"]).toContain(err.code);
            return;
          }
          const x = sample(rng(1), d.inputs(l!.config as Record<string, unknown>));
          expect(
            engramError(() => d.step(l!, x, 0)),
            `${kind} ${path.join(".")} = ${v}: a step`,
          ).toBeUndefined();
          l!.dispose();
        },
      ),
      { ...FC, numRuns: 150 },
    );
  });
});
