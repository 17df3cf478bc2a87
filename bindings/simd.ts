// Which build a binding loads: engram.wasm where the engine has fixed-width SIMD,
// engram.scalar.wasm (the same source and bits, no v128) where it does not
// (interpreters, Safari before 16.4). Shared by node.ts, browser.ts and workerd.ts.

// (func (result v128) f32x4.pmin(0, f32x4.convert_i32x4_s(i32x4.trunc_sat_f32x4_s(f32x4.splat 0)))):
// opcodes from the end of the SIMD proposal's renumbering, so engines with a pre-standard
// SIMD (early origin trials) fail it too. Built with wat2wasm from that text.
const PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 38, 1, 36, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 67, 0, 0, 0, 0, 253, 19, 253, 248, 1, 253, 250, 1, 253, 234, 1, 11,
]);

/** Whether this engine accepts fixed-width SIMD (validates a tiny SIMD module; compiles nothing). */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(PROBE);
  } catch {
    return false;
  }
}

/** Whether `init` loads engram.wasm (true) or engram.scalar.wasm (false), given its validated `simd` option. */
export function useSimd(simd: boolean | undefined): boolean {
  return simd ?? simdSupported();
}
