// examples/browser in headless Chromium: "teach it something new". The page
// starts from a continual learner fed MNIST class by class at build time; the
// test names a new symbol (a star), draws it a few times with pointer events,
// then checks that new, held-out drawings of it are recognised and that the
// page's own digit accuracy (MNIST test digits pushed through the page's canvas
// path) did not drop by more than a small margin; then that the lesson survives
// a reload (IndexedDB) and that "forget" brings back the pretrained model.
// Saves a screenshot to out/examples/browser.png.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { serve } from "./server.js";
import { DIST } from "./stage.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
type Demo = {
  ready: boolean;
  guess: number;
  source: string;
  judged: number;
  taught: number;
  names: string[];
  learnMs: number;
  learns: number;
  solveMs: number;
  checkFirst: number;
  checkNow: number;
  checkN: number;
  checkMs: number;
  checkedAt: number;
};

/** Drawings of the star the test teaches, and held out to test it. */
const TEACH = 6,
  HELD_OUT = 20;
/** Share of held-out stars that must be recognised. */
const MIN_RECALL = 0.8;
/** Largest allowed drop of the digit accuracy on the page's check digits (fraction). */
const MAX_DIGIT_DROP = 0.02;

/** Copies of each digit in the fixed set of drawn digits, and how many of them may turn wrong. */
const DRAWN_COPIES = 2,
  MAX_DRAWN_DROP = 1;

let dir: string;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "engram-browser-"));
  // 10 000 training digits, class by class; 300 check digits keep the page's measurement short.
  execFileSync(
    process.execPath,
    [join(ROOT, "examples/browser/build.mjs"), "--out", dir, "--dist", DIST, "--samples", "10000", "--check", "300"],
    { stdio: "pipe" },
  );
  server = await serve(dir);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const demo = (page: Page) => page.evaluate(() => (window as unknown as { engramDemo: Demo }).engramDemo);
const ready = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { engramDemo?: Demo }).engramDemo?.ready === true, null, {
    timeout: 30_000,
  });

/** mulberry32: a small seeded generator, so the jittered drawings are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A five-pointed star in one stroke on the 280 × 280 pad, jittered: centre, size, rotation, every vertex. */
function star(r: () => number): [number, number][] {
  const j = (s: number) => (r() * 2 - 1) * s;
  const cx = 140 + j(20),
    cy = 140 + j(20),
    radius = 85 + j(15),
    turn = j(0.15);
  const points: [number, number][] = [];
  for (let k = 0; k <= 5; k++) {
    const a = -Math.PI / 2 + turn + (k % 5) * ((4 * Math.PI) / 5);
    points.push([cx + radius * Math.cos(a) + j(7), cy + radius * Math.sin(a) + j(7)]);
  }
  return points;
}

/** Digits 0–9 as one stroke each on the 280 × 280 pad, the way a hand draws them. */
const arc = (cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 16): [number, number][] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
const DIGITS: [number, number][][] = [
  arc(140, 140, 60, 95, -Math.PI / 2, 1.5 * Math.PI, 24),
  [
    [150, 40],
    [140, 240],
  ],
  [
    [80, 90],
    [110, 55],
    [160, 50],
    [200, 80],
    [195, 120],
    [80, 235],
    [210, 235],
  ],
  [
    [80, 60],
    [190, 60],
    [130, 130],
    [200, 175],
    [170, 230],
    [80, 230],
  ],
  [
    [170, 240],
    [170, 40],
    [70, 170],
    [220, 170],
  ],
  [
    [190, 55],
    [100, 55],
    [95, 130],
    [160, 125],
    [195, 170],
    [170, 225],
    [90, 230],
  ],
  [
    [180, 50],
    [110, 120],
    [85, 190],
    [120, 235],
    [175, 220],
    [185, 170],
    [140, 145],
    [95, 175],
  ],
  [
    [70, 60],
    [210, 60],
    [120, 240],
  ],
  Array.from(
    { length: 33 },
    (_, i) =>
      [140 + 55 * Math.sin((2 * Math.PI * i) / 16), 140 - 95 * Math.cos((Math.PI * i) / 16)] as [number, number],
  ),
  [...arc(140, 95, 50, 50, 0, -2 * Math.PI), [185, 240]],
];
/** A digit's stroke, jittered: offset, size, every point. */
function digit(d: number, r: () => number): [number, number][] {
  const j = (s: number) => (r() * 2 - 1) * s;
  const dx = j(15),
    dy = j(15),
    k = 1 + j(0.1);
  return DIGITS[d]!.map(([x, y]) => [140 + (x - 140) * k + dx + j(5), 140 + (y - 140) * k + dy + j(5)]);
}
/** Draws every digit `copies` times (fixed seed) and returns how many the page guessed right. */
async function drawnDigits(page: Page, copies: number): Promise<number> {
  const r = rng(7);
  let right = 0;
  for (let c = 0; c < copies; c++) {
    for (let d = 0; d < 10; d++) {
      await page.click("#clear");
      await draw(page, digit(d, r));
      right += (await demo(page)).guess === d ? 1 : 0;
    }
  }
  return right;
}

