// The ABI face of math.ts: only the scalar functions (v128 cannot cross to JS, so
// exp4 & co stay internal; rules import them from "./kernels/math" directly).
export { expf, logf, tanhf, sigmoidf, softplusf } from "./math";
