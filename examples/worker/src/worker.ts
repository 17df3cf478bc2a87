// Continual learning at the edge: a Cloudflare Worker with one Durable Object
// per learner id. Every object keeps one Engram learner in memory and learns
// from each POST. Persistence is write-ahead (docs in examples/worker/README.md):
// each /learn appends its validated samples to a log in the same atomic write
// that acknowledges them, and a checkpoint (the snapshot, chunked under the 2 MB
// value limit) is written every N samples or on an alarm, after which the log
// before it is dropped. Learning is deterministic, so restoring the checkpoint
// and replaying the log gives the learner's exact bits back.
//
//   PUT    /:id           {"kind": "forwardForward", "options": {...}}  create (optional: a default is made on first use)
//   POST   /:id/learn     JSON {"x": [...], "label": 3} or {"samples": [{x, label}, ...]}
//                         or binary (application/octet-stream): records of [label u8][inputs × u8 pixels]
//   POST   /:id/predict   JSON {"x": [...]} or binary: inputs × u8 pixels → {"label", "scores"}
//   GET    /:id/stats     kind, config, samples learned, checkpoint and log sizes
//   GET    /:id/snapshot  the save() bytes (application/octet-stream)
//   POST   /:id/checkpoint  write a checkpoint now (also done every N samples and on the alarm)
//   DELETE /:id           forget the learner and its storage
import { init, pixels, type Engram, type Learner } from "engram";

// NOTE: a Worker module may export only handlers and Durable Object classes, so
// the constants below stay private.

/**
 * The learner made on first use when no PUT came first: a 784 → 256 → 10 network
 * trained by direct feedback alignment on 28×28 images (≈ 90 % on MNIST after 20 000
 * digits). Its snapshot (~0.8 MB) is written at checkpoints only; each /learn writes
 * its samples' bytes.
 */
const DEFAULT_LEARNER = { kind: "feedbackAlignment", options: { inputs: 784, hidden: [256], classes: 10 } };
/** Snapshot chunk size: well under the 2 MB limit of one Durable Object storage value. */
const CHUNK_BYTES = 1 << 20;
/** Checkpoint after this many logged samples, unless the `CHECKPOINT_SAMPLES` variable says otherwise. */
const CHECKPOINT_SAMPLES = 1000;
/** Checkpoint this many seconds after the first sample logged since the last checkpoint (`CHECKPOINT_SECONDS`). */
const CHECKPOINT_SECONDS = 600;
/** Durable Object storage takes at most 128 keys per get, put or delete. */
const KEYS_PER_CALL = 128;

// The few Workers types used here (no dependency on @cloudflare/workers-types).
interface Storage {
  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  deleteAll(): Promise<void>;
  setAlarm(at: number): Promise<void>;
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
  COORDINATOR: Namespace;
  /** Seconds between a fleet's merge rounds (default 3600). */
  ROUND_SECONDS?: string;
  /** Logged samples after which a checkpoint is written (a decimal string; default 1000). */
  CHECKPOINT_SAMPLES?: string;
  /** Seconds after the first logged sample at which the alarm writes a checkpoint (default 600). */
  CHECKPOINT_SECONDS?: string;
}

/** What a learner of any kind offers here. */
type Trainable = Learner & {
  learn(x: Uint8Array | Float32Array, label: number): unknown;
  predict(x: unknown): number;
  scores?(x: unknown): Float32Array;
};

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

/**
 * A batch of validated samples, as learned and as logged: `labels[i]` and row i of `x`
 * (`x.length` = labels × inputs). Bytes are pixels, scaled by 1/255 with `pixels()` as they are fed (`asInput`);
 * floats are JSON numbers rounded to float32, which is what the learner reads from them.
 */
interface Batch {
  labels: Uint8Array | Uint32Array;
  x: Uint8Array | Float32Array;
}

/** Keys a checkpoint's snapshot and log entries are stored under. */
const chunkKey = (gen: number, i: number) => `ckpt:${gen}:${i}`;
const logKey = (seq: number) => `log:${seq}`;

/** What a checkpoint replaced: its chunks and log entries, deleted after the new one is written. */
interface Stale {
  gen: number;
  chunks: number;
  from: number;
  to: number;
}

/**
 * Stored under "meta", written in the same atomic put as every log entry and checkpoint.
 * The learner is checkpoint `gen` (generations only grow; with a `recipe`, a learner created
 * from its kind and options, which is deterministic; else `chunks` chunks of `bytes` bytes)
 * followed by the log entries `from` … `next − 1`, in order.
 */
interface Meta {
  gen: number;
  recipe: { kind: string; options: unknown } | null;
  chunks: number;
  bytes: number;
  /** Samples the checkpoint holds. */
  base: number;
  from: number;
  next: number;
  /** Samples learned: `base` + those in the log. */
  samples: number;
  /** Left by checkpoints whose deletes are not known to have finished (deleting again is harmless). */
  stale: Stale[];
  /** The fleet round whose merged model this object was last given (0: none; see CoordinatorObject). */
  round?: number;
  /** `samples` when that model was installed: the samples learned since are samples − roundAt. */
  roundAt?: number;
}

const EMPTY: Meta = { gen: 0, recipe: null, chunks: 0, bytes: 0, base: 0, from: 0, next: 0, samples: 0, stale: [] };

