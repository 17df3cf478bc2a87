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

/** Number of classes a learner predicts (0: it does not classify, e.g. a hebbian layer without a readout). */
function classesOf(learner: Learner): number {
  const c = (learner as { classes?: unknown }).classes;
  return typeof c === "number" && Number.isInteger(c) ? c : 0;
}

/** Stored under "meta": how the snapshot is split, and counters. */
interface Meta {
  chunks: number;
  bytes: number;
  samples: number;
}

/** The largest snapshot an object will read back (a Worker has 128 MB). */
const MAX_SNAPSHOT_BYTES = 64 << 20;
/** The most samples one /learn request may carry. */
const MAX_SAMPLES = 10_000;

/** An error answered with `status` and a stable code. */
class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const bad = (code: string, message: string) => new HttpError(400, code, message);

export class LearnerObject {
  // Each object has its OWN engine: one WebAssembly memory per tenant, so no input,
  // option or snapshot of one tenant can reach another's learner.
  private engine: Promise<Engram> | undefined;
  private learner: Trainable | undefined;
  private meta: Meta = { chunks: 0, bytes: 0, samples: 0 };
  /** Why the stored learner could not be loaded (then only DELETE and PUT are served). */
  private damaged: string | undefined;

  constructor(private readonly state: DurableObjectState) {
    // never throws: damaged storage must not brick the object (DELETE must always work)
    state.blockConcurrencyWhile(() => this.load().catch((e: unknown) => {
      this.learner?.dispose();
      this.learner = undefined;
      this.damaged = e instanceof Error ? e.message : "the stored learner could not be read";
    }));
  }

  private engram(): Promise<Engram> {
    return (this.engine ??= init());
  }

