// Continual learning at the edge: a Cloudflare Worker with one Durable Object
// per learner id. Every object keeps one Engram learner in memory, learns from
// each POST, and persists the learner's snapshot in its storage (chunked: a
// stored value must stay under 2 MB), so a restarted or evicted object
// continues exactly where it stopped.
//
//   PUT    /:id           {"kind": "forwardForward", "options": {...}}  create (optional: a default is made on first use)
//   POST   /:id/learn     JSON {"x": [...], "label": 3} or {"samples": [{x, label}, ...]}
//                         or binary (application/octet-stream): records of [label u8][inputs × u8 pixels]
//   POST   /:id/predict   JSON {"x": [...]} or binary: inputs × u8 pixels → {"label", "scores"}
//   GET    /:id/stats     kind, config, samples learned, snapshot size
//   GET    /:id/snapshot  the save() bytes (application/octet-stream)
//   DELETE /:id           forget the learner and its storage
import { init, pixels, type Engram, type Learner } from "engram";

// NOTE: a Worker module may export only handlers and Durable Object classes, so
// the constants below stay private.

/**
 * The learner made on first use when no PUT came first: a 784 → 256 → 10 network
 * trained by direct feedback alignment on 28×28 images (≈ 90 % on MNIST after 20 000
 * digits). Its snapshot (~0.8 MB) is saved on every /learn; saving costs ~3.5 ms of
 * CPU per MB (copy + CRC-32), so keep snapshots small on the free plan (10 ms).
 */
const DEFAULT_LEARNER = { kind: "feedbackAlignment", options: { inputs: 784, hidden: [256], classes: 10 } };
/** Snapshot chunk size: well under the 2 MB limit of one Durable Object storage value. */
const CHUNK_BYTES = 1 << 20;

// The few Workers types used here (no dependency on @cloudflare/workers-types).
interface Storage {
  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  deleteAll(): Promise<void>;
}
interface DurableObjectState {
  storage: Storage;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}
interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}
interface Env {
  LEARNER: Namespace;
}

/** What a learner of any kind offers here. */
type Trainable = Learner & { learn(x: Float32Array | number[], label: number): unknown; predict(x: unknown): number; scores?(x: unknown): Float32Array };

/** Input width, from the resolved config of a supervised learner. */
function inputsOf(learner: Trainable): number {
  const c = learner.config as { inputs?: number; sizes?: number[] }; // sizes: snapshots written before 0.2
  return c.inputs ?? c.sizes![0]!;
}

let engine: Promise<Engram> | undefined;

/** Stored under "meta": how the snapshot is split, and counters. */
interface Meta {
  chunks: number;
  bytes: number;
  samples: number;
}

export class LearnerObject {
  private learner: Trainable | undefined;
  private meta: Meta = { chunks: 0, bytes: 0, samples: 0 };

  constructor(private readonly state: DurableObjectState) {
    state.blockConcurrencyWhile(() => this.load());
  }

  /** Restores the learner from storage, if one was saved. */
  private async load(): Promise<void> {
    const engram = await (engine ??= init());
    const meta = await this.state.storage.get<Meta>("meta");
    if (!meta) return;
    const keys = Array.from({ length: meta.chunks }, (_, i) => `chunk:${i}`);
    const parts = await this.state.storage.get<Uint8Array>(keys);
    const bytes = new Uint8Array(meta.bytes);
    let at = 0;
    for (const k of keys) {
      const part = parts.get(k) as Uint8Array;
      bytes.set(part, at);
      at += part.length;
    }
    this.learner = engram.restore(bytes) as Trainable; // checks the CRC: a torn write cannot load
    this.meta = meta;
  }

