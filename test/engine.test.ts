import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEngram, EngramError, pixels } from "../src/index.js";
import { crc32 } from "../src/crc32.js";
import { decodeSnapshot, encodeSnapshot, FORMAT_VERSION } from "../src/snapshot.js";
import { batchRows, checkLabel, writeVector } from "../src/input.js";
import { Options } from "../src/options.js";
import { expectCode, loadEngram } from "./helpers/engram.js";

const bytes = readFileSync(new URL("../build/engram.wasm", import.meta.url));

describe("init", () => {
  it("accepts a Module, bytes, an ArrayBuffer and a Response", async () => {
    const sources = [
      new WebAssembly.Module(bytes),
      new Uint8Array(bytes),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      new Response(bytes, { headers: { "content-type": "application/wasm" } }),
      new Response(bytes), // wrong MIME: falls back to arrayBuffer()
    ];
    for (const s of sources) {
      const engram = await createEngram(s as never);
      expect(engram.memoryBytes).toBeGreaterThan(0);
    }
  });

  it("rejects what is not engram.wasm with E_INIT", async () => {
    await expect(createEngram(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]))).rejects.toMatchObject({
      code: "E_INIT",
    });
    await expect(createEngram(new Response("nope", { status: 404 }))).rejects.toMatchObject({ code: "E_INIT" });
  });

  it("imports nothing but env.abort", () => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
    expect(imports).toEqual([{ module: "env", name: "abort", kind: "function" }]);
  });

  it("keeps engram.wasm within its 64 KB budget", () => {
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
  });
});

describe("memory", () => {
  it("allocates, frees and reuses blocks; views survive growth", async () => {
    const engram = await loadEngram();
    const w = engram.wasm;
    const before = w.memoryBytes;
    const big = w.alloc(8 << 20); // forces memory.grow
    expect(w.memoryBytes).toBeGreaterThan(before);
    w.f32[big >>> 2] = 1.5; // the cached view was rebuilt after growth
    expect(w.f32[big >>> 2]).toBe(1.5);
    w.free(big);
    const grown = w.memoryBytes;
    for (let i = 0; i < 1000; i++) w.free(w.alloc(8 << 20));
    expect(w.memoryBytes).toBe(grown);
  });

  it("refuses impossible allocations with E_MEMORY", async () => {
    const engram = await loadEngram();
    expectCode(() => engram.wasm.alloc(5 * 2 ** 30), "E_MEMORY");
    expectCode(() => engram.wasm.alloc(2 ** 31), "E_MEMORY"); // over TLSF's block limit: the trap is mapped
    // the allocator still works afterwards
    const p = engram.wasm.alloc(64);
    expect(p).toBeGreaterThan(0);
  });
});

