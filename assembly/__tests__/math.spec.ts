// Internals of kernels/math.ts that the ABI cannot reach: the f32x4 twins lane by lane.
import { expf, exp4, logf, log4, tanhf, tanh4, sigmoidf, sigmoid4, softplusf, softplus4 } from "../kernels/math";

function same(a: f32, b: f32): bool {
  return (a != a && b != b) || reinterpret<u32>(a) == reinterpret<u32>(b);
}

// every lane of f4(v) == f1(lane) bitwise, for bit patterns stepping through [lo, hi)
function lanesMatch(which: i32, lo: u32, hi: u32, step: u32): bool {
  for (let b: u64 = lo; b < <u64>hi; b += <u64>step * 4) {
    const x0 = reinterpret<f32>(<u32>b),
      x1 = reinterpret<f32>(<u32>(b + step));
    const x2 = reinterpret<f32>(<u32>(b + 2 * step)),
      x3 = reinterpret<f32>(<u32>(b + 3 * step));
    const v = f32x4(x0, x1, x2, x3);
    let r: v128;
    if (which == 0) r = exp4(v);
    else if (which == 1) r = log4(v);
    else if (which == 2) r = tanh4(v);
    else if (which == 3) r = sigmoid4(v);
    else r = softplus4(v);
    const f = which == 0 ? expf : which == 1 ? logf : which == 2 ? tanhf : which == 3 ? sigmoidf : softplusf;
    if (!same(f32x4.extract_lane(r, 0), f(x0))) return false;
    if (!same(f32x4.extract_lane(r, 1), f(x1))) return false;
    if (!same(f32x4.extract_lane(r, 2), f(x2))) return false;
    if (!same(f32x4.extract_lane(r, 3), f(x3))) return false;
  }
  return true;
}

describe("math f32x4 twins", () => {
  it("lane i of exp4/log4/tanh4/sigmoid4/softplus4 == scalar, bitwise, over all f32 (every 9973rd pattern)", () => {
    for (let k = 0; k < 5; k++) {
      expect<bool>(lanesMatch(k, 0, 0xffffffff, 9973)).toBe(true);
    }
  });
});

describe("math special values", () => {
  it("expf", () => {
    expect<f32>(expf(0)).toBe(1);
    expect<f32>(expf(Infinity)).toBe(Infinity);
    expect<f32>(expf(-Infinity)).toBe(0);
    expect<bool>(isNaN(expf(NaN))).toBe(true);
    expect<f32>(expf(1)).toBe(<f32>2.7182817);
  });
  it("logf", () => {
    expect<f32>(logf(1)).toBe(0);
    expect<f32>(logf(0)).toBe(-Infinity);
    expect<bool>(isNaN(logf(-1))).toBe(true);
    expect<f32>(logf(Infinity)).toBe(Infinity);
  });
});
