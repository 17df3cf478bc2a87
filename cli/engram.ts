// engram: train a learner on an IDX data set (MNIST by default) online, one
// sample at a time, report test accuracy and time per step, and plot the
// learning curve; or evaluate a saved model.
//
//   engram train --learner ff --data mnist [--epochs N] [--save model.engram] [--json]
//   engram eval model.engram --data mnist [--json]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { EngramError, init, pixels, type Engram } from "../bindings/node.js";
import { helpText, parseArgs, type FlagValue } from "./args.js";
import { COMMANDS } from "./commands.js";
import { CliError } from "./errors.js";
import { loadDataset, type Dataset, type Split } from "./idx.js";
import { LEARNERS, type Classifier, type CliOptions } from "./learners.js";
import { renderChart } from "./plot.js";
import { shuffled } from "./order.js";
import { Progress, count, duration } from "./progress.js";

type Flags = Record<string, FlagValue>;

/** Prints a human-readable line on stdout; silenced under --json, where stdout is one JSON object. */
let say: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, COMMANDS);
  if (args.command === "help") {
    process.stdout.write(`usage:\n${helpText("engram", COMMANDS, args.positionals[0])}`);
    return;
  }
  const json = args.flags["json"] === true;
  if (json) say = () => {};
  const result = args.command === "train" ? await train(args.flags) : await evaluate(args.positionals[0]!, args.flags);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The test accuracy of `learner` on the first `n` images of `split`, with an optional progress bar. */
function accuracy(learner: Classifier, split: Split, n: number, bar?: Progress): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (learner.predict(pixels(split.images.subarray(i * split.width, (i + 1) * split.width))) === split.labels[i]) correct++;
    if (bar && (i & 63) === 63) bar.update(i + 1);
  }
  bar?.update(n);
  return correct / n;
}

/** The learner's one-pass predictor (`predictFast`) if it has one that is enabled, tried on `x`. */
function fastPredictor(learner: Classifier, x: Float32Array): ((x: Float32Array) => number) | undefined {
  const fast = learner.predictFast?.bind(learner);
  if (!fast) return undefined;
  try {
    fast(x);
  } catch (e) {
    if (e instanceof EngramError && e.code === "E_CONFIG") return undefined; // e.g. forwardForward with readout: false
    throw e;
  }
  return fast;
}

/**
 * The accuracy of the learner's one-pass predictor (`predictFast`) on the first `n`
 * images of `split`, when it has one that is enabled; else null.
 */
function fastAccuracy(learner: Classifier, split: Split, n: number, flags: Flags): { accuracy: number; usPerPrediction: number } | null {
  const fast = n > 0 ? fastPredictor(learner, pixels(split.images.subarray(0, split.width))) : undefined;
  if (!fast) return null;
  const bar = progressFor(flags, "fast ", n);
  let correct = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (fast(pixels(split.images.subarray(i * split.width, (i + 1) * split.width))) === split.labels[i]) correct++;
    if (bar && (i & 255) === 255) bar.update(i + 1);
  }
  const ms = performance.now() - t0;
  bar?.finish();
  return { accuracy: correct / n, usPerPrediction: (ms * 1000) / n };
}

function progressFor(flags: Flags, label: string, total: number): Progress | undefined {
  if (flags["quiet"] === true || flags["json"] === true) return undefined;
  return new Progress(process.stderr, label, total);
}

function limit(split: Split, n: FlagValue | undefined, flag: string): number {
  if (n === undefined) return split.count;
  if (n === 0 || (n as number) > split.count) throw new CliError(`--${flag} must be in [1, ${split.count}], got ${n}`);
  return n as number;
}

function describeData(data: Dataset): string {
  return `${data.name} (${count(data.train.count)} train, ${count(data.test.count)} test images of ${data.train.width} values, ${data.classes} classes)`;
}