/** Headers of the fleet's round protocol (CoordinatorObject): the round of a pushed or pulled model, and samples since. */
const ROUND_HEADER = "x-fleet-round",
  SAMPLES_HEADER = "x-fleet-samples",
  /** A pulled snapshot's position in its member's stream (samples learned when it was taken); a push sends it back. */
  AT_HEADER = "x-fleet-at";

/** A round id from a header: a non-negative safe integer, undefined when absent; anything else is a bad request. */
function roundHeader(v: string | null): number | undefined {
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) throw bad("E_REQUEST", `${ROUND_HEADER} must be a round number`);
  return n;
}

/** The largest snapshot an object will read back (a Worker has 128 MB). */
const MAX_SNAPSHOT_BYTES = 64 << 20;
/** The most log entries an object will replay (a checkpoint comes long before). */
const MAX_LOG_ENTRIES = 1 << 20;
/** The most samples one /learn request may carry. */
const MAX_SAMPLES = 10_000;

/** An error answered with `status` and a stable code. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (code: string, message: string) => new HttpError(400, code, message);

/** Runs `fn` on `keys` in calls of at most 128 keys, one after another. */
async function inBatches(keys: string[], fn: (keys: string[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < keys.length; at += KEYS_PER_CALL) await fn(keys.slice(at, at + KEYS_PER_CALL));
}

/** A positive integer from an environment variable, or `fallback`. */
function setting(v: string | undefined, fallback: number): number {
  const n = v === undefined ? NaN : Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

export class LearnerObject {
  // Each object has its OWN engine: one WebAssembly memory per tenant, so no input,
  // option or snapshot of one tenant can reach another's learner.
  private engine: Promise<Engram> | undefined;
  private learner: Trainable | undefined;
  /** What storage holds; replaced only after a write that changes it has succeeded. */
  private meta: Meta = EMPTY;
  /** Why the stored learner could not be loaded (then only DELETE and PUT are served). */
  private damaged: string | undefined;
  private readonly checkpointSamples: number;
  private readonly checkpointMs: number;
  /** How long the last load took, and how many samples it replayed (reported by /stats). */
  private recovery = { ms: 0, replayed: 0 };

  constructor(
    private readonly state: DurableObjectState,
    env: Partial<Env> = {},
  ) {
    this.checkpointSamples = setting(env.CHECKPOINT_SAMPLES, CHECKPOINT_SAMPLES);
    this.checkpointMs = setting(env.CHECKPOINT_SECONDS, CHECKPOINT_SECONDS) * 1000;
    // never throws: damaged storage must not brick the object (DELETE must always work)
    state.blockConcurrencyWhile(() => this.reload());
  }

  private engram(): Promise<Engram> {
    return (this.engine ??= init());
  }

  /** Drops the learner in memory and loads what storage holds (a failure marks the object damaged). */
  private async reload(): Promise<void> {
    this.learner?.dispose();
    this.learner = undefined;
    this.meta = EMPTY;
    this.damaged = undefined;
    const t = Date.now();
    await this.load().catch((e: unknown) => {
      this.learner?.dispose();
      this.learner = undefined;
      this.damaged = e instanceof Error ? e.message : "the stored learner could not be read";
    });
    this.recovery.ms = Date.now() - t;
  }

  /** Restores the last checkpoint and replays the log after it; throws saying why it cannot. */
  private async load(): Promise<void> {
    const engram = await this.engram();
    const stored: unknown = await this.state.storage.get<Meta>("meta");
    if (stored === undefined) return;
    const m = checkMeta(stored);
    let learner: Trainable;
    if (m.recipe) {
      learner = engram.create(m.recipe.kind, m.recipe.options) as Trainable;
    } else {
      const keys = Array.from({ length: m.chunks }, (_, i) => chunkKey(m.gen, i));
      const parts = keys.length ? await this.state.storage.get<unknown>(keys) : new Map<string, unknown>();
      const bytes = new Uint8Array(m.bytes);
      let at = 0;
      for (const k of keys) {
        const chunk = asBytes(parts.get(k));
        if (!chunk) throw new Error(`stored snapshot chunk ${k} is missing`);
        if (chunk.length > bytes.length - at)
          throw new Error(`stored snapshot chunks hold more than the ${m.bytes} bytes recorded`);
        bytes.set(chunk, at);
        at += chunk.length;
      }
      if (at !== bytes.length) throw new Error(`stored snapshot chunks hold ${at} bytes, ${m.bytes} recorded`);
      // restore checks the CRC and the config against the state: a torn or forged write cannot load
      learner = engram.restore(bytes) as Trainable;
    }
    this.learner = learner;
    if (!isClassifier(learner)) throw new Error(`the stored ${learner.kind} does not classify`);
    // replay the log: the same samples in the same order give the same bits
    const samples = await this.replayLog(learner, m, m.base);
    if (samples !== m.samples) throw new Error(`the log holds ${samples} samples, the meta record says ${m.samples}`);
    this.recovery.replayed = samples - m.base;
    this.meta = m;
  }

  /**
   * Replays onto `learner` the logged samples learned after position `at` (a sample count this
   * object reported with a pulled snapshot); returns how many. `at` absent or current: none. A
   * position the log no longer reaches (a checkpoint since the pull) is E_STALE (409): the object
   * keeps its own model, the coordinator counts it stale, and its next round merges it whole.
   */
  private async replaySince(learner: Trainable, at: number | undefined): Promise<number> {
    const m = this.meta;
    if (at === undefined || at === m.samples) return 0;
    if (at > m.samples) throw bad("E_REQUEST", `${AT_HEADER} ${at} is past the ${m.samples} samples this object holds`);
    if (at < m.base)
      throw new HttpError(
        409,
        "E_STALE",
        `a checkpoint at sample ${m.base} came after the pull at ${at}: this object keeps its model and its samples`,
      );
    await this.replayLog(learner, m, at);
    return m.samples - at;
  }

  /**
   * Learns onto `learner` the samples `m`'s log holds after sample position `after` (m.base:
   * all of them), in their order; returns the samples the log holds in all (from m.base).
   */
  private async replayLog(learner: Trainable, m: Meta, after: number): Promise<number> {
    const inputs = inputsOf(learner),
      classes = classesOf(learner);
    let samples = m.base;
    for (let from = m.from; from < m.next; from += KEYS_PER_CALL) {
      const keys = Array.from({ length: Math.min(KEYS_PER_CALL, m.next - from) }, (_, i) => logKey(from + i));
      const got = await this.state.storage.get<unknown>(keys);
      for (const k of keys) {
        const entry = checkEntry(got.get(k), k, inputs, classes);
        if (samples >= after) learnAll(learner, entry, inputs);
        else if (samples + entry.labels.length > after)
          throw bad("E_REQUEST", `${AT_HEADER} ${after} falls inside a logged batch: it is not a pulled position`);
        samples += entry.labels.length;
      }
    }
    return samples;
  }

  /**
   * Writes a checkpoint: the snapshot's chunks and the meta record that points at them in
   * one atomic put (the old checkpoint and log stay valid until it lands), then deletes
   * what it replaced. A crash between the two leaves garbage that the next checkpoint
   * deletes, never a learner that cannot load.
   */
  private async checkpoint(recipe: Meta["recipe"] = null, round?: number, sinceRound = 0): Promise<void> {
    const old = this.meta;
    const snap = recipe ? new Uint8Array(0) : this.learner!.save();
    const gen = old.gen + 1;
    const chunks = Math.ceil(snap.length / CHUNK_BYTES);
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < chunks; i++) entries[chunkKey(gen, i)] = snap.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES); // slice: a view would store its whole buffer
    const replaced: Stale = { gen: old.gen, chunks: old.chunks, from: old.from, to: old.next };
    const stale = [...old.stale, replaced].filter((s) => s.chunks > 0 || s.to > s.from);
    const base = recipe ? 0 : old.samples;
    const meta: Meta = {
      gen,
      recipe,
      chunks,
      bytes: snap.length,
      base,
      from: old.next,
      next: old.next,
      samples: base,
      stale,
      // a new learner leaves the fleet's rounds; a pushed model (round) starts counting afresh
      round: recipe ? 0 : (round ?? old.round ?? 0),
      roundAt: recipe ? 0 : round !== undefined ? base - sinceRound : (old.roundAt ?? 0),
    };
    entries["meta"] = meta;
    await this.state.storage.put(entries);
    this.meta = meta;
    const keys = stale.flatMap((s) => [
      ...Array.from({ length: s.chunks }, (_, i) => chunkKey(s.gen, i)),
      ...Array.from({ length: s.to - s.from }, (_, i) => logKey(s.from + i)),
    ]);
    await inBatches(keys, (batch) => this.state.storage.delete(batch));
    // the meta record still lists them: the next write clears the list for free
    this.meta = { ...this.meta, stale: [] };
  }

  private async create(kind: unknown, options: unknown): Promise<Trainable> {
    const engram = await this.engram();
    if (typeof kind !== "string")
      throw bad("E_CONFIG", `"kind" must be a learner kind, one of ${engram.kinds.join(", ")}`);
    const learner = engram.create(kind, options) as Trainable;
    if (!isClassifier(learner)) {
      learner.dispose();
      throw bad(
        "E_CONFIG",
        `${kind} with these options does not classify labelled samples (a hebbian layer needs readout: { classes }); this Worker serves classifiers`,
      );
    }
    // creation is deterministic: the checkpoint is the recipe (kind + options), not 0.8 MB of snapshot
    const previous = this.learner;
    this.learner = learner;
    try {
      await this.checkpoint({ kind, options });
    } catch (e) {
      this.learner = previous;
      learner.dispose();
      throw e;
    }
    previous?.dispose();
    this.damaged = undefined;
    return learner;
  }

  async fetch(request: Request): Promise<Response> {
    try {
      return await this.route(request);
    } catch (e) {
      if (e instanceof HttpError) return Response.json({ error: e.code, message: e.message }, { status: e.status });
      const code = (e as { code?: unknown }).code;
      const message = e instanceof Error ? e.message : "the request failed";
      if (e instanceof SyntaxError)
        return Response.json(
          { error: "E_REQUEST", message: `the body is not valid JSON: ${message}` },
          { status: 400 },
        );
      // EngramErrors are the caller's bad input (400), but for a trap inside the module
      if (typeof code === "string" && code !== "E_INTERNAL")
        return Response.json({ error: code, message }, { status: code === "E_MEMORY" ? 413 : 400 });
      return Response.json({ error: typeof code === "string" ? code : "E_SERVER", message }, { status: 500 });
    }
  }

  /** The alarm: checkpoint what the log holds. */
  async alarm(): Promise<void> {
    if (this.learner && this.damaged === undefined && this.meta.next > this.meta.from) await this.checkpoint();
  }

  private async route(request: Request): Promise<Response> {
    const action = new URL(request.url).pathname.split("/")[2] ?? "";
    const method = request.method;
    if (method === "DELETE" && action === "") {
      this.learner?.dispose();
      this.learner = undefined;
      this.damaged = undefined;
      this.meta = EMPTY;
      await this.state.storage.deleteAll();
      return Response.json({ deleted: true });
    }
    if (method === "PUT" && action === "") {
      const body: unknown = await request.json();
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw bad("E_REQUEST", 'the body must be {"kind": ..., "options": {...}}');
      const { kind, options } = body as { kind?: unknown; options?: unknown };
      if (this.damaged !== undefined) await this.forget(); // nothing stored can be trusted: start over
      await this.create(kind, options);
      return this.stats();
    }
    if (this.damaged !== undefined) {
      throw new HttpError(
        409,
        "E_STORAGE",
        `this object's stored learner is unusable (${this.damaged}); DELETE /:id or PUT a new learner to reset it`,
      );
    }
    if (method === "GET" && action === "stats") return this.stats();
    const learner = this.learner ?? (await this.create(DEFAULT_LEARNER.kind, DEFAULT_LEARNER.options));
    if (method === "POST" && action === "learn") {
      const batch = await readSamples(request, inputsOf(learner), classesOf(learner), true);
      // every sample was validated above: all of the batch is learned and logged, or none of it
      const n = batch.labels.length;
      const meta: Meta = {
        ...this.meta,
        next: this.meta.next + 1,
        samples: this.meta.samples + n,
        stale: this.meta.stale,
      };
      let last: unknown;
      try {
        last = learnAll(learner, batch, inputsOf(learner));
        // the log entry and the counters in one atomic write: once it lands, the samples are acknowledged
        const first = this.meta.next === this.meta.from;
        await this.state.storage.put({ [logKey(this.meta.next)]: batch, meta });
        this.meta = meta;
        if (first) await this.state.storage.setAlarm(Date.now() + this.checkpointMs).catch(() => undefined);
      } catch (e) {
        if (this.meta !== meta) await this.reload(); // the learner is ahead of storage: go back to what storage holds
        throw e;
      }
      // acknowledged: a failed checkpoint loses nothing (the log still holds every sample)
      if (meta.samples - meta.base >= this.checkpointSamples) await this.checkpoint().catch(() => undefined);
      return Response.json({ learned: n, samples: this.meta.samples, last });
    }
    if (method === "POST" && action === "predict") {
      const batch = await readSamples(request, inputsOf(learner), classesOf(learner), false);
      const x = asInput(batch.x);
      const scores = learner.scores ? Array.from(learner.scores(x)) : undefined;
      return Response.json({ label: learner.predict(x), scores });
    }
    if (method === "POST" && action === "checkpoint") {
      await this.checkpoint();
      return this.stats();
    }
    if (method === "PUT" && action === "model") {
      // a fleet's coordinator pushes the merged model of a round: same kind and config, or refused;
      // a round this object already holds (a coordinator resuming an interrupted push) changes nothing
      const round = roundHeader(request.headers.get(ROUND_HEADER));
      if (round !== undefined && round <= (this.meta.round ?? 0)) return this.stats();
      const engram = await this.engram();
      const merged = engram.restore(new Uint8Array(await request.arrayBuffer())) as Trainable; // E_SNAPSHOT → 400
      if (merged.kind !== learner.kind || JSON.stringify(merged.config) !== JSON.stringify(learner.config)) {
        merged.dispose();
        throw bad(
          "E_CONFIG",
          `the pushed model is a ${merged.kind} of another config than this object's ${learner.kind}`,
        );
      }
      // Samples this object learned after the coordinator pulled its snapshot (at AT_HEADER) are
      // not in the merged model: replay them from the log on top of it, so that no acknowledged
      // sample is lost; they count as learned since this round, for the next one.
      let replayed = 0;
      try {
        replayed = await this.replaySince(merged, roundHeader(request.headers.get(AT_HEADER)));
      } catch (e) {
        merged.dispose();
        throw e;
      }
      this.learner = merged;
      try {
        await this.checkpoint(null, round, replayed); // the merged model is the new checkpoint; the log before it is dropped
      } catch (e) {
        learner.dispose();
        await this.reload(); // storage still holds the old model (or the new one, if only the deletes failed)
        throw e;
      }
      learner.dispose();
      return this.stats();
    }
    if (method === "GET" && action === "snapshot")
      return new Response(learner.save() as Uint8Array<ArrayBuffer>, {
        headers: {
          "content-type": "application/octet-stream",
          // the fleet round of the model this one grew from, and the samples learned since
          [ROUND_HEADER]: String(this.meta.round ?? 0),
          [SAMPLES_HEADER]: String(this.meta.samples - (this.meta.roundAt ?? 0)),
          [AT_HEADER]: String(this.meta.samples),
        },
      });
    return Response.json({ error: "E_ROUTE", message: `no route ${method} /:id/${action}` }, { status: 404 });
  }

  /** Deletes everything stored and held. */
  private async forget(): Promise<void> {
    this.learner?.dispose();
    this.learner = undefined;
    this.meta = EMPTY;
    await this.state.storage.deleteAll();
    this.damaged = undefined;
  }

  private stats(): Response {
    const l = this.learner,
      m = this.meta;
    return Response.json({
      kind: l?.kind ?? null,
      config: l?.config ?? null,
      samples: m.samples,
      checkpoint: { generation: m.gen, samples: m.base, bytes: m.bytes, chunks: m.chunks },
      log: { entries: m.next - m.from, samples: m.samples - m.base },
      round: { id: m.round ?? 0, samplesSince: m.samples - (m.roundAt ?? 0) },
      recovery: this.recovery,
    });
  }
}

