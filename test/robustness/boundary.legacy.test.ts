// A learner written the old way, `attach(create)` with no JS block size (as a learner
// added in parallel might be), still gets the wasm-side checks of learnerNew before
// anything is allocated: the memory budget, and in a restore the snapshot's state size.
// (A separate file: the kind registered here must not reach the suites that iterate
// every kind.)
import { expect, it } from "vitest";
import { defineLearner } from "../../src/engine.js";
import { Learner } from "../../src/learner.js";
import { Options } from "../../src/options.js";
import { encodeSnapshot } from "../../src/snapshot.js";
import type { Wasm } from "../../src/wasm.js";
import { loadEngram } from "../helpers/engram.js";
import { engramError } from "./learners.js";

/** rewardModulated's block, attached without telling the base class its size. */
class OldStyle extends Learner {
  readonly kind = "oldStyle";
  constructor(wasm: Wasm, options: unknown) {
    const o = new Options("oldStyle", options);
    const config = { inputs: o.int("inputs", undefined, 1, 1 << 20), actions: o.int("actions", undefined, 2, 1 << 20) };
    o.done();
    super(wasm, config);
    this.attach(() => wasm.fn["rmNew"]!(config.inputs, config.actions, 0.1, 0.05, 0, 1, 0));
  }
}
defineLearner("oldStyle", (wasm, o) => new OldStyle(wasm, o));

it("an old-form learner: a block over the budget is E_MEMORY and a snapshot's wrong state size E_SNAPSHOT, both before allocating", async () => {
  const engram = await loadEngram();
  const witness = engram.rewardModulated({ inputs: 4, actions: 3 });
  witness.act([1, 2, 3, 4]);
  const kept = witness.save();
  const memory = engram.memoryBytes;
  // 2 × 2^16 × 2^12 floats = 2 GiB of state: no 32-bit wrap, but over the 2 GiB budget
  expect(engramError(() => engram.create("oldStyle", { inputs: 1 << 16, actions: 1 << 12 }))?.code).toBe("E_MEMORY");
  expect(engram.memoryBytes).toBe(memory);
  // a snapshot whose config implies 8192 × 8192 × 2 floats but whose state is empty
  const bomb = encodeSnapshot({ kind: "oldStyle", config: { inputs: 8192, actions: 8192 }, state: new Uint8Array(0) });
  expect(engramError(() => engram.restore(bomb))?.code).toBe("E_SNAPSHOT");
  expect(engram.memoryBytes).toBe(memory);
  // a genuine one round-trips
  const l = engram.create("oldStyle", { inputs: 4, actions: 3 });
  const back = engram.restore(l.save());
  expect(Buffer.from(back.save()).equals(Buffer.from(l.save()))).toBe(true);
  expect(Buffer.from(witness.save()).equals(Buffer.from(kept))).toBe(true);
});
