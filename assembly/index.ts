// The flat export surface (the ABI): numbers in, numbers out. Nothing here
// allocates managed objects; every pointer is a byte offset into memory.
export { alloc, free, copy } from "./memory";
export { learnerNew, learnerFree, learnerKind, learnerState, learnerStateBytes, learnerScratch, learnerExpect, learnerBytes } from "./learners/common";
export * from "./kernels/mathExports";
export * from "./kernels/linalg";
export * from "./kernels/activations";
export * from "./kernels/normalize";
export * from "./kernels/prng";
export { ceilingMulAdd, ceilingStream } from "./bench/ceiling";
export { faNew, faLearn, faLearnBatch, faScores, faPredict, faHadamard, faHadamardRef } from "./learners/feedbackAlignment";
export * from "./learners/hebbian";
export * from "./learners/forwardForward";
export { npNew, npLearn, npLearnBatch, npScores, npPredict } from "./learners/perturbation";
export { rmNew, rmAct, rmReward, rmScores, rmPredict } from "./learners/rewardModulated";
export { scaleClamp as guardScaleClamp, scaleClampRef as guardScaleClampRef, norm2 as guardNorm, norm2Ref as guardNormRef, capNorm as guardCapNorm, capNormRef as guardCapNormRef } from "./rules/guard";
// Low-power hosts (issue 19): which build this is (engram.wasm or engram.scalar.wasm).
export { simdBuild } from "./kernels/simd";
// The in-wasm conformance scenario for hosts without JavaScript (assembly/selftest.ts).
export { selftest } from "./selftest";
export { clNew, clLearn, clLearnBatch, clScores, clPredict, clSamples, clCount, clSameFeatures, clMerge, clFlush } from "./learners/continual";
export * from "./kernels/spd";
export * from "./kernels/patches";
// engram.merge (issue 16): federated averaging of MLP learners (assembly/learners/merge.ts).
export { mergeAverage, mlpSamples } from "./learners/merge";