/** What a learner is fed for a row of a batch: pixel bytes → [0, 1] (learners read a Uint8Array unscaled), floats as they are. */
function asInput(x: Uint8Array | Float32Array): Float32Array {
  return x instanceof Uint8Array ? pixels(x) : x;
}

/** Learns every sample of a batch in order; returns the last step's result. */
function learnAll(learner: Trainable, batch: Batch, inputs: number): unknown {
  let last: unknown;
  for (let i = 0; i < batch.labels.length; i++)
    last = learner.learn(asInput(batch.x.subarray(i * inputs, (i + 1) * inputs)), batch.labels[i]!);
  return last;
}

/** A stored value as bytes, or undefined. */
function asBytes(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : undefined;
}

/** The stored meta record, checked field by field (storage may be damaged); throws saying what is wrong. */
function checkMeta(stored: unknown): Meta {
  const m = stored as Partial<Meta> | null;
  const count = (v: unknown, max = Number.MAX_SAFE_INTEGER) =>
    typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
  const damaged = () => new Error(`the stored meta record is damaged: ${JSON.stringify(stored)?.slice(0, 200)}`);
  if (typeof m !== "object" || m === null) throw damaged();
  if (
    !count(m.gen) ||
    !count(m.chunks, Math.ceil(MAX_SNAPSHOT_BYTES / CHUNK_BYTES)) ||
    !count(m.bytes, MAX_SNAPSHOT_BYTES)
  )
    throw damaged();
  if (
    !count(m.base) ||
    !count(m.from) ||
    !count(m.next) ||
    !count(m.samples) ||
    m.next! < m.from! ||
    m.samples! < m.base!
  )
    throw damaged();
  if (m.next! - m.from! > MAX_LOG_ENTRIES || !Array.isArray(m.stale) || m.stale.length > 64) throw damaged();
  if (
    (m.round !== undefined && !count(m.round)) ||
    (m.roundAt !== undefined && !(count(m.roundAt) && m.roundAt <= m.samples!))
  )
    throw damaged();
  for (const s of m.stale as unknown[]) {
    const r = s as Partial<Stale> | null;
    if (
      typeof r !== "object" ||
      r === null ||
      !count(r.gen) ||
      !count(r.chunks, 64) ||
      !count(r.from) ||
      !count(r.to) ||
      r.to! < r.from! ||
      r.to! - r.from! > MAX_LOG_ENTRIES
    )
      throw damaged();
  }
  const r = m.recipe as { kind?: unknown } | null | undefined;
  if (r !== null) {
    if (typeof r !== "object" || typeof r.kind !== "string" || m.chunks !== 0 || m.base !== 0) throw damaged();
  } else if (m.chunks !== Math.ceil(m.bytes! / CHUNK_BYTES)) {
    throw new Error(`the stored meta record is inconsistent: ${m.bytes} bytes in ${m.chunks} chunks`);
  }
  return m as Meta;
}

