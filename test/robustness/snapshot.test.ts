// Snapshots never lose or corrupt a learner: every truncation and every
// single-byte change is refused (exhaustively, on a small learner of each
// kind), random multi-byte damage too (on larger ones), forged snapshots with
// a recomputed CRC never crash the host, and save -> restore -> continue is
// bit-identical to never stopping.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { crc32 } from "../../src/crc32.js";
import { decodeSnapshot, encodeSnapshot, FORMAT_VERSION, OLDEST_VERSION } from "../../src/snapshot.js";
import type { Engram } from "../../src/index.js";
import { expectCode, loadEngram } from "../helpers/engram.js";
import { engramError, FC, make, rng, sameBytes, sample, train, validArgs, type AnyLearner } from "./learners.js";
import { describeKinds } from "./suite.js";

const engram = await loadEngram();
const kinds = engram.kinds;
let cases = 0;
afterAll(() =>
  console.log(`snapshot robustness: ${cases} restore cases over ${kinds.length} kinds (${kinds.join(", ")})`),
);

/** Rewrites the CRC so a deliberate change passes the checksum. */
function forge(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(
    bytes.length - 4,
    crc32(bytes.subarray(0, bytes.length - 4)),
    true,
  );
  return bytes;
}

/** restore must refuse `bytes` with E_SNAPSHOT and leave memory as it was. */
function refused(e: Engram, bytes: Uint8Array, why: string): void {
  const before = e.memoryBytes;
  const err = engramError(() => e.restore(bytes));
  cases++;
  if (!err || err.code !== "E_SNAPSHOT")
    throw new Error(`${why}: expected E_SNAPSHOT, got ${err ? err.code : "a learner"}`);
  if (e.memoryBytes !== before) throw new Error(`${why}: memory grew from ${before} to ${e.memoryBytes}`);
}

/** restore builds the learner, finds the state does not fit and disposes it: repeated, memory must not grow. */
function refusedWithoutLeak(e: Engram, bytes: Uint8Array, why: string): void {
  expectCode(() => e.restore(bytes), "E_SNAPSHOT");
  const warm = e.memoryBytes;
  for (let i = 0; i < 200; i++) expectCode(() => e.restore(bytes), "E_SNAPSHOT");
  cases += 201;
  expect(e.memoryBytes, `${why}: memory grew`).toBe(warm);
}

describe("the documented format", () => {
  it("matches the example in docs/snapshot-format.md byte for byte", () => {
    const snap = encodeSnapshot({ kind: "demo", config: { a: 1 }, state: new Uint8Array([1, 2, 3, 4]) });
    const hex = "454e474d 0100 0000 29000000 0400 64656d6f 07000000 7b2261223a317d 04000000 01020304 8fb871ad".replace(
      / /g,
      "",
    );
    expect(Buffer.from(snap).toString("hex")).toBe(hex);
  });

  it("refuses what is not a snapshot, and crafted kinds that are Object methods", () => {
    for (const v of [null, undefined, "ENGM", 42, {}, [1, 2, 3], new ArrayBuffer(40), new Uint16Array(20)]) {
      expectCode(() => engram.restore(v as never), "E_SNAPSHOT");
    }
    for (const kind of ["constructor", "toString", "__proto__", "hasOwnProperty", "", "nope"]) {
      refused(engram, encodeSnapshot({ kind, config: {}, state: new Uint8Array(0) }), `kind ${JSON.stringify(kind)}`);
    }
    const badUtf8 = encodeSnapshot({ kind: "ab", config: {}, state: new Uint8Array(0) });
    badUtf8[14] = 0xff;
    refused(engram, forge(badUtf8), "kind that is not UTF-8");
  });

  it("names a future version and an unsupported old one", () => {
    const snap = encodeSnapshot({ kind: "demo", config: {}, state: new Uint8Array(0) });
    new DataView(snap.buffer).setUint16(4, FORMAT_VERSION + 1, true);
    expect(expectCode(() => engram.restore(forge(snap)), "E_SNAPSHOT").message).toMatch(
      new RegExp(
        `format version ${FORMAT_VERSION + 1} is newer than this Engram reads \\(${FORMAT_VERSION}\\): upgrade engram`,
      ),
    );
    new DataView(snap.buffer).setUint16(4, OLDEST_VERSION - 1, true);
    expect(expectCode(() => engram.restore(forge(snap)), "E_SNAPSHOT").message).toMatch(/no longer supported/);
  });
});

