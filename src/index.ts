// The runtime-agnostic API. Never touches fs, fetch-by-default or process:
// bindings/*.ts obtain the module and call createEngram.
import "./learners/index.js";
import "./merge.js";
export {
  Engram,
  createEngram,
  type InitOptions,
  type LearnerKinds,
  type LearnerKind,
  type AnyLearner,
} from "./engine.js";
export { EngramError, type EngramErrorCode } from "./errors.js";
export type { Vector, Label } from "./input.js";
export { Learner } from "./learner.js";
export {
  SupervisedLearner,
  type Classifier,
  type Disposable,
  type Evaluation,
  type FitOptions,
  type FitProgress,
  type FitResult,
  type LearnStats,
} from "./classifier.js";
export { FORMAT_VERSION } from "./snapshot.js";
export { pixels } from "./pixels.js";
export type { ModuleSource } from "./wasm.js";
export * from "./learners/index.js";
export { type MergeOptions } from "./merge.js";