async function train(flags: Flags) {
  const name = (flags["learner"] as string | undefined) ?? "ff";
  const make = LEARNERS[name];
  if (!make) throw new CliError(`unknown learner '${name}' (known: ${Object.keys(LEARNERS).join(", ")})`);
  const data = loadDataset((flags["data"] as string | undefined) ?? "mnist");
  const trainN = limit(data.train, flags["limit"], "limit");
  const testN = limit(data.test, flags["test-limit"], "test-limit");
  const epochs = (flags["epochs"] as number | undefined) ?? 1;
  if (epochs < 1) throw new CliError("--epochs must be at least 1");
  const seed = (flags["seed"] as number | undefined) ?? 1;
  const options: CliOptions = { seed, ...(flags["set"] as Record<string, unknown> | undefined) };
  if (flags["lr"] !== undefined) options["learningRate"] = flags["lr"];
  if (flags["hidden"] !== undefined) options.hidden = flags["hidden"] as number[];

  const start = performance.now();
  const engram = await init();
  const learner = make(engram, data.train.width, data.classes, options);
  say(`Engram · ${learner.kind} on ${describeData(data)}`);
  say(`config ${JSON.stringify(learner.config)}`);

  const total = trainN * epochs;
  const points = Math.max(1, (flags["curve-points"] as number | undefined) ?? 20);
  const curveN = Math.min(testN, (flags["curve-size"] as number | undefined) ?? 1000);
  const checkpoints = [...new Set(Array.from({ length: points }, (_, k) => Math.round((total * (k + 1)) / points)))].filter((c) => c > 0);
  const curve = [{ samples: 0, accuracy: accuracy(learner, data.test, curveN) }];
  const bar = progressFor(flags, "train", total);
  const { width, images, labels } = data.train;

  let seen = 0;
  let learnMs = 0;
  let probeMs = 0; // not part of a learning step
  // running accuracy: every 16th sample is predicted before it is learnt (prequential,
  // with the learner's fast predictor if it has one); an exponential average of those
  const probe = fastPredictor(learner, pixels(images.subarray(0, width))) ?? learner.predict.bind(learner);
  let recent: number | undefined;
  let order = shuffled(trainN, seed, 0);
  for (const checkpoint of checkpoints) {
    const t0 = performance.now();
    for (; seen < checkpoint; seen++) {
      const i = seen % trainN;
      if (i === 0 && seen > 0) order = shuffled(trainN, seed, seen / trainN);
      const k = order[i]!;
      const label = labels[k]!;
      const x = pixels(images.subarray(k * width, (k + 1) * width)); // pixel bytes → [0, 1]
      if ((seen & 15) === 0) {
        const p0 = performance.now();
        const hit = probe(x) === label ? 1 : 0;
        recent = recent === undefined ? hit : recent + (hit - recent) * 0.02;
        probeMs += performance.now() - p0;
      }
      learner.learn(x, label);
      if ((seen & 127) === 127) bar?.update(seen + 1, recent);
    }
    learnMs += performance.now() - t0;
    curve.push({ samples: seen, accuracy: accuracy(learner, data.test, curveN) });
    bar?.clear();
    say(`  ${count(seen).padStart(6)} samples seen: ${(curve.at(-1)!.accuracy * 100).toFixed(1).padStart(5)}% on the first ${curveN} test images`);
    bar?.update(seen, recent);
  }
  bar?.finish();

  const evalBar = progressFor(flags, "test ", testN);
  const t1 = performance.now();
  const acc = accuracy(learner, data.test, testN, evalBar);
  const evalMs = performance.now() - t1;
  evalBar?.finish();
  const fast = fastAccuracy(learner, data.test, testN, flags);

  learnMs -= probeMs;
  const usPerStep = (learnMs * 1000) / total;
  const plotPath = (flags["plot"] as string | undefined) ?? `out/${name}-${basename(data.name)}.svg`;
  writePlot(plotPath, learner, name, data, curve, curveN, acc, testN, epochs, total);
  const savePath = flags["save"] as string | undefined;
  if (savePath) write(savePath, learner.save());

  say(`test accuracy ${(acc * 100).toFixed(2)}% (error ${((1 - acc) * 100).toFixed(2)}%) on ${testN} test images`);
  say(`training: ${total} samples (${epochs} epoch${epochs > 1 ? "s" : ""}) in ${(learnMs / 1000).toFixed(1)} s · ${usPerStep.toFixed(0)} µs per step (one sample, one wasm call)`);
  if (fast) say(`test accuracy of the one-pass predictFast(): ${(fast.accuracy * 100).toFixed(2)}% (error ${((1 - fast.accuracy) * 100).toFixed(2)}%) · ${fast.usPerPrediction.toFixed(0)} µs per prediction`);
  say(`evaluation: ${testN} images in ${(evalMs / 1000).toFixed(1)} s · ${((evalMs * 1000) / testN).toFixed(0)} µs per prediction`);
  const totalSeconds = (performance.now() - start) / 1000;
  say(`wall clock: ${duration(totalSeconds)} in all (training, ${curve.length} curve evaluations, final test)`);
  say(`learning curve: ${plotPath}`);
  if (savePath) say(`model: ${savePath}`);
  const result = {
    command: "train",
    learner: name,
    kind: learner.kind,
    data: data.name,
    accuracy: acc,
    error: 1 - acc,
    testSamples: testN,
    samples: total,
    epochs,
    seconds: learnMs / 1000,
    usPerStep,
    evalSeconds: evalMs / 1000,
    fast,
    totalSeconds,
    curve,
    plot: plotPath,
    model: savePath ?? null,
    config: learner.config,
  };
  learner.dispose();
  return result;
}

