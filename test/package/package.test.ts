// The package as a user gets it: `npm pack`, the tarball installed (offline) into a fresh
// project, then the fixture (test/package/fixture/app.ts, every learner's public API) is
// (1) type-checked with tsc --strict, skipLibCheck false, against the shipped .d.ts only;
// (2) run in Node as ESM and, through require(), as CommonJS;
// (3) bundled with esbuild, Vite and webpack as the README says and run in headless Chromium;
// (4) bundled as a Worker as the README says (esbuild with the "workerd" condition, and
// wrangler) and run in workerd;
// plus publint and attw on the package, and the README's runnable code blocks, extracted,
// type-checked and run in the same project. Dev tools come from this repository's
// node_modules; nothing is downloaded (npm install --offline of a local tarball).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChromium } from "../hosts/chromium.js";
import { serve } from "../hosts/server.js";
import { COMPATIBILITY_DATE, runWorkerd } from "../hosts/workerd.js";
import { readmeBlocks } from "./readme.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixture/", import.meta.url));
const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);
// The environment of a user's shell: PATH without node_modules/.bin (it holds an old npm that some
// dev dependency brings along, and `npm test` runs us through it) and none of npm's npm_* variables,
// so npm here, and publint and attw (which run `npm pack`), are the machine's npm.
const PATH = (process.env["PATH"] ?? "")
  .split(delimiter)
  .filter((p) => !p.includes(`node_modules${sep}.bin`))
  .join(delimiter);
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_"))),
  PATH,
};
const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000, env: ENV });
const npm = (args: string[], cwd: string) => sh("npm", args, cwd);

/** What app.ts reports when every learner learned (see its `facts`). */
const EXPECTED = [
  /forwardForward:learned:probs:\d+/,
  /feedbackAlignment:learned:probs:\d+/,
  /perturbation:learned:probs:\d+/,
  /hebbian:learned:probs:\d+/,
  /goodness:2/,
  /samples:192,192,192,192/,
  /rate:true/,
  /restored:true/,
  /bandit:learned/,
  /pixels:0\.0,1\.0,0\.2/,
  /error:E_SHAPE/,
];
const checkFacts = (out: string) => {
  for (const re of EXPECTED) expect(out, out).toMatch(re);
};

