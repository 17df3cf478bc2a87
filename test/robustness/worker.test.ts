// examples/worker's Durable Object in Node over an in-memory storage (issue #11,
// findings 8, 9 and the Worker part of 11), plus a property over randomly damaged
// storage: a damaged or inconsistent stored snapshot never bricks an object.
// The same class runs in workerd in test/hosts/worker-example.test.ts.
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MemoryStorage } from "../helpers/doStorage.js";
import { loadEngram } from "../helpers/engram.js";
import { FC } from "./learners.js";

// Each init() is a fresh engine, as each Durable Object gets its own.
vi.mock("engram", async () => ({ ...(await import("../../src/index.js")), init: () => loadEngram() }));
const { LearnerObject } = await import("../../examples/worker/src/worker.js");

/** A Durable Object over `storage`, as workerd makes one (requests wait for blockConcurrencyWhile). */
function object(storage = new MemoryStorage()) {
  let ready: Promise<unknown> = Promise.resolve();
  const obj = new LearnerObject({
    storage,
    blockConcurrencyWhile: <T,>(fn: () => Promise<T>) => (ready = fn()) as Promise<T>,
  } as never);
  const fetch = async (path: string, init: { method?: string; json?: unknown; body?: BodyInit } = {}) => {
    await ready;
    const headers = init.json !== undefined ? { "content-type": "application/json" } : undefined;
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
    const t = performance.now();
    const res = await obj.fetch(
      new Request(`http://localhost/t${path}`, {
        method: init.method ?? (body !== undefined ? "POST" : "GET"),
        headers,
        body,
      }),
    );
    requestMs = Math.max(requestMs, performance.now() - t);
    return res;
  };
  return { obj, storage, fetch };
}
let requestMs = 0;
let cases = 0;
afterAll(() =>
  console.log(`worker robustness: ${cases} damaged-storage cases, slowest request ${requestMs.toFixed(1)} ms`),
);

const SMALL = { kind: "feedbackAlignment", options: { sizes: [4, 8, 3], seed: 2 } };
const x = (k: number) => [k, -k, 0.5 * k, 1];
const snapshot = async (o: ReturnType<typeof object>) => Buffer.from(await (await o.fetch("/snapshot")).arrayBuffer());

/** An object with a small learner that learned a few samples, persisted as a checkpoint ("ckpt:2:0") and a log entry ("log:1"). */
async function trained(storage?: MemoryStorage) {
  const o = object(storage);
  expect((await o.fetch("", { method: "PUT", json: SMALL })).status).toBe(200);
  expect((await o.fetch("/learn", { json: { samples: [0, 1, 2].map((k) => ({ x: x(k), label: k })) } })).status).toBe(
    200,
  );
  expect((await o.fetch("/checkpoint", { method: "POST" })).status).toBe(200);
  expect((await o.fetch("/learn", { json: { x: x(3), label: 0 } })).status).toBe(200);
  expect([...o.storage.map.keys()].sort()).toEqual(["ckpt:2:0", "log:1", "meta"]);
  return o;
}

