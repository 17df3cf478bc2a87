// The full memory soak (the CI-sized one is test/robustness/memory.test.ts):
// per learner kind, 10 000 learners created, used, saved, restored and
// disposed, then 1 000 000 learning steps on one small learner; prints wasm
// memory at the start, after the first tenth and at the end (bounded means the
// last two are equal) as a Markdown table for BENCHMARKS.md; then every
// adversarial input scenario of test/robustness/numeric.ts for 20 000 steps on
// every rule variant. Exits 1 if memory kept growing or a parameter became
// non-finite.
//
//   npm run soak                       (node scripts/ts.mjs scripts/soak.ts)
//   npm run soak -- --learners 1000 --steps 100000 --numeric 5000 [kind ...]
import { loadEngram } from "../test/helpers/engram.js";
import { descriptor } from "../test/robustness/learners.js";
import { cycleLearners, longRun } from "../test/robustness/memory.js";
import { runScenario, SCENARIOS } from "../test/robustness/numeric.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args.splice(i, 2)[1]);
  if (!Number.isInteger(v) || v < 10) throw new Error(`--${name} needs an integer ≥ 10`);
  return v;
};
const learners = flag("learners", 10_000);
const steps = flag("steps", 1_000_000);
const numeric = flag("numeric", 20_000);
const kinds = args.length ? args : (await loadEngram()).kinds;
const mib = (b: number) => (b / 2 ** 20).toFixed(2);

console.log(`Engram memory soak, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| learner | run | wasm MiB at start | after 1/10 | at end | bounded | time |");
console.log("|---|---|---:|---:|---:|---|---:|");
let ok = true;
for (const kind of kinds) {
  const c = cycleLearners(await loadEngram(), kind, learners);
  const bounded = c.end === c.warm;
  ok &&= bounded;
  console.log(
    `| ${kind} | ${c.count} learners created/used/disposed | ${mib(c.start)} | ${mib(c.warm)} | ${mib(c.end)} | ${bounded ? "yes" : "**NO**"} | ${(c.ms / c.count).toFixed(3)} ms each |`,
  );
  const s = longRun(await loadEngram(), kind, steps);
  const fine = s.end === s.warm && s.finite;
  ok &&= fine;
  console.log(
    `| ${kind} | ${s.count} steps on one learner | ${mib(s.start)} | ${mib(s.warm)} | ${mib(s.end)} | ${s.end === s.warm ? "yes" : "**NO**"}${s.finite ? "" : ", **non-finite parameters**"} | ${((s.ms * 1000) / s.count).toFixed(2)} µs/step |`,
  );
}
console.log(`\nAdversarial inputs, ${numeric} steps per scenario and rule variant (first defect, if any):\n`);
for (const kind of kinds) {
  const d = descriptor(kind);
  const engram = await loadEngram();
  for (const name of Object.keys(SCENARIOS)) {
    const bad: string[] = [];
    for (const variant of [{}, ...d.variants]) {
      const what = runScenario(engram, kind, variant, name, numeric);
      if (what) bad.push(`${JSON.stringify(variant)} ${what}`);
    }
    ok &&= bad.length === 0;
    console.log(
      `- ${kind}, ${name}: ${bad.length ? `**${bad.length} of ${d.variants.length + 1} variants fail**: ${bad.join("; ")}` : "all variants finite"}`,
    );
  }
}
const heap = process.memoryUsage();
console.log(`\nJS heap used at the end: ${mib(heap.heapUsed)} MiB (rss ${mib(heap.rss)} MiB)`);
process.exit(ok ? 0 : 1);