function writePlot(path: string, learner: Classifier, name: string, data: Dataset, curve: { samples: number; accuracy: number }[], curveN: number, acc: number, testN: number, epochs: number, total: number): void {
  const { inputs, hidden } = learner.config as { inputs?: number; hidden?: number[] };
  const shape = Array.isArray(hidden) ? `${[inputs, ...hidden].join("-")} · ` : "";
  const points = curve.map((p) => ({ x: p.samples, y: p.accuracy * 100 }));
  const last = points.at(-1)!.y;
  const zoom = Math.floor((last - 3) / 5) * 5; // e.g. 97.3% → an inset from 90%
  const svg = renderChart({
    title: `${learner.kind} on ${basename(data.name)}: test accuracy while learning online`,
    subtitle: `${shape}${epochs} epoch${epochs > 1 ? "s" : ""} · ${count(total)} samples · final ${(acc * 100).toFixed(2)}% on ${testN} test images (curve: first ${curveN})`,
    xLabel: "training samples seen",
    yLabel: "test accuracy (%)",
    series: [{ name, points }],
    yFormat: (y) => `${Number(y.toFixed(1))}%`,
    yMin: 0,
    yMax: 100,
    ...(zoom >= points[0]!.y + 20 ? { inset: { yMin: zoom } } : {}),
  });
  write(path, svg);
}

async function evaluate(modelPath: string, flags: Flags) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(modelPath);
  } catch (e) {
    throw new CliError(`cannot read model ${modelPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const data = loadDataset((flags["data"] as string | undefined) ?? "mnist");
  const testN = limit(data.test, flags["test-limit"], "test-limit");
  const engram: Engram = await init();
  const learner = engram.restore(bytes) as Classifier;
  if (typeof learner.predict !== "function") throw new CliError(`${modelPath} holds a ${learner.kind}, which does not classify`);
  const inputs = learner.config["inputs"];
  if (typeof inputs === "number" && inputs !== data.test.width) {
    learner.dispose();
    throw new CliError(`${modelPath} takes ${inputs} inputs per sample but ${data.name} has ${data.test.width}`);
  }
  say(`Engram · ${learner.kind} from ${modelPath} on ${describeData(data)}`);
  const bar = progressFor(flags, "test ", testN);
  const t0 = performance.now();
  const acc = accuracy(learner, data.test, testN, bar);
  const ms = performance.now() - t0;
  bar?.finish();
  say(`test accuracy ${(acc * 100).toFixed(2)}% (error ${((1 - acc) * 100).toFixed(2)}%) on ${testN} test images · ${((ms * 1000) / testN).toFixed(0)} µs per prediction`);
  const fast = fastAccuracy(learner, data.test, testN, flags);
  if (fast) say(`test accuracy of the one-pass predictFast(): ${(fast.accuracy * 100).toFixed(2)}% (error ${((1 - fast.accuracy) * 100).toFixed(2)}%) · ${fast.usPerPrediction.toFixed(0)} µs per prediction`);
  const result = { command: "eval", model: modelPath, kind: learner.kind, data: data.name, accuracy: acc, error: 1 - acc, testSamples: testN, seconds: ms / 1000, usPerPrediction: (ms * 1000) / testN, fast, config: learner.config };
  learner.dispose();
  return result;
}

function write(path: string, contents: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

// Errors the user can fix (bad flags, paths, files, options, snapshots) exit 2
// with one line; anything else is a bug and keeps its stack.
main(process.argv.slice(2)).catch((e: unknown) => {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K"); // over a progress bar
  if (e instanceof CliError) {
    process.stderr.write(`engram: ${e.message}\n${e.usage ? "(run 'engram --help' for usage)\n" : ""}`);
    process.exit(2);
  }
  if (e instanceof EngramError && ["E_CONFIG", "E_SNAPSHOT", "E_SHAPE", "E_LABEL"].includes(e.code)) {
    process.stderr.write(`engram: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`engram: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