/** A stored log entry, checked as a request would be (storage may be damaged). */
function checkEntry(v: unknown, key: string, inputs: number, classes: number): Batch {
  const e = v as Partial<Batch> | null | undefined;
  if (typeof e !== "object" || e === null) throw new Error(`log entry ${key} is missing`);
  const { labels, x } = e;
  if (
    !(labels instanceof Uint8Array || labels instanceof Uint32Array) ||
    !(x instanceof Uint8Array || x instanceof Float32Array)
  )
    throw new Error(`log entry ${key} is damaged`);
  if (labels.length === 0 || x.length !== labels.length * inputs)
    throw new Error(`log entry ${key} holds ${x.length} values for ${labels.length} samples of ${inputs}`);
  for (const l of labels) if (l >= classes) throw new Error(`log entry ${key} holds label ${l} (classes: ${classes})`);
  return { labels, x };
}

/** A learner this Worker can serve: it learns from labelled samples and predicts one of ≥ 2 classes. */
function isClassifier(learner: Learner): boolean {
  const l = learner as Partial<Trainable>;
  return typeof l.learn === "function" && typeof l.predict === "function" && classesOf(learner) >= 2;
}

/** One JSON sample, checked and written at row `i` of `batch`: `inputs` finite numbers (float32 range) and, when labelled, an integer label in [0, classes). */
function checkSample(raw: unknown, i: number, inputs: number, classes: number, labelled: boolean, batch: Batch): void {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw bad("E_REQUEST", `sample ${i} must be {"x": [${inputs} numbers]${labelled ? ', "label": <class>' : ""}}`);
  const { x, label } = raw as { x?: unknown; label?: unknown };
  if (!Array.isArray(x)) throw bad("E_TYPE", `sample ${i}: "x" must be an array of ${inputs} numbers`);
  if (x.length !== inputs) throw bad("E_SHAPE", `sample ${i}: "x" must have length ${inputs}, got ${x.length}`);
  for (let j = 0; j < inputs; j++) {
    const v: unknown = x[j];
    if (typeof v !== "number") throw bad("E_TYPE", `sample ${i}: x[${j}] must be a number`);
    const f = Math.fround(v);
    if (f - f !== 0) throw bad("E_NONFINITE", `sample ${i}: x[${j}] must be finite (within float32 range), got ${v}`);
    batch.x[i * inputs + j] = f;
  }
  if (!labelled) return;
  if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label >= classes) {
    throw bad(
      "E_LABEL",
      `sample ${i}: "label" must be an integer in [0, ${classes}), got ${JSON.stringify(label) ?? "nothing"}`,
    );
  }
  batch.labels[i] = label;
}

