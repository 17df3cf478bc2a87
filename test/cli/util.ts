// Helpers for the CLI tests: IDX files and small data sets written on the spot.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An unsigned-byte IDX file with dimensions `dims` holding `data`. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Writes train/t10k images (`side`×`side`) and labels to `dir` (a fresh temp dir by default). */
export function writeSplits(
  dir: string,
  splits: Record<"train" | "t10k", { images: Uint8Array; labels: Uint8Array }>,
  side: number,
): string {
  for (const [prefix, { images, labels }] of Object.entries(splits)) {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idxBytes([labels.length, side, side], images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes([labels.length], labels));
  }
  return dir;
}

/** A folder with a tiny data set: pixel values and labels from a counter, every class present. */
export function writeDataset({
  train,
  test,
  side,
  classes,
}: {
  train: number;
  test: number;
  side: number;
  classes: number;
}): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-data-"));
  const make = (n: number) => ({
    images: Uint8Array.from({ length: n * side * side }, (_, i) => (i * 37) & 255),
    labels: Uint8Array.from({ length: n }, (_, i) => i % classes),
  });
  return writeSplits(dir, { train: make(train), t10k: make(test) }, side);
}
