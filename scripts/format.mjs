// npm run format / npm run format:check: prettier over every source file we own.
// AssemblyScript puts decorators (@inline, @global, ...) on plain functions, which
// TypeScript parsers reject, so for assembly/ each such decorator is masked as a
// marker comment before formatting and restored after; nothing else differs.
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import * as prettier from "prettier";

const check = process.argv.includes("--check");
const options = { ...(await prettier.resolveConfig("package.json")), parser: "typescript" };
const MARK = "// @@decorator ";
const DECORATOR = "inline|global|lazy|unsafe|final|external\\([^)]*\\)";
const ownLine = new RegExp(`^(\\s*)@(${DECORATOR})\\s*$`, "gm");
const sameLine = new RegExp(`^(\\s*)@(${DECORATOR})\\s+(?=(export\\s+)?function)`, "gm");
const mask = (s) =>
  s.replace(ownLine, (_, ws, d) => `${ws}${MARK}${d}`).replace(sameLine, (_, ws, d) => `${ws}${MARK}${d}\n${ws}`);
const unmask = (s) => s.replace(/^(\s*)\/\/ @@decorator (.*)$/gm, (_, ws, d) => `${ws}@${d}`);

// every tracked or new (not ignored) source file
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.mjs", "*.js"], {
  encoding: "utf8",
})
  .split("\n")
  // src/abi.ts is generated (scripts/abi.mjs) and checked against the generator by test/abi.test.ts
  .filter((f) => f && !f.startsWith("test/fixtures/") && !f.endsWith(".d.ts") && f !== "src/abi.ts");

const wrong = [];
for (const file of files) {
  let src;
  try {
    src = readFileSync(file, "utf8");
  } catch {
    continue; // deleted in the work tree
  }
  const as = file.startsWith("assembly/");
  const parser = file.endsWith(".ts") ? "typescript" : "babel";
  const once = async (text) =>
    as
      ? unmask(await prettier.format(mask(text), { ...options, parser }))
      : prettier.format(text, { ...options, parser });
  // prettier's method-chain layout can take a second pass to settle: format to a fixed point
  let out = await once(src);
  for (let pass = 0; pass < 3; pass++) {
    const again = await once(out);
    if (again === out) break;
    out = again;
  }
  if (out === src) continue;
  wrong.push(file);
  if (!check) writeFileSync(file, out);
}
if (check && wrong.length) {
  console.error(`not formatted (run npm run format): ${wrong.join(", ")}`);
  process.exit(1);
}
console.log(
  check ? `format: ${files.length} files checked` : `format: ${wrong.length} of ${files.length} files rewritten`,
);
