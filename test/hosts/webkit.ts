// WebKit host: WebKitGTK's MiniBrowser under Xvfb (it has no headless mode),
// driven over W3C WebDriver (HTTP) by WebKitWebDriver.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const MINIBROWSER = process.env["MINIBROWSER_PATH"] ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function wd(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { value: any };
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value).slice(0, 500)}`);
  return json.value;
}

export async function runWebKit(base: string, path: string): Promise<string> {
  const port = await freePort();
  // detached: its own process group, so Xvfb, the driver and MiniBrowser all end with it.
  const proc = spawn("xvfb-run", ["-a", "WebKitWebDriver", `--port=${port}`], { detached: true, stdio: "ignore" });
  const driver = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        await wd(driver, "GET", "/status");
        break;
      } catch (e) {
        if (i > 300) throw new Error(`WebKitWebDriver did not start within 30 s: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const session = await wd(driver, "POST", "/session", {
      capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } } },
    });
    const id = session.sessionId as string;
    try {
      await wd(driver, "POST", `/session/${id}/timeouts`, { script: 60_000 });
      await wd(driver, "POST", `/session/${id}/url`, { url: base + path });
      return await wd(driver, "POST", `/session/${id}/execute/async`, {
        script: `const done = arguments[arguments.length - 1];
          const wait = () => window.__result ? window.__result.then(done, (e) => done(JSON.stringify({ error: String(e) }))) : setTimeout(wait, 20);
          wait();`,
        args: [],
      });
    } finally {
      await wd(driver, "DELETE", `/session/${id}`).catch(() => undefined);
    }
  } finally {
    try {
      process.kill(-proc.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
}
