import { describe, expect, it } from "vitest";
import { niceTicks, renderChart, shortNumber } from "../../cli/plot.js";
import { count, duration, formatProgress, Progress } from "../../cli/progress.js";

/** Checks every tag is closed in order and attributes are quoted: enough XML well-formedness for what renderChart writes. */
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  const tags = svg.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    const m = /^<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tag);
    if (!m) throw new Error(`malformed tag ${tag}`);
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`unbalanced ${tag}`);
    } else if (!m[4]) stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  expect(svg.replace(/<[^>]*>/g, "")).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;)/);
}

const points = [0, 5000, 10000, 20000, 40000, 60000].map((x, i) => ({ x, y: [10, 80, 90, 94, 96.5, 97.25][i]! }));

describe("learning-curve SVG", () => {
  const svg = renderChart({
    title: "FF <on> MNIST & friends",
    subtitle: "784-500-500",
    xLabel: "training samples seen",
    yLabel: "test accuracy (%)",
    series: [{ name: "ff", points }],
    yFormat: (y) => `${y}%`,
    yMin: 0,
    yMax: 100,
    target: { y: 97, label: "97% target" },
    inset: { yMin: 90 },
  });

  it("is well-formed SVG with escaped text", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    checkWellFormed(svg);
    expect(svg).toContain("FF &lt;on&gt; MNIST &amp; friends");
  });

  it("has every point, placed by its value, and the axis labels and ticks", () => {
    const circles = [
      ...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*data-x="([\d.]+)" data-y="([\d.]+)"/g),
    ].map((m) => m.slice(1).map(Number));
    const main = circles.slice(0, points.length);
    expect(main.map(([, , x, y]) => ({ x, y }))).toEqual(points);
    // x grows to the right, accuracy grows upwards, linearly
    for (let i = 1; i < main.length; i++) expect(main[i]![0]!).toBeGreaterThan(main[i - 1]![0]!);
    const slope = (main[1]![1]! - main[0]![1]!) / (points[1]!.y - points[0]!.y);
    for (const [, cy, , y] of main) expect(cy!).toBeCloseTo(main[0]![1]! + slope * (y! - 10), 1);
    // the inset repeats the points at or above 90%
    expect(circles.slice(points.length).map(([, , , y]) => y)).toEqual([90, 94, 96.5, 97.25]);
    for (const label of [
      "training samples seen",
      "test accuracy (%)",
      ">0%<",
      ">100%<",
      ">60k<",
      ">97.25%<",
      "97% target",
    ])
      expect(svg).toContain(label);
  });

  it("picks 1-2-5 ticks and short numbers", () => {
    expect(niceTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 60000, 8)).toEqual([0, 10000, 20000, 30000, 40000, 50000, 60000]);
    expect(niceTicks(90, 100, 4)).toEqual([90, 92.5, 95, 97.5, 100]);
    expect(niceTicks(0.13, 0.87, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect([0, 999, 12000, 1500000].map(shortNumber)).toEqual(["0", "999", "12k", "1.5M"]);
  });
});

describe("progress", () => {
  it("formats rate, ETA and running accuracy", () => {
    const line = formatProgress({ label: "train", done: 15000, total: 60000, elapsedMs: 10000, accuracy: 0.912 });
    expect(line).toContain(" 25% 15.0k/60.0k");
    expect(line).toContain("1.5k samples/s");
    expect(line).toContain("ETA 0:30");
    expect(line).toContain("acc 91.2%");
    expect([count(999), count(1234), count(2.5e6)]).toEqual(["999", "1.2k", "2.5M"]);
    expect([duration(59.6), duration(3725), duration(NaN)]).toEqual(["1:00", "1:02:05", "?"]);
  });

  it("redraws a terminal line at most 10 times a second and prints deciles elsewhere", () => {
    let t = 0;
    const tty: string[] = [];
    const bar = new Progress({ isTTY: true, write: (s: string) => tty.push(s) }, "train", 100, () => t);
    for (let i = 1; i <= 100; i++, t += 5) bar.update(i);
    bar.finish();
    expect(tty.length).toBeGreaterThanOrEqual(5);
    expect(tty.length).toBeLessThanOrEqual(8);
    expect(tty.at(-2)).toMatch(/^\r\x1b\[2Ktrain █+ 100% 100\/100/);
    expect(tty.at(-1)).toBe("\n");
    const file: string[] = [];
    const plain = new Progress({ write: (s: string) => file.push(s) }, "train", 1000, () => t);
    for (let i = 1; i <= 1000; i++) plain.update(i);
    expect(file.length).toBe(11);
    expect(file.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
  });
});

describe("per-task curves (the stream chart)", () => {
  const tasks = [0, 1, 2].map((j) => ({
    name: `task ${j + 1}`,
    points: [1, 2, 3].slice(j).map((x) => ({ x, y: x === j + 1 ? 99 : 0 })),
  }));
  const svg = renderChart({
    title: "t",
    xLabel: "after learning task",
    yLabel: "accuracy",
    series: tasks,
    yMin: 0,
    yMax: 100,
    legend: "below",
    yFormat: (y) => `${y}%`,
  });

  it("puts the legend in a row below the x-axis label, the chart taller by that row", () => {
    checkWellFormed(svg);
    expect(svg).toContain('height="526"');
    const axisLabel = Number(/<text x="[\d.]+" y="([\d.]+)"[^>]*>after learning task</.exec(svg)![1]);
    const entries = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>task \d<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
    }));
    expect(entries).toHaveLength(3);
    for (const e of entries) expect(e.y).toBeGreaterThan(axisLabel);
    expect(entries[0]!.x).toBeLessThan(entries[1]!.x);
  });

  it("draws one end label per spot: tasks that all end at 0 % share one", () => {
    // tasks 1 and 2 end at (3, 0 %), task 3 at (3, 99 %)
    expect(svg.match(/font-weight="600"[^>]*>0%</g)).toHaveLength(1);
    expect(svg.match(/font-weight="600"[^>]*>99%</g)).toHaveLength(1);
  });
});
