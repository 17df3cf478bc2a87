// engram: train a learner on an IDX data set (MNIST by default) online, one
// sample at a time, report test accuracy and time per step, and plot the
// learning curve; or evaluate a saved model.
//
//   engram train --learner ff --data mnist [--epochs N] [--save model.engram] [--json]
//   engram train --stream class-incremental --tasks 5 --learner krotov,dfa [--validation N] [--json]
//   engram eval model.engram --data mnist [--json]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { EngramError, init, pixels, type Engram } from "../bindings/node.js";
import { helpText, parseArgs, type FlagValue } from "./args.js";
import { COMMANDS } from "./commands.js";
import { CliError } from "./errors.js";
import { loadDataset, type Dataset, type Split } from "./idx.js";
import { dataShape, LEARNERS, type Classifier, type CliOptions } from "./learners.js";
import { renderChart } from "./plot.js";
import { shuffled } from "./order.js";
import { Progress, count, duration } from "./progress.js";
import {
  evaluateTasks,
  streamParts,
  STREAM_KINDS,
  summarize,
  taskClasses,
  taskOf,
  type Scores,
  type StreamKind,
  type Summary,
} from "./stream.js";

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
    if (learner.predict(pixels(split.images.subarray(i * split.width, (i + 1) * split.width))) === split.labels[i])
      correct++;
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
function fastAccuracy(
  learner: Classifier,
  split: Split,
  n: number,
  flags: Flags,
): { accuracy: number; usPerPrediction: number } | null {
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

/** The --learner names (a comma list), each checked against the registry. */
function learnerNames(flags: Flags): string[] {
  const names = ((flags["learner"] as string | undefined) ?? "ff").split(",");
  for (const name of names) {
    if (!LEARNERS[name]) throw new CliError(`unknown learner '${name}' (known: ${Object.keys(LEARNERS).join(", ")})`);
  }
  if (new Set(names).size !== names.length) throw new CliError(`--learner names a learner twice: ${names.join(",")}`);
  return names;
}

/** The learner options every command line learner gets: --seed, --lr, --hidden and --set. */
function learnerOptions(flags: Flags): CliOptions {
  const options: CliOptions = {
    seed: (flags["seed"] as number | undefined) ?? 1,
    ...(flags["set"] as Record<string, unknown> | undefined),
  };
  if (flags["lr"] !== undefined) options["learningRate"] = flags["lr"];
  if (flags["hidden"] !== undefined) options.hidden = flags["hidden"] as number[];
  return options;
}

async function train(flags: Flags) {
  if (flags["stream"] !== undefined) return trainStream(flags);
  for (const f of ["tasks", "validation"])
    if (flags[f] !== undefined) throw new CliError(`--${f} needs --stream`, true);
  const names = learnerNames(flags);
  if (names.length > 1)
    throw new CliError(`several learners (--learner ${names.join(",")}) train side by side only on a --stream`, true);
  const name = names[0]!;
  const make = LEARNERS[name]!;
  const data = loadDataset((flags["data"] as string | undefined) ?? "mnist");
  const trainN = limit(data.train, flags["limit"], "limit");
  const testN = limit(data.test, flags["test-limit"], "test-limit");
  const epochs = (flags["epochs"] as number | undefined) ?? 1;
  if (epochs < 1) throw new CliError("--epochs must be at least 1");
  const seed = (flags["seed"] as number | undefined) ?? 1;
  const options = learnerOptions(flags);

  const start = performance.now();
  const engram = await init();
  const learner = make(engram, data.train.width, data.classes, options, dataShape(data.train.shape));
  say(`Engram · ${learner.kind} on ${describeData(data)}`);
  say(`config ${JSON.stringify(learner.config)}`);

  const total = trainN * epochs;
  const points = Math.max(1, (flags["curve-points"] as number | undefined) ?? 20);
  const curveN = Math.min(testN, (flags["curve-size"] as number | undefined) ?? 1000);
  const checkpoints = [
    ...new Set(Array.from({ length: points }, (_, k) => Math.round((total * (k + 1)) / points))),
  ].filter((c) => c > 0);
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
    say(
      `  ${count(seen).padStart(6)} samples seen: ${(curve.at(-1)!.accuracy * 100).toFixed(1).padStart(5)}% on the first ${curveN} test images`,
    );
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
  say(
    `training: ${total} samples (${epochs} epoch${epochs > 1 ? "s" : ""}) in ${(learnMs / 1000).toFixed(1)} s · ${usPerStep.toFixed(0)} µs per step (one sample, one wasm call)`,
  );
  if (fast)
    say(
      `test accuracy of the one-pass predictFast(): ${(fast.accuracy * 100).toFixed(2)}% (error ${((1 - fast.accuracy) * 100).toFixed(2)}%) · ${fast.usPerPrediction.toFixed(0)} µs per prediction`,
    );
  say(
    `evaluation: ${testN} images in ${(evalMs / 1000).toFixed(1)} s · ${((evalMs * 1000) / testN).toFixed(0)} µs per prediction`,
  );
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

/** One learner on a stream: its scores so far and its time spent learning. */
interface StreamRun {
  name: string;
  learner: Classifier;
  scores: Scores;
  learnMs: number;
}

/** The row label of task j: its classes, e.g. "0-1" or "7" (classes listed when not contiguous). */
const taskLabel = (classes: number[]) => (classes.length === 1 ? `${classes[0]}` : `${classes[0]}-${classes.at(-1)}`);
const pct = (x: number) => (Number.isNaN(x) ? "  –  " : (x * 100).toFixed(1).padStart(5));

/**
 * `train --stream`: every learner of --learner sees the same stream, one sample per step,
 * one pass; after each task all are evaluated on every task's evaluation images and the row
 * of each one's accuracy matrix is printed beside the others'.
 */
async function trainStream(flags: Flags) {
  const kind = flags["stream"] as string;
  if (!(STREAM_KINDS as readonly string[]).includes(kind))
    throw new CliError(`--stream must be ${STREAM_KINDS.join(" or ")}, got '${kind}'`, true);
  for (const f of ["epochs", "curve-points", "curve-size"])
    if (flags[f] !== undefined)
      throw new CliError(`--${f} does not apply to --stream (one pass, evaluated after each task)`, true);
  const names = learnerNames(flags);
  if (flags["save"] !== undefined && names.length > 1)
    throw new CliError("--save takes one learner; --learner names several", true);
  const data = loadDataset((flags["data"] as string | undefined) ?? "mnist");
  const T = (flags["tasks"] as number | undefined) ?? Math.min(5, data.classes);
  if (T < 1 || T > data.classes)
    throw new CliError(`--tasks must be in [1, ${data.classes}] (the data set has ${data.classes} classes), got ${T}`);
  const tasks = taskClasses(data.classes, T);
  const of = taskOf(tasks);

  // evaluation images: the test split, or the last --validation training images (never trained on)
  const held = flags["validation"] as number | undefined;
  if (held !== undefined && (held < 1 || held >= data.train.count))
    throw new CliError(`--validation must be in [1, ${data.train.count - 1}], got ${held}`);
  const pool = held === undefined ? data.train.count : data.train.count - held;
  const trainN = flags["limit"] === undefined ? pool : (flags["limit"] as number);
  if (trainN < 1 || trainN > pool)
    throw new CliError(
      `--limit must be in [1, ${pool}]${held === undefined ? "" : ` (the training images before the ${held} held out)`}, got ${trainN}`,
    );
  const evalSplit = held === undefined ? data.test : data.train;
  const evalFrom = held === undefined ? 0 : data.train.count - held;
  const evalCount = held === undefined ? data.test.count : held;
  const evalN = flags["test-limit"] === undefined ? evalCount : (flags["test-limit"] as number);
  if (evalN < 1 || evalN > evalCount) throw new CliError(`--test-limit must be in [1, ${evalCount}], got ${evalN}`);
  const evalIds = Uint32Array.from({ length: evalN }, (_, k) => evalFrom + k);
  const evalName =
    held === undefined ? `${count(evalN)} test images` : `${count(evalN)} held-out training images (--validation)`;

  const seed = (flags["seed"] as number | undefined) ?? 1;
  const parts = streamParts(kind as StreamKind, data.train, trainN, tasks, seed);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const options = learnerOptions(flags);
  const start = performance.now();
  const engram = await init();
  const runs: StreamRun[] = names.map((name) => ({
    name,
    learner: LEARNERS[name]!(engram, data.train.width, data.classes, options, dataShape(data.train.shape)),
    scores: { matrix: [], overall: [] },
    learnMs: 0,
  }));

  const groups = tasks.map(taskLabel).join(" | ");
  say(`Engram · ${kind} stream on ${describeData(data)}`);
  say(
    `${T} task${T > 1 ? "s" : ""} (${groups}), ${count(total)} samples seen once, one at a time${kind === "iid" ? " (shuffled across tasks: the i.i.d. contrast)" : ""}; evaluated after each task on ${evalName}`,
  );
  for (const r of runs) say(`${r.name}: ${r.learner.kind} ${JSON.stringify(r.learner.config)}`);
  say("");
  const width = 6 * (T + 1);
  say("accuracy (%) on each task's evaluation images after each task (no task label at test time)");
  say(`${"".padEnd(16)}${runs.map((r) => r.name.padEnd(width)).join(" │ ")}`);
  say(
    `${"after task".padEnd(16)}${runs.map(() => [...tasks.map((t) => taskLabel(t).padStart(5)), "  all"].join(" ")).join("  │ ")}`,
  );

  const { width: w, images, labels } = data.train;
  const bar = progressFor(flags, "train", total * runs.length);
  let done = 0;
  for (let j = 0; j < T; j++) {
    for (const r of runs) {
      const t0 = performance.now();
      for (const i of parts[j]!) {
        r.learner.learn(pixels(images.subarray(i * w, (i + 1) * w)), labels[i]!); // pixel bytes → [0, 1]
        if ((++done & 255) === 0) bar?.update(done);
      }
      r.learnMs += performance.now() - t0;
    }
    for (const r of runs) {
      const row = evaluateTasks(
        (i) => r.learner.predict(pixels(evalSplit.images.subarray(i * w, (i + 1) * w))),
        evalSplit,
        evalIds,
        of,
        T,
      );
      r.scores.matrix.push(row.perTask);
      r.scores.overall.push(row.overall);
    }
    bar?.clear();
    say(
      `${`${j + 1} (${taskLabel(tasks[j]!)})`.padEnd(16)}${runs.map((r) => [...r.scores.matrix[j]!.map(pct), pct(r.scores.overall[j]!)].join(" ")).join("  │ ")}`,
    );
    bar?.update(done);
  }
  bar?.finish();

  const results = runs.map((r) => ({
    ...r,
    summary: summarize(r.scores),
    plot: streamPlotPath(flags, r.name, runs.length, data, kind),
  }));
  say("");
  for (const r of results) {
    const s = r.summary;
    const fg = s.forgetting.length
      ? ` · average forgetting ${(s.averageForgetting * 100).toFixed(1)} points (per task: ${s.forgetting.map((f) => (f * 100).toFixed(1)).join(", ")})`
      : "";
    say(
      `${r.name}: final accuracy over all classes ${(s.accuracy * 100).toFixed(2)}% (mean over tasks ${(s.averageAccuracy * 100).toFixed(2)}%)${fg} · ${((r.learnMs * 1000) / total).toFixed(0)} µs per step`,
    );
    writeStreamPlot(r.plot, r.name, r.learner, data, kind, tasks, r.scores, s, total, evalName);
  }
  const savePath = flags["save"] as string | undefined;
  if (savePath) write(savePath, runs[0]!.learner.save());
  const totalSeconds = (performance.now() - start) / 1000;
  say(
    `wall clock: ${duration(totalSeconds)} in all (training and ${T} evaluation${T > 1 ? "s" : ""} of ${runs.length} learner${runs.length > 1 ? "s" : ""})`,
  );
  say(`per-task curves: ${results.map((r) => r.plot).join(", ")}`);
  if (savePath) say(`model: ${savePath}`);
  const result = {
    command: "train",
    stream: kind,
    data: data.name,
    tasks,
    samples: total,
    evaluation: held === undefined ? "test" : "validation",
    evalSamples: evalN,
    seed,
    learners: results.map((r) => ({
      learner: r.name,
      kind: r.learner.kind,
      config: r.learner.config,
      matrix: r.scores.matrix,
      accuracyAfterTask: r.scores.overall,
      ...r.summary,
      seconds: r.learnMs / 1000,
      usPerStep: (r.learnMs * 1000) / total,
      plot: r.plot,
    })),
    model: savePath ?? null,
    totalSeconds,
  };
  for (const r of runs) r.learner.dispose();
  return result;
}

/** --plot FILE for one learner; for several, FILE with "-<learner>" before its extension; by default out/<learner>-<data>-<stream>.svg. */
function streamPlotPath(flags: Flags, name: string, learners: number, data: Dataset, kind: string): string {
  const path = flags["plot"] as string | undefined;
  if (path === undefined) return `out/${name}-${basename(data.name)}-${kind}.svg`;
  if (learners === 1) return path;
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") ? `${path.slice(0, dot)}-${name}${path.slice(dot)}` : `${path}-${name}`;
}

/** The per-task curves: one line per task, its accuracy after each task from the one that taught it. */
function writeStreamPlot(
  path: string,
  name: string,
  learner: Classifier,
  data: Dataset,
  kind: string,
  tasks: number[][],
  scores: Scores,
  s: Summary,
  total: number,
  evalName: string,
): void {
  const series = tasks.map((t, j) => ({
    name: `task ${j + 1} (${taskLabel(t)})`,
    points: scores.matrix
      .slice(j)
      .map((row, k) => ({ x: j + k + 1, y: row[j]! * 100 }))
      .filter((p) => !Number.isNaN(p.y)),
  }));
  const svg = renderChart({
    title: `${name} (${learner.kind}) on a ${kind} ${basename(data.name)} stream: accuracy on each task`,
    subtitle: `${tasks.length} tasks · ${count(total)} samples, one pass, one at a time · final ${(s.accuracy * 100).toFixed(1)}% over all classes, forgetting ${(s.averageForgetting * 100).toFixed(1)} points · ${evalName}`,
    xLabel: "after learning task",
    yLabel: "accuracy on the task (%)",
    series: series.filter((p) => p.points.length > 0),
    xFormat: (x) => (Number.isInteger(x) ? `${x}` : ""),
    legend: "below",
    yFormat: (y) => `${Number(y.toFixed(1))}%`,
    yMin: 0,
    yMax: 100,
  });
  write(path, svg);
}

function writePlot(
  path: string,
  learner: Classifier,
  name: string,
  data: Dataset,
  curve: { samples: number; accuracy: number }[],
  curveN: number,
  acc: number,
  testN: number,
  epochs: number,
  total: number,
): void {
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
  if (typeof learner.predict !== "function")
    throw new CliError(`${modelPath} holds a ${learner.kind}, which does not classify`);
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
  say(
    `test accuracy ${(acc * 100).toFixed(2)}% (error ${((1 - acc) * 100).toFixed(2)}%) on ${testN} test images · ${((ms * 1000) / testN).toFixed(0)} µs per prediction`,
  );
  const fast = fastAccuracy(learner, data.test, testN, flags);
  if (fast)
    say(
      `test accuracy of the one-pass predictFast(): ${(fast.accuracy * 100).toFixed(2)}% (error ${((1 - fast.accuracy) * 100).toFixed(2)}%) · ${fast.usPerPrediction.toFixed(0)} µs per prediction`,
    );
  const result = {
    command: "eval",
    model: modelPath,
    kind: learner.kind,
    data: data.name,
    accuracy: acc,
    error: 1 - acc,
    testSamples: testN,
    seconds: ms / 1000,
    usPerPrediction: (ms * 1000) / testN,
    fast,
    config: learner.config,
  };
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
