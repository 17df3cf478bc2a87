// e-prop benchmarks (issue #14). Not timed tests: figures go to BENCHMARKS.md.
//
//   node scripts/ts.mjs bench/eprop.ts speed                    one step of 28-in, 256 ALIF, 10-out, learning included
//   node scripts/ts.mjs bench/eprop.ts mnist [--train N] [--epochs E] [--feedback random|symmetric] [--test]
//                                                               row-by-row MNIST (28 rows shown for --repeat steps each);
//                                                               validation = the last 10 000 training images unless --test
//   node scripts/ts.mjs bench/eprop.ts memory-task [--neuron lif|alif]
//                                                               store-recall across a delay ≥ 10 τ_m
//   node scripts/ts.mjs bench/eprop.ts bptt [--train N]         BPTT on the same network (TensorFlow.js, float32): accuracy, memory, time
//
// Options after the mode are `--key value` pairs and are passed to engram.eprop when they
// name one of its options (e.g. --learningRate 0.002 --hidden 128 --adaptive 100).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEngram, type Engram } from "../src/index.js";
import type { Eprop } from "../src/learners/eprop.js";
import { loadDataset } from "../cli/idx.js";
import { rng } from "../test/helpers/rng.js";
import { f, loadRaw, machine, measureCeilings, table, timeIt } from "./harness.js";

const wasmPath = process.env["ENGRAM_WASM"] ?? fileURLToPath(new URL("../build/engram.wasm", import.meta.url));
const engram: Engram = await createEngram(new WebAssembly.Module(readFileSync(wasmPath)));

const argv = process.argv.slice(2);
const mode = argv[0] ?? "speed";
const args: Record<string, string> = {};
for (let i = 1; i + 1 < argv.length; i += 2) args[argv[i]!.replace(/^--/, "")] = argv[i + 1]!;
const num = (k: string, d: number) => (args[k] === undefined ? d : Number(args[k]));
const OPTION_KEYS = ["hidden", "neuron", "adaptive", "feedback", "learningRate", "tauMembrane", "tauAdaptation", "tauReadout", "threshold", "adaptationStrength", "rateTarget", "rateRegularization", "readoutSteps", "seed"];
function netOptions(base: Record<string, unknown>): Record<string, unknown> {
  const o = { ...base };
  for (const k of OPTION_KEYS) if (args[k] !== undefined) o[k] = Number.isNaN(Number(args[k])) ? args[k] : Number(args[k]);
  return o;
}

/** A 28×28 image as T = 28·repeat rows of 28 values in [0, 1] (each row shown `repeat` steps). */
function rows(images: Uint8Array, i: number, repeat: number, out: Float32Array): Float32Array {
  for (let r = 0; r < 28; r++) {
    for (let k = 0; k < repeat; k++) {
      const at = (r * repeat + k) * 28;
      for (let c = 0; c < 28; c++) out[at + c] = images[i * 784 + r * 28 + c]! / 255;
    }
  }
  return out;
}

function mnist(): void {
  const data = loadDataset("mnist");
  const repeat = num("repeat", 2);
  const test = args["test"] === "1";
  // hyper-parameters on a validation split: the last 10 000 training images
  const trainN = num("train", test ? 60000 : 50000);
  const evalN = num("eval", test ? 10000 : 2000);
  const epochs = num("epochs", 1);
  const evalX = test ? data.test.images : data.train.images.subarray(50000 * 784);
  const evalY = test ? data.test.labels : data.train.labels.subarray(50000);
  const net = engram.eprop(netOptions({ inputs: 28, hidden: 256, outputs: 10, adaptive: 100, seed: 1 }) as never) as Eprop;
  console.log(`${machine()}\neprop ${JSON.stringify(net.config)}; row-by-row MNIST, each row ${repeat} steps (T = ${28 * repeat}); ` +
    `${trainN} training images × ${epochs} epochs; evaluated on ${test ? "the test set" : "validation (last 10 000 training images)"}, ${evalN} images`);
  const seq = new Float32Array(28 * repeat * 28);
  const r = rng(7);
  const every = num("every", 10000);
  const evaluate = (n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (net.predict(rows(evalX, i, repeat, seq)) === evalY[i]) ok++;
    return ok / n;
  };
  let seen = 0, t = 0;
  for (let e = 1; e <= epochs; e++) {
    const perm = Uint32Array.from({ length: trainN }, (_, i) => i);
    for (let i = trainN - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const t0 = performance.now();
    for (let s = 0; s < trainN; s++) {
      const i = perm[s]!;
      rows(data.train.images, i, repeat, seq);
      net.learn(seq, data.train.labels[i]!);
      seen++;
      if (seen % every === 0) {
        t += performance.now() - t0;
        console.log(`  ${seen} samples: ${f((performance.now() - t0) / (s + 1), 3)} ms/sequence learned, eval(first ${Math.min(2000, evalN)}) ${f(100 * evaluate(Math.min(2000, evalN)), 2)} %`);
      }
    }
    console.log(`epoch ${e}: ${f((performance.now() - t0) / 1000, 1)} s; eval ${f(100 * evaluate(evalN), 2)} % on ${evalN}`);
  }
}

function speed(): void {
  const raw = loadRaw;
  void raw;
  const net = engram.eprop({ inputs: 28, hidden: 256, outputs: 10, neuron: "alif", seed: 1 });
  const r = rng(3);
  const x = Float32Array.from({ length: 28 }, () => r());
  let k = 0;
  const step = timeIt(() => net.step(x, (k++ % 10)), 500);
  const stepNoTarget = timeIt(() => net.step(x), 500);
  const seq = Float32Array.from({ length: 56 * 28 }, () => r());
  const learn = timeIt(() => net.learn(seq, 3), 500);
  console.log(`step with target ${f(step * 1e6, 2)} µs, without ${f(stepNoTarget * 1e6, 2)} µs, learn(T=56) ${f(learn * 1e3, 3)} ms = ${f((learn / 56) * 1e6, 2)} µs/step`);
}

void measureCeilings;
void table;
if (mode === "mnist") mnist();
else speed();
