// Issue #11, findings 1–7, 10 and 11 (library side), each as it was reproduced on
// main: a hostile input, option, snapshot or callback must either work or throw an
// EngramError with a code, and never touch another learner, brick the engine, grow
// memory for nothing or hang. The Worker findings (8, 9, 11) are in
// test/hosts/worker-example.test.ts; the generalised properties in boundary.property.test.ts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { moduleOption, readInitOptions } from "../../src/engine.js";
import { createEngram, type Engram } from "../../src/index.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/snapshot.js";
import { loadEngram } from "../helpers/engram.js";
import { rng } from "../helpers/rng.js";
import { type AnyLearner, engramError, make, sameBytes, sample, train } from "./learners.js";

let engram: Engram;
/** One trained learner of every kind: none of them may change while another is attacked. */
let witnesses: { l: AnyLearner; bytes: Uint8Array }[];

beforeEach(async () => {
  engram = await loadEngram();
  witnesses = engram.kinds.map((kind, i) => {
    const l = make(engram, kind, { seed: 40 + i });
    train(l, kind, 3);
    return { l, bytes: l.save() };
  });
});

/** Every witness is unchanged, and the engine still builds and trains a new learner. */
function engineIntact(): void {
  for (const { l, bytes } of witnesses) expect(sameBytes(l.save(), bytes), `${l.kind} witness changed`).toBeUndefined();
  for (const kind of engram.kinds) {
    const l = make(engram, kind, { seed: 3 });
    train(l, kind, 2);
    l.dispose();
  }
}
afterEach(() => engineIntact());

/** `fn` throws EngramError `code` (one of `codes`); a raw error fails the test. */
function throwsCode(fn: () => unknown, ...codes: string[]): Error & { code: string } {
  const err = engramError(fn);
  if (!err) throw new Error(`expected ${codes.join(" or ")}, nothing was thrown`);
  expect(codes).toContain(err.code);
  return err;
}

/** A copy of snapshot `bytes` with its parts edited, CRC recomputed (a forgery that passes the checksum). */
function forge(
  bytes: Uint8Array,
  edit: (p: { kind: string; config: Record<string, unknown>; state: Uint8Array }) => void,
): Uint8Array {
  const p = decodeSnapshot(bytes);
  const parts = { kind: p.kind, config: structuredClone(p.config), state: p.state.slice() };
  edit(parts);
  return encodeSnapshot(parts);
}

describe("finding 1: size arithmetic never wraps", () => {
  const dfa = { inputs: 784, hidden: Array(128).fill(128), classes: 65536, mode: "dfa" };

  it("a DFA config whose feedback matrices need > 4 GiB is E_MEMORY before anything is allocated", () => {
    const h = engram.hebbian({ inputs: 4096, outputs: 4096 });
    h.dispose();
    const memory = engram.memoryBytes;
    throwsCode(() => engram.feedbackAlignment(dfa as never), "E_MEMORY");
    expect(engram.memoryBytes).toBe(memory);
  });

  it("the same config in a 688-byte snapshot is refused by restore before allocating", () => {
    const memory = engram.memoryBytes;
    const snap = encodeSnapshot({
      kind: "feedbackAlignment",
      config: { ...dfa, activation: "tanh", learningRate: 0.01, learningRateDecay: 0, seed: 1, dropout: 0 },
      state: new Uint8Array(0),
    });
    throwsCode(() => engram.restore(snap), "E_SNAPSHOT", "E_MEMORY");
    expect(engram.memoryBytes).toBe(memory);
  });

  it("20.7 M layers of width 1 are refused from the length alone", () => {
    const t = performance.now();
    const sizes = new Proxy([], { get: (_, k) => (k === "length" ? 20_700_000 : 1) });
    throwsCode(() => engram.perturbation({ sizes } as never), "E_CONFIG");
    expect(performance.now() - t).toBeLessThan(100);
  });

  it("the wasm side refuses a block its host sized differently (no 32-bit size reaches the allocator unchecked)", () => {
    const e = engram.wasm.exports;
    const memory = engram.memoryBytes;
    e.learnerExpect(4096, 0, 1 << 30);
    throwsCode(() => engram.wasm.call(() => e.learnerNew(1, 0, 16, 0)), "E_INTERNAL");
    e.learnerExpect(0, -1, 4096);
    throwsCode(() => engram.wasm.call(() => e.learnerNew(1, 0, 8192, 0)), "E_INTERNAL");
    expect(engram.memoryBytes).toBe(memory);
  });
});