  /** Writes the snapshot in chunks. No await in between, so the writes are coalesced into one atomic write. */
  private persist(): Promise<void> {
    const snap = this.learner!.save();
    const chunks = Math.ceil(snap.length / CHUNK_BYTES);
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < chunks; i++) entries[`chunk:${i}`] = snap.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES); // slice: a view would store its whole buffer
    const stale = Array.from({ length: Math.max(0, this.meta.chunks - chunks) }, (_, i) => `chunk:${chunks + i}`);
    this.meta = { ...this.meta, chunks, bytes: snap.length };
    entries["meta"] = this.meta;
    const writes = [this.state.storage.put(entries)];
    if (stale.length) writes.push(this.state.storage.delete(stale).then(() => undefined));
    return Promise.all(writes).then(() => undefined);
  }

  private async create(kind: string, options: unknown): Promise<Trainable> {
    const engram = await (engine ??= init());
    const learner = engram.create(kind, options) as Trainable;
    if (typeof learner.learn !== "function" || typeof learner.predict !== "function") {
      learner.dispose();
      throw Object.assign(new Error(`${kind} does not learn from labelled samples; this Worker serves classifiers`), { code: "E_CONFIG" });
    }
    this.learner?.dispose();
    this.learner = learner;
    this.meta = { chunks: this.meta.chunks, bytes: 0, samples: 0 };
    return this.learner;
  }

  async fetch(request: Request): Promise<Response> {
    try {
      return await this.route(request);
    } catch (e) {
      const code = (e as { code?: string }).code;
      return Response.json({ error: code ?? "E_REQUEST", message: e instanceof Error ? e.message : String(e) }, { status: code || e instanceof SyntaxError ? 400 : 500 });
    }
  }

  private async route(request: Request): Promise<Response> {
    const action = new URL(request.url).pathname.split("/")[2] ?? "";
    const method = request.method;
    if (method === "DELETE" && action === "") {
      this.learner?.dispose();
      this.learner = undefined;
      this.meta = { chunks: 0, bytes: 0, samples: 0 };
      await this.state.storage.deleteAll();
      return Response.json({ deleted: true });
    }
    if (method === "PUT" && action === "") {
      const { kind, options } = (await request.json()) as { kind: string; options?: unknown };
      await this.create(kind, options);
      await this.persist();
      return this.stats();
    }
    if (method === "GET" && action === "stats") return this.stats();
    const learner = this.learner ?? (await this.create(DEFAULT_LEARNER.kind, DEFAULT_LEARNER.options));
    if (method === "POST" && action === "learn") {
      const samples = await readSamples(request, inputsOf(learner), true);
      let last: unknown;
      for (const s of samples) last = learner.learn(s.x, s.label!);
      this.meta.samples += samples.length;
      await this.persist();
      return Response.json({ learned: samples.length, samples: this.meta.samples, last });
    }
    if (method === "POST" && action === "predict") {
      const [s] = await readSamples(request, inputsOf(learner), false);
      const scores = learner.scores ? Array.from(learner.scores(s!.x)) : undefined;
      return Response.json({ label: learner.predict(s!.x), scores });
    }
    if (method === "GET" && action === "snapshot") return new Response(learner.save() as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/octet-stream" } });
    return Response.json({ error: "E_ROUTE", message: `no route ${method} /:id/${action}` }, { status: 404 });
  }

  private stats(): Response {
    const l = this.learner;
    return Response.json({ kind: l?.kind ?? null, config: l?.config ?? null, samples: this.meta.samples, snapshotBytes: this.meta.bytes, chunks: this.meta.chunks });
  }
}

/** Samples from a JSON or binary body. Binary records are [label u8][inputs × u8] (no label byte for predict). */
async function readSamples(request: Request, inputs: number, labelled: boolean): Promise<{ x: Float32Array | number[]; label?: number }[]> {
  if ((request.headers.get("content-type") ?? "").startsWith("application/json")) {
    const body = (await request.json()) as { x: number[]; label?: number; samples?: { x: number[]; label?: number }[] };
    return body.samples ?? [body];
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  const width = inputs + (labelled ? 1 : 0);
  if (bytes.length === 0 || bytes.length % width !== 0) {
    throw Object.assign(new Error(`a binary body holds records of ${width} bytes (${labelled ? "a label byte, then " : ""}${inputs} pixel bytes), got ${bytes.length} bytes`), { code: "E_SHAPE" });
  }
  const out = [];
  for (let at = 0; at < bytes.length; at += width) {
    // pixel bytes → [0, 1]: learners read a Uint8Array unscaled
    out.push(labelled ? { label: bytes[at]!, x: pixels(bytes.subarray(at + 1, at + width)) } : { x: pixels(bytes.subarray(at, at + width)) });
  }
  return out;
}

export default {
  /** Routes /:id/... to the Durable Object named id. */
  async fetch(request: Request, env: Env): Promise<Response> {
    const id = new URL(request.url).pathname.split("/")[1];
    if (!id) return Response.json({ routes: ["PUT /:id", "POST /:id/learn", "POST /:id/predict", "GET /:id/stats", "GET /:id/snapshot", "DELETE /:id"] });
    return env.LEARNER.get(env.LEARNER.idFromName(id)).fetch(request);
  },
};
