// The release ABI: exactly what src/ calls, numbers in, numbers out. Nothing here
// allocates managed objects; every pointer is a byte offset into memory. Kernels,
// their scalar twins and the machine ceilings are in the test module (./testing.ts).
export { alloc, free, copy } from "./memory";
export {
  learnerNew,
  learnerFree,
  learnerKind,
  learnerState,
  learnerStateBytes,
  learnerScratch,
  learnerExpect,
  learnerBytes,
} from "./learners/common";
export { faNew, faLearn, faLearnBatch, faScores, faPredict } from "./learners/feedbackAlignment";
export { npNew, npLearn, npLearnBatch, npScores, npPredict } from "./learners/perturbation";
export { rmNew, rmAct, rmReward, rmScores, rmPredict, rmBaselinePtr } from "./learners/rewardModulated";
export {
  hebbNew,
  hebbTransform,
  hebbPredict,
  hebbScoresPtr,
  hebbLearn,
  hebbLearnBatch,
  hebbWeights,
  hebbThresholds,
  hebbRate,
  hebbReadoutRate,
  hebbSteps,
} from "./learners/hebbian";
export {
  ffNew,
  ffWorkBytes,
  ffStats,
  ffLearn,
  ffLearnBatch,
  ffScores,
  ffReadout,
  ffArgmax,
} from "./learners/forwardForward";
export {
  clNew,
  clLearn,
  clLearnBatch,
  clScores,
  clPredict,
  clSamples,
  clCount,
  clSameFeatures,
  clMerge,
  clFlush,
} from "./learners/continual";
// Called from TypeScript by the package API: Forward-Forward's scores() (softmax of the
// goodness) and SupervisedLearner.fit's seeded shuffle (src/classifier.ts).
export { softmax } from "./kernels/normalize";
export { rngSeed, rngBelow } from "./kernels/prng";
// Low-power hosts (issue 19): which build this is (engram.wasm or engram.scalar.wasm).
export { simdBuild } from "./kernels/simd";
// The in-wasm conformance scenario for hosts without JavaScript (assembly/selftest.ts).
export { selftest } from "./selftest";
export {
  epropNew,
  epropLearn,
  epropAccumulate,
  epropApply,
  epropScores,
  epropPredict,
  epropStep,
  epropReset,
  epropSpikes,
  epropVoltage,
  epropAdaptation,
  epropPresynaptic,
  epropPsi,
  epropWeights,
  epropReadout,
  epropBias,
  epropFeedback,
  epropCols,
  epropTraceScales,
  epropTraces,
  epropTracesA,
  epropGrad,
  epropGradOut,
  epropGradBias,
  epropRates,
} from "./learners/eprop";
export {
  spNew,
  spLearn,
  spSpikes,
  spScores,
  spPredict,
  spCopyWeights,
  spSamples,
  spThetaPtr,
  spCountsPtr,
  spLifParams,
} from "./learners/spiking";
// engram.merge (issue 16): federated averaging of MLP learners (assembly/learners/merge.ts).
export { mergeAverage, mlpSamples, mergeByParts, mergeParts, mergeSamples } from "./learners/merge";
// Classifier.learningRate and .samples (issue 15): the rates that live in a learner's layout.
export { mlpRate, mlpSetRate } from "./learners/mlp";
export { ffSamples, ffRate, ffSetRate } from "./learners/forwardForward";
export { spRate, spSetRate } from "./learners/spiking";