describe("finding 2: holes in sizes", () => {
  for (const [why, sizes] of [
    ["a trailing hole", [4, 8, ,]],
    ["new Array(2)", new Array(2)],
    ["an inner hole", [4, , 8]],
  ] as const) {
    it(`${why} is E_CONFIG`, () => {
      throwsCode(() => engram.feedbackAlignment({ sizes } as never), "E_CONFIG");
      throwsCode(() => engram.perturbation({ sizes } as never), "E_CONFIG");
      throwsCode(() => engram.forwardForward({ sizes, classes: 3 } as never), "E_CONFIG");
    });
  }

  it("a null inside a snapshot's sizes is E_SNAPSHOT", () => {
    const snap = forge(make(engram, "feedbackAlignment").save(), (p) => ((p.config["hidden"] as unknown[])[0] = null));
    throwsCode(() => engram.restore(snap), "E_SNAPSHOT");
  });
});

describe("finding 3: a lying length", () => {
  it("a Float32Array(4096) whose length says 4 is E_SHAPE, and nothing is written", () => {
    const l = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
    const before = l.save();
    const x = new Float32Array(4096).fill(1e6);
    Object.defineProperty(x, "length", { value: 4 });
    throwsCode(() => l.learn(x, 0), "E_SHAPE");
    throwsCode(() => l.predict(x), "E_SHAPE");
    throwsCode(() => l.learnBatch(x, [0]), "E_SHAPE");
    expect(sameBytes(l.save(), before)).toBeUndefined();
  });
});

describe("finding 4: read once, checked on the copy", () => {
  /** A proxy over `target` that counts reads per key and answers `late` from the second read of an index on. */
  function twoFaced<T extends object>(target: T, late: unknown) {
    const reads = new Map<PropertyKey, number>();
    const p = new Proxy(target, {
      get(t, k) {
        reads.set(k, (reads.get(k) ?? 0) + 1);
        const v = Reflect.get(t, k);
        return typeof k === "string" && /^\d+$/.test(k) && reads.get(k)! > 1 ? late : v;
      },
    });
    return { p, reads };
  }

  it("a Float32Array proxy finite when checked and NaN when copied cannot poison rewardModulated", () => {
    const l = engram.rewardModulated({ inputs: 4, actions: 3 });
    const { p, reads } = twoFaced(new Float32Array([0.1, 0.2, 0.3, 0.4]), NaN);
    for (let i = 0; i < 5; i++) {
      const err = engramError(() => l.act(p as never));
      if (err) expect(err.code).toBe("E_NONFINITE");
      l.reward(1);
    }
    expect([...l.scores([0.1, 0.2, 0.3, 0.4])].every(Number.isFinite)).toBe(true);
    // each index read at most once per call
    for (const [k, n] of reads) if (typeof k === "string" && /^\d+$/.test(k)) expect(n).toBeLessThanOrEqual(5);
  });

  it("an object pretending to be a Uint8Array is checked too (NaN is E_NONFINITE, 300 is not a byte)", () => {
    const l = engram.feedbackAlignment({ inputs: 2, hidden: [4], classes: 2 });
    const fake = (v: number) => new Proxy(new Uint8Array(2), { get: (t, k) => (k === "0" ? v : Reflect.get(t, k)) });
    throwsCode(() => l.learn(fake(NaN) as never, 0), "E_NONFINITE");
    throwsCode(() => l.learn(fake(300) as never, 0), "E_TYPE");
  });

  it("a label array answering 1, then 4000, is read once: label 1 is learned, 4000 never reaches wasm", () => {
    const l = engram.feedbackAlignment({ inputs: 2, hidden: [4], classes: 3 });
    const twin = engram.feedbackAlignment({ inputs: 2, hidden: [4], classes: 3 });
    const { p, reads } = twoFaced([1], 4000);
    l.learnBatch([0.5, -0.5], p as never);
    twin.learnBatch([0.5, -0.5], [1]);
    expect(reads.get("0")).toBe(1);
    expect(sameBytes(l.save(), twin.save())).toBeUndefined();
  });

  it("a sizes getter answering 8, then −1, is read once", () => {
    const { p, reads } = twoFaced([4, 8, 3], -1);
    const l = engram.feedbackAlignment({ sizes: p } as never);
    expect(l.config).toMatchObject({ inputs: 4, hidden: [8], classes: 3 }); // the deprecated alias, read once
    expect(reads.get("1")).toBe(1);
    train(l, "feedbackAlignment", 2);
  });

  it("a learner's config is frozen all the way down: save() writes what was validated", () => {
    const l = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
    expect(() => (l.config.hidden as number[]).push(1e9)).toThrow(TypeError);
    expect(engram.restore(l.save(), "feedbackAlignment").config.hidden).toEqual([8]);
  });

  it("an options object with getters is read once per key", () => {
    let reads = 0;
    const o = {
      sizes: [4, 8, 3],
      get seed() {
        return ++reads === 1 ? 5 : -1;
      },
    };
    const l = engram.feedbackAlignment(o as never);
    expect(l.config.seed).toBe(5);
    expect(reads).toBe(1);
  });
});

