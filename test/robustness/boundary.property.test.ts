// Issue #11 generalised (fast-check): hostile inputs, labels, options and snapshots
// against every learner kind. Whatever the call gets (proxies and getters that lie,
// throw or re-enter the library, lying lengths, sparse and huge arrays, shared
// memory, forged snapshots with a valid CRC), the property is the same:
//   - it succeeds consistently (as the same call with plain data would) or throws an
//     EngramError with a code, never a raw error;
//   - every other live learner's save() bytes are unchanged;
//   - the engine can still create and train a new learner;
//   - memory grows by no more than the call legitimately needed;
//   - no call runs longer than a bound.
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import type { Engram } from "../../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/snapshot.js";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { type AnyLearner, descriptor, engramError, FC, make, sameBytes, sample, train, validArgs } from "./learners.js";
import { describeKinds } from "./suite.js";

const engram = await loadEngram();
let cases = 0;
afterAll(() => console.log(`boundary properties: ${cases} cases over ${engram.kinds.length} kinds`));

/** No single call may take longer than this (a hang is a host killed for CPU). */
const CALL_MS = 1500;
/** Memory a failed or ordinary call may add (input slot, label buffer, allocator rounding). */
const SLACK = 1 << 20;

/** One live learner of every kind, trained: none may change while another is attacked. */
const witnesses = engram.kinds.map((kind, i) => {
  const l = make(engram, kind, { seed: 60 + i });
  train(l, kind, 3);
  return { l, bytes: l.save() };
});

/** The invariants after any call: witnesses unchanged, the engine builds and trains a learner. */
function intact(e: Engram, why: string): void {
  for (const { l, bytes } of witnesses) {
    const d = sameBytes(l.save(), bytes);
    if (d) throw new Error(`${why}: the ${l.kind} witness changed (${d})`);
  }
  const kind = e.kinds[cases % e.kinds.length]!;
  const fresh = make(e, kind, { seed: 5 });
  train(fresh, kind, 1);
  fresh.dispose();
}

/** Runs `fn` under the properties' clock: result or EngramError, never raw, never slow. */
function guarded<T>(fn: () => T, why: string): { value?: T; code?: string } {
  const t = performance.now();
  let value: T | undefined;
  const err = engramError(() => (value = fn()));
  const ms = performance.now() - t;
  if (ms > CALL_MS) throw new Error(`${why}: took ${ms.toFixed(0)} ms`);
  cases++;
  return err ? { code: err.code } : { value: value! };
}

/** What a re-entrant getter may do to the library while being read. */
type Hook =
  "none" | "disposeTarget" | "createDispose" | "createBig" | "learnTarget" | "saveWitness" | "restoreWitness" | "throw";
const HOOKS: Hook[] = [
  "none",
  "disposeTarget",
  "createDispose",
  "createBig",
  "learnTarget",
  "saveWitness",
  "restoreWitness",
  "throw",
];

/** How a vector is presented: honest wrappers must give the same result as plain data. */
type Wrap =
  | "array"
  | "f32"
  | "f64"
  | "sab"
  | "proxy"
  | "lyingOwnLength"
  | "twoFaced"
  | "liarLength"
  | "sparse"
  | "huge"
  | "hugeTyped"
  | "hooked";
const HONEST: Wrap[] = ["array", "f32", "f64", "sab", "proxy", "lyingOwnLength"];
const WRAPS: Wrap[] = [...HONEST, "twoFaced", "liarLength", "sparse", "huge", "hugeTyped", "hooked"];

interface Ctx {
  target: AnyLearner;
  kind: string;
  created: AnyLearner[];
  hook: Hook;
  hookAt: number;
  r: () => number;
}

function runHook(c: Ctx): void {
  switch (c.hook) {
    case "disposeTarget":
      return c.target.dispose();
    case "createDispose":
      return make(engram, c.kind, { seed: 9 }).dispose();
    case "createBig":
      c.created.push(engram.hebbian({ inputs: 256, outputs: 256 }) as AnyLearner); // grows memory mid-read
      return;
    case "learnTarget": {
      const d = descriptor(c.kind);
      const e = engramError(() =>
        d.step(c.target, sample(c.r, d.inputs(c.target.config as Record<string, unknown>)), 1),
      );
      if (e && e.code !== "E_DISPOSED") throw e;
      return;
    }
    case "saveWitness":
      witnesses[0]!.l.save();
      return;
    case "restoreWitness":
      c.created.push(engram.restore(witnesses[0]!.bytes) as AnyLearner);
      return;
    case "throw":
      throw new Error("a getter threw");
  }
}

