// examples/worker's fleet (issue 16) in Node: a coordinator merges its members by
// federated averaging and pushes the merged model back; a member that is down, answers an
// error, returns a corrupt snapshot or a learner of another config is refused with the
// reason and the round goes on. The same classes run in workerd in
// test/hosts/worker-example.test.ts.
import { describe, expect, it, vi } from "vitest";
import type { Learner } from "../../src/index.js";
import { MemoryStorage } from "../helpers/doStorage.js";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";

vi.mock("engram", async () => ({ ...(await import("../../src/index.js")), init: () => loadEngram() }));
const { LearnerObject, CoordinatorObject } = await import("../../examples/worker/src/worker.js");

const state = (storage: MemoryStorage) =>
  ({ storage, blockConcurrencyWhile: <T,>(fn: () => Promise<T>) => fn() }) as never;
const CONFIG = { kind: "feedbackAlignment", options: { sizes: [4, 6, 3], seed: 9, mode: "dfa" } };
const json = (body: unknown, method = "POST") => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("fleet rounds", () => {
  it("merges the good members by FedAvg, pushes the model back, and refuses the down, corrupt and foreign ones with reasons", async () => {
    const objects = new Map<string, InstanceType<typeof LearnerObject>>();
    const faults: Record<string, (req: Request, real: () => Promise<Response>) => Promise<Response>> = {
      down: async () => {
        throw new Error("the object is down");
      },
      broken: async () => Response.json({ error: "E_STORAGE" }, { status: 409 }),
      corrupt: async (req, real) => {
        const res = await real();
        if (!req.url.endsWith("/snapshot")) return res;
        const bytes = new Uint8Array(await res.arrayBuffer());
        bytes[bytes.length >> 1]! ^= 16;
        return new Response(bytes);
      },
    };
    const LEARNER = {
      idFromName: (id: string) => id,
      get: (id: string) => ({
        fetch: async (req: Request) => {
          if (!objects.has(id)) objects.set(id, new LearnerObject(state(new MemoryStorage()), {} as never));
          const real = () => objects.get(id)!.fetch(req);
          const kind = Object.keys(faults).find((f) => id.startsWith(f));
          return kind ? faults[kind]!(req, real) : real();
        },
      }),
    };
    const env = { LEARNER, COORDINATOR: undefined } as never;
    const learner = (id: string) => LEARNER.get(id);
    const shards: Record<string, number[]> = { a: [0], b: [1], c: [2, 0], corrupt1: [1], other: [2] };
    for (const [id, classes] of Object.entries(shards)) {
      const config = id === "other" ? { ...CONFIG, options: { ...CONFIG.options, seed: 10 } } : CONFIG;
      expect((await learner(id).fetch(new Request(`http://x/${id}`, json(config, "PUT")))).status).toBe(200);
      const samples = Array.from({ length: 6 * classes.length }, (_, i) => ({
        x: [i % 3, 1 - (i % 2), classes[i % classes.length]!, 0.5],
        label: classes[i % classes.length]!,
      }));
      expect((await learner(id).fetch(new Request(`http://x/${id}/learn`, json({ samples })))).status).toBe(200);
    }
    const engram = await loadEngram();
    const pull = async (id: string) =>
      engram.restore(
        new Uint8Array(await (await objects.get(id)!.fetch(new Request(`http://x/${id}/snapshot`))).arrayBuffer()),
      );
    const expected = engram.merge((await Promise.all(["a", "b", "c"].map(pull))) as Learner[]).save();

    const coordinator = new CoordinatorObject(state(new MemoryStorage()), env);
    const members = ["a", "b", "down1", "broken1", "corrupt1", "c", "other"];
    expect((await coordinator.fetch(new Request("http://x/fleet/f", json({ members }, "PUT")))).status).toBe(200);
    const res = await coordinator.fetch(new Request("http://x/fleet/f/round", { method: "POST" }));
    expect(res.status).toBe(200);
    const round = (await res.json()) as {
      merged: string[];
      refused: { id: string; reason: string }[];
      pushed: string[];
      samples: number;
    };
    expect(round.merged).toEqual(["a", "b", "c"]);
    expect(round.pushed.sort()).toEqual(["a", "b", "c"]);
    expect(round.samples).toBe(6 + 6 + 12);
    const reasons = Object.fromEntries(round.refused.map((r) => [r.id, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["broken1", "corrupt1", "down1", "other"]);
    expect(reasons["down1"]).toMatch(/unreachable/);
    expect(reasons["broken1"]).toMatch(/409/);
    expect(reasons["corrupt1"]).toMatch(/does not restore/);
    expect(reasons["other"]).toMatch(/another config/);
    // every merged member now holds exactly the FedAvg of the three, and it persisted
    for (const id of ["a", "b", "c"]) {
      const got = new Uint8Array(
        await (await objects.get(id)!.fetch(new Request(`http://x/${id}/snapshot`))).arrayBuffer(),
      );
      expect(Buffer.from(got).equals(Buffer.from(expected)), id).toBe(true);
    }
    // a pushed model of another config is refused by the member itself
    const foreign = (await pull("other")).save();
    const refused = await objects
      .get("a")!
      .fetch(new Request("http://x/a/model", { method: "PUT", body: foreign as Uint8Array<ArrayBuffer> }));
    expect(refused.status).toBe(400);
    // the round is on record
    const stats = (await (await coordinator.fetch(new Request("http://x/fleet/f/stats"))).json()) as {
      last: { merged: string[] };
    };
    expect(stats.last.merged).toEqual(["a", "b", "c"]);
  });

  it("8 non-i.i.d. members over rounds: round ids, weights per round, a stale member down-weighted, a member down, a corrupt snapshot, and a push interrupted then resumed with nothing lost", async () => {
    const CONF = { kind: "feedbackAlignment", options: { sizes: [4, 6, 4], seed: 9, mode: "dfa" } };
    const objects = new Map<string, InstanceType<typeof LearnerObject>>();
    const fault: Record<string, "down" | "corrupt" | "no-push" | "hang-push" | undefined> = {};
    const LEARNER = {
      idFromName: (id: string) => id,
      get: (id: string) => ({
        fetch: async (req: Request) => {
          if (!objects.has(id)) objects.set(id, new LearnerObject(state(new MemoryStorage()), {} as never));
          const f = fault[id],
            push = req.method === "PUT" && req.url.endsWith("/model");
          if (f === "down") throw new Error("the object is down");
          if (f === "no-push" && push) throw new Error("the object is down");
          if (f === "hang-push" && push) return new Promise<Response>(() => {}); // the coordinator dies waiting
          const res = await objects.get(id)!.fetch(req);
          if (f !== "corrupt" || !req.url.endsWith("/snapshot")) return res;
          const bytes = new Uint8Array(await res.arrayBuffer());
          bytes[bytes.length >> 1]! ^= 16;
          return new Response(bytes, { headers: res.headers });
        },
      }),
    };
    const env = { LEARNER, COORDINATOR: undefined } as never;
    const call = (id: string, path: string, init?: RequestInit) =>
      LEARNER.get(id).fetch(new Request(`http://x/${id}${path}`, init));
    const ids = Array.from({ length: 8 }, (_, i) => `m${i}`);
    // non-i.i.d.: each member sees 1–2 of the 4 classes
    const classes = [[0], [1], [2], [3], [0, 1], [2, 3], [1, 2], [3, 0]];
    let seed = 1;
    const learn = async (id: string, n: number) => {
      const cs = classes[ids.indexOf(id)]!;
      const samples = Array.from({ length: n }, (_, i) => {
        const c = cs[i % cs.length]!;
        const r = rng(seed++);
        return { x: [c === 0 ? 1 : r(), c === 1 ? 1 : r(), c === 2 ? 1 : r(), c === 3 ? 1 : r()], label: c };
      });
      expect((await call(id, "/learn", json({ samples }))).status).toBe(200);
    };
    for (const id of ids) expect((await call(id, "", json(CONF, "PUT"))).status).toBe(200);
    const storage = new MemoryStorage();
    let coordinator = new CoordinatorObject(state(storage), env);
    expect((await coordinator.fetch(new Request("http://x/fleet/f", json({ members: ids }, "PUT")))).status).toBe(200);
    type R = {
      id: number;
      merged: string[];
      weights: number[];
      stale: { id: string; behind: number }[];
      refused: { id: string; reason: string }[];
      pushed: string[];
      samples: number;
      resumed?: number;
    };
    const round = async (c = coordinator) =>
      (await (await c.fetch(new Request("http://x/fleet/f/round", { method: "POST" }))).json()) as R;
    const engram = await loadEngram();
    const snap = async (id: string) =>
      new Uint8Array(await (await objects.get(id)!.fetch(new Request(`http://x/${id}/snapshot`))).arrayBuffer());
    const roundOf = async (id: string) =>
      ((await (await call(id, "/stats")).json()) as { round: { id: number; samplesSince: number } }).round;
    const fleetModel = async () =>
      new Uint8Array(await (await coordinator.fetch(new Request("http://x/fleet/f/snapshot"))).arrayBuffer());

    // round 1: every member, weighted by its samples
    for (const [i, id] of ids.entries()) await learn(id, 4 + i);
    const r1 = await round();
    expect(r1.id).toBe(1);
    expect(r1.merged).toEqual(ids);
    expect(r1.weights).toEqual(ids.map((_, i) => 4 + i));
    expect(r1.pushed.sort()).toEqual(ids);
    const m1 = await fleetModel();
    for (const id of ids) {
      expect(Buffer.from(await snap(id)).equals(Buffer.from(m1)), id).toBe(true);
      expect(await roundOf(id)).toEqual({ id: 1, samplesSince: 0 });
    }
    // nothing learned since: no round is made
    expect((await round()).id).toBe(1);

    // round 2: m6 is down, m5's snapshot arrives corrupt, m7 misses the push; weights are this round's samples only
    for (const id of ids) await learn(id, 3);
    fault["m6"] = "down";
    fault["m5"] = "corrupt";
    fault["m7"] = "no-push";
    const r2 = await round();
    expect(r2.id).toBe(2);
    expect(r2.merged).toEqual(["m0", "m1", "m2", "m3", "m4", "m7"]);
    expect(r2.weights).toEqual([3, 3, 3, 3, 3, 3]);
    expect(Object.fromEntries(r2.refused.map((r) => [r.id, r.reason]))).toMatchObject({
      m6: expect.stringMatching(/unreachable/),
      m5: expect.stringMatching(/does not restore/),
    });
    expect(r2.pushed.sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect((await roundOf("m7")).id).toBe(1);

    // round 3: m5, m6 and m7 are back but grew from round 1's model: stale by one round, weight halved
    for (const k of Object.keys(fault)) delete fault[k];
    for (const id of ids) await learn(id, 2);
    const pulled = await Promise.all(ids.map(async (id) => engram.restore(await snap(id))));
    const since = await Promise.all(ids.map(async (id) => (await roundOf(id)).samplesSince));
    const r3 = await round();
    expect(r3.id).toBe(3);
    expect(r3.stale).toEqual([
      { id: "m5", behind: 1 },
      { id: "m6", behind: 1 },
      { id: "m7", behind: 1 },
    ]);
    expect(since).toEqual([2, 2, 2, 2, 2, 5, 5, 5]);
    expect(r3.weights).toEqual([2, 2, 2, 2, 2, 2.5, 2.5, 2.5]);
    const expected = engram.merge(pulled, { weights: r3.weights }).save();
    expect(Buffer.from(await fleetModel()).equals(Buffer.from(expected))).toBe(true);
    for (const id of ids) expect((await roundOf(id)).id).toBe(3);

    // round 4: the coordinator dies mid-push (m3's push never answers); a new instance over the
    // same storage finishes round 4's push first, then makes round 5: nothing merged is lost
    for (const id of ids) await learn(id, 2);
    fault["m3"] = "hang-push";
    void round(); // never settles
    await new Promise((r) => setTimeout(r, 50));
    expect((await roundOf("m3")).id).toBe(3);
    expect((await roundOf("m0")).id).toBe(4);
    const m4 = await fleetModel(); // round 4's model was stored before any push
    delete fault["m3"];
    coordinator = new CoordinatorObject(state(storage), env);
    const gen0 = ((await (await call("m0", "/stats")).json()) as { checkpoint: { generation: number } }).checkpoint
      .generation;
    const r5 = await round();
    expect(r5.resumed).toBe(4);
    // m3 got round 4's model (its round-4 samples are in it), so it is no longer behind; the
    // others held round 4 already (the resumed push changed nothing there) and learned nothing since
    expect(r5.id).toBe(4); // no member learned after round 4: no new round
    expect(Buffer.from(await snap("m3")).equals(Buffer.from(m4))).toBe(true);
    expect(
      ((await (await call("m0", "/stats")).json()) as { checkpoint: { generation: number } }).checkpoint.generation,
    ).toBe(gen0);
    for (const id of ids) await learn(id, 1);
    const r6 = await round();
    expect(r6.id).toBe(5);
    expect(r6.stale).toEqual([]);
    expect(r6.pushed.sort()).toEqual(ids);
  });

  it("a member that learns between the pull and the push keeps those samples: replayed from its log onto the merged model, or, past a checkpoint, the push is refused and the next round merges it", async () => {
    const CONF = { kind: "feedbackAlignment", options: { sizes: [4, 6, 4], seed: 9, mode: "dfa" } };
    const objects = new Map<string, InstanceType<typeof LearnerObject>>();
    const beforePush: Record<string, (() => Promise<void>) | undefined> = {};
    const LEARNER = {
      idFromName: (id: string) => id,
      get: (id: string) => ({
        fetch: async (req: Request) => {
          if (!objects.has(id)) objects.set(id, new LearnerObject(state(new MemoryStorage()), {} as never));
          const hook = beforePush[id];
          if (hook && req.method === "PUT" && req.url.endsWith("/model")) {
            beforePush[id] = undefined;
            await hook(); // the member goes on learning while the coordinator merges
          }
          return objects.get(id)!.fetch(req);
        },
      }),
    };
    const env = { LEARNER, COORDINATOR: undefined } as never;
    const call = (id: string, path: string, init?: RequestInit) =>
      LEARNER.get(id).fetch(new Request(`http://x/${id}${path}`, init));
    let seed = 7;
    const batch = (n: number, c: number) =>
      Array.from({ length: n }, () => {
        const r = rng(seed++);
        return { x: [r(), r(), c === 2 ? 1 : r(), r()], label: c };
      });
    const ids = ["a", "b", "c"];
    for (const id of ids) expect((await call(id, "", json(CONF, "PUT"))).status).toBe(200);
    const coordinator = new CoordinatorObject(state(new MemoryStorage()), env);
    expect((await coordinator.fetch(new Request("http://x/fleet/f", json({ members: ids }, "PUT")))).status).toBe(200);
    const round = async () =>
      (await (await coordinator.fetch(new Request("http://x/fleet/f/round", { method: "POST" }))).json()) as {
        id: number;
        pushed: string[];
        stale: { id: string; behind: number }[];
        weights: number[];
      };
    const snap = async (id: string) =>
      Buffer.from(await (await objects.get(id)!.fetch(new Request(`http://x/${id}/snapshot`))).arrayBuffer());
    const roundOf = async (id: string) =>
      ((await (await call(id, "/stats")).json()) as { round: { id: number; samplesSince: number } }).round;
    for (const [i, id] of ids.entries())
      expect((await call(id, "/learn", json({ samples: batch(5, i) }))).status).toBe(200);

    // round 1: "b" learns 4 more samples (two requests) after its snapshot was pulled
    const late = [batch(3, 1), batch(1, 1)];
    beforePush["b"] = async () => {
      for (const samples of late) expect((await call("b", "/learn", json({ samples }))).status).toBe(200);
    };
    const r1 = await round();
    expect(r1.pushed.sort()).toEqual(ids);
    const model = Buffer.from(await (await coordinator.fetch(new Request("http://x/fleet/f/snapshot"))).arrayBuffer());
    expect((await snap("a")).equals(model)).toBe(true);
    // the reference: a fresh object given the merged model, then the same 4 samples
    const ref = new LearnerObject(state(new MemoryStorage()), {} as never);
    const refCall = (path: string, init?: RequestInit) => ref.fetch(new Request(`http://x/ref${path}`, init));
    expect((await refCall("", json(CONF, "PUT"))).status).toBe(200);
    expect((await refCall("/model", { method: "PUT", body: model })).status).toBe(200);
    for (const samples of late) expect((await refCall("/learn", json({ samples }))).status).toBe(200);
    const expected = Buffer.from(await (await refCall("/snapshot")).arrayBuffer());
    expect((await snap("b")).equals(model)).toBe(false);
    expect((await snap("b")).equals(expected)).toBe(true); // no acknowledged sample lost
    expect(await roundOf("b")).toEqual({ id: 1, samplesSince: 4 }); // counted for the next round
    expect(await roundOf("a")).toEqual({ id: 1, samplesSince: 0 });

    // round 2: "c" learns and checkpoints after the pull: its log no longer reaches the pulled
    // position, so it refuses the push (409) and keeps its model; round 3 merges it, stale by one
    for (const [i, id] of ids.entries())
      expect((await call(id, "/learn", json({ samples: batch(2, i) }))).status).toBe(200);
    beforePush["c"] = async () => {
      expect((await call("c", "/learn", json({ samples: batch(2, 2) }))).status).toBe(200);
      expect((await call("c", "/checkpoint", { method: "POST" })).status).toBe(200);
    };
    const r2 = await round();
    const kept = await snap("c");
    expect(r2.pushed.sort()).toEqual(["a", "b"]);
    expect(await roundOf("c")).toEqual({ id: 1, samplesSince: 4 });
    const direct = await call("c", "/model", {
      method: "PUT",
      body: Buffer.from(await (await coordinator.fetch(new Request("http://x/fleet/f/snapshot"))).arrayBuffer()),
      headers: { "x-fleet-round": "2", "x-fleet-at": "7" },
    });
    expect(direct.status).toBe(409);
    expect(((await direct.json()) as { error: string }).error).toBe("E_STALE");
    expect((await snap("c")).equals(kept)).toBe(true); // refused: nothing changed
    const r3 = await round();
    expect(r3.id).toBe(3);
    expect(r3.stale).toEqual([{ id: "c", behind: 1 }]);
    expect(r3.weights).toEqual([0, 0, 2]); // "c"'s 4 samples since round 1, halved; a and b learned nothing since round 2
    expect(r3.pushed.sort()).toEqual(ids);
  });
});
