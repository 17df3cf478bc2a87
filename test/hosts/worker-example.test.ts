// examples/worker in workerd (miniflare): learn over HTTP, restart the runtime,
// continue, and the learner's bits equal an uninterrupted run in Node; the restarts
// recover from a checkpoint plus a replayed write-ahead log. Also measures one /learn
// request, a recovery, the bytes a /learn writes and the bundle size (written to
// out/examples/worker.json).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serialize } from "node:v8";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnist } from "./mnist.js";
import { DIST } from "./stage.js";
import { COMPATIBILITY_DATE } from "./workerd.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Forward-Forward 784 → 128 with Adam: a snapshot of about 1.2 MB, so it is stored in two chunks.
const LEARNER = {
  kind: "forwardForward",
  options: { inputs: 784, hidden: [128], classes: 10, seed: 5, optimizer: "adam" },
};
const BATCH = 10;
/** Checkpoint every 25 samples here, so that restarts recover from a checkpoint and a log. */
const CHECKPOINT_SAMPLES = 25;

let dir: string;
let script: string;
const measured: Record<string, number> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "engram-worker-"));
  script = join(dir, "bundle", "worker.js");
  // What wrangler does: resolve "engram" to its workerd build, keep the .wasm as a module.
  await build({
    entryPoints: [join(ROOT, "examples/worker/src/worker.ts")],
    outfile: script,
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    alias: { engram: join(DIST, "workerd.js") },
    external: ["*.wasm"],
    minify: true,
    logLevel: "warning",
  });
  for (const f of ["engram.wasm", "engram.scalar.wasm"]) cpSync(join(DIST, f), join(dirname(script), f)); // the workerd build imports both
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runtime(): Miniflare {
  return new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
    cf: false,
    durableObjects: {
      LEARNER: { className: "LearnerObject", useSQLite: true },
      COORDINATOR: { className: "CoordinatorObject", useSQLite: true },
    },
    bindings: { CHECKPOINT_SAMPLES: String(CHECKPOINT_SAMPLES) },
    durableObjectsPersist: join(dir, "storage"),
  });
}