describe("finding 5: re-entrancy from a getter", () => {
  /** A number[] whose index `at` runs `hook` when read. */
  function hooked(values: number[], at: number, hook: () => void): number[] {
    return new Proxy(values, {
      get(t, k) {
        if (k === String(at)) hook();
        return Reflect.get(t, k);
      },
    });
  }

  it("a getter that disposes the learner mid-copy gives E_DISPOSED; the rest of the copy lands nowhere", () => {
    const l = engram.feedbackAlignment({ inputs: 64, hidden: [16], classes: 3 });
    l.learn(sample(rng(1), 64), 0);
    let victim: AnyLearner | undefined;
    // on main the rest of the copy went into freed memory, which the learner made in the getter had just reused
    const x = hooked(
      Array.from({ length: 64 }, () => 1e30),
      0,
      () => {
        l.dispose();
        victim = engram.feedbackAlignment({ inputs: 64, hidden: [16], classes: 3, seed: 9 }) as AnyLearner;
      },
    );
    throwsCode(() => l.learn(x, 1), "E_DISPOSED");
    const twin = engram.feedbackAlignment({ inputs: 64, hidden: [16], classes: 3, seed: 9 });
    expect(sameBytes(victim!.save(), twin.save())).toBeUndefined();
    // and the allocator is sound: many allocations later, nothing fails
    for (let i = 0; i < 50; i++) make(engram, "feedbackAlignment", { seed: i }).dispose();
  });

  it("a getter that creates a large learner mid-copy does not make the learner train on stale data", () => {
    const l = engram.feedbackAlignment({ inputs: 64, hidden: [16], classes: 3 });
    const twin = engram.feedbackAlignment({ inputs: 64, hidden: [16], classes: 3 });
    const values = Array.from(sample(rng(2), 64));
    const big: AnyLearner[] = [];
    const x = hooked(values.slice(), 5, () => big.push(engram.hebbian({ inputs: 1024, outputs: 512 }) as AnyLearner));
    const memory = engram.memoryBytes;
    l.learn(x, 2);
    expect(engram.memoryBytes).toBeGreaterThan(memory); // the getter did grow memory
    twin.learn(values, 2);
    expect(sameBytes(l.save(), twin.save())).toBeUndefined();
    for (const b of big) b.dispose();
  });

  it("a getter calling learnBatch on the same learner runs before any pointer is taken", () => {
    const l = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
    const twin = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
    const inner = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    let once = false;
    const xs = hooked([1, 2, 3, 4, 5, 6, 7, 8], 3, () => {
      if (!once) ((once = true), l.learnBatch(inner, [2, 1]));
    });
    l.learnBatch(xs, [0, 1]);
    twin.learnBatch(inner, [2, 1]);
    twin.learnBatch([1, 2, 3, 4, 5, 6, 7, 8], [0, 1]);
    expect(sameBytes(l.save(), twin.save())).toBeUndefined();
  });

  it("a label getter that disposes the learner gives E_DISPOSED", () => {
    const l = engram.forwardForward({ inputs: 4, hidden: [8], classes: 3 });
    const labels = hooked([0, 1], 1, () => l.dispose());
    throwsCode(() => l.learnBatch([1, 2, 3, 4, 5, 6, 7, 8], labels), "E_DISPOSED");
  });
});

