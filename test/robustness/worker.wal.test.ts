// examples/worker's write-ahead persistence (issue #16): the object is killed between
// every pair of storage operations of a learn / checkpoint / alarm cycle, restarted over
// what storage holds, and its learner must equal, bit for bit, a learner that learned
// exactly the acknowledged samples: none lost, none that was not acknowledged.
import { describe, expect, it, vi } from "vitest";
import { DyingStorage, MemoryStorage } from "../helpers/doStorage.js";
import { loadEngram } from "../helpers/engram.js";
import { pixels } from "../../src/index.js";

vi.mock("engram", async () => ({ ...(await import("../../src/index.js")), init: () => loadEngram() }));
const { LearnerObject } = await import("../../examples/worker/src/worker.js");

type Obj = InstanceType<typeof LearnerObject>;

/** A Durable Object over `storage`, as workerd makes one (requests wait for blockConcurrencyWhile). */
function object(storage: MemoryStorage, env: Record<string, string> = {}) {
  let ready: Promise<unknown> = Promise.resolve();
  const obj: Obj = new LearnerObject(
    { storage, blockConcurrencyWhile: <T,>(fn: () => Promise<T>) => (ready = fn()) as Promise<T> } as never,
    env as never,
  );
  const fetch = async (
    path: string,
    init: { method?: string; json?: unknown; body?: Uint8Array<ArrayBuffer> } = {},
  ) => {
    await ready;
    const headers =
      init.json !== undefined ? { "content-type": "application/json" } : { "content-type": "application/octet-stream" };
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
    return obj.fetch(
      new Request(`http://localhost/t${path}`, {
        method: init.method ?? (body !== undefined ? "POST" : "GET"),
        headers,
        body,
      }),
    );
  };
  const alarm = async () => {
    await ready;
    await obj.alarm();
  };
  return { obj, fetch, alarm };
}

const SMALL = { kind: "feedbackAlignment", options: { sizes: [4, 8, 3], seed: 2 } };
/** One sample as the test's reference learner takes it: JSON numbers, or pixel bytes. */
type Sample = { x: number[] | Uint8Array; label: number };
const json = (k: number): Sample => ({ x: [k * 0.37, -k, 0.5 * k, 1], label: k % 3 });
const bytes = (k: number): Sample => ({ x: Uint8Array.of(k * 31, 255 - k, 7 * k, 128), label: (k + 1) % 3 });
const records = (samples: Sample[]): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(samples.flatMap((s) => [s.label, ...(s.x as Uint8Array)]));

/**
 * One cycle: PUT, learns of one and several samples (JSON and binary), a checkpoint every
 * 3 samples, an alarm, an explicit checkpoint, more learns. Returns the samples whose
 * /learn answered 200, in order, and whether the PUT was acknowledged.
 */
async function cycle(storage: MemoryStorage) {
  const o = object(storage, { CHECKPOINT_SAMPLES: "3" });
  const acked: Sample[] = [];
  const put = (await o.fetch("", { method: "PUT", json: SMALL })).status === 200;
  let k = 0;
  const learn = async (samples: Sample[], binary: boolean) => {
    const res = binary
      ? await o.fetch("/learn", { body: records(samples) })
      : await o.fetch("/learn", { json: samples.length === 1 ? samples[0] : { samples } });
    if (res.status === 200) acked.push(...samples);
    else expect([409, 500]).toContain(res.status); // killed: storage failed, or the object could not reload
  };
  await learn([json(k++)], false);
  await learn([bytes(k++), bytes(k++)], true);
  await learn([json(k++)], false); // 4 logged samples: a checkpoint follows the acknowledgement
  await learn([json(k++), json(k++)], false);
  await o.alarm().catch(() => undefined); // the alarm checkpoints the log
  await learn([bytes(k++)], true);
  await o.fetch("/checkpoint", { method: "POST" });
  await learn([bytes(k++)], true);
  await learn([json(k++), json(k++), json(k++)], false); // a checkpoint again
  await learn([json(k++)], false);
  return { put, acked };
}

