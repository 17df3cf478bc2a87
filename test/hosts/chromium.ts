// Chromium host: Debian's chromium driven by playwright-core (no downloaded browser).
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches headless Chromium ($CHROMIUM_PATH or /usr/bin/chromium), with `extraArgs` after the usual ones. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
}

/** Opens `url` and returns what `window.__result` resolves to. */
export async function pageResult(page: Page, url: string): Promise<string> {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page
    .waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, {
      timeout: 30_000,
    })
    .catch(() => {
      throw new Error(`the page never set __result: ${errors.join("; ") || "no page error"}`);
    });
  return page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result);
}

export async function runChromium(base: string, path: string, extraArgs: string[] = []): Promise<string> {
  const browser = await launchChromium(extraArgs);
  try {
    return await pageResult(await browser.newPage(), base + path);
  } finally {
    await browser.close();
  }
}