describe("finding 6: an all-zero PRNG state in a snapshot", () => {
  for (const [kind, options] of [
    ["perturbation", { inputs: 4, hidden: [8], classes: 3 }],
    ["forwardForward", { inputs: 4, hidden: [8], classes: 3, negatives: "random" }],
    ["feedbackAlignment", { inputs: 4, hidden: [8], classes: 3, dropout: 0.5 }],
    ["rewardModulated", { inputs: 4, actions: 3 }],
    ["hebbian", { inputs: 4, outputs: 3 }],
  ] as const) {
    it(`${kind}: zeroed PRNG words are E_SNAPSHOT, never a hang`, () => {
      const l = engram.create(kind, options);
      const snap = forge(l.save(), (p) => p.state.fill(0, 0, 16));
      const t = performance.now();
      throwsCode(() => engram.restore(snap), "E_SNAPSHOT");
      expect(performance.now() - t).toBeLessThan(200);
    });
  }

  it("even loaded behind the library's back, a zero PRNG traps instead of looping forever", () => {
    const l = engram.perturbation({ inputs: 4, hidden: [8], classes: 3 }) as AnyLearner;
    const e = engram.wasm.exports;
    const h = (l as unknown as { handle: number }).handle;
    engram.wasm.u8.fill(0, e.learnerState(h), e.learnerState(h) + 16);
    const t = performance.now();
    throwsCode(() => l.learn([1, 2, 3, 4], 0), "E_INTERNAL");
    expect(performance.now() - t).toBeLessThan(200);
    l.dispose();
  });
});

describe("finding 7: a snapshot memory bomb", () => {
  for (const optimizer of ["adafactor", "adam"]) {
    it(`a 254-byte snapshot declaring sizes [8192, 8192] (${optimizer}) and no state is E_SNAPSHOT, fast, with no memory grown`, () => {
      const config = { ...make(engram, "forwardForward").config, inputs: 8192, hidden: [8192], optimizer };
      const snap = encodeSnapshot({ kind: "forwardForward", config, state: new Uint8Array(0) });
      const memory = engram.memoryBytes;
      const t = performance.now();
      throwsCode(() => engram.restore(snap), "E_SNAPSHOT");
      expect(performance.now() - t).toBeLessThan(50);
      expect(engram.memoryBytes).toBe(memory);
    });
  }

  it("every kind compares the declared state size with its config's before allocating", () => {
    for (const kind of engram.kinds) {
      const snap = forge(make(engram, kind).save(), (p) => (p.state = p.state.slice(0, p.state.length - 16)));
      const memory = engram.memoryBytes;
      throwsCode(() => engram.restore(snap), "E_SNAPSHOT");
      expect(engram.memoryBytes).toBe(memory);
    }
  });
});

describe("finding 10: a snapshot in a SharedArrayBuffer", () => {
  it("bytes changing under restore are copied once, then checked: what restores is always what was saved", async () => {
    const l = engram.feedbackAlignment({ inputs: 8, hidden: [8], classes: 3 });
    train(l, "feedbackAlignment", 3);
    const good = l.save();
    const shared = new Uint8Array(new SharedArrayBuffer(good.length));
    shared.set(good);
    const at = good.length - 40; // a weight byte
    const flipper = new Worker(
      `const { workerData } = require("node:worker_threads");
       const b = new Uint8Array(workerData.sab); const a = b[workerData.at];
       for (;;) { Atomics.store(b, workerData.at, a ^ 0xff); Atomics.store(b, workerData.at, a); }`,
      { eval: true, workerData: { sab: shared.buffer, at } },
    );
    await new Promise((r) => setTimeout(r, 200));
    let restored = 0;
    try {
      // on main about 1 restore in 200 brought back bytes that had failed the CRC
      for (let i = 0; i < 3000; i++) {
        let r: AnyLearner | undefined;
        const err = engramError(() => (r = engram.restore(shared) as AnyLearner));
        if (err) {
          expect(err.code).toBe("E_SNAPSHOT");
          continue;
        }
        restored++;
        expect(sameBytes(r!.save(), good)).toBeUndefined();
        r!.dispose();
      }
    } finally {
      await flipper.terminate();
    }
    expect(restored).toBeGreaterThan(0);
  });
});

