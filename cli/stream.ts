// Streams for continual learning: classes arriving task by task (class-incremental, as in
// Split MNIST), or the same samples shuffled (the i.i.d. stream), each seen once, one
// sample per step. After each task every learner is evaluated on the evaluation images of
// every task; from that accuracy matrix come the final accuracy and the forgetting.
//
// How classes map to tasks: the classes 0 … C−1, in class order, are cut into `tasks`
// contiguous groups; when C is not a multiple of `tasks` the first C mod tasks groups get
// one class more (10 classes, 5 tasks: 0-1 | 2-3 | 4-5 | 6-7 | 8-9; 10 classes, 3 tasks:
// 0-3 | 4-6 | 7-9). Within a task the samples come in a seeded random order.
import { shuffled } from "./order.js";

/** Which stream: classes task by task, or the same samples shuffled and cut into as many parts. */
export type StreamKind = "class-incremental" | "iid";

/** The stream kinds the CLI takes. */
export const STREAM_KINDS: readonly StreamKind[] = ["class-incremental", "iid"];

/** Labelled samples: `labels[i]` is the class of sample i. */
export interface Labelled {
  labels: ArrayLike<number>;
  count: number;
}

/** The classes of each task: `classes` cut into `tasks` contiguous groups in class order (see the file's header). */
export function taskClasses(classes: number, tasks: number): number[][] {
  if (!Number.isInteger(classes) || !Number.isInteger(tasks) || tasks < 1 || tasks > classes) {
    throw new RangeError(`cannot cut ${classes} classes into ${tasks} tasks (need 1 ≤ tasks ≤ classes)`);
  }
  const out: number[][] = [];
  let next = 0;
  for (let t = 0; t < tasks; t++) {
    const size = Math.floor(classes / tasks) + (t < classes % tasks ? 1 : 0);
    out.push(Array.from({ length: size }, (_, k) => next + k));
    next += size;
  }
  return out;
}

/** For each class, the task it belongs to. */
export function taskOf(tasks: number[][]): Int32Array {
  const of = new Int32Array(tasks.reduce((n, t) => n + t.length, 0)).fill(-1);
  tasks.forEach((t, j) => t.forEach((c) => (of[c] = j)));
  return of;
}

/**
 * The training stream as one list of sample indices per part. Class-incremental: part j
 * holds the samples (of the first `n`) of task j's classes, in a seeded random order. i.i.d.:
 * the same samples all shuffled together, cut into parts of the same sizes.
 */
export function streamParts(
  kind: StreamKind,
  data: Labelled,
  n: number,
  tasks: number[][],
  seed: number,
): Uint32Array[] {
  const of = taskOf(tasks);
  const byTask: number[][] = tasks.map(() => []);
  for (let i = 0; i < n; i++) byTask[of[data.labels[i]!]!]!.push(i);
  if (kind === "class-incremental") {
    return byTask.map((ids, j) => {
      const order = shuffled(ids.length, seed, j);
      return Uint32Array.from(order, (k) => ids[k]!);
    });
  }
  const all = byTask.flat();
  const order = shuffled(all.length, seed, tasks.length);
  const parts: Uint32Array[] = [];
  let at = 0;
  for (const ids of byTask) {
    parts.push(Uint32Array.from(order.subarray(at, at + ids.length), (k) => all[k]!));
    at += ids.length;
  }
  return parts;
}

/** What a learner scored after each task. */
export interface Scores {
  /** `matrix[i][j]`: accuracy on task j's evaluation images after learning task i (NaN if task j has none). */
  matrix: number[][];
  /** Accuracy on all evaluation images after each task. */
  overall: number[];
}

/** Summary of an accuracy matrix. */
export interface Summary {
  /** Accuracy over all evaluation images (all classes) after the last task. */
  accuracy: number;
  /** Mean over tasks of the accuracy on each task after the last task. */
  averageAccuracy: number;
  /** Per task j < T−1: its best accuracy after any earlier point (tasks j … T−2) minus its final accuracy. */
  forgetting: number[];
  /** Mean of `forgetting` (0 for a single task). */
  averageForgetting: number;
}

/** Final accuracies and forgetting (Chaudhry et al. 2018, "Riemannian Walk", eq. 4) from the scores. */
export function summarize({ matrix, overall }: Scores): Summary {
  const T = matrix.length;
  const last = matrix[T - 1]!;
  const forgetting: number[] = [];
  for (let j = 0; j < T - 1; j++) {
    let best = -Infinity;
    for (let i = j; i < T - 1; i++) best = Math.max(best, matrix[i]![j]!);
    forgetting.push(best - last[j]!);
  }
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
  return { accuracy: overall[T - 1]!, averageAccuracy: mean(last), forgetting, averageForgetting: mean(forgetting) };
}

/** A row of the matrix: how a predictor does on each task's evaluation images, and on all of them. */
export function evaluateTasks(
  predict: (i: number) => number,
  data: Labelled,
  ids: ArrayLike<number>,
  of: Int32Array,
  tasks: number,
): { perTask: number[]; overall: number } {
  const right = new Float64Array(tasks),
    seen = new Float64Array(tasks);
  for (let k = 0; k < ids.length; k++) {
    const i = ids[k]!;
    const y = data.labels[i]!;
    const j = of[y]!;
    seen[j]!++;
    if (predict(i) === y) right[j]!++;
  }
  let r = 0,
    s = 0;
  for (let j = 0; j < tasks; j++) ((r += right[j]!), (s += seen[j]!));
  return { perTask: Array.from(seen, (n, j) => (n ? right[j]! / n : NaN)), overall: s ? r / s : NaN };
}
