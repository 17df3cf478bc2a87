// The type of `import wasm from "engram/engram.wasm"` (and "engram/engram.scalar.wasm").
// What a bundler hands over depends on its set-up; both are accepted by `init({ module })`:
// - wrangler and workerd (a CompiledWasm rule): a compiled WebAssembly.Module;
// - esbuild with `--loader:.wasm=file`, Vite with the `?url` suffix: the file's URL as a string.
declare const wasm: WebAssembly.Module | string;
export default wasm;