describe("finding 11: options, init and foreign exceptions", () => {
  it("options inherited from Object.prototype are ignored, never honoured", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto["seed"] = 99;
    proto["learningRate"] = -5;
    try {
      const l = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
      expect(l.config.seed).toBe(1);
      expect(l.config.learningRate).toBe(0.3); // the default (normalised step)
    } finally {
      delete proto["seed"];
      delete proto["learningRate"];
    }
    const inherited = Object.create({ sizes: [4, 8, 3] });
    throwsCode(() => engram.feedbackAlignment(inherited), "E_CONFIG");
  });

  it("a literal __proto__ key (JSON) is an unknown option", () => {
    const o = JSON.parse('{"sizes": [4, 8, 3], "__proto__": {"seed": 7}}');
    const err = throwsCode(() => engram.feedbackAlignment(o), "E_CONFIG");
    expect(err.message).toContain("__proto__");
  });

  it("null is an error, not the default (also inside a snapshot's config)", () => {
    throwsCode(() => engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3, seed: null } as never), "E_CONFIG");
    throwsCode(() => engram.hebbian({ inputs: 4, outputs: 3, readout: null } as never), "E_CONFIG");
    const snap = forge(make(engram, "feedbackAlignment").save(), (p) => (p.config["learningRate"] = null));
    throwsCode(() => engram.restore(snap), "E_SNAPSHOT");
  });

  it("init({ module }) with a module that is not engram.wasm is E_INIT naming what is missing", async () => {
    const empty = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const err = await createEngram(empty).then(
      () => undefined,
      (e: Error & { code: string }) => e,
    );
    expect(err?.code).toBe("E_INIT");
    expect(err?.message).toMatch(/missing exports memory/);
    expect(err?.message).toMatch(/learnerNew/);
    // an import other than env.abort: (module (import "env" "seed" (func)))
    const imports = new WebAssembly.Module(
      new Uint8Array([
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 0x0c, 1, 3, 0x65, 0x6e, 0x76, 4, 0x73, 0x65, 0x65,
        0x64, 0, 0,
      ]),
    );
    const err2 = await createEngram(imports).then(
      () => undefined,
      (e: Error & { code: string }) => e,
    );
    expect(err2?.code).toBe("E_INIT");
    expect(err2?.message).toMatch(/env\.seed/);
    // init's own options: read once, an object with only 'module'; anything else is E_INIT
    for (const bad of [
      null,
      5,
      "m",
      [],
      { modul: empty },
      {
        get module(): never {
          throw new Error("getter");
        },
      },
    ])
      throwsCode(() => moduleOption(bad), "E_INIT");
    expect(moduleOption({ module: empty })).toBe(empty);
    expect(moduleOption(undefined)).toBeUndefined();
    for (const bad of [
      { simd: "yes" },
      { simd: null },
      { simd: 1 },
      {
        get simd(): never {
          throw new Error("getter");
        },
      },
    ])
      throwsCode(() => readInitOptions(bad), "E_INIT");
    expect(readInitOptions({ simd: false })).toEqual({ module: undefined, simd: false });
    // the real module still loads
    const wasm = readFileSync(fileURLToPath(new URL("../../build/engram.wasm", import.meta.url)));
    await expect(createEngram(new WebAssembly.Module(wasm))).resolves.toBeDefined();
  });

  it("an exception thrown by a user getter surfaces as an EngramError with the cause attached", () => {
    const l = engram.feedbackAlignment({ inputs: 4, hidden: [8], classes: 3 });
    const boom = new Error("boom");
    const x = new Proxy([1, 2, 3, 4], {
      get: (t, k) =>
        k === "2"
          ? (() => {
              throw boom;
            })()
          : Reflect.get(t, k),
    });
    const err = throwsCode(() => l.learn(x, 0), "E_TYPE");
    expect(err.cause).toBe(boom);
    const o = {
      inputs: 4,
      hidden: [8],
      classes: 3,
      get seed(): number {
        throw boom;
      },
    };
    expect(throwsCode(() => engram.feedbackAlignment(o), "E_CONFIG").cause).toBe(boom);
    const labels = new Proxy([0], {
      get: (t, k) =>
        k === "length"
          ? (() => {
              throw boom;
            })()
          : Reflect.get(t, k),
    });
    expect(throwsCode(() => l.learnBatch([1, 2, 3, 4], labels), "E_TYPE").cause).toBe(boom);
    // even a thrown Proxy (whose traps would run on instanceof) is wrapped without running them
    const thrown = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error("trap ran");
        },
      },
    );
    const sneaky = new Proxy([1, 2, 3, 4], {
      get: (t, k) =>
        k === "0"
          ? (() => {
              throw thrown;
            })()
          : Reflect.get(t, k),
    });
    expect(throwsCode(() => l.learn(sneaky, 0), "E_TYPE").cause).toBe(thrown);
    // and a revoked proxy is E_TYPE, not a raw TypeError
    const { proxy, revoke } = Proxy.revocable([1, 2, 3, 4], {});
    revoke();
    throwsCode(() => l.learn(proxy, 0), "E_TYPE");
  });
});
