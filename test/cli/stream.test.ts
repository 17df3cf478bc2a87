// The stream protocol of `engram train --stream`: how classes map to tasks, which samples
// each part of the stream holds, and the accuracy matrix's summary (final accuracy,
// forgetting), checked on a tiny fake learner whose matrix is known by construction.
import { describe, expect, it } from "vitest";
import { evaluateTasks, streamParts, summarize, taskClasses, taskOf, type Scores } from "../../cli/stream.js";

describe("taskClasses", () => {
  it("cuts the classes into contiguous groups in class order, the first C mod T one larger", () => {
    expect(taskClasses(10, 5)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
    expect(taskClasses(10, 3)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(taskClasses(3, 3)).toEqual([[0], [1], [2]]);
    expect(taskClasses(4, 1)).toEqual([[0, 1, 2, 3]]);
    expect(Array.from(taskOf(taskClasses(10, 3)))).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("refuses more tasks than classes, or none", () => {
    expect(() => taskClasses(10, 11)).toThrow(RangeError);
    expect(() => taskClasses(10, 0)).toThrow(RangeError);
  });
});

describe("streamParts", () => {
  const labels = Uint8Array.from({ length: 103 }, (_, i) => (i * 7) % 6);
  const data = { labels, count: labels.length };
  const tasks = taskClasses(6, 3);

  it("class-incremental: part j holds exactly the samples of task j's classes among the first n, once each", () => {
    const parts = streamParts("class-incremental", data, 100, tasks, 1);
    parts.forEach((p, j) => {
      for (const i of p) expect(tasks[j]).toContain(labels[i]);
      const want = Array.from({ length: 100 }, (_, i) => i).filter((i) => tasks[j]!.includes(labels[i]!));
      expect([...p].sort((a, b) => a - b)).toEqual(want);
    });
    // shuffled within the task, reproducibly
    expect(parts[0]).toEqual(streamParts("class-incremental", data, 100, tasks, 1)[0]);
    expect([...parts[0]!]).not.toEqual([...parts[0]!].sort((a, b) => a - b));
  });

  it("iid: the same samples shuffled across tasks, in parts of the same sizes", () => {
    const ci = streamParts("class-incremental", data, 100, tasks, 1);
    const iid = streamParts("iid", data, 100, tasks, 1);
    expect(iid.map((p) => p.length)).toEqual(ci.map((p) => p.length));
    const all = (ps: Uint32Array[]) => ps.flatMap((p) => [...p]).sort((a, b) => a - b);
    expect(all(iid)).toEqual(all(ci));
    expect(new Set([...iid[0]!].map((i) => labels[i])).size).toBe(6); // every class in the first part
  });
});

describe("accuracy matrix", () => {
  it("a learner that knows only the classes of the last task it saw: identity matrix, full forgetting", () => {
    // evaluation set: 4 classes, 2 tasks of 2; class c has c + 1 samples
    const labels = [0, 1, 1, 2, 2, 2, 3, 3, 3, 3];
    const data = { labels, count: labels.length };
    const tasks = taskClasses(4, 2);
    const of = taskOf(tasks);
    const ids = labels.map((_, i) => i);
    let known: number[] = [];
    // fake learner: right on the classes of the last task, else answers class 99
    const predict = (i: number) => (known.includes(labels[i]!) ? labels[i]! : 99);
    const scores: Scores = { matrix: [], overall: [] };
    for (const t of tasks) {
      known = t;
      const row = evaluateTasks(predict, data, ids, of, tasks.length);
      scores.matrix.push(row.perTask);
      scores.overall.push(row.overall);
    }
    expect(scores.matrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(scores.overall).toEqual([3 / 10, 7 / 10]); // samples of classes 0-1, then of 2-3
    expect(summarize(scores)).toEqual({ accuracy: 0.7, averageAccuracy: 0.5, forgetting: [1], averageForgetting: 1 });
  });

  it("forgetting is the best earlier accuracy minus the final one, per task but the last", () => {
    const matrix = [
      [0.9, 0.0, 0.0],
      [0.5, 0.8, 0.1],
      [0.6, 0.2, 0.7],
    ];
    const s = summarize({ matrix, overall: [0.3, 0.45, 0.5] });
    expect(s.accuracy).toBe(0.5);
    expect(s.averageAccuracy).toBeCloseTo(0.5, 12);
    expect(s.forgetting[0]).toBeCloseTo(0.3, 12); // max(0.9, 0.5) − 0.6
    expect(s.forgetting[1]).toBeCloseTo(0.6, 12); // 0.8 − 0.2
    expect(s.forgetting).toHaveLength(2);
    expect(s.averageForgetting).toBeCloseTo(0.45, 12);
    expect(summarize({ matrix: [[0.8]], overall: [0.8] })).toEqual({
      accuracy: 0.8,
      averageAccuracy: 0.8,
      forgetting: [],
      averageForgetting: 0,
    });
  });

  it("a task with no evaluation images scores NaN, and does not count in the overall accuracy", () => {
    const row = evaluateTasks(() => 0, { labels: [0, 0, 1], count: 3 }, [0, 1, 2], taskOf(taskClasses(3, 3)), 3);
    expect(row.perTask[0]).toBe(1);
    expect(row.perTask[1]).toBe(0);
    expect(row.perTask[2]).toBeNaN();
    expect(row.overall).toBeCloseTo(2 / 3, 12);
  });
});