  /** Restores the learner from storage, if one was saved; throws saying why it cannot. */
  private async load(): Promise<void> {
    const engram = await this.engram();
    const meta: unknown = await this.state.storage.get<Meta>("meta");
    if (meta === undefined) return;
    const m = meta as Partial<Meta> | null;
    const count = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
    if (typeof m !== "object" || m === null || !count(m.chunks, Math.ceil(MAX_SNAPSHOT_BYTES / CHUNK_BYTES)) || !count(m.bytes, MAX_SNAPSHOT_BYTES) || !count(m.samples, Number.MAX_SAFE_INTEGER)) {
      throw new Error(`the stored meta record is damaged: ${JSON.stringify(meta)?.slice(0, 200)}`);
    }
    if (m.chunks! !== Math.ceil(m.bytes! / CHUNK_BYTES)) throw new Error(`the stored meta record is inconsistent: ${m.bytes} bytes in ${m.chunks} chunks`);
    const keys = Array.from({ length: m.chunks! }, (_, i) => `chunk:${i}`);
    const parts = keys.length ? await this.state.storage.get<unknown>(keys) : new Map<string, unknown>();
    const bytes = new Uint8Array(m.bytes!);
    let at = 0;
    for (const k of keys) {
      const part = parts.get(k);
      const chunk = part instanceof Uint8Array ? part : part instanceof ArrayBuffer ? new Uint8Array(part) : undefined;
      if (!chunk) throw new Error(`stored snapshot chunk ${k} is missing`);
      if (chunk.length > bytes.length - at) throw new Error(`stored snapshot chunks hold more than the ${m.bytes} bytes recorded`);
      bytes.set(chunk, at);
      at += chunk.length;
    }
    if (at !== bytes.length) throw new Error(`stored snapshot chunks hold ${at} bytes, ${m.bytes} recorded`);
    // restore checks the CRC and the config against the state: a torn or forged write cannot load
    const learner = engram.restore(bytes) as Trainable;
    if (!isClassifier(learner)) {
      learner.dispose();
      throw new Error(`the stored ${learner.kind} does not classify`);
    }
    this.learner = learner;
    this.meta = { chunks: m.chunks!, bytes: m.bytes!, samples: m.samples! };
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

  private async create(kind: unknown, options: unknown): Promise<Trainable> {
    const engram = await this.engram();
    if (typeof kind !== "string") throw bad("E_CONFIG", `"kind" must be a learner kind, one of ${engram.kinds.join(", ")}`);
    const learner = engram.create(kind, options) as Trainable;
    if (!isClassifier(learner)) {
      learner.dispose();
      throw bad("E_CONFIG", `${kind} with these options does not classify labelled samples (a hebbian layer needs readout: { classes }); this Worker serves classifiers`);
    }
    this.learner?.dispose();
    this.learner = learner;
    this.damaged = undefined;
    // the chunk count on disk stays until persist() overwrites it (stale chunks are deleted then)
    this.meta = { chunks: this.meta.chunks, bytes: 0, samples: 0 };
    return this.learner;
  }

  async fetch(request: Request): Promise<Response> {
    try {
      return await this.route(request);
    } catch (e) {
      if (e instanceof HttpError) return Response.json({ error: e.code, message: e.message }, { status: e.status });
      const code = (e as { code?: unknown }).code;
      const message = e instanceof Error ? e.message : "the request failed";
      if (e instanceof SyntaxError) return Response.json({ error: "E_REQUEST", message: `the body is not valid JSON: ${message}` }, { status: 400 });
      // EngramErrors are the caller's bad input (400), but for a trap inside the module
      if (typeof code === "string" && code !== "E_INTERNAL") return Response.json({ error: code, message }, { status: code === "E_MEMORY" ? 413 : 400 });
      return Response.json({ error: typeof code === "string" ? code : "E_SERVER", message }, { status: 500 });
    }
  }

  private async route(request: Request): Promise<Response> {
    const action = new URL(request.url).pathname.split("/")[2] ?? "";
    const method = request.method;
    if (method === "DELETE" && action === "") {
      this.learner?.dispose();
      this.learner = undefined;
      this.damaged = undefined;
      this.meta = { chunks: 0, bytes: 0, samples: 0 };
      await this.state.storage.deleteAll();
      return Response.json({ deleted: true });
    }
    if (method === "PUT" && action === "") {
      const body: unknown = await request.json();
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad("E_REQUEST", 'the body must be {"kind": ..., "options": {...}}');
      const { kind, options } = body as { kind?: unknown; options?: unknown };
      await this.create(kind, options);
      await this.persist();
      return this.stats();
    }
    if (this.damaged !== undefined) {
      throw new HttpError(409, "E_STORAGE", `this object's stored learner is unusable (${this.damaged}); DELETE /:id or PUT a new learner to reset it`);
    }
    if (method === "GET" && action === "stats") return this.stats();
    const learner = this.learner ?? (await this.create(DEFAULT_LEARNER.kind, DEFAULT_LEARNER.options));
    if (method === "POST" && action === "learn") {
      const samples = await readSamples(request, inputsOf(learner), classesOf(learner), true);
      // every sample was validated above: all of the batch is learned, or none of it
      let last: unknown;
      try {
        for (const s of samples) last = learner.learn(s.x, s.label!);
      } catch (e) {
        await this.reload(); // unexpected: go back to what storage holds, never keep half a batch
        throw e;
      }
      this.meta.samples += samples.length;
      await this.persist();
      return Response.json({ learned: samples.length, samples: this.meta.samples, last });
    }
    if (method === "POST" && action === "predict") {
      const [s] = await readSamples(request, inputsOf(learner), classesOf(learner), false);
      const scores = learner.scores ? Array.from(learner.scores(s!.x)) : undefined;
      return Response.json({ label: learner.predict(s!.x), scores });
    }
    if (method === "GET" && action === "snapshot") return new Response(learner.save() as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/octet-stream" } });
    return Response.json({ error: "E_ROUTE", message: `no route ${method} /:id/${action}` }, { status: 404 });
  }

  /** Drops the learner in memory and loads what storage holds. */
  private async reload(): Promise<void> {
    this.learner?.dispose();
    this.learner = undefined;
    this.meta = { chunks: 0, bytes: 0, samples: 0 };
    await this.load().catch((e: unknown) => {
      this.damaged = e instanceof Error ? e.message : "the stored learner could not be read";
    });
  }

  private stats(): Response {
    const l = this.learner;
    return Response.json({ kind: l?.kind ?? null, config: l?.config ?? null, samples: this.meta.samples, snapshotBytes: this.meta.bytes, chunks: this.meta.chunks });
  }
}

/** A learner this Worker can serve: it learns from labelled samples and predicts one of ≥ 2 classes. */
function isClassifier(learner: Learner): boolean {
  const l = learner as Partial<Trainable>;
  return typeof l.learn === "function" && typeof l.predict === "function" && classesOf(learner) >= 2;
}

/** One sample, checked: `inputs` finite numbers (or bytes) and, when labelled, an integer label in [0, classes). */
function checkSample(raw: unknown, i: number, inputs: number, classes: number, labelled: boolean): { x: number[]; label?: number } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("E_REQUEST", `sample ${i} must be {"x": [${inputs} numbers]${labelled ? ', "label": <class>' : ""}}`);
  const { x, label } = raw as { x?: unknown; label?: unknown };
  if (!Array.isArray(x)) throw bad("E_TYPE", `sample ${i}: "x" must be an array of ${inputs} numbers`);
  if (x.length !== inputs) throw bad("E_SHAPE", `sample ${i}: "x" must have length ${inputs}, got ${x.length}`);
  for (let j = 0; j < inputs; j++) {
    const v: unknown = x[j];
    if (typeof v !== "number") throw bad("E_TYPE", `sample ${i}: x[${j}] must be a number`);
    const f = Math.fround(v);
    if (f - f !== 0) throw bad("E_NONFINITE", `sample ${i}: x[${j}] must be finite (within float32 range), got ${v}`);
  }
  if (!labelled) return { x: x as number[] };
  if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label >= classes) {
    throw bad("E_LABEL", `sample ${i}: "label" must be an integer in [0, ${classes}), got ${JSON.stringify(label) ?? "nothing"}`);
  }
  return { x: x as number[], label };
}