/** Draws a polyline on the pad with mouse-driven pointer events. */
async function draw(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  await page.mouse.move(box.x + points[0]![0], box.y + points[0]![1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
  await page.mouse.up();
}

describe("examples/browser in Chromium", () => {
  it("learns a new symbol from a few drawings without forgetting the digits, and keeps it across a reload", async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/index.html`);
    await ready(page);
    const start = await demo(page);
    expect(start.source).toBe("pretrained");
    expect(start.names).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(start.checkFirst, "the pretrained digits are learned").toBeGreaterThan(0.85);
    const drawnBefore = await drawnDigits(page, DRAWN_COPIES);
    await page.click("#clear");

    // The lesson: name it, draw it TEACH times, done.
    await page.fill("#name", "star");
    await page.click("#teach");
    const teach = rng(1);
    for (let i = 0; i < TEACH; i++) await draw(page, star(teach));
    expect((await demo(page)).taught).toBe(TEACH);
    await page.click("#done");
    await page.waitForFunction((n) => (window as unknown as { engramDemo: Demo }).engramDemo.checkedAt === n, TEACH, {
      timeout: 30_000,
    });
    const taught = await demo(page);
    expect(taught.names[10]).toBe("star");

    // (2, measured first) The digits are not forgotten: the same drawn digits, and the same
    // check digits through the same page code path, before and after the lesson.
    const drawnAfter = await drawnDigits(page, DRAWN_COPIES);

    // (1) Held-out stars (another seed) are recognised.
    const held = rng(2);
    let recognised = 0;
    for (let i = 0; i < HELD_OUT; i++) {
      await page.click("#clear");
      await draw(page, star(held));
      recognised += (await demo(page)).guess === 10 ? 1 : 0;
    }
    const drop = taught.checkFirst - taught.checkNow;
    console.log(
      `browser example: star recall ${recognised}/${HELD_OUT} after ${TEACH} drawings; digits on ${taught.checkN} MNIST test digits ` +
        `${(100 * taught.checkFirst).toFixed(1)} % before, ${(100 * taught.checkNow).toFixed(1)} % after; ` +
        `drawn digits ${drawnBefore}/${10 * DRAWN_COPIES} before, ${drawnAfter}/${10 * DRAWN_COPIES} after; ` +
        `learn ${taught.learnMs.toFixed(2)} ms (mean of ${taught.learns}), first predict after learning ${taught.solveMs.toFixed(0)} ms, check pass ${taught.checkMs.toFixed(0)} ms`,
    );
    expect(recognised / HELD_OUT).toBeGreaterThanOrEqual(MIN_RECALL);
    expect(drop).toBeLessThanOrEqual(MAX_DIGIT_DROP);
    expect(drawnBefore / (10 * DRAWN_COPIES), "the drawn digits are mostly recognised").toBeGreaterThanOrEqual(0.5);
    expect(drawnBefore - drawnAfter).toBeLessThanOrEqual(MAX_DRAWN_DROP);
    expect(await page.textContent("#guess")).toBe("star");

    // A confirmation is a judged drawing: it shows in the per-class table.
    await page.click("#right");
    await page.waitForFunction(() => (window as unknown as { engramDemo: Demo }).engramDemo.judged === 1);
    await page.waitForFunction(
      (n) => (window as unknown as { engramDemo: Demo }).engramDemo.checkedAt === n,
      TEACH + 1,
      { timeout: 30_000 },
    );
    expect(await page.textContent("#recall")).toContain("star");
    await page.click("#clear");
    await draw(page, star(held));
    expect(await page.textContent("#guess")).toBe("star");
    mkdirSync(join(ROOT, "out/examples"), { recursive: true });
    const shot = join(ROOT, "out/examples/browser.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    // IndexedDB: the model and the class names come back after a reload.
    await page.reload();
    await ready(page);
    const back = await demo(page);
    expect(back.source).toBe("indexeddb");
    expect(back.names[10]).toBe("star");
    expect(back.judged).toBe(1);
    expect(back.checkFirst).toBe(taught.checkFirst);
    await draw(page, star(rng(3)));
    expect((await demo(page)).guess, "the restored model knows the star").toBe(10);
    expect(await page.textContent("#guess")).toBe("star");

    await Promise.all([page.waitForEvent("load"), page.click("#reset")]); // forget: back to the pretrained snapshot
    await ready(page);
    const reset = await demo(page);
    expect(reset.source).toBe("pretrained");
    expect(reset.names).toHaveLength(10);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