describe("write-ahead persistence survives a kill between any two storage operations", () => {
  it("the recovered learner is exactly the acknowledged samples' learner, for every kill point", async () => {
    const full = new DyingStorage();
    const complete = await cycle(full);
    expect(complete.put).toBe(true);
    expect(complete.acked.length).toBe(12);
    const total = full.ops;
    expect(total).toBeGreaterThan(15);
    const engram = await loadEngram();
    const cases: string[] = [];
    for (let k = 0; k <= total; k++) {
      const storage = new DyingStorage(k);
      const { put, acked } = await cycle(storage);
      // the object restarts over what storage holds
      const survivor = new MemoryStorage();
      for (const [key, v] of storage.map) survivor.map.set(key, v);
      const o = object(survivor, { CHECKPOINT_SAMPLES: "3" });
      const stats = (await (await o.fetch("/stats")).json()) as {
        kind: string | null;
        samples: number;
        error?: string;
      };
      expect(stats.error, `kill at operation ${k}`).toBeUndefined();
      if (!put) {
        expect(stats.kind, `kill at ${k}: the PUT was not acknowledged`).toBeNull();
        continue;
      }
      expect(stats.samples, `kill at ${k}`).toBe(acked.length);
      const reference = engram.create(SMALL.kind, SMALL.options) as unknown as {
        learn(x: number[] | Float32Array, y: number): unknown;
        save(): Uint8Array;
        dispose(): void;
      };
      for (const s of acked) reference.learn(s.x instanceof Uint8Array ? pixels(s.x) : s.x, s.label); // the Worker scales pixel bytes with pixels()
      const recovered = new Uint8Array(await (await o.fetch("/snapshot")).arrayBuffer());
      expect(
        Buffer.from(recovered).equals(Buffer.from(reference.save())),
        `kill at operation ${k}: ${acked.length} acknowledged samples`,
      ).toBe(true);
      // and it goes on learning, and a later restart still agrees
      expect((await o.fetch("/learn", { json: json(40) })).status).toBe(200);
      reference.learn(json(40).x as number[], json(40).label);
      const again = object(survivor);
      expect(
        Buffer.from(new Uint8Array(await (await again.fetch("/snapshot")).arrayBuffer())).equals(
          Buffer.from(reference.save()),
        ),
      ).toBe(true);
      reference.dispose();
      cases.push(`${k}:${acked.length}`);
    }
    console.log(
      `write-ahead: ${total} storage operations per cycle; killed after each (kill point:acknowledged samples) ${cases.join(" ")}`,
    );
  });

  it("garbage left by a checkpoint killed before its deletes is deleted by the next checkpoint", async () => {
    const storage = new MemoryStorage();
    const o = object(storage);
    await o.fetch("", { method: "PUT", json: SMALL });
    for (let k = 0; k < 3; k++) await o.fetch("/learn", { json: json(k) });
    // kill the checkpoint's delete: its put landed, so meta lists what it replaced
    const realDelete = storage.delete.bind(storage);
    storage.delete = async () => {
      throw new Error("killed");
    };
    expect((await o.fetch("/checkpoint", { method: "POST" })).status).toBe(500);
    storage.delete = realDelete;
    expect([...storage.map.keys()].filter((k) => k.startsWith("log:")).length).toBe(3);
    const restarted = object(storage);
    await restarted.fetch("/learn", { json: json(3) });
    expect((await restarted.fetch("/checkpoint", { method: "POST" })).status).toBe(200);
    expect([...storage.map.keys()].sort()).toEqual(["ckpt:3:0", "meta"]);
  });
});

describe("what persistence costs", () => {
  it("a /learn of one 784-byte sample writes its bytes plus a small meta record; checkpoints amortise", async () => {
    const storage = new MemoryStorage();
    const o = object(storage, { CHECKPOINT_SAMPLES: "1000" });
    const default784 = (k: number) =>
      Uint8Array.from({ length: 785 }, (_, i) => (i === 0 ? k % 10 : (i * 7 + k) & 255));
    const first = await o.fetch("/learn", { body: default784(0) }); // makes the default learner: its checkpoint is the recipe
    expect(first.status).toBe(200);
    const before = storage.written;
    const n = 200;
    for (let k = 1; k <= n; k++) expect((await o.fetch("/learn", { body: default784(k) })).status).toBe(200);
    const perSample = (storage.written - before) / n;
    const snapshot = (await (await o.fetch("/snapshot")).arrayBuffer()).byteLength;
    console.log(
      `write-ahead: ${perSample.toFixed(0)} bytes written per 784-pixel sample (log entry + meta), snapshot ${snapshot} bytes → ${(snapshot / 1000).toFixed(0)} bytes per sample amortised at a checkpoint every 1000`,
    );
    expect(perSample).toBeLessThanOrEqual(2 * 785);
  });
});