/** Binary /learn body: records of [label][784 pixels]. */
function records(images: Uint8Array[], labels: number[]): Uint8Array {
  const out = new Uint8Array(images.length * 785);
  images.forEach((img, i) => {
    out[i * 785] = labels[i]!;
    out.set(img, i * 785 + 1);
  });
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

describe("examples/worker in workerd", () => {
  const { images, labels } = mnist("train", 0, 6 * BATCH);

  it("continues bit-identically after a runtime restart", async () => {
    const url = "http://localhost/alice";
    let mf = runtime();
    const put = await mf.dispatchFetch(url, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(LEARNER),
    });
    expect(put.status).toBe(200);
    for (let b = 0; b < 3; b++) {
      const body = records(images.slice(b * BATCH, (b + 1) * BATCH), labels.slice(b * BATCH, (b + 1) * BATCH));
      const res = await mf.dispatchFetch(`${url}/learn`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    await mf.dispose(); // the runtime stops: only Durable Object storage remains

    mf = runtime();
    // warm the runtime and the isolate (engine instantiated) on another object first, so
    // the next request times what a cold object does: read the chunks and restore them
    await mf.dispatchFetch("http://localhost/warmup/stats").then((r) => r.text());
    type Stats = {
      samples: number;
      checkpoint: { samples: number; bytes: number; chunks: number };
      log: { samples: number };
    };
    const [stats, restoreMs] = await timed(
      async () => (await mf.dispatchFetch(`${url}/stats`)).json() as Promise<Stats>,
    );
    measured["coldObjectRestoreRequestMs"] = restoreMs;
    expect(stats.samples).toBe(3 * BATCH);
    expect(stats.checkpoint).toMatchObject({ samples: 3 * BATCH, chunks: 2 }); // 30 ≥ 25 logged samples: checkpointed
    expect(stats.log.samples).toBe(0);
    measured["snapshotBytes"] = stats.checkpoint.bytes;
    measured["warmStatsMs"] = (await timed(() => mf.dispatchFetch(`${url}/stats`).then((r) => r.text())))[1];
    // the rest as JSON, one sample per request (JSON numbers are taken as they are: pixels scaled to [0, 1])
    for (let i = 3 * BATCH; i < 6 * BATCH; i++) {
      const res = await mf.dispatchFetch(`${url}/learn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ x: Array.from(images[i]!, (v) => v / 255), label: labels[i] }),
      });
      expect(res.status).toBe(200);
    }
    const prediction = (await (
      await mf.dispatchFetch(`${url}/predict`, { method: "POST", body: images[0] })
    ).json()) as { label: number; scores: number[] };
    await mf.dispose();
    // a second restart: a checkpoint at 55 samples and 5 samples replayed from the log
    mf = runtime();
    await mf.dispatchFetch("http://localhost/warmup/stats").then((r) => r.text());
    const [after, replayMs] = await timed(
      async () => (await mf.dispatchFetch(`${url}/stats`)).json() as Promise<Stats>,
    );
    measured["coldObjectRecoverRequestMs"] = replayMs;
    expect(after.checkpoint.samples).toBe(55);
    expect(after.log.samples).toBe(5);
    const remote = new Uint8Array(await (await mf.dispatchFetch(`${url}/snapshot`)).arrayBuffer());
    await mf.dispose();

    // the same samples in Node through the published node bundle, never interrupted
    const { init } = (await import(
      pathToFileURL(join(DIST, "node.js")).href
    )) as typeof import("../../bindings/node.js");
    const engram = await init();
    const local = engram.create(LEARNER.kind, LEARNER.options) as unknown as {
      learn(x: Float32Array, y: number): unknown;
      save(): Uint8Array;
      predict(x: Float32Array): number;
    };
    for (let i = 0; i < 6 * BATCH; i++) local.learn(engram.pixels(images[i]!), labels[i]!); // the Worker scales pixel bytes with pixels() too
    const expected = local.save();
    expect(remote.length).toBe(expected.length);
    expect(
      Buffer.from(remote).equals(Buffer.from(expected)),
      "snapshot after restart + continue equals an uninterrupted run",
    ).toBe(true);
    expect(prediction.label).toBe(local.predict(engram.pixels(images[0]!)));
  });

  it("in workerd too: a batch is all or nothing, bad bodies are 400, only classifiers can be PUT (issue #11)", async () => {
    const mf = runtime();
    try {
      const url = "http://localhost/dave";
      const json = (body: unknown) => ({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(
        (
          await mf.dispatchFetch(url, {
            ...json({ kind: "feedbackAlignment", options: { sizes: [4, 8, 3] } }),
            method: "PUT",
          })
        ).status,
      ).toBe(200);
      const before = Buffer.from(await (await mf.dispatchFetch(`${url}/snapshot`)).arrayBuffer());
      const partial = await mf.dispatchFetch(
        `${url}/learn`,
        json({
          samples: [
            { x: [1, 2, 3, 4], label: 0 },
            { x: [1, 2, 3, 4], label: 1 },
            { x: [1, 2, 3, 4], label: 3 },
          ],
        }),
      );
      expect(partial.status).toBe(400);
      expect(Buffer.from(await (await mf.dispatchFetch(`${url}/snapshot`)).arrayBuffer()).equals(before)).toBe(true);
      for (const body of [null, { samples: 5 }, { samples: [] }])
        expect((await mf.dispatchFetch(`${url}/learn`, json(body))).status, JSON.stringify(body)).toBe(400);
      const hebb = await mf.dispatchFetch(url, {
        ...json({ kind: "hebbian", options: { inputs: 4, outputs: 3 } }),
        method: "PUT",
      });
      expect(hebb.status).toBe(400);
      expect(((await (await mf.dispatchFetch(`${url}/stats`)).json()) as { samples: number }).samples).toBe(0);
    } finally {
      await mf.dispose();
    }
  });

  it("a fleet in workerd: 8 members each learn 1–2 digit classes; round 1 merges them by FedAvg and pushes the model back; round 2 weighs this round's samples and merges a late member, stale by one round, at half weight; a member of another config is refused", async () => {
    const mf = runtime();
    try {
      const FLEET = { kind: "feedbackAlignment", options: { sizes: [784, 32, 10], mode: "dfa", seed: 3 } };
      const shards: Record<string, number[]> = {
        m0: [0, 1],
        m1: [2, 3],
        m2: [4],
        m3: [5, 6],
        m4: [7],
        m5: [8, 9],
        m6: [1, 4],
        m7: [9],
      };
      const { images: im, labels: lb } = mnist("train", 0, 1200);
      const teach = async (id: string, from: number, n: number) => {
        const mine = [...lb.keys()].filter((i) => shards[id]!.includes(lb[i]!)).slice(from, from + n);
        const res = await mf.dispatchFetch(`http://localhost/${id}/learn`, {
          method: "POST",
          body: records(
            mine.map((i) => im[i]!),
            mine.map((i) => lb[i]!),
          ),
        });
        expect(res.status).toBe(200);
      };
      const put = (url: string, body: unknown) =>
        mf.dispatchFetch(url, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const ids = Object.keys(shards),
        first = ids.slice(0, 7),
        late = "m7";
      for (const id of ids) expect((await put(`http://localhost/${id}`, FLEET)).status).toBe(200);
      for (const id of first) await teach(id, 0, 20);
      // "stranger" gets the default learner on first use: another config
      await mf.dispatchFetch("http://localhost/stranger/learn", { method: "POST", body: records([im[0]!], [lb[0]!]) });
      expect((await put("http://localhost/fleet/digits", { members: [...first, "stranger"] })).status).toBe(200);
      type Round = {
        id: number;
        merged: string[];
        weights: number[];
        stale: { id: string; behind: number }[];
        pushed: string[];
        refused: { id: string; reason: string }[];
        samples: number;
      };
      const [res, roundMs] = await timed(() =>
        mf.dispatchFetch("http://localhost/fleet/digits/round", { method: "POST" }),
      );
      measured["fleetRoundMs7Members"] = roundMs;
      const r1 = (await res.json()) as Round;
      expect(r1.id).toBe(1);
      expect(r1.merged).toEqual(first);
      expect(r1.pushed.sort()).toEqual(first);
      expect(r1.refused.map((r) => r.id)).toEqual(["stranger"]);
      expect(r1.samples).toBe(140);
      const snapshot = async (url: string) => Buffer.from(await (await mf.dispatchFetch(url)).arrayBuffer());
      const model1 = await snapshot("http://localhost/fleet/digits/snapshot");
      for (const id of first) expect((await snapshot(`http://localhost/${id}/snapshot`)).equals(model1), id).toBe(true);

      // round 2: the 8th member joins with a model grown from round 0 (stale by one round)
      for (const id of first) await teach(id, 20, 10);
      await teach(late, 0, 20);
      expect((await put("http://localhost/fleet/digits", { members: ids })).status).toBe(200);
      const [res2, round2Ms] = await timed(() =>
        mf.dispatchFetch("http://localhost/fleet/digits/round", { method: "POST" }),
      );
      measured["fleetRoundMs8Members"] = round2Ms;
      const r2 = (await res2.json()) as Round;
      expect(r2.id).toBe(2);
      expect(r2.merged).toEqual(ids);
      expect(r2.stale).toEqual([{ id: late, behind: 1 }]);
      expect(r2.weights).toEqual([...first.map(() => 10), 10]); // 20 samples ÷ (1 + 1)
      expect(r2.pushed.sort()).toEqual(ids);
      const model2 = await snapshot("http://localhost/fleet/digits/snapshot");
      expect(model2.equals(model1)).toBe(false);
      for (const id of ids) expect((await snapshot(`http://localhost/${id}/snapshot`)).equals(model2), id).toBe(true);
    } finally {
      await mf.dispose();
    }
  });

  it("serves /learn within the free plan's 10 ms, restores a 1 MB snapshot quickly, and rejects bad input", async () => {
    const mf = runtime();
    try {
      const url = "http://localhost/bob";
      await mf.dispatchFetch(url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(LEARNER),
      });
      const times: number[] = [];
      for (let i = 0; i < 21; i++) {
        const body = records([images[i]!], [labels[i]!]);
        times.push(
          (await timed(() => mf.dispatchFetch(`${url}/learn`, { method: "POST", body }).then((r) => r.text())))[1],
        );
      }
      measured["learnRequestMs"] = median(times);
      const snapshot = async () => Buffer.from(await (await mf.dispatchFetch(`${url}/snapshot`)).arrayBuffer());
      const before = await snapshot();
      const bad = await mf.dispatchFetch(`${url}/learn`, { method: "POST", body: new Uint8Array(100) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe("E_SHAPE");
      const badLabel = await mf.dispatchFetch(`${url}/learn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ x: Array.from(images[0]!), label: 10 }),
      });
      expect(((await badLabel.json()) as { error: string }).error).toBe("E_LABEL");
      const stats = (await (await mf.dispatchFetch(`${url}/stats`)).json()) as { samples: number };
      expect(stats.samples).toBe(21); // bad requests learned nothing
      expect((await snapshot()).equals(before)).toBe(true);
      // without a PUT, the first /learn makes the default learner (feedback alignment on 28×28 digits)
      const carol = await mf.dispatchFetch("http://localhost/carol/learn", {
        method: "POST",
        body: records([images[0]!], [labels[0]!]),
      });
      expect(carol.status).toBe(200);
      expect(((await (await mf.dispatchFetch("http://localhost/carol/stats")).json()) as { kind: string }).kind).toBe(
        "feedbackAlignment",
      );
      const del = await mf.dispatchFetch(url, { method: "DELETE" });
      expect(del.status).toBe(200);
      expect(((await (await mf.dispatchFetch(`${url}/stats`)).json()) as { samples: number }).samples).toBe(0);
    } finally {
      await mf.dispose();
    }
    // CPU time in Node of what the Durable Object does: per /learn, one step and its log
    // entry (copy the record out of the body, serialize it and the meta record as storage
    // does); before write-ahead, a step and a snapshot (save + chunk copies); per cold
    // start, instantiate the precompiled module (Workers compile at upload), restore the
    // ~1.2 MB snapshot and replay the log (one step per logged sample).
    const { init } = (await import(
      pathToFileURL(join(DIST, "node.js")).href
    )) as typeof import("../../bindings/node.js");
    const module = new WebAssembly.Module(readFileSync(join(DIST, "engram.wasm")));
    const learner = (await init({ module })).create(LEARNER.kind, LEARNER.options) as unknown as {
      learn(x: Uint8Array, y: number): unknown;
      save(): Uint8Array;
    };
    const cpu = (fn: () => void) => {
      const t = process.cpuUsage();
      fn();
      const d = process.cpuUsage(t);
      return (d.user + d.system) / 1000;
    };
    const learnMs: number[] = [],
      learnSaveMs: number[] = [],
      learnLogMs: number[] = [],
      restoreMs: number[] = [];
    const meta = {
      gen: 3,
      recipe: null,
      chunks: 2,
      bytes: 1226528,
      base: 1000,
      from: 12,
      next: 13,
      samples: 1001,
      stale: [],
    };
    for (let i = 0; i < 21; i++) {
      learnMs.push(cpu(() => learner.learn(images[i]!, labels[i]!)));
      const body = records([images[i]!], [labels[i]!]);
      learnLogMs.push(
        cpu(() => {
          const entry = { labels: body.slice(0, 1), x: body.slice(1) };
          learner.learn(entry.x, entry.labels[0]!);
          serialize({ "log:13": entry, meta: { ...meta } });
        }),
      );
      learnSaveMs.push(
        cpu(() => {
          learner.learn(images[i]!, labels[i]!);
          const snap = learner.save();
          for (let at = 0; at < snap.length; at += 1 << 20) snap.slice(at, at + (1 << 20));
        }),
      );
    }
    const snap = learner.save();
    for (let i = 0; i < 9; i++) {
      const engram = await init({ module }); // instantiation is synchronous work behind a promise
      restoreMs.push(cpu(() => engram.restore(snap)));
    }
    const instantiateMs: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = process.cpuUsage();
      const engram = await init({ module });
      const d = process.cpuUsage(t);
      instantiateMs.push((d.user + d.system) / 1000);
      engram.restore(snap);
    }
    measured["nodeLearnCpuMs"] = median(learnMs);
    measured["nodeLearnAndSnapshotCpuMs"] = median(learnSaveMs);
    measured["nodeLearnAndLogCpuMs"] = median(learnLogMs);
    measured["logEntryBytes"] = serialize({ labels: new Uint8Array(1), x: new Uint8Array(784) }).length;
    measured["metaBytes"] = serialize(meta).length;
    measured["nodeInstantiateCpuMs"] = median(instantiateMs);
    measured["nodeRestoreCpuMs"] = median(restoreMs);
    const wasmBytes = readFileSync(join(dirname(script), "engram.wasm"));
    measured["bundleBytes"] = statSync(script).size;
    measured["wasmBytes"] = wasmBytes.length;
    measured["gzipBytes"] = gzipSync(readFileSync(script)).length + gzipSync(wasmBytes).length;
    mkdirSync(join(ROOT, "out/examples"), { recursive: true });
    writeFileSync(join(ROOT, "out/examples/worker.json"), JSON.stringify(measured, null, 2));
    expect(measured["nodeLearnAndLogCpuMs"]).toBeLessThan(10); // the free plan's CPU budget per request
  });
});