describe("input coercion", () => {
  const dst = new Float32Array(8);
  it("takes Float32Array, Float64Array, number[] and Uint8Array unscaled; pixels() divides bytes by 255", () => {
    writeVector(dst, 0, new Float32Array([1, 2]), 2, "x");
    expect([...dst.subarray(0, 2)]).toEqual([1, 2]);
    writeVector(dst, 2, [0.5, -3], 2, "x");
    expect([...dst.subarray(2, 4)]).toEqual([0.5, -3]);
    writeVector(dst, 4, new Uint8Array([1, 255]), 2, "x");
    expect([...dst.subarray(4, 6)]).toEqual([1, 255]);
    // an Oja layer's input [1, 0, 1, 0] means the same as bytes and as floats (issue 15: it was 1/255 as bytes)
    expect([...pixels(new Uint8Array([0, 51, 255]))]).toEqual([0, Math.fround(0.2), 1]);
    expect([...pixels(new Uint8ClampedArray([255]))]).toEqual([1]);
    expectCode(() => pixels(new Float32Array([0.5]) as never), "E_TYPE");
    expectCode(() => pixels([256]), "E_TYPE");
  });
  it("a learner reads bytes as the same numbers as floats (binary and count features are not divided by 255)", async () => {
    const engram = await loadEngram();
    const oja = engram.hebbian({ inputs: 4, outputs: 2, rule: "oja" });
    expect(oja.transform(new Uint8Array([1, 0, 1, 0]))).toEqual(oja.transform(new Float32Array([1, 0, 1, 0])));
    expect(oja.transform(engram.pixels(new Uint8Array([255, 0, 255, 0])))).toEqual(oja.transform([1, 0, 1, 0]));
    oja.dispose();
    writeVector(dst, 6, new Float64Array([0.1, 1e30]), 2, "x");
    expect(dst[6]).toBe(Math.fround(0.1));
  });
  it("rejects wrong types, lengths and non-finite values with codes naming the input", () => {
    expect(expectCode(() => writeVector(dst, 0, [1], 2, "x"), "E_SHAPE").message).toMatch(
      /x must have length 2, got length 1/,
    );
    expectCode(() => writeVector(dst, 0, null, 2, "x"), "E_TYPE");
    expectCode(() => writeVector(dst, 0, "ab", 2, "x"), "E_TYPE");
    expectCode(() => writeVector(dst, 0, [1, "2"], 2, "x"), "E_TYPE");
    expectCode(() => writeVector(dst, 0, [1, NaN], 2, "x"), "E_NONFINITE");
    expectCode(() => writeVector(dst, 0, new Float32Array([Infinity, 0]), 2, "x"), "E_NONFINITE");
    expectCode(() => writeVector(dst, 0, [1e39, 0], 2, "x"), "E_NONFINITE"); // finite in f64, Infinity in f32
  });
  it("checks labels and batches", () => {
    expect(checkLabel(3, 10)).toBe(3);
    for (const bad of [-1, 10, 1.5, NaN, "1", null]) expectCode(() => checkLabel(bad, 10), "E_LABEL");
    expect(batchRows(new Float32Array(12), 4)).toBe(3);
    expectCode(() => batchRows(new Float32Array(10), 4), "E_SHAPE");
    expectCode(() => batchRows(new Float32Array(0), 4), "E_SHAPE");
  });
  it("validates options and refuses unknown ones", () => {
    const o = new Options("test", { rate: 0.1, sizes: [3, 2], typo: 1 });
    expect(o.num("rate", 0.01, 0, 1, true)).toBe(0.1);
    expect(o.sizes("sizes", undefined, 2, 100)).toEqual([3, 2]);
    expect(o.int("seed", 7, 0, 100)).toBe(7);
    expectCode(() => o.done(), "E_CONFIG");
    expectCode(() => new Options("t", { r: -1 }).num("r", 1, 0, 1, true), "E_CONFIG");
    expectCode(() => new Options("t", { s: [0] }).sizes("s", undefined, 1, 9), "E_CONFIG");
    expectCode(() => new Options("t", null), "E_CONFIG");
  });
});

describe("snapshot codec", () => {
  const parts = { kind: "demo", config: { a: 1, b: [2, 3] }, state: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) };
  it("round-trips and matches zlib's CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const back = decodeSnapshot(encodeSnapshot(parts));
    expect(back.kind).toBe("demo");
    expect(back.config).toEqual(parts.config);
    expect([...back.state]).toEqual([...parts.state]);
  });
  it("rejects every truncation and every single-byte change", () => {
    const snap = encodeSnapshot(parts);
    for (let n = 0; n < snap.length; n++) expectCode(() => decodeSnapshot(snap.subarray(0, n)), "E_SNAPSHOT");
    for (let i = 0; i < snap.length; i++) {
      for (const flip of [1, 0x80, 0xff]) {
        const bad = snap.slice();
        bad[i]! ^= flip;
        expectCode(() => decodeSnapshot(bad), "E_SNAPSHOT");
      }
    }
  });
  it("names a future format version", () => {
    const snap = encodeSnapshot(parts);
    const dv = new DataView(snap.buffer);
    dv.setUint16(4, FORMAT_VERSION + 1, true);
    dv.setUint32(snap.length - 4, crc32(snap.subarray(0, snap.length - 4)), true);
    expect(expectCode(() => decodeSnapshot(snap), "E_SNAPSHOT").message).toMatch(/newer than this Engram reads/);
  });
  it("errors are EngramError instances with stable codes", async () => {
    const engram = await loadEngram();
    const e = expectCode(() => engram.restore(new Uint8Array(3)), "E_SNAPSHOT");
    expect(e).toBeInstanceOf(EngramError);
  });
});
