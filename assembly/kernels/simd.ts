// The one build-time switch between engram.wasm and engram.scalar.wasm.
//
// engram.scalar.wasm is the same source compiled with `--disable simd` (scripts/build.mjs),
// so ASC_FEATURE_SIMD is false there. Every SIMD kernel opens with
//   if (!SIMD) return kernelRef(...);
// and the compiler does not compile the code after a constant-true `return` (nor the
// v128 helpers only that code calls), so no v128 instruction reaches the scalar binary;
// in engram.wasm the line folds away. The Ref twins perform the same IEEE operations in
// the same order (each kernel file documents its summation order, and a bitwise test
// holds each pair equal), so both builds give the same bits.
//
// A new SIMD kernel needs that one line and its Ref twin; forgetting the line makes the
// scalar build fail to compile ("Feature 'simd' is not enabled"), so it cannot slip through.

/** True in engram.wasm, false in engram.scalar.wasm. A compile-time constant. */
export const SIMD: bool = ASC_FEATURE_SIMD;

/** 1 in engram.wasm, 0 in engram.scalar.wasm: which build is running (`engram.simd` reads it). */
export function simdBuild(): i32 {
  return SIMD ? 1 : 0;
}
