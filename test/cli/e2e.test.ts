// The built CLI end to end: bundled like scripts/build.mjs does (to a temp dir,
// with engram.wasm beside it), run by node on a small data set written here.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEngram } from "../helpers/engram.js";
import { writeSplits } from "./util.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wasm = process.env["ENGRAM_WASM"] ?? join(root, "build/engram.wasm");
const work = mkdtempSync(join(tmpdir(), "engram-cli-"));
const cli = join(work, "cli.js");

/**
 * A learnable data set: each of 4 classes is a random binary 6×6 prototype;
 * a sample is its class's prototype with 10 % of the pixels flipped
 * (xorshift32 from a fixed seed, so the files are the same every run).
 */
function prototypes(train: number, test: number) {
  let s = 12345;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>>= 0));
  const side = 6;
  const protos = Array.from({ length: 4 }, () => Array.from({ length: side * side }, () => (next() & 1 ? 255 : 0)));
  const split = (n: number) => {
    const images = new Uint8Array(n * side * side);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = next() % 4;
      protos[labels[i]!]!.forEach((v, j) => (images[i * side * side + j] = next() % 10 === 0 ? 255 - v : v));
    }
    return { images, labels };
  };
  return { train: split(train), t10k: split(test) };
}
const { train: prototypesTrain, t10k: prototypesTest } = prototypes(400, 200);

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const data = join(work, "data");

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
  mkdirSync(data);
  writeSplits(data, { train: prototypesTrain, t10k: prototypesTest }, 6);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("engram CLI, built", () => {
  const small = ["--data", data, "--hidden", "64,64", "--epochs", "4", "--curve-points", "4", "--curve-size", "100"];

  it("trains, prints one JSON object, writes the plot and the model, and eval agrees", async () => {
    const r = run("train", ...small, "--json", "--save", "m.engram");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({
      command: "train",
      learner: "ff",
      kind: "forwardForward",
      samples: 1600,
      epochs: 4,
      testSamples: 200,
      plot: "out/ff-data.svg",
      model: "m.engram",
    });
    expect(res.config).toMatchObject({ inputs: 36, hidden: [64, 64], classes: 4 });
    expect(res.accuracy).toBeGreaterThan(0.6); // 4 noisy prototypes: chance is 0.25
    expect(res.usPerStep).toBeGreaterThan(0);
    expect(res.curve.map((p: { samples: number }) => p.samples)).toEqual([0, 400, 800, 1200, 1600]);
    const svg = readFileSync(join(work, res.plot), "utf8");
    expect(svg.match(/data-x="/g)!.length).toBeGreaterThanOrEqual(5);
    for (const p of res.curve) expect(svg).toContain(`data-x="${p.samples}" data-y="${p.accuracy * 100}"`);

    const e = run("eval", "m.engram", "--data", data, "--json");
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out)).toMatchObject({
      command: "eval",
      kind: "forwardForward",
      accuracy: res.accuracy,
      testSamples: 200,
    });

    // the reported accuracy is what the saved model scores, counted here without the CLI
    const engram = await loadEngram();
    const model = engram.restore(readFileSync(join(work, "m.engram"))) as unknown as { predict(x: Uint8Array): number };
    const test = prototypesTest;
    let right = 0;
    for (let i = 0; i < test.labels.length; i++)
      if (model.predict(test.images.subarray(i * 36, (i + 1) * 36)) === test.labels[i]) right++;
    expect(right / test.labels.length).toBe(res.accuracy);
    // and the one-pass readout's, reported beside it
    const fast = model as unknown as { predictFast(x: Uint8Array): number };
    right = 0;
    for (let i = 0; i < test.labels.length; i++)
      if (fast.predictFast(test.images.subarray(i * 36, (i + 1) * 36)) === test.labels[i]) right++;
    expect(res.fast.accuracy).toBe(right / test.labels.length);
    expect(JSON.parse(e.out).fast.accuracy).toBe(res.fast.accuracy);
  });

  it("trains e-prop on images read row by row (6 steps of 6 pixels), above chance", () => {
    const r = JSON.parse(
      run(
        "train",
        "--learner",
        "eprop",
        "--data",
        data,
        "--hidden",
        "32",
        "--epochs",
        "3",
        "--curve-points",
        "1",
        "--json",
      ).out,
    );
    expect(r.kind).toBe("eprop");
    expect(r.config.inputs).toBe(6);
    expect(r.accuracy).toBeGreaterThan(0.6); // 4 classes: chance is 0.25
  });

  it("reports no one-pass accuracy for a learner without one", () => {
    const off = JSON.parse(run("train", ...small, "--json", "--epochs", "1", "--set", "readout=false").out);
    expect(off.fast).toBeNull();
    const dfa = JSON.parse(
      run("train", "--learner", "dfa", "--data", data, "--hidden", "16", "--epochs", "1", "--json").out,
    );
    expect(dfa.fast).toBeNull();
  });

  it("is reproducible: the same seed gives the same curve and the same model bytes", () => {
    const a = JSON.parse(run("train", ...small, "--json", "--seed", "7", "--save", "a.engram").out);
    const b = JSON.parse(run("train", ...small, "--json", "--seed", "7", "--save", "b.engram").out);
    expect(b.curve).toEqual(a.curve);
    expect(readFileSync(join(work, "b.engram")).equals(readFileSync(join(work, "a.engram")))).toBe(true);
  });

  it("prints a human summary", () => {
    const r = run(
      "train",
      ...small,
      "--quiet",
      "--limit",
      "100",
      "--epochs",
      "1",
      "--test-limit",
      "50",
      "--plot",
      "p.svg",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/test accuracy \d+\.\d\d% \(error \d+\.\d\d%\) on 50 test images/);
    expect(r.out).toMatch(
      /test accuracy of the one-pass predictFast\(\): \d+\.\d\d% \(error \d+\.\d\d%\) · \d+ µs per prediction/,
    );
    expect(r.out).toMatch(/training: 100 samples \(1 epoch\) in [\d.]+ s · \d+ µs per step/);
    expect(r.out).toContain("learning curve: p.svg");
    expect(existsSync(join(work, "p.svg"))).toBe(true);
  });

  it("exits 2 with one clear line, no stack trace, on bad flags, paths, files and options", () => {
    writeFileSync(join(work, "bad.engram"), "not a model");
    const truncated = join(work, "truncated");
    mkdirSync(truncated);
    writeSplits(truncated, { train: prototypesTrain, t10k: prototypesTest }, 6);
    writeFileSync(
      join(truncated, "t10k-labels-idx1-ubyte"),
      readFileSync(join(data, "t10k-labels-idx1-ubyte")).subarray(0, 50),
    );
    const cases: [string[], RegExp][] = [
      [["train", "--data", join(work, "nope")], /data folder .*nope does not exist/],
      [["train", "--epochs", "many"], /--epochs must be a whole number, got 'many'/],
      [["train", "--learner", "sgd"], /unknown learner 'sgd' \(known: ff/],
      [
        ["train", "--data", truncated],
        /t10k-labels-idx1-ubyte: truncated: dimensions 200 need 200 data bytes, found 42/,
      ],
      [["train", "--data", data, "--set", "threshold=-1"], /E_CONFIG: forwardForward: option 'threshold'/],
      [["train", "--data", data, "--test-limit", "999"], /--test-limit must be in \[1, 200\], got 999/],
      [["eval", "bad.engram", "--data", data], /E_SNAPSHOT/],
      [["eval", "missing.engram"], /cannot read model missing.engram: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe("");
    }
  });
});