describeKinds(kinds, "snapshots", (kind, d) => {
  it("lays out the state block as docs/snapshot-format.md says (its size, for every variant)", () => {
    for (const options of [{}, d.large, ...d.variants]) {
      const l = make(engram, kind, options);
      const { state, config } = decodeSnapshot(l.save());
      expect(config).toEqual(l.config);
      expect(state.length, `${kind} ${JSON.stringify(options)}`).toBe(
        d.stateBytes(l.config as Record<string, unknown>),
      );
      l.dispose();
    }
  });

  it("refuses every truncation and every single-byte change of a small learner's snapshot (exhaustive)", () => {
    const l = make(engram, kind);
    train(l, kind, 5);
    const snap = l.save();
    const memory = engram.memoryBytes;
    for (let n = 0; n < snap.length; n++)
      refused(engram, snap.subarray(0, n), `truncated to ${n} of ${snap.length} bytes`);
    // padding is a length defect too
    refused(engram, Uint8Array.from([...snap, 0]), "one byte appended");
    const bad = snap.slice();
    for (let i = 0; i < snap.length; i++) {
      for (let v = 0; v < 256; v++) {
        if (v === snap[i]) continue;
        bad[i] = v;
        refused(engram, bad, `byte ${i} set to ${v}`);
      }
      bad[i] = snap[i]!;
    }
    expect(engram.memoryBytes).toBe(memory);
    // the original still loads, and the engine still works
    const back = engram.restore(snap);
    expect(sameBytes(back.save(), snap)).toBeUndefined();
    back.dispose();
    l.dispose();
  });

  it("refuses random multi-byte corruption and random truncation of a large learner's snapshot", () => {
    const l = make(engram, kind, d.large);
    train(l, kind, 5);
    const snap = l.save();
    l.dispose();
    const n = snap.length;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(n - 1), fc.integer({ min: 1, max: 255 })), { minLength: 2, maxLength: 64 }),
        (edits) => {
          const bad = snap.slice();
          for (const [i, x] of edits) bad[i]! ^= x;
          if (!sameBytes(bad, snap)) return; // the edits cancelled out
          refused(engram, bad, `${edits.length} bytes changed`);
        },
      ),
      { ...FC, numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat(n - 1), fc.uint8Array({ maxLength: 64 }), (keep, tail) => {
        const bad = new Uint8Array(keep + tail.length);
        bad.set(snap.subarray(0, keep));
        bad.set(tail, keep);
        if (bad.length === n && !sameBytes(bad, snap)) return;
        refused(engram, bad, `cut at ${keep}, ${tail.length} bytes appended`);
      }),
      { ...FC, numRuns: 200 },
    );
  });

  it("never crashes on forged snapshots (bytes changed and CRC recomputed)", () => {
    const l = make(engram, kind);
    train(l, kind, 3);
    const snap = l.save();
    const x = sample(rng(1), d.inputs(l.config as Record<string, unknown>));
    const witness = l.save();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(snap.length - 5), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const bad = snap.slice();
          for (const [i, v] of edits) bad[i]! ^= v;
          cases++;
          let back: AnyLearner | undefined;
          const err = engramError(() => (back = engram.restore(forge(bad)) as AnyLearner));
          if (err) {
            expect(["E_SNAPSHOT", "E_MEMORY"]).toContain(err.code);
            return;
          }
          // a forged but well-formed snapshot is a learner with odd values: using it must not trap
          engramError(() => d.step(back!, x, 0));
          engramError(() => d.probe(back!, x));
          back!.dispose();
        },
      ),
      { ...FC, numRuns: 300 },
    );
    // nothing forged touched the original
    expect(sameBytes(l.save(), witness)).toBeUndefined();
    l.dispose();
  });

  it.each([{}, ...d.variants])(
    "save -> restore -> continue is bit-identical to never stopping (same engine and a fresh one) %j",
    async (variant) => {
      const other = await loadEngram();
      const a = make(engram, kind, variant);
      train(a, kind, 20, 11);
      const snap = a.save();
      const kept = snap.slice();
      expect(sameBytes(a.save(), snap), "save() must not change the learner").toBeUndefined();
      const b = engram.restore(snap) as AnyLearner;
      const c = other.restore(snap) as AnyLearner;
      expect(b.kind).toBe(kind);
      expect(b.config).toEqual(a.config);
      // a restored snapshot saves back to the same bytes
      expect(sameBytes(b.save(), snap)).toBeUndefined();
      const n = d.inputs(a.config as Record<string, unknown>);
      const classes = d.classes?.(a.config as Record<string, unknown>) ?? 2;
      const r = rng(99);
      for (let i = 0; i < 30; i++) {
        const x = sample(r, n);
        const k = i % classes;
        for (const l of [a, b, c]) d.step(l, x, k);
        const before = a.save();
        const pa = d.probe(a, x);
        expect(sameBytes(a.save(), before), "predicting must not change the learner").toBeUndefined();
        expect(d.probe(b, x)).toEqual(pa);
        expect(d.probe(c, x)).toEqual(pa);
      }
      expect(sameBytes(snap, kept), "a snapshot must not alias the learner's memory").toBeUndefined();
      const end = a.save();
      expect(sameBytes(b.save(), end)).toBeUndefined();
      expect(sameBytes(c.save(), end)).toBeUndefined();
      // and a learner trained straight through from the same seed agrees too
      const straight = make(engram, kind, variant);
      train(straight, kind, 20, 11);
      const r2 = rng(99);
      for (let i = 0; i < 30; i++) d.step(straight, sample(r2, n), i % classes);
      expect(sameBytes(straight.save(), end)).toBeUndefined();
      for (const l of [a, b, c, straight]) l.dispose();
    },
  );

  it("refuses well-formed snapshots whose config does not fit the state, or is invalid, without leaking", () => {
    const l = make(engram, kind);
    const parts = decodeSnapshot(l.save());
    l.dispose();
    const misfit = encodeSnapshot({ ...parts, config: { ...parts.config, ...d.sized(16) } });
    refusedWithoutLeak(engram, misfit, "a config for a bigger learner");
    const e = expectCode(
      () => engram.restore(encodeSnapshot({ ...parts, config: { ...parts.config, learningRate: -1 } })),
      "E_SNAPSHOT",
    );
    expect(e.message).toMatch(/learningRate/);
    expectCode(() => engram.restore(encodeSnapshot({ ...parts, config: { ...parts.config, typo: 1 } })), "E_SNAPSHOT");
    expectCode(
      () => engram.restore(encodeSnapshot({ ...parts, state: parts.state.subarray(0, parts.state.length - 4) })),
      "E_SNAPSHOT",
    );
    expectCode(
      () => engram.restore(encodeSnapshot({ ...parts, state: Uint8Array.from([...parts.state, 0, 0, 0, 0]) })),
      "E_SNAPSHOT",
    );
  });

  it("a save at any point of any sequence of public calls resumes bit-identically (e.g. between act and reward)", () => {
    const o = make(engram, kind).config as Record<string, unknown>;
    /** A call's result in a comparable form (typed arrays copied, stats objects as JSON). */
    const result = (v: unknown) => JSON.stringify(ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(d.methods.length - 1), fc.nat()), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (calls, at) => {
          const cut = at % (calls.length + 1);
          const a = make(engram, kind);
          const run = (l: AnyLearner, [mi, seed]: [number, number]) => {
            const m = d.methods[mi]!;
            const args = validArgs(d, o, m, rng(seed));
            return result(l[m.name](...args));
          };
          calls.slice(0, cut).forEach((c) => run(a, c));
          const b = engram.restore(a.save()) as AnyLearner;
          for (const c of calls.slice(cut)) expect(run(b, c)).toBe(run(a, c));
          expect(sameBytes(b.save(), a.save())).toBeUndefined();
          cases++;
          a.dispose();
          b.dispose();
        },
      ),
      { ...FC, numRuns: 60 },
    );
  });

  it("restores from a view at an odd offset inside a larger buffer", () => {
    const l = make(engram, kind);
    const snap = l.save();
    const host = new Uint8Array(snap.length + 7);
    host.set(snap, 3);
    const back = engram.restore(host.subarray(3, 3 + snap.length));
    expect(sameBytes(back.save(), snap)).toBeUndefined();
    // the learner holds its own copy: scribbling over the caller's bytes changes nothing
    host.fill(0xaa);
    expect(sameBytes(back.save(), snap)).toBeUndefined();
    back.dispose();
    l.dispose();
  });
});