/** Samples from a JSON or binary body, every one validated before any is used. Binary records are [label u8][inputs × u8] (no label byte for predict). */
async function readSamples(request: Request, inputs: number, classes: number, labelled: boolean): Promise<{ x: Float32Array | number[]; label?: number }[]> {
  if ((request.headers.get("content-type") ?? "").startsWith("application/json")) {
    const body: unknown = await request.json();
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad("E_REQUEST", 'the body must be {"x": [...], "label": n} or {"samples": [{x, label}, ...]}');
    const samples = (body as { samples?: unknown }).samples;
    if (samples === undefined) return [checkSample(body, 0, inputs, classes, labelled)];
    if (!Array.isArray(samples) || samples.length === 0 || samples.length > MAX_SAMPLES) throw bad("E_REQUEST", `"samples" must be an array of 1 to ${MAX_SAMPLES} samples`);
    if (!labelled && samples.length !== 1) throw bad("E_REQUEST", "predict takes one sample");
    return samples.map((s, i) => checkSample(s, i, inputs, classes, labelled));
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  const width = inputs + (labelled ? 1 : 0);
  if (bytes.length === 0 || bytes.length % width !== 0 || (!labelled && bytes.length !== width)) {
    throw bad("E_SHAPE", `a binary body holds ${labelled ? "records" : "one record"} of ${width} bytes (${labelled ? "a label byte, then " : ""}${inputs} pixel bytes), got ${bytes.length} bytes`);
  }
  const out = [];
  for (let at = 0; at < bytes.length; at += width) {
    if (labelled && bytes[at]! >= classes) throw bad("E_LABEL", `record ${at / width}: label ${bytes[at]} must be below ${classes}`);
    // pixel bytes → [0, 1]: learners read a Uint8Array unscaled
    out.push(labelled ? { label: bytes[at]!, x: pixels(bytes.subarray(at + 1, at + width)) } : { x: pixels(bytes.subarray(at, at + width)) });
  }
  if (out.length > MAX_SAMPLES) throw bad("E_REQUEST", `at most ${MAX_SAMPLES} samples per request`);
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
