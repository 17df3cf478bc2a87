// Firefox host: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi.
import puppeteer from "puppeteer-core";

export async function runFirefox(base: string, path: string): Promise<string> {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env["FIREFOX_PATH"] ?? "/usr/bin/firefox-esr",
    headless: true,
    extraPrefsFirefox: { "datareporting.policy.dataSubmissionEnabled": false, "app.update.enabled": false },
  });
  try {
    const page = await browser.newPage();
    await page.goto(base + path);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, {
      timeout: 30_000,
    });
    return await page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result);
  } finally {
    await browser.close();
  }
}
