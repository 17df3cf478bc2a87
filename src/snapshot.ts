import { crc32 } from "./crc32.js";
import { EngramError, describe } from "./errors.js";
import { copyTyped, typedKind } from "./input.js";

/**
 * Snapshot format (docs/snapshot-format.md), all integers little-endian:
 *
 *   0  4  magic "ENGM"
 *   4  2  format version (u16)
 *   6  2  flags (u16, 0)
 *   8  4  total length in bytes, CRC included (u32)
 *  12  2  kind length K (u16), then K bytes of ASCII kind name
 *   .  4  config length C (u32), then C bytes of UTF-8 JSON (the resolved options)
 *   .  4  state length S (u32), then S bytes: the learner's state block as it
 *         lies in wasm memory (parameters, optimizer state, PRNG state, counters)
 *   .  4  CRC-32 (zlib) of every byte before it
 * @internal
 */
export const MAGIC = 0x4d474e45; // "ENGM" read as little-endian u32
/** The format version this build writes. */
export const FORMAT_VERSION = 1;
/** @internal The oldest format version this build reads. */
export const OLDEST_VERSION = 1;

/** @internal The parts of a snapshot. */
export interface SnapshotParts {
  kind: string;
  config: Record<string, unknown>;
  state: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** @internal Serialises a learner; `state` is copied. */
export function encodeSnapshot(parts: SnapshotParts): Uint8Array {
  const kind = encoder.encode(parts.kind);
  const config = encoder.encode(JSON.stringify(parts.config));
  const total = 12 + 2 + kind.length + 4 + config.length + 4 + parts.state.length + 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, FORMAT_VERSION, true);
  dv.setUint16(6, 0, true);
  dv.setUint32(8, total, true);
  let at = 12;
  dv.setUint16(at, kind.length, true);
  out.set(kind, (at += 2));
  at += kind.length;
  dv.setUint32(at, config.length, true);
  out.set(config, (at += 4));
  at += config.length;
  dv.setUint32(at, parts.state.length, true);
  out.set(parts.state, (at += 4));
  at += parts.state.length;
  dv.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

function bad(msg: string): never {
  throw new EngramError("E_SNAPSHOT", msg);
}

/**
 * @internal
 * Parses and verifies a snapshot; every defect throws E_SNAPSHOT. The bytes are
 * copied ONCE, through the %TypedArray% intrinsics (no getter, no proxy trap, a
 * SharedArrayBuffer's racing writes cannot reach past the copy), and everything —
 * the CRC first — is checked on that copy; the parts returned live in it.
 */
export function decodeSnapshot(input: unknown): SnapshotParts {
  if (typedKind(input) !== "Uint8Array") bad(`a snapshot must be a Uint8Array, got ${describe(input)}`);
  let bytes: Uint8Array;
  try {
    bytes = copyTyped(input as object, "Uint8Array") as Uint8Array;
  } catch (e) {
    throw new EngramError("E_SNAPSHOT", "the snapshot's bytes could not be read (a detached buffer?)", { cause: e });
  }
  if (bytes.length < 26) bad(`truncated: ${bytes.length} bytes is shorter than any snapshot`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) bad("not an Engram snapshot (bad magic)");
  const total = dv.getUint32(8, true);
  if (total !== bytes.length) bad(`truncated or padded: the header says ${total} bytes, got ${bytes.length}`);
  const crc = dv.getUint32(total - 4, true);
  if (crc32(bytes.subarray(0, total - 4)) !== crc) bad("checksum mismatch: the snapshot is corrupted");
  const version = dv.getUint16(4, true);
  if (version > FORMAT_VERSION)
    bad(`format version ${version} is newer than this Engram reads (${FORMAT_VERSION}): upgrade engram`);
  if (version < OLDEST_VERSION) bad(`format version ${version} is no longer supported (oldest: ${OLDEST_VERSION})`);
  if (dv.getUint16(6, true) !== 0) bad("unknown flags");
  let at = 12;
  const field = (len: number) => {
    if (at + len > total - 4) bad("a length field points past the end");
    const s = bytes.subarray(at, at + len);
    at += len;
    return s;
  };
  const kindLen = dv.getUint16(at, true);
  at += 2;
  let kind = "";
  try {
    kind = decoder.decode(field(kindLen));
  } catch (e) {
    if (e instanceof EngramError) throw e;
    bad("the learner kind is not valid UTF-8");
  }
  const configLen = (field(4), dv.getUint32(at - 4, true));
  let config: unknown;
  try {
    config = JSON.parse(decoder.decode(field(configLen)));
  } catch {
    bad("the config is not valid JSON");
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) bad("the config is not an object");
  const stateLen = (field(4), dv.getUint32(at - 4, true));
  const state = field(stateLen);
  if (at !== total - 4) bad("trailing bytes before the checksum");
  return { kind, config: config as Record<string, unknown>, state };
}
