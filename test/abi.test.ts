// src/abi.ts types every call src/ makes into the module (a misspelt export name is a
// compile error). It is generated from the .d.ts asc emits for the release module; this
// fails when the committed file no longer matches the module built from assembly/.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const generator = "../scripts/abi.mjs";
const { abiSource } = (await import(generator)) as { abiSource(dts: string): string };

describe("the typed ABI", () => {
  it("src/abi.ts matches the exports of build/engram.wasm (npm run build regenerates it)", () => {
    const dts = readFileSync(new URL("../build/engram.d.ts", import.meta.url), "utf8");
    expect(readFileSync(new URL("../src/abi.ts", import.meta.url), "utf8")).toBe(abiSource(dts));
    const module = new WebAssembly.Module(readFileSync(new URL("../build/engram.wasm", import.meta.url)));
    const names = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === "function")
      .map((e) => e.name);
    for (const n of names) expect(abiSource(dts), `${n} is typed`).toContain(`  ${n}(`);
  });
});