/**
 * Samples from a JSON or binary body, every one validated before any is used, as one
 * batch. Binary records are [label u8][inputs × u8] (no label byte for predict).
 */
async function readSamples(request: Request, inputs: number, classes: number, labelled: boolean): Promise<Batch> {
  if ((request.headers.get("content-type") ?? "").startsWith("application/json")) {
    const body: unknown = await request.json();
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw bad("E_REQUEST", 'the body must be {"x": [...], "label": n} or {"samples": [{x, label}, ...]}');
    const listed = (body as { samples?: unknown }).samples;
    const samples = listed === undefined ? [body] : listed;
    if (!Array.isArray(samples) || samples.length === 0 || samples.length > MAX_SAMPLES)
      throw bad("E_REQUEST", `"samples" must be an array of 1 to ${MAX_SAMPLES} samples`);
    if (!labelled && samples.length !== 1) throw bad("E_REQUEST", "predict takes one sample");
    const batch: Batch = { labels: new Uint32Array(samples.length), x: new Float32Array(samples.length * inputs) };
    samples.forEach((s: unknown, i) => checkSample(s, i, inputs, classes, labelled, batch));
    return batch;
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  const width = inputs + (labelled ? 1 : 0);
  if (bytes.length === 0 || bytes.length % width !== 0 || (!labelled && bytes.length !== width)) {
    throw bad(
      "E_SHAPE",
      `a binary body holds ${labelled ? "records" : "one record"} of ${width} bytes (${labelled ? "a label byte, then " : ""}${inputs} pixel bytes), got ${bytes.length} bytes`,
    );
  }
  const n = bytes.length / width;
  if (n > MAX_SAMPLES) throw bad("E_REQUEST", `at most ${MAX_SAMPLES} samples per request`);
  if (!labelled) return { labels: new Uint8Array(1), x: bytes };
  const batch: Batch = { labels: new Uint8Array(n), x: new Uint8Array(n * inputs) };
  for (let i = 0; i < n; i++) {
    const label = bytes[i * width]!;
    if (label >= classes) throw bad("E_LABEL", `record ${i}: label ${label} must be below ${classes}`);
    batch.labels[i] = label;
    batch.x.set(bytes.subarray(i * width + 1, (i + 1) * width), i * inputs);
  }
  return batch;
}

/** A fleet's config: its members (learner ids) and how often to merge. */
interface Fleet {
  members: string[];
}

/** One round's outcome. */
interface Round {
  /** The round's id: 1, 2, … (the model it pushes carries it). */
  id: number;
  at: number;
  merged: string[];
  /** Weight of each merged member: samples learned since its model's round, ÷ (1 + rounds it is behind). */
  weights: number[];
  /** Members merged from a model older than the last round's, and by how many rounds. */
  stale: { id: string; behind: number }[];
  refused: { id: string; reason: string }[];
  pushed: string[];
  samples: number;
  /** The round resumed an interrupted push of round `resumed` first. */
  resumed?: number;
}

/** A round whose model is stored but not yet pushed to every member (the coordinator may stop mid-push). */
interface Pending {
  id: number;
  chunks: number;
  bytes: number;
  /** Members still to be given the model. */
  members: string[];
  /** Each member's position when its snapshot was pulled (AT_HEADER), sent back with the push. */
  at?: Record<string, number>;
}

/** The most members one fleet may have (each round holds every member's model in one 128 MB object). */
const MAX_MEMBERS = 64;

/**
 * A fleet's coordinator: on its alarm (every `ROUND_SECONDS`) or on `POST /fleet/:name/round`,
 * one round (the protocol: examples/worker/README.md, docs/scale.md):
 *
 * 1. an interrupted push of an earlier round is finished first (its model is in storage);
 * 2. round r pulls every member's snapshot with the round of the model it grew from (b) and
 *    the samples learned since (n). A member that does not answer 200, answers a snapshot that
 *    does not restore, one of another kind or config, or a round the coordinator has not made
 *    (b ≥ r) is refused with the reason and the round goes on. A stale member (b < r − 1: it
 *    missed a push) is merged with its weight divided by 1 + (r − 1 − b);
 * 3. averaged kinds merge by `engram.merge` with weights n / (1 + behind) (FedAvg's n_k, counted
 *    per round, not the cumulative counts the members carry); no new sample: no new model;
 * 4. the merged model and the list of members to give it are written in one atomic put
 *    (chunked under the 2 MB value limit) before any push, then pushed with the round id;
 *    members ignore a round they already hold, so a resumed push is idempotent.
 *
 * A continual fleet's merge is exact: its statistics add, so pushing it back and merging again
 * would count samples twice; the coordinator keeps it (`GET /fleet/:name/snapshot`) instead.
 */
export class CoordinatorObject {
  private engine: Promise<Engram> | undefined;

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: Env,
  ) {}

  private engram(): Promise<Engram> {
    return (this.engine ??= init());
  }

  async fetch(request: Request): Promise<Response> {
    try {
      const action = new URL(request.url).pathname.split("/")[3] ?? "";
      if (request.method === "PUT" && action === "") {
        const body = (await request.json()) as { members?: unknown } | null;
        const members = body?.members;
        if (
          !Array.isArray(members) ||
          members.length === 0 ||
          members.length > MAX_MEMBERS ||
          !members.every((m) => typeof m === "string" && m.length > 0 && !m.includes("/"))
        ) {
          throw bad("E_REQUEST", `the body must be {"members": [1 to ${MAX_MEMBERS} learner ids]}`);
        }
        await this.state.storage.put({ fleet: { members } satisfies Fleet });
        await this.state.storage.setAlarm(Date.now() + setting(this.env.ROUND_SECONDS, 3600) * 1000);
        return Response.json({ members });
      }
      if (request.method === "POST" && action === "round") return Response.json(await this.round());
      if (request.method === "GET" && action === "stats")
        return Response.json({
          fleet: (await this.state.storage.get<Fleet>("fleet")) ?? null,
          last: (await this.state.storage.get<Round>("round")) ?? null,
          pending: (await this.state.storage.get<Pending>("pending"))?.members ?? [],
        });
      if (request.method === "GET" && action === "snapshot") {
        const model = await this.model();
        if (model)
          return new Response(model.bytes as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": "application/octet-stream", [ROUND_HEADER]: String(model.id) },
          });
      }
      return Response.json(
        { error: "E_ROUTE", message: `no route ${request.method} /fleet/:name/${action}` },
        { status: 404 },
      );
    } catch (e) {
      if (e instanceof HttpError) return Response.json({ error: e.code, message: e.message }, { status: e.status });
      return Response.json(
        { error: "E_SERVER", message: e instanceof Error ? e.message : "the request failed" },
        { status: e instanceof SyntaxError ? 400 : 500 },
      );
    }
  }

  /** The alarm: one round, then the next alarm. */
  async alarm(): Promise<void> {
    try {
      await this.round();
    } finally {
      await this.state.storage.setAlarm(Date.now() + setting(this.env.ROUND_SECONDS, 3600) * 1000);
    }
  }

  /** The last merged model (stored in chunks under `model:<round>:<i>`), or undefined. */
  private async model(): Promise<{ id: number; bytes: Uint8Array } | undefined> {
    const m = await this.state.storage.get<Pending>("model");
    if (!m) return undefined;
    const keys = Array.from({ length: m.chunks }, (_, i) => `model:${m.id}:${i}`);
    const got = await this.state.storage.get<unknown>(keys);
    const bytes = new Uint8Array(m.bytes);
    let at = 0;
    for (const k of keys) {
      const c = asBytes(got.get(k));
      if (!c || c.length > bytes.length - at) throw new Error(`the stored model chunk ${k} is damaged`);
      bytes.set(c, at);
      at += c.length;
    }
    if (at !== m.bytes) throw new Error("the stored model is incomplete");
    return { id: m.id, bytes };
  }

  /** Pushes round `id`'s model to `ids`; returns those that took it (200). */
  private async push(id: number, bytes: Uint8Array, ids: string[], at: Record<string, number> = {}): Promise<string[]> {
    const member = (m: string) => this.env.LEARNER.get(this.env.LEARNER.idFromName(m));
    const done: string[] = [];
    await Promise.all(
      ids.map(async (m) => {
        const res = await member(m)
          .fetch(
            new Request(`http://fleet/${m}/model`, {
              method: "PUT",
              body: bytes as Uint8Array<ArrayBuffer>,
              headers: {
                "content-type": "application/octet-stream",
                [ROUND_HEADER]: String(id),
                ...(at[m] !== undefined ? { [AT_HEADER]: String(at[m]) } : {}),
              },
            }),
          )
          .catch(() => undefined);
        if (res?.status === 200) done.push(m);
      }),
    );
    // members that did not take it now are stale: the next round merges them down-weighted
    await this.state.storage.delete(["pending"]);
    return done;
  }

  /** Finish an interrupted push, then pull, check, merge, store, push. A member that fails any step is refused; the others go on. */
  private async round(): Promise<Round> {
    const fleet = await this.state.storage.get<Fleet>("fleet");
    if (!fleet) throw new HttpError(404, "E_FLEET", "no fleet here: PUT /fleet/:name {members} first");
    const engram = await this.engram();
    const member = (id: string) => this.env.LEARNER.get(this.env.LEARNER.idFromName(id));
    const last = (await this.state.storage.get<Round>("round"))?.id ?? 0;
    const pending = await this.state.storage.get<Pending>("pending");
    let resumed: number | undefined;
    if (pending) {
      const model = await this.model();
      if (model && model.id === pending.id) await this.push(pending.id, model.bytes, pending.members, pending.at);
      resumed = pending.id;
    }
    const done = Math.max(last, resumed ?? 0);
    const id = done + 1;
    const report: Round = {
      id,
      at: Date.now(),
      merged: [],
      weights: [],
      stale: [],
      refused: [],
      pushed: [],
      samples: 0,
    };
    if (resumed !== undefined) report.resumed = resumed;
    const learners: Learner[] = [];
    const positions: Record<string, number> = {}; // where each merged member's stream stood when pulled
    try {
      const pulled = await Promise.all(
        fleet.members.map(async (m) => {
          try {
            const res = await member(m).fetch(new Request(`http://fleet/${m}/snapshot`));
            if (res.status !== 200) return { id: m, reason: `answered ${res.status}` };
            const round = Number(res.headers.get(ROUND_HEADER) ?? "0"),
              since = Number(res.headers.get(SAMPLES_HEADER) ?? "0"),
              at = res.headers.get(AT_HEADER) === null ? undefined : Number(res.headers.get(AT_HEADER));
            if (!Number.isSafeInteger(round) || round < 0 || !Number.isSafeInteger(since) || since < 0)
              return { id: m, reason: "its round headers are not counts" };
            if (round > done)
              return { id: m, reason: `its model is from round ${round}, which this coordinator has not made` };
            if (at !== undefined && (!Number.isSafeInteger(at) || at < 0))
              return { id: m, reason: "its stream position is not a count" };
            return { id: m, bytes: new Uint8Array(await res.arrayBuffer()), round, since, at };
          } catch (e) {
            return { id: m, reason: `unreachable: ${e instanceof Error ? e.message : "no answer"}` };
          }
        }),
      );
      for (const p of pulled) {
        if (!("bytes" in p)) {
          report.refused.push({ id: p.id, reason: p.reason });
          continue;
        }
        let l: Learner;
        try {
          l = engram.restore(p.bytes!); // CRC, format and config checked: a corrupt snapshot stops here
        } catch (e) {
          report.refused.push({
            id: p.id,
            reason: `its snapshot does not restore: ${e instanceof Error ? e.message : e}`,
          });
          continue;
        }
        const first = learners[0];
        if (first && (l.kind !== first.kind || JSON.stringify(l.config) !== JSON.stringify(first.config))) {
          l.dispose();
          report.refused.push({ id: p.id, reason: `a ${l.kind} of another config than ${report.merged[0]}'s` });
          continue;
        }
        const behind = done - p.round!;
        if (behind > 0 && done > 0) report.stale.push({ id: p.id, behind });
        learners.push(l);
        report.merged.push(p.id);
        if (p.at !== undefined) positions[p.id] = p.at;
        report.weights.push(p.since! / (1 + (done > 0 ? behind : 0)));
        report.samples += p.since!;
      }
      const exact = learners[0]?.kind === "continual";
      if (learners.length > 0 && (exact || report.weights.some((w) => w > 0))) {
        const merged = exact ? engram.merge(learners) : engram.merge(learners, { weights: report.weights });
        const bytes = merged.save();
        if (exact) report.samples = (merged as { samples?: number }).samples ?? 0;
        merged.dispose();
        // the model and whom to give it, in one atomic write, before any push: a coordinator
        // stopped mid-push resumes from here in its next round, and nothing merged is lost
        const chunks = Math.ceil(bytes.length / CHUNK_BYTES);
        const entries: Record<string, unknown> = {};
        for (let i = 0; i < chunks; i++)
          entries[`model:${id}:${i}`] = bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
        const old = await this.state.storage.get<Pending>("model");
        entries["model"] = { id, chunks, bytes: bytes.length, members: [] } satisfies Pending;
        entries["round"] = report;
        if (!exact)
          entries["pending"] = {
            id,
            chunks,
            bytes: bytes.length,
            members: report.merged,
            at: positions,
          } satisfies Pending;
        await this.state.storage.put(entries);
        if (old)
          await inBatches(
            Array.from({ length: old.chunks }, (_, i) => `model:${old.id}:${i}`),
            (keys) => this.state.storage.delete(keys),
          );
        if (!exact) report.pushed = await this.push(id, bytes, report.merged, positions);
      } else {
        report.id = done; // nothing new to merge: no round is made (an interrupted push was finished above)
        return report;
      }
    } finally {
      for (const l of learners) l.dispose();
    }
    await this.state.storage.put({ round: report });
    return report;
  }
}

export default {
  /** Routes /:id/... to the Durable Object named id, and /fleet/:name/... to that fleet's coordinator. */
  async fetch(request: Request, env: Env): Promise<Response> {
    const [, id, name] = new URL(request.url).pathname.split("/");
    if (!id)
      return Response.json({
        routes: [
          "PUT /:id",
          "POST /:id/learn",
          "POST /:id/predict",
          "GET /:id/stats",
          "GET /:id/snapshot",
          "POST /:id/checkpoint",
          "PUT /:id/model",
          "DELETE /:id",
          "PUT /fleet/:name",
          "POST /fleet/:name/round",
          "GET /fleet/:name/stats",
          "GET /fleet/:name/snapshot",
        ],
      });
    if (id === "fleet") {
      if (!name)
        return Response.json({ error: "E_ROUTE", message: "a fleet needs a name: /fleet/:name" }, { status: 404 });
      return env.COORDINATOR.get(env.COORDINATOR.idFromName(name)).fetch(request);
    }
    return env.LEARNER.get(env.LEARNER.idFromName(id)).fetch(request);
  },
};
