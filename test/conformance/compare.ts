// Locating where two hosts' results differ, for the failure message.
import { fromHex } from "./hash.js";
import type { Hashed } from "./runner.js";

/** Where two results first differ, for the failure message. */
export function firstDifference(what: string, ref: Hashed, got: Hashed, host: string, refHost = "node"): string {
  for (const [part, a, b] of [
    ["state", ref.state, got.state],
    ["outputs", ref.outputs, got.outputs],
  ] as const) {
    if (a === b) continue;
    const x = fromHex(a),
      y = fromHex(b);
    const n = Math.min(x.length, y.length);
    let i = 0;
    while (i < n && x[i] === y[i]) i++;
    if (i === n) return `${what}: ${host} ${part} has ${y.length} bytes, ${refHost} ${x.length}`;
    const word = i >> 2;
    const f = (u: Uint8Array) => new DataView(u.buffer).getFloat32(word * 4, true);
    const u = (u: Uint8Array) => new DataView(u.buffer).getUint32(word * 4, true).toString(16);
    return `${what}: ${host} first differs from ${refHost} in ${part} word ${word} (byte ${word * 4}): ${refHost} ${f(x)} (0x${u(x)}), ${host} ${f(y)} (0x${u(y)})`;
  }
  return `${what}: ${host} hash ${got.hash} differs from ${refHost} ${ref.hash} with equal data (hash bug)`;
}