/** `values` presented as `wrap`; `hooked` runs the context's hook when index hookAt is read. */
function present(values: Float32Array, wrap: Wrap, c: Ctx): unknown {
  const arr = Array.from(values);
  switch (wrap) {
    case "array":
      return arr;
    case "f32":
      return new Float32Array(values);
    case "f64":
      return new Float64Array(values);
    case "sab": {
      const s = new Float32Array(new SharedArrayBuffer(values.length * 4));
      s.set(values);
      return s;
    }
    case "proxy":
      return new Proxy(arr, {});
    case "lyingOwnLength": {
      const t = new Float32Array(values);
      Object.defineProperty(t, "length", { value: Math.floor(c.r() * 5) });
      return t;
    }
    case "twoFaced": {
      const seen = new Set<PropertyKey>();
      return new Proxy(arr, {
        get: (t, k) => (seen.has(k) ? (k === "length" ? 3 : NaN) : (seen.add(k), Reflect.get(t, k))),
      });
    }
    case "liarLength": {
      let n = 0;
      return new Proxy(arr, {
        get: (t, k) => (k === "length" ? [arr.length, 2 ** 32 - 1, 1, 0][n++ % 4] : Reflect.get(t, k)),
      });
    }
    case "sparse": {
      const s = arr.slice();
      delete s[Math.floor(c.r() * s.length)];
      return s;
    }
    case "huge":
      return new Proxy([] as number[], {
        get: (_, k) =>
          k === "length" ? [2 ** 32 - 1, 2 ** 31, 1e9, (values.length || 1) * 2 ** 20][Math.floor(c.r() * 4)] : 0.5,
      });
    case "hugeTyped":
      return new Float32Array(values.length * 65536 + 1);
    case "hooked":
      return new Proxy(arr, {
        get: (t, k) => {
          if (k === String(c.hookAt % Math.max(1, arr.length))) runHook(c);
          return Reflect.get(t, k);
        },
      });
  }
}

/** Labels presented with the same wrappers (typed: Int32Array). */
function presentLabels(labels: number[], wrap: Wrap, c: Ctx): unknown {
  switch (wrap) {
    case "f32":
    case "f64":
    case "sab":
    case "lyingOwnLength": {
      const t = new Int32Array(labels);
      if (wrap === "lyingOwnLength") Object.defineProperty(t, "length", { value: 1 });
      return t;
    }
    case "twoFaced": {
      const seen = new Set<PropertyKey>();
      return new Proxy(labels, {
        get: (t, k) => (seen.has(k) ? (k === "length" ? 1 : 4000) : (seen.add(k), Reflect.get(t, k))),
      });
    }
    case "hugeTyped":
      return new Int32Array(labels.length * 1000);
    default:
      return present(Float32Array.from(labels), wrap, c);
  }
}

