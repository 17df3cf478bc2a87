// engram.merge: learners of one kind and one config combined into a new learner.
import { Engram } from "./engine.js";
import { EngramError } from "./errors.js";
import { exactly, readUserData, readVector } from "./input.js";
import { Learner } from "./learner.js";
import { Continual } from "./learners/continual.js";
import type { Wasm } from "./wasm.js";

/** Options of {@link Engram.merge}. */
export interface MergeOptions {
  /**
   * One weight ≥ 0 per learner (a positive sum): each learner's parameters count in
   * proportion. Default: the samples each has seen (FedAvg's n_k), or equal weights when
   * none has seen any. Exact merges (`continual`) take no weights.
   */
  weights?: ArrayLike<number>;
  /**
   * The optimizer state of learners that keep one (`forwardForward`'s moments, `eprop`'s
   * Adam moments and bias corrections): `"reset"` (default) starts the merged learner's
   * optimizer afresh (moments 0, β1ᵗ = β2ᵗ = 1); `"average"` averages it with the weights of
   * the parameters. Chosen on MNIST's validation split (BENCHMARKS.md, scale-out part 2):
   * Forward-Forward members merged with reset moments were 0.5–1.4 points better every round.
   */
  optimizer?: "average" | "reset";
}

/** The most learners one merge takes. */
export const MAX_MERGE = 1 << 20;

/** Kinds merged by averaging their parameters (assembly/learners/merge.ts: mergeAverage). */
const AVERAGED = new Set(["feedbackAlignment", "perturbation"]);
/** Kinds merged part by part as their learner files describe (mergeByParts): averages, exact counts, resets. */
const BY_PARTS = new Set(["forwardForward", "hebbian", "rewardModulated", "eprop", "spiking"]);

/** A learner's handle and engine (protected on Learner; read here only). */
function inside(l: Learner): { h: number; wasm: Wasm } {
  return l as unknown as { h: number; wasm: Wasm };
}