let tmp: string;
let app: string; // the user's project, with the tarball installed

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "engram-package-"));
  // dist/ was built by `npm test` (npm run build); pack exactly what would be published
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", tmp], ROOT)) as { filename: string }[];
  const tarball = join(tmp, packed[0]!.filename);
  app = join(tmp, "app");
  mkdirSync(app);
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  npm(["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], app);
  // the user's own dev types (Node's, for the README's file recipe): linked, not downloaded
  mkdirSync(join(app, "node_modules/@types"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
  // the README's runnable blocks join the project as readme/<n>.ts
  mkdirSync(join(app, "readme"));
  readmeBlocks(readFileSync(join(ROOT, "README.md"), "utf8")).forEach((b, i) =>
    writeFileSync(join(app, "readme", `${i}.ts`), b.code),
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the packed package", () => {
  it("ships the bundles, both .wasm builds and public types only", () => {
    const files = readdirSync(join(app, "node_modules/engram"), { recursive: true, encoding: "utf8" }).map((f) =>
      f.replaceAll("\\", "/"),
    );
    for (const f of [
      "dist/node.js",
      "dist/browser.js",
      "dist/workerd.js",
      "dist/engram.wasm",
      "dist/engram.scalar.wasm",
      "dist/wasm.d.ts",
      "dist/types/bindings/node.d.ts",
      "README.md",
      "BENCHMARKS.md", // the README cites its figures
      "docs/design.md", // the design contract, and the docs TSDoc refers to
      "docs/numerics.md",
      "docs/snapshot-format.md",
      "package.json",
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith(".map") || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    // internals declare nothing: the .d.ts of the wasm wrapper, options, input readers and snapshot codec
    const types = (f: string) => readFileSync(join(app, "node_modules/engram/dist/types/src", f), "utf8");
    for (const name of [
      "class Wasm",
      "class Options",
      "writeVector",
      "encodeSnapshot",
      "decodeSnapshot",
      "checkParams",
    ]) {
      for (const f of ["wasm.d.ts", "options.d.ts", "input.d.ts", "snapshot.d.ts"])
        expect(types(f)).not.toContain(name);
    }
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/engram/package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(pkg["private"]).toBeUndefined();
    // the project has no public home yet: no invented repository URL (the README links nothing unshipped)
    expect(pkg).not.toHaveProperty("repository");
    expect(pkg).toHaveProperty("keywords");
    const readme = readFileSync(join(app, "node_modules/engram/README.md"), "utf8");
    for (const [, target] of readme.matchAll(/\]\((?!https?:|mailto:)([^)#]+)[^)]*\)/g))
      expect(files, `README links ${target}`).toContain(target!.replace(/^\.\//, ""));
  });

  it("type-checks every learner's API and the README's blocks with tsc --strict, skipLibCheck false", () => {
    let out = "";
    try {
      out = sh(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out).toBe("");
  });

  it("runs in Node as ESM", () => {
    const out = sh(process.execPath, ["out/node-esm.js"], app);
    checkFacts(out);
    // init({ module }) takes a path, a file: URL string and a URL (the scalar build, so simd is false)
    for (const how of ["path", "file-url", "URL"]) expect(out).toContain(`module:${how}:simd=false`);
  });

  it("runs in Node as CommonJS (require)", () => {
    expect(sh(process.execPath, ["node-cjs.cjs"], app)).toMatch(/^cjs accuracy=1 error=E_SHAPE$/m);
  });

  it("runs every runnable README block in Node, as written", () => {
    const blocks = readmeBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    blocks.forEach((b, i) => {
      const out = sh(process.execPath, [`out/readme/${i}.js`], app);
      if (b.expect) expect(out, `README block ${i} (line ${b.line})`).toMatch(new RegExp(b.expect));
    });
  });

  it("bundled by esbuild (README recipe) runs in Chromium", async () => {
    const out = join(app, "public-esbuild");
    // the recipe: bundle, then copy both .wasm files beside the bundle
    sh(bin("esbuild"), ["browser.ts", "--bundle", "--format=esm", `--outdir=${out}`], app);
    for (const f of ["engram.wasm", "engram.scalar.wasm"])
      cpSync(join(app, "node_modules/engram/dist", f), join(out, f));
    writeFileSync(join(out, "index.html"), '<!doctype html><script type="module" src="./browser.js"></script>');
    const server = await serve(out);
    try {
      checkFacts(await runChromium(server.url, "/index.html"));
    } finally {
      await server.close();
    }
  });

  it("bundled by Vite (README recipe) runs in Chromium", async () => {
    // vite build, nothing to configure: Vite emits the .wasm assets named by new URL(…, import.meta.url)
    sh(process.execPath, [bin("vite"), "build", "--logLevel", "warn", "--outDir", "public-vite"], app);
    const out = join(app, "public-vite");
    expect(readdirSync(join(out, "assets")).some((f) => f.endsWith(".wasm"))).toBe(true);
    const server = await serve(out);
    try {
      checkFacts(await runChromium(server.url, "/index.html"));
    } finally {
      await server.close();
    }
  });

  it("bundled by webpack (README recipe, no configuration) runs in Chromium", async () => {
    // tsc emitted out/browser.js (the type-check above); webpack 5 emits the .wasm files the
    // browser entry names with new URL(…, import.meta.url) as assets
    const out = join(app, "public-webpack");
    sh(process.execPath, [bin("webpack"), "./out/browser.js", "--mode", "production", "--output-path", out], app);
    expect(readdirSync(out).filter((f) => f.endsWith(".wasm"))).toHaveLength(2);
    writeFileSync(join(out, "index.html"), '<!doctype html><script src="./main.js"></script>');
    const server = await serve(out);
    try {
      checkFacts(await runChromium(server.url, "/index.html"));
    } finally {
      await server.close();
    }
  });

  it("bundled by wrangler (README recipe: wrangler.toml, deploy --dry-run, offline) runs in workerd", async () => {
    writeFileSync(
      join(app, "wrangler.toml"),
      `name = "app"\nmain = "worker.ts"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
    );
    const out = join(app, "worker-wrangler");
    execFileSync(process.execPath, [bin("wrangler"), "deploy", "--dry-run", "--outdir", out], {
      cwd: app,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000,
      env: { ...ENV, WRANGLER_SEND_METRICS: "false", CI: "1", HOME: app },
    });
    // wrangler bundled both .wasm files as modules beside worker.js
    expect(readdirSync(out).filter((f) => f.endsWith(".wasm"))).toHaveLength(2);
    checkFacts(await runWorkerd(join(out, "worker.js")));
  });

  it("bundled as a Worker (README recipe: --conditions=workerd, .wasm external and beside it) runs in workerd", async () => {
    const out = join(app, "worker");
    sh(
      bin("esbuild"),
      [
        "worker.ts",
        "--bundle",
        "--format=esm",
        "--target=es2022",
        "--conditions=workerd",
        "--external:*.wasm",
        `--outfile=${join(out, "worker.js")}`,
      ],
      app,
    );
    for (const f of ["engram.wasm", "engram.scalar.wasm"])
      cpSync(join(app, "node_modules/engram/dist", f), join(out, f));
    checkFacts(await runWorkerd(join(out, "worker.js")));
  });

  it("the browser build bundled into a Worker by mistake fails with E_INIT naming --conditions=workerd", async () => {
    const out = join(app, "worker-wrong");
    await esbuild({
      entryPoints: [join(app, "worker.ts")],
      bundle: true,
      format: "esm",
      target: "es2022",
      outfile: join(out, "worker.js"),
      logLevel: "error",
      absWorkingDir: app,
    });
    const text = await runWorkerd(join(out, "worker.js")).catch((e: unknown) => String(e));
    expect(text).toMatch(/E_INIT.*--conditions=workerd/);
  });

  it("publint finds nothing", () => {
    expect(sh(bin("publint"), [], ROOT)).toMatch(/All good/);
  });

  it("attw: types resolve for Node 16+ ESM and bundlers (CommonJS require() of the ESM entry is Node's require(esm), as engines allows)", () => {
    // exits non-zero on any problem outside the ignored rule
    const out = sh(
      bin("attw"),
      ["--pack", ".", "--profile", "node16", "--ignore-rules", "cjs-resolves-to-esm", "--no-emoji", "--no-color"],
      ROOT,
    );
    expect(out).toMatch(/node16 \(from ESM\)\s*│\s*OK \(ESM\)/);
  });
});