describeKinds(engram.kinds, "boundary properties", (kind, d) => {
  it("hostile inputs and labels (proxies, getters re-entering the library, lying lengths, sparse, huge, shared) never escape", () => {
    fc.assert(
      fc.property(
        fc.nat(d.methods.length - 1),
        fc.constantFrom(...WRAPS),
        fc.constantFrom(...WRAPS),
        fc.constantFrom(...HOOKS),
        fc.nat(64),
        fc.nat(),
        (mi, wrap, labelWrap, hook, hookAt, seed) => {
          const spec = d.methods[mi]!;
          const r = rng(seed);
          const target = make(engram, kind, { seed: 3 });
          const twin = make(engram, kind, { seed: 3 });
          const c: Ctx = { target, kind, created: [], hook, hookAt, r };
          const args = validArgs(d, target.config as Record<string, unknown>, spec, r);
          const plain = args.slice();
          const hostile = args.map((a, i) => {
            if (a instanceof Float32Array) return present(a, wrap, c);
            if (Array.isArray(a) && spec.args[i] === "labels") return presentLabels(a as number[], labelWrap, c);
            return a;
          });
          const memory = engram.memoryBytes;
          const why = `${kind}.${spec.name}(${wrap}, labels ${labelWrap}, hook ${hook})`;
          const got = guarded(() => target[spec.name](...hostile), why);
          const grownByHooks =
            c.created.reduce((s, l) => s + (l.disposed ? 0 : l.save().length * 2), 0) +
            (hook === "createBig" ? 2 * 256 * 257 * 4 : 0);
          if (engram.memoryBytes - memory > SLACK + grownByHooks)
            throw new Error(`${why}: memory grew by ${engram.memoryBytes - memory}`);
          // honest presentations without a hook behave exactly as plain data
          const honest =
            HONEST.includes(wrap) && (HONEST.includes(labelWrap) || !spec.args.includes("labels")) && hook === "none";
          if (honest) {
            const want = guarded(() => twin[spec.name](...plain), `${why} twin`);
            expect(got.code, why).toBe(want.code);
            if (!got.code) expect(sameBytes(target.save(), twin.save()), why).toBeUndefined();
          } else if (got.code === undefined && hook === "none" && (wrap === "twoFaced" || labelWrap === "twoFaced")) {
            // read once: a two-faced proxy's first answers are what was learned
            const again = guarded(() => twin[spec.name](...plain), `${why} twin`);
            expect(again.code, why).toBeUndefined();
            expect(
              sameBytes(target.save(), twin.save()),
              `${why}: learned something other than the first read`,
            ).toBeUndefined();
          }
          for (const l of [target, twin, ...c.created]) l.dispose();
          intact(engram, why);
        },
      ),
      { ...FC, numRuns: 160 },
    );
  });

  it("hostile option objects (getters, proxies, inherited keys, null, holes, huge sizes, re-entrant getters) never escape", () => {
    const base = make(engram, kind).config as Record<string, unknown>;
    const keys = Object.keys(base);
    const weird = fc.oneof(
      fc.constantFrom<unknown>(
        null,
        undefined,
        NaN,
        -1,
        0,
        1.5,
        2 ** 31,
        2 ** 53,
        1e300,
        "",
        "8",
        true,
        {},
        [],
        [1, , 3],
        new Array(3),
        [2 ** 20 + 1, 2],
        [1e9, 1e9],
        Symbol.iterator,
      ),
      fc.integer({ min: -3, max: 1 << 16 }),
      fc.array(fc.integer({ min: -1, max: 1 << 21 }), { maxLength: 6 }),
    );
    const shape = fc.constantFrom(
      "plain",
      "getters",
      "proxy",
      "inherited",
      "twoFaced",
      "throwing",
      "reentrant",
      "nullProto",
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys, "typo", "__proto__"), weird, { maxKeys: 3 }),
        shape,
        fc.boolean(),
        (edits, how, keepBase) => {
          const raw: Record<string, unknown> = keepBase ? { ...(d.small as Record<string, unknown>) } : {};
          for (const [k, v] of Object.entries(edits))
            Object.defineProperty(raw, k, { value: v, enumerable: true, configurable: true, writable: true });
          let options: unknown = raw;
          let reads = 0;
          if (how === "getters") options = Object.fromEntries(Object.keys(raw).map((k) => [k, raw[k]]));
          if (how === "proxy") options = new Proxy(raw, {});
          if (how === "inherited") options = Object.create(raw);
          if (how === "nullProto") options = Object.assign(Object.create(null), raw);
          if (how === "twoFaced")
            options = new Proxy(raw, { get: (t, k) => (reads++ ? undefined : Reflect.get(t, k)) });
          if (how === "throwing")
            options = new Proxy(raw, {
              get: () => {
                throw new Error("getter");
              },
            });
          if (how === "reentrant")
            options = new Proxy(raw, { get: (t, k) => (make(engram, kind, { seed: 4 }).dispose(), Reflect.get(t, k)) });
          const memory = engram.memoryBytes;
          const why = `${kind} options ${how} ${JSON.stringify(edits, (_, v) => (typeof v === "symbol" ? String(v) : v))}`;
          const got = guarded(() => engram.create(kind, options), why);
          const l = got.value as AnyLearner | undefined;
          if (l) {
            const grown = engram.memoryBytes - memory;
            if (grown > SLACK + 4 * l.save().length)
              throw new Error(`${why}: memory grew by ${grown} for a ${l.save().length}-byte state`);
            guarded(() => train(l, kind, 1), `${why}: train`);
            l.dispose();
          } else {
            expect(["E_CONFIG", "E_MEMORY"], `${why}: ${got.code}`).toContain(got.code);
            if (how !== "reentrant" && engram.memoryBytes !== memory)
              throw new Error(`${why}: a refused config grew memory by ${engram.memoryBytes - memory}`);
          }
          intact(engram, why);
        },
      ),
      { ...FC, numRuns: 200 },
    );
  });

  it("forged snapshots with a valid CRC (inconsistent config, state or kind, zero PRNG, sizes far beyond the state) restore or throw E_SNAPSHOT", () => {
    const source = make(engram, kind, { seed: 8 });
    train(source, kind, 2);
    const good = decodeSnapshot(source.save());
    source.dispose();
    const scale = fc.constantFrom(0, 2, 1000, 2 ** 20);
    const forgery = fc.oneof(
      fc.record({ op: fc.constant("zeroRng") }),
      fc.record({ op: fc.constant("kind"), kind: fc.constantFrom(...engram.kinds, "constructor", "__proto__", "") }),
      fc.record({ op: fc.constant("truncate"), n: fc.nat(4096) }),
      fc.record({ op: fc.constant("extend"), n: fc.nat(4096) }),
      fc.record({ op: fc.constant("bytes"), at: fc.nat(1 << 16), v: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({
        op: fc.constant("config"),
        key: fc.constantFrom(...Object.keys(good.config), "sizes", "classes", "inputs", "outputs", "actions", "extra"),
        v: fc.oneof(scale, fc.constantFrom<unknown>(null, -1, 1.5, "x", [], [8192, 8192], [1, , 2], { a: 1 })),
      }),
      fc.record({
        op: fc.constant("grow"),
        key: fc.constantFrom("sizes", "inputs", "outputs", "classes", "actions"),
        by: scale,
      }),
    );
    fc.assert(
      fc.property(fc.array(forgery, { minLength: 1, maxLength: 3 }), (ops) => {
        const parts = { kind: good.kind, config: structuredClone(good.config), state: good.state.slice() };
        for (const f of ops) {
          if (f.op === "zeroRng") parts.state.fill(0, 0, 16);
          if (f.op === "kind") parts.kind = f.kind;
          if (f.op === "truncate") parts.state = parts.state.slice(0, Math.max(0, parts.state.length - f.n));
          if (f.op === "extend") parts.state = Uint8Array.from([...parts.state, ...new Uint8Array(f.n)]);
          if (f.op === "bytes" && parts.state.length) {
            const at = f.at % parts.state.length;
            parts.state.set(f.v.slice(0, parts.state.length - at), at);
          }
          if (f.op === "config") parts.config[f.key] = f.v;
          if (f.op === "grow") {
            const v = parts.config[f.key];
            if (Array.isArray(v)) parts.config[f.key] = v.map((s: number) => s * Math.max(1, f.by));
            else if (typeof v === "number") parts.config[f.key] = v * Math.max(1, f.by);
          }
        }
        const bytes = encodeSnapshot(parts);
        const memory = engram.memoryBytes;
        const why = `${kind} snapshot forged by ${JSON.stringify(ops, (_, v) => (v instanceof Uint8Array ? Array.from(v) : v))}`;
        const got = guarded(() => engram.restore(bytes), why);
        const grown = engram.memoryBytes - memory;
        if (grown > SLACK + 4 * parts.state.length)
          throw new Error(`${why}: memory grew by ${grown} for a ${parts.state.length}-byte state`);
        const l = got.value as AnyLearner | undefined;
        if (l) {
          guarded(() => train(l, l.kind, 2), `${why}: train the restored learner`);
          l.dispose();
        } else expect(["E_SNAPSHOT", "E_MEMORY"], `${why}: ${got.code}`).toContain(got.code);
        intact(engram, why);
      }),
      { ...FC, numRuns: 200 },
    );
  });
});

it("random bytes with a valid header and CRC never escape", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(), (body, seed) => {
      // a well-formed frame around random content: magic, version, length and CRC right
      const kinds = engram.kinds;
      const kind = kinds[seed % kinds.length]!;
      const state = body.slice(0, body.length >> 1);
      const config = new TextDecoder().decode(body.slice(body.length >> 1)).replace(/[^\x20-\x7e]/g, "");
      let bytes: Uint8Array;
      try {
        bytes = encodeSnapshot({ kind, config: JSON.parse(config), state });
      } catch {
        bytes = encodeSnapshot({ kind, config: { sizes: [body.length + 1, 2], inputs: body[0] ?? 1 }, state });
      }
      const memory = engram.memoryBytes;
      const got = guarded(() => engram.restore(bytes), `random ${kind} snapshot`);
      if (got.value) (got.value as AnyLearner).dispose();
      else expect(["E_SNAPSHOT", "E_MEMORY"]).toContain(got.code);
      expect(engram.memoryBytes - memory).toBeLessThanOrEqual(SLACK);
    }),
    { ...FC, numRuns: 300 },
  );
  intact(engram, "random snapshots");
});
