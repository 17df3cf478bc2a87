// The test and benchmark module (build/engram.test.wasm): the release ABI plus what
// only tests and benchmarks call. Every SIMD kernel with its scalar Ref twin (for the
// bitwise twin tests and the roofline benchmark), the scalar math functions, the PRNG,
// the numeric guard's kernels, and the machine ceilings. Tests and benchmarks load this
// module; users get ./index.ts.
export * from "./index";
export * from "./kernels/mathExports";
export * from "./kernels/linalg";
export * from "./kernels/matvecs";
export * from "./kernels/activations";
export * from "./kernels/normalize";
export * from "./kernels/prng";
export * from "./kernels/spd";
export * from "./kernels/patches";
export { ceilingMulAdd, ceilingRead, ceilingStream } from "./bench/ceiling";
export { hadamard as faHadamard, hadamardRef as faHadamardRef } from "./rules/dense";
export { mlpFeedback as faFeedback } from "./learners/mlp";
export {
  hebbRow,
  hebbRowRef,
  hebbRowMaxAbs,
  hebbRowMaxAbsRef,
  sangerRows,
  sangerRowsRef,
  pCurrents,
  pCurrentsRef,
  powerRelu,
  powerReluRef,
} from "./rules/hebbian";
export {
  adamRows,
  adamRowsRef,
  factoredDense,
  factoredDenseRef,
  factoredRows,
  factoredRowsRef,
  sgdRows,
  sgdRowsRef,
} from "./rules/optim";
export {
  scaleClamp as guardScaleClamp,
  scaleClampRef as guardScaleClampRef,
  norm2 as guardNorm,
  norm2Ref as guardNormRef,
  capNorm as guardCapNorm,
  capNormRef as guardCapNormRef,
} from "./rules/guard";
export {
  eprop as epropKernel,
  epropRef as epropKernelRef,
  sparseInput as epropSparseInput,
  sparseInputRef as epropSparseInputRef,
} from "./rules/eprop";
export {
  presynapticTrace as epropPresynapticTrace,
  presynapticTraceRef as epropPresynapticTraceRef,
} from "./rules/eprop";
export {
  lifStep as spLifStep,
  lifStepRef as spLifStepRef,
  stdpNearestPre,
  stdpNearestPreRef,
  stdpNearestPost,
  stdpPowerLawPost,
  normalizeColumns,
  normalizeColumnsRef,
} from "./rules/stdp";
export { rateAt } from "./rules/schedule";
