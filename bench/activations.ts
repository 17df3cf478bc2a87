// tanh and sigmoid (issue #18): the f32x4 kernels against their scalar twins, and, when
// ENGRAM_BASELINE_WASM names another build of the test module (e.g. the one before a change),
// against that build's kernels in the same run. Every kernel is timed in rounds that alternate
// between the builds and kernels, fastest of short samples each (harness.timeShort), so the
// ratios compare figures taken under the same load.
//
//   node scripts/ts.mjs bench/activations.ts
//   ENGRAM_BASELINE_WASM=old/engram.test.wasm node scripts/ts.mjs bench/activations.ts
import { readFileSync } from "node:fs";
import { f, loadRaw, machine, measureCeilings, randomF32, table, timeShort, type Raw } from "./harness.js";

const N = 4096; // the kernel benchmark's size: 16 KiB in, 16 KiB out, in L1
const ROUNDS = 5;
// f32 arithmetic per element of the sequences in assembly/kernels/math.ts (bit operations,
// selects and the clamp's pmin/pmax not counted): tanh 26 (−2|x| and the reduction 8, the
// polynomial 13, m, m + 2 and the division 5), sigmoid 25 (reduction 7, polynomial 13,
// e, 1 + e and the two divisions 5)
const FLOPS: Record<string, number> = { actTanh: 26, actSigmoid: 25 };

const time = (fn: () => unknown) => timeShort(fn, 200).min;
const builds: [string, Raw][] = [["this build", await loadRaw()]];
const base = process.env["ENGRAM_BASELINE_WASM"];
if (base) {
  const { instance } = await WebAssembly.instantiate(readFileSync(base), { env: { abort: () => {} } });
  builds.push(["baseline", instance.exports as Raw]);
}
console.log(`# tanh / sigmoid — ${machine()}, ${new Date().toISOString().slice(0, 10)}\n`);
const c = measureCeilings(builds[0]![1], (fn, ms) => timeShort(fn, ms).min);
console.log(`f32x4 mul+add peak in the same run: ${f(c.peakFlops / 1e9)} GFLOP/s\n`);

// inputs in [-4, 4): both signs, every reduction range a network's units visit
const bufs = builds.map(([, raw]) => {
  const x = randomF32(raw, N, 3),
    y = randomF32(raw, N, 4);
  const v = new Float32Array(raw.memory.buffer, x, N);
  for (let i = 0; i < N; i++) v[i] = 4 * v[i]!;
  return { x, y };
});
const best = new Map<string, number>();
const keep = (key: string, t: number) => best.set(key, Math.min(best.get(key) ?? Infinity, t));
for (let r = 0; r < ROUNDS; r++)
  for (const kernel of Object.keys(FLOPS))
    for (const [b, [name, raw]] of builds.entries()) {
      const { x, y } = bufs[b]!;
      keep(
        `${name} ${kernel}`,
        time(() => raw[kernel](y, x, N)),
      );
      keep(
        `${name} ${kernel}Ref`,
        time(() => raw[`${kernel}Ref`](y, x, N)),
      );
    }
const rows: (string | number)[][] = [];
for (const kernel of Object.keys(FLOPS))
  for (const [name] of builds) {
    const tS = best.get(`${name} ${kernel}`)!,
      tR = best.get(`${name} ${kernel}Ref`)!;
    const flops = FLOPS[kernel]! * N;
    const ours = name === "this build"; // the flop counts are of this build's sequences
    rows.push([
      kernel,
      name,
      f(tS * 1e6, 2),
      f(tR * 1e6, 2),
      `${f(tR / tS, 2)}×`,
      f(N / tS / 1e9, 3),
      ours ? f(flops / tS / 1e9, 2) : "—",
      ours ? `${f((100 * flops) / tS / c.peakFlops)} %` : "—",
      ours && base ? `${f(best.get(`baseline ${kernel}`)! / tS, 2)}×` : "—",
    ]);
  }
table(
  [
    "kernel",
    "build",
    "f32x4 µs",
    "scalar twin µs",
    "vs scalar twin",
    "Gelem/s",
    "GFLOP/s",
    "% peak",
    "f32x4 speed-up over baseline",
  ],
  rows,
);