function merge(this: Engram, learners: unknown, options?: unknown): Learner {
  // read once: the list and the options are copied before anything is checked or used
  const list: Learner[] = readUserData("learners", "E_CONFIG", () => {
    if (!Array.isArray(learners)) throw new EngramError("E_CONFIG", "merge takes an array of learners");
    if (learners.length === 0 || learners.length > MAX_MERGE)
      throw new EngramError("E_CONFIG", `merge takes 1 to ${MAX_MERGE} learners, got ${learners.length}`);
    return Array.from(learners as unknown[], (l) => l as Learner);
  });
  const { weightsIn, optimizer } = readUserData("merge options", "E_CONFIG", () => {
    if (options === undefined) return { weightsIn: undefined, optimizer: undefined };
    if (typeof options !== "object" || options === null || Array.isArray(options))
      throw new EngramError("E_CONFIG", "merge options must be an object");
    const keys = Object.keys(options);
    for (const k of keys)
      if (k !== "weights" && k !== "optimizer")
        throw new EngramError("E_CONFIG", `merge: unknown option '${k}' (known: weights, optimizer)`);
    const o = options as { weights?: unknown; optimizer?: unknown };
    const opt = o.optimizer;
    if (opt !== undefined && opt !== "average" && opt !== "reset")
      throw new EngramError("E_CONFIG", `merge: optimizer must be "average" or "reset", got ${String(opt)}`);
    return { weightsIn: o.weights as unknown, optimizer: opt as "average" | "reset" | undefined };
  });
  const seen = new Set<Learner>();
  list.forEach((l, i) => {
    if (!(l instanceof Learner)) throw new EngramError("E_CONFIG", `merge: learners[${i}] is not a learner`);
    if (inside(l).wasm !== this.wasm)
      throw new EngramError(
        "E_CONFIG",
        `merge: learners[${i}] belongs to another engine; restore its snapshot into this one`,
      );
    if (seen.has(l)) throw new EngramError("E_CONFIG", `merge: learners[${i}] appears twice`);
    seen.add(l);
    inside(l).h; // E_DISPOSED
  });
  const first = list[0]!;
  const config = JSON.stringify(first.config);
  list.forEach((l, i) => {
    if (l.kind !== first.kind)
      throw new EngramError(
        "E_CONFIG",
        `merge: learners[${i}] is a ${l.kind}, learners[0] a ${first.kind}; only one kind merges`,
      );
    if (JSON.stringify(l.config) !== config) {
      const a = first.config as Record<string, unknown>,
        b = l.config as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
        (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
      );
      throw new EngramError(
        "E_CONFIG",
        `merge: learners[${i}]'s config differs from learners[0]'s in ${keys.map((k) => `'${k}'`).join(", ")} (${keys
          .map((k) => `${JSON.stringify(b[k])} vs ${JSON.stringify(a[k])}`)
          .join("; ")})`,
      );
    }
  });
  const weights =
    weightsIn === undefined ? undefined : readVector(weightsIn, "weights", exactly(list.length, "weights"));
  if (weights) {
    let any = false;
    for (let i = 0; i < weights.length; i++) {
      if (!(weights[i]! >= 0)) throw new EngramError("E_CONFIG", `merge: weights[${i}] must be ≥ 0, got ${weights[i]}`);
      if (weights[i]! > 0) any = true;
    }
    if (!any) throw new EngramError("E_CONFIG", "merge: the weights must not all be 0");
  }

  if (first instanceof Continual) {
    if (weights)
      throw new EngramError(
        "E_CONFIG",
        "merge: a continual learner's merge is exact (its statistics add); it takes no weights",
      );
    const out = this.restore(first.save()) as Continual;
    try {
      for (let i = 1; i < list.length; i++) Continual.merge(out, list[i] as Continual);
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  }
  if (!AVERAGED.has(first.kind) && !BY_PARTS.has(first.kind))
    throw new EngramError(
      "E_CONFIG",
      `merge: ${first.kind} learners cannot be merged (merged: continual exactly; ${[...AVERAGED, ...BY_PARTS].join(", ")} by federated averaging)`,
    );
  const fn = this.wasm.fn;
  // FedAvg's n_k: the samples each has seen; kinds that keep no count (−1) weigh equally
  const raw = weights ? Array.from(weights) : list.map((l) => Math.max(0, fn.mergeSamples(inside(l).h)));
  if (!raw.some((w) => w > 0)) raw.fill(1); // no learner has seen a sample: equal weights
  const out = this.create(first.kind, first.config);
  const k = list.length;
  let at = 0;
  try {
    at = this.wasm.alloc(k * 12); // [weights: k f64][handles: k u32]; alloc is 16-byte aligned
    new Float64Array(this.wasm.u8.buffer, at, k).set(raw);
    const u32 = this.wasm.u32;
    list.forEach((l, j) => (u32[((at + k * 8) >>> 2) + j] = inside(l).h));
    const h = inside(out).h;
    if (AVERAGED.has(first.kind)) this.wasm.call(() => fn.mergeAverage(h, at + k * 8, at, k));
    else this.wasm.call(() => fn.mergeByParts(h, at + k * 8, at, k, optimizer === "average" ? 0 : 1));
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    this.wasm.free(at);
  }
  return out;
}

declare module "./engine.js" {
  interface Engram {
    /**
     * Combines learners of one kind and one config (from this engine) into a new learner;
     * the inputs are unchanged.
     *
     * - `continual`: exact. The statistics add (Chan, Golub & LeVeque), so learners that saw
     *   disjoint streams merge into the learner that saw all of them, up to float32 rounding
     *   of the sums (merged in the order given). Their features must be identical (raw mode,
     *   or detectors consolidated in one run); no weights.
     * - `feedbackAlignment`, `perturbation`: federated averaging (McMahan et al. 2017): every
     *   weight and bias is Σ_j α_j θ_j with α_j = w_j / Σ w, w_j the samples learner j has
     *   seen (or `weights`); summed in the order given (a different order changes only float
     *   rounding). The merged learner has seen Σ samples (its learning-rate decay goes on from
     *   there); its random stream restarts from the config's seed. These learners keep no
     *   optimizer moments, so there are none to average.
     * - `forwardForward`, `hebbian`, `rewardModulated`, `eprop`, `spiking`: federated averaging
     *   of their weights the same way, and per kind (assembly/learners/mergeParts.ts, docs/scale.md):
     *   `forwardForward` resets its optimizer moments (or averages them and the bias corrections,
     *   `optimizer: "average"`) and adds its update counts; `hebbian` averages W, θ and its readout
     *   and adds its sample counts; `rewardModulated` averages W, b and the reward baseline and
     *   resets the eligibility traces; `eprop` averages W, W^out, b and the firing rates, resets
     *   its Adam moments (or averages them), and starts at rest (live dynamics, traces and an unapplied gradient of a
     *   sequence in progress are dropped); `spiking` adds its label votes and class counts
     *   exactly and averages W and θ. `rewardModulated` and `eprop` keep no sample count: their
     *   default weights are equal.
     *
     * Other kinds, different kinds or different configs: E_CONFIG, and nothing is created.
     */
    merge(learners: readonly Learner[], options?: MergeOptions): Learner;
  }
}

Engram.prototype.merge = merge as Engram["merge"];
