// The conformance machinery itself: the hash against published FNV-1a vectors
// and a BigInt reference, the stream generator against the module's own
// xoshiro128**, and the mismatch report.
import { describe, expect, it } from "vitest";
import { loadRaw } from "../helpers/wasm.js";
import { firstDifference } from "./compare.js";
import { canonicalBits, fnv1a64, fromHex, Stream, toHex } from "./hash.js";
import { CASES } from "./cases.js";
import { snapshotState } from "./runner.js";
import { loadEngram } from "../helpers/engram.js";

function fnvBigInt(bytes: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}

describe("conformance hash", () => {
  it("is 64-bit FNV-1a (published vectors and a BigInt reference)", () => {
    const enc = new TextEncoder();
    expect(fnv1a64(enc.encode(""))).toBe("cbf29ce484222325");
    expect(fnv1a64(enc.encode("a"))).toBe("af63dc4c8601ec8c");
    expect(fnv1a64(enc.encode("foobar"))).toBe("85944171f73967e8");
    const s = new Stream(5);
    const bytes = Uint8Array.from({ length: 4096 }, () => s.u32() & 255);
    expect(fnv1a64(bytes)).toBe(fnvBigInt(bytes));
  });

  it("canonicalises every NaN and keeps every other bit pattern", () => {
    const v = new Float32Array(4);
    const u = new Uint32Array(v.buffer);
    u.set([0x7fc00001, 0xffc00000, 0x80000000, 0x3f800000]);
    expect([...canonicalBits(v)]).toEqual([0x7fc00000, 0x7fc00000, 0x80000000, 0x3f800000]);
    expect(toHex(fromHex("00ff7a10"))).toBe("00ff7a10");
  });
});

describe("conformance stream", () => {
  it("is the module's xoshiro128** seeded by splitmix32", async () => {
    const raw = await loadRaw();
    const state = raw.u32(4);
    raw.exports.rngSeed(state, 12345);
    const s = new Stream(12345);
    for (let i = 0; i < 1000; i++) expect(s.u32()).toBe(raw.exports.rngNextU32(state) >>> 0);
  });
});

describe("conformance report", () => {
  it("names the host and the first differing word", () => {
    const ref = { hash: "a", state: toHex(new Uint8Array(new Float32Array([1, 2, 3]).buffer)), outputs: "" };
    const got = { hash: "b", state: toHex(new Uint8Array(new Float32Array([1, 2, 3.5]).buffer)), outputs: "" };
    expect(firstDifference("hebbian/oja", ref, got, "webkit")).toBe(
      "hebbian/oja: webkit first differs from node in state word 2 (byte 8): node 3 (0x40400000), webkit 3.5 (0x40600000)",
    );
  });

  it("reads the state section of a snapshot", async () => {
    const engram = await loadEngram();
    const kind = engram.kinds.find((k) => CASES[k]);
    expect(kind, "a registered learner kind with a conformance case").toBeDefined();
    const l = engram.create(kind!, CASES[kind!]![0]!.options);
    const state = snapshotState(l.save());
    const w = engram.wasm.exports;
    const h = (l as unknown as { h: number }).h;
    expect(state.length).toBe(w.learnerStateBytes(h) >>> 0);
    expect(toHex(state)).toBe(
      toHex(engram.wasm.u8.subarray(w.learnerState(h) >>> 0, (w.learnerState(h) >>> 0) + state.length)),
    );
    l.dispose();
  });
});
