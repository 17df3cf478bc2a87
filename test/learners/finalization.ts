// Run by classifier.test.ts with node --expose-gc: memory of an engine whose learners are
// dropped without dispose() (the FinalizationRegistry net frees them after GC) against
// one whose learners are disposed. Prints one JSON line.
import { loadEngram } from "../helpers/engram.js";

const gc = (globalThis as { gc?: () => void }).gc!;
const tick = () => new Promise((r) => setTimeout(r, 0));

async function churn(dispose: boolean): Promise<{ engine: number; baseline: number }> {
  const engram = await loadEngram();
  const baseline = engram.memoryBytes;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 10; i++) {
      const l = engram.feedbackAlignment({ inputs: 512, hidden: [512], classes: 2 }); // ~1 MB
      l.predict(new Float32Array(512));
      if (dispose) l.dispose();
    }
    gc();
    await tick(); // finalizers run on a later task
    gc();
    await tick();
  }
  return { engine: engram.memoryBytes, baseline };
}

const disposed = await churn(true);
const dropped = await churn(false);
console.log(JSON.stringify({ disposed: disposed.engine, dropped: dropped.engine, baseline: disposed.baseline }));
