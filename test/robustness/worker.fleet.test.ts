// examples/worker's fleet (issue 16) in Node: a coordinator merges its members by
// federated averaging and pushes the merged model back; a member that is down, answers an
// error, returns a corrupt snapshot or a learner of another config is refused with the
// reason and the round goes on. The same classes run in workerd in
// test/hosts/worker-example.test.ts.
import { describe, expect, it, vi } from "vitest";
import type { Learner } from "../../src/index.js";
import { MemoryStorage } from "../helpers/doStorage.js";
import { loadEngram } from "../helpers/engram.js";

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
});
