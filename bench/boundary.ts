// What the API boundary costs (docs/boundary.md): reading an input once into an owned
// copy and validating it, against the least any copy into wasm memory can cost (one
// TypedArray.set of ready f32 values: the ceiling, measured in the same run), and a whole
// public call against the same wasm step called directly with the input already in place.
//   node scripts/ts.mjs bench/boundary.ts
import { readFileSync } from "node:fs";
import { createEngram } from "../src/index.js";
import { exactly, readTypedInto, readVector } from "../src/input.js";
import { f, machine, table, timeIt } from "./harness.js";

console.log(`# Boundary benchmark — ${machine()}, ${new Date().toISOString().slice(0, 10)}\n`);
const engram = await createEngram(
  new WebAssembly.Module(readFileSync(new URL("../build/engram.wasm", import.meta.url))),
);
const wasm = engram.wasm;

const rows: (string | number)[][] = [];
for (const n of [8, 784, 784 * 64]) {
  const f32 = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const inputs: [string, unknown][] = [
    ["Float32Array", f32],
    ["Float64Array", Float64Array.from(f32)],
    ["Uint8Array", Uint8Array.from(f32, (v) => Math.abs(v) * 255)],
    ["number[]", Array.from(f32)],
    ["Proxy of number[]", new Proxy(Array.from(f32), {})],
  ];
  const slot = wasm.alloc(n * 4);
  // the ceiling: ready f32 values copied into wasm memory, nothing checked
  const ceiling = timeIt(() => wasm.f32.set(f32, slot >>> 2));
  for (const [name, x] of inputs) {
    // what Learner.input does: a genuine typed array straight into the slot, anything else through an owned copy
    const t = timeIt(
      () =>
        readTypedInto(x, "x", exactly(n, "x"), () => [wasm.f32, slot >>> 2]) ||
        wasm.f32.set(readVector(x, "x", exactly(n, "x")), slot >>> 2),
    );
    rows.push([n, name, f((t * 1e9) / n, 2), f((ceiling * 1e9) / n, 2), f(t / ceiling, 1)]);
  }
  wasm.free(slot);
}
console.log("Read once + validate + copy into wasm, per value:\n");
table(["values", "input", "ns/value", "ceiling ns/value (set only)", "× ceiling"], rows);

// whole calls: the public method against its wasm step with the input already in memory
const rm = engram.rewardModulated({ inputs: 8, actions: 3 });
const fa = engram.feedbackAlignment({ inputs: 784, hidden: [256], classes: 10 });
const h = (l: unknown) => (l as { handle: number }).handle;
const x8 = new Float32Array(8).fill(0.3);
const x784 = Float32Array.from({ length: 784 }, (_, i) => (i % 17) / 17);
const p8 = wasm.alloc(32),
  p784 = wasm.alloc(784 * 4);
wasm.f32.set(x8, p8 >>> 2);
wasm.f32.set(x784, p784 >>> 2);
const calls: [string, () => unknown, () => unknown][] = [
  ["rewardModulated 8→3 predict(x)", () => rm.predict(x8), () => wasm.fn["rmPredict"]!(h(rm), p8)],
  ["feedbackAlignment 784-256-10 predict(x)", () => fa.predict(x784), () => wasm.fn["faPredict"]!(h(fa), p784)],
  ["feedbackAlignment 784-256-10 learn(x, 3)", () => fa.learn(x784, 3), () => wasm.fn["faLearn"]!(h(fa), p784, 3)],
];
const callRows = calls.map(([name, api, raw]) => {
  const a = timeIt(api),
    r = timeIt(raw);
  return [name, f(a * 1e6, 2), f(r * 1e6, 2), f((a - r) * 1e6, 2), `${f((a / r - 1) * 100, 1)} %`];
});
console.log("\nA public call against its wasm step alone (input already in wasm memory):\n");
table(["call", "µs (API)", "µs (wasm step)", "boundary µs", "overhead"], callRows);
