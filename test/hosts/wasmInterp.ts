// wasm-interp host: WABT's C++ interpreter (Debian package `wabt`), a host with no
// JavaScript at all, like the interpreters on small devices. It cannot run the JS
// conformance runner, so it runs the module's own `selftest` export (assembly/selftest.ts).
import { execFile } from "node:child_process";

/** What `--run-all-exports` printed, by export: `name() => i32:N` gives name → N (as u32). */
export type InterpResults = Record<string, number>;

/**
 * Runs every export of `wasmPath` that takes no parameters in wasm-interp
 * ($WASM_INTERP_PATH or `wasm-interp` on PATH), with `args` (e.g. `--disable-simd`) before
 * the file. Imports (env.abort) are dummies: an abort is logged, not fatal, so the caller
 * must check the results it expects are there.
 */
export async function runWasmInterp(wasmPath: string, args: string[] = []): Promise<InterpResults> {
  const exe = process.env["WASM_INTERP_PATH"] ?? "wasm-interp";
  const out = await new Promise<string>((ok, fail) => {
    execFile(
      exe,
      [...args, "--dummy-import-func", "--run-all-exports", wasmPath],
      { timeout: 120_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        if (err)
          fail(
            new Error(
              `${exe} ${args.join(" ")} ${wasmPath} failed (is the Debian package wabt installed?): ${err.message}\n${stderr}`,
            ),
          );
        else ok(stdout);
      },
    );
  });
  const results: InterpResults = {};
  for (const m of out.matchAll(/^(\w+)\(\) => i32:(\d+)$/gm)) results[m[1]!] = Number(m[2]) >>> 0;
  if (/called host|error/i.test(out)) throw new Error(`wasm-interp reported a problem running ${wasmPath}:\n${out}`);
  return results;
}
