// examples/browser in headless Chromium: draw a stroke with pointer events,
// correct the guess, see the guess change, reload and find the lesson kept in
// IndexedDB. Saves a screenshot to out/examples/browser.png.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { serve } from "./server.js";
import { DIST } from "./stage.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
type Demo = { ready: boolean; guess: number; source: string; steps: number; judged: number; snapshotBytes: number };

let dir: string;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "engram-browser-"));
  execFileSync(process.execPath, [join(ROOT, "examples/browser/build.mjs"), "--out", dir, "--dist", DIST, "--samples", "6000"], { stdio: "pipe" });
  server = await serve(dir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const demo = (page: Page) => page.evaluate(() => (window as unknown as { engramDemo: Demo }).engramDemo);
const ready = (page: Page) => page.waitForFunction(() => (window as unknown as { engramDemo?: Demo }).engramDemo?.ready === true, null, { timeout: 20_000 });

/** Draws a "7" on the pad with mouse-driven pointer events. */
async function drawSeven(page: Page): Promise<void> {
  await page.click("#clear");
  const box = (await page.locator("#pad").boundingBox())!;
  const at = (x: number, y: number) => [box.x + x, box.y + y] as const;
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 12 });
  await page.mouse.move(...at(120, 240), { steps: 16 });
  await page.mouse.up();
}

describe("examples/browser in Chromium", () => {
  it("guesses, learns a correction at once, and keeps it across a reload", async () => {
    const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/index.html`);
    await ready(page);
    expect((await demo(page)).source).toBe("pretrained");

    await drawSeven(page);
    const first = (await demo(page)).guess;
    expect(first).toBeGreaterThanOrEqual(0);
    const label = first === 7 ? 1 : 7; // a correction, whatever the first guess was
    await page.click(`#digit-${label}`);
    await page.waitForFunction(() => (window as unknown as { engramDemo: Demo }).engramDemo.judged === 1);
    const after = await demo(page);
    expect(after.steps).toBeGreaterThan(0);
    expect(after.guess).toBe(label);
    expect(await page.textContent("#guess")).toBe(String(label));
    mkdirSync(join(ROOT, "out/examples"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "out/examples/browser.png"), fullPage: true });

    await page.reload();
    await ready(page);
    const back = await demo(page);
    expect(back.source).toBe("indexeddb");
    expect(back.judged).toBe(1);
    await drawSeven(page);
    expect((await demo(page)).guess, "the restored model remembers the correction").toBe(label);

    await Promise.all([page.waitForEvent("load"), page.click("#reset")]); // forget: back to the pretrained snapshot
    await ready(page);
    expect((await demo(page)).source).toBe("pretrained");
    expect(errors).toEqual([]);
    await context.close();
  });
});