describe("finding 8: a /learn batch is all or nothing", () => {
  it("a bad third sample learns none of the batch (JSON and binary)", async () => {
    const o = await trained();
    const before = await snapshot(o);
    const bad = await o.fetch("/learn", {
      json: {
        samples: [
          { x: x(1), label: 0 },
          { x: x(2), label: 1 },
          { x: x(3), label: 3 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("E_LABEL");
    const badX = await o.fetch("/learn", {
      json: {
        samples: [
          { x: x(1), label: 0 },
          { x: x(2), label: 1 },
          { x: [1, 2, NaN], label: 1 },
        ],
      },
    });
    expect(badX.status).toBe(400);
    const bin = new Uint8Array([0, 1, 2, 3, 4, 1, 1, 2, 3, 4, 7, 1, 2, 3, 4]); // the third record's label is 7
    expect((await o.fetch("/learn", { body: bin })).status).toBe(400);
    // the next good request persists only itself
    expect((await o.fetch("/learn", { json: { x: x(1), label: 1 } })).status).toBe(200);
    const stats = (await (await o.fetch("/stats")).json()) as { samples: number };
    expect(stats.samples).toBe(5);
    const twin = await trained();
    await twin.fetch("/learn", { json: { x: x(1), label: 1 } });
    expect((await snapshot(o)).equals(await snapshot(twin))).toBe(true);
    expect(before.equals(await snapshot(o))).toBe(false);
  });
});

/** The first log entry's key (after a DELETE the log starts again). */
const firstLog = (s: MemoryStorage) => [...s.map.keys()].find((k) => k.startsWith("log:"))!;

describe("finding 9: damaged storage never bricks an object", () => {
  const damages: [string, (s: MemoryStorage) => void][] = [
    ["a deleted chunk", (s) => s.map.delete("ckpt:2:0")],
    ["a flipped bit", (s) => ((s.map.get("ckpt:2:0") as Uint8Array)[40]! ^= 4)],
    ["meta.bytes = 2e9", (s) => ((s.map.get("meta") as { bytes: number }).bytes = 2e9)],
    ["meta is null", (s) => s.map.set("meta", null)],
    ["a chunk that is a string", (s) => s.map.set("ckpt:2:0", "hello")],
    ["a deleted log entry", (s) => s.map.delete("log:1")],
    [
      "a log entry with a label out of range",
      (s) => ((s.map.get(firstLog(s)) as { labels: Uint32Array }).labels[0] = 7),
    ],
    ["a log entry one value short", (s) => ((s.map.get(firstLog(s)) as { x: Float32Array }).x = new Float32Array(3))],
    ["meta.samples off by one", (s) => ((s.map.get("meta") as { samples: number }).samples += 1)],
  ];
  for (const [why, damage] of damages) {
    it(`${why}: other routes answer 409 with the reason, DELETE works, the object can be reset`, async () => {
      const storage = (await trained()).storage;
      damage(storage);
      const o = object(storage); // the object restarts over the damaged storage
      const stats = await o.fetch("/stats");
      expect(stats.status).toBe(409);
      expect(((await stats.json()) as { error: string; message: string }).message).toMatch(
        /stored|meta|chunk|snapshot|log/,
      );
      expect((await o.fetch("/learn", { json: { x: x(1), label: 1 } })).status).toBe(409);
      expect((await o.fetch("", { method: "DELETE" })).status).toBe(200);
      expect(storage.map.size).toBe(0);
      expect((await o.fetch("/learn", { json: { x: Array(784).fill(0), label: 1 } })).status).toBe(200); // the default learner again
      expect((await o.fetch("/checkpoint", { method: "POST" })).status).toBe(200);
      expect((await o.fetch("/learn", { json: { x: Array(784).fill(0), label: 2 } })).status).toBe(200);
      expect([...storage.map.keys()].sort()).toEqual(["ckpt:2:0", "log:1", "meta"]);
      // and PUT resets a damaged object too
      damage(storage);
      const again = object(storage);
      expect((await again.fetch("", { method: "PUT", json: SMALL })).status).toBe(200);
      expect((await again.fetch("/learn", { json: { x: x(1), label: 1 } })).status).toBe(200);
    });
  }
});

describe("finding 11 (Worker): bad bodies are 400, classifiers only, one engine per object", () => {
  it("bodies null, {samples: 5} and {samples: []} are 400", async () => {
    const o = await trained();
    for (const json of [null, { samples: 5 }, { samples: [] }, [], "x", { samples: [null] }, { x: "1234", label: 0 }]) {
      const res = await o.fetch("/learn", { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    expect((await o.fetch("/learn", { body: "{", method: "POST" })).status).toBe(400);
    for (const json of [null, 5, { kind: 5 }, { kind: "nope" }, { kind: "feedbackAlignment", options: null }]) {
      expect((await o.fetch("", { method: "PUT", json })).status, JSON.stringify(json)).toBe(400);
    }
  });

  it("a hebbian without a readout cannot be PUT as a classifier; with one it can", async () => {
    const o = object();
    const res = await o.fetch("", { method: "PUT", json: { kind: "hebbian", options: { inputs: 4, outputs: 3 } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("E_CONFIG");
    expect(
      (
        await o.fetch("", {
          method: "PUT",
          json: { kind: "hebbian", options: { inputs: 4, outputs: 3, readout: { classes: 2 } } },
        })
      ).status,
    ).toBe(200);
    expect((await o.fetch("/learn", { json: { x: x(1), label: 1 } })).status).toBe(200);
    expect(
      (await o.fetch("", { method: "PUT", json: { kind: "rewardModulated", options: { inputs: 4, actions: 2 } } }))
        .status,
    ).toBe(400);
  });

  it("each object has its own engine: one tenant's hostile PUT cannot touch another's learner", async () => {
    const a = await trained();
    const b = object();
    const kept = await snapshot(a);
    const dfa = { kind: "feedbackAlignment", options: { sizes: [784, ...Array(128).fill(128), 65536], mode: "dfa" } };
    const res = await b.fetch("", { method: "PUT", json: dfa });
    expect([400, 413]).toContain(res.status);
    expect((await snapshot(a)).equals(kept)).toBe(true);
    expect((a.obj as unknown as { engine: unknown }).engine).not.toBe((b.obj as unknown as { engine: unknown }).engine);
  });
});

describe("randomly damaged storage", () => {
  it("never bricks an object: every route answers below 500, DELETE always works, and another tenant is untouched", async () => {
    const witness = await trained();
    const kept = await snapshot(witness);
    const base = (await trained()).storage;
    const pristine = new Map(base.map);
    const value = fc.oneof(
      fc.constantFrom<unknown>(null, undefined, 0, -1, 2e9, 1.5, "x", true, [], {}, new Uint8Array(0)),
      fc.integer({ min: -5, max: 5000 }),
      fc.uint8Array({ maxLength: 64 }),
    );
    const damage = fc.oneof(
      fc.record({ op: fc.constant("flip"), key: fc.constantFrom("ckpt:2:0"), at: fc.nat(2000), bit: fc.nat(7) }),
      fc.record({ op: fc.constant("delete"), key: fc.constantFrom("ckpt:2:0", "meta", "ckpt:2:1", "log:1") }),
      fc.record({ op: fc.constant("truncate"), key: fc.constantFrom("ckpt:2:0"), at: fc.nat(2000) }),
      fc.record({
        op: fc.constant("set"),
        key: fc.constantFrom("ckpt:2:0", "ckpt:2:1", "log:1", "log:2", "meta"),
        value,
      }),
      fc.record({
        op: fc.constant("meta"),
        field: fc.constantFrom("gen", "chunks", "bytes", "base", "from", "next", "samples", "stale", "recipe"),
        value,
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 4 }), async (ops) => {
        const storage = new MemoryStorage();
        for (const [k, v] of pristine) storage.map.set(k, structuredClone(v));
        for (const d of ops) {
          const cur = storage.map.get((d as { key?: string }).key ?? "meta");
          if (d.op === "flip" && cur instanceof Uint8Array && cur.length) cur[d.at % cur.length]! ^= 1 << d.bit;
          if (d.op === "delete") storage.map.delete(d.key);
          if (d.op === "truncate" && cur instanceof Uint8Array)
            storage.map.set(d.key, cur.slice(0, d.at % (cur.length + 1)));
          if (d.op === "set") storage.map.set(d.key, d.value);
          if (d.op === "meta" && typeof cur === "object" && cur !== null)
            (cur as Record<string, unknown>)[d.field] = d.value;
        }
        cases++;
        const o = object(storage);
        for (const [path, init] of [
          ["/stats", {}],
          ["/learn", { json: { x: x(2), label: 1 } }],
          ["/predict", { json: { x: x(2) } }],
          ["/snapshot", {}],
        ] as const) {
          const res = await o.fetch(path, init);
          expect(res.status, `${path} after ${JSON.stringify(ops)}: ${await res.clone().text()}`).toBeLessThan(500);
        }
        expect((await o.fetch("", { method: "DELETE" })).status).toBe(200);
        expect((await o.fetch("", { method: "PUT", json: SMALL })).status).toBe(200);
        expect((await o.fetch("/learn", { json: { x: x(1), label: 2 } })).status).toBe(200);
      }),
      { ...FC, numRuns: 150 },
    );
    expect((await snapshot(witness)).equals(kept)).toBe(true);
    expect(requestMs).toBeLessThan(2000);
  });
});
