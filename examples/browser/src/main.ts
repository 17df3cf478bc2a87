// The page: draw → predict; a correction → the model learns that drawing at
// once; the model and the history of its guesses persist in IndexedDB. It
// starts from pretrained.bin, a snapshot made at build time (build.mjs).
import { init, type Engram, type Learner } from "engram";
import { toMnist } from "./digit.js";

/** What the page needs of a classifier (forwardForward and feedbackAlignment both offer it). */
type Classifier = Learner & { learn(x: Float32Array, label: number): unknown; predict(x: Float32Array): number; scores(x: Float32Array): Float32Array };

/** On a correction, learning steps on that one drawing until the model agrees (at most this many). */
const MAX_STEPS = 30;
const DB = "engram-digits", STORE = "kv";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>("pad"), chart = $<HTMLCanvasElement>("chart");
const ctx = pad.getContext("2d", { willReadFrequently: true })!;

let engram: Engram;
let model: Classifier;
/** Was each guess the user judged right? */
let history: boolean[] = [];
let current: { x: Float32Array; guess: number } | null = null;

/** State for tests and the curious: `window.engramDemo`. */
const demo = { ready: false, guess: -1, source: "", steps: 0, judged: 0, snapshotBytes: 0 };
(window as unknown as { engramDemo: typeof demo }).engramDemo = demo;

// ---- IndexedDB: two keys, "snapshot" (Uint8Array) and "history" (boolean[]) ----
function db(): Promise<IDBDatabase> {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}
async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const d = await db();
  return new Promise((ok, fail) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => {
      d.close();
      ok(req ? req.result : undefined);
    };
    t.onerror = () => fail(t.error);
  });
}
const load = (key: string) => tx<unknown>("readonly", (s) => s.get(key));
async function persist(): Promise<void> {
  const snap = model.save();
  demo.snapshotBytes = snap.length;
  await tx("readwrite", (s) => {
    s.put(snap, "snapshot");
    s.put(history, "history");
  });
}

async function pretrained(): Promise<Classifier> {
  const res = await fetch(new URL("./pretrained.bin", import.meta.url));
  if (!res.ok) throw new Error(`pretrained.bin: HTTP ${res.status}`);
  return engram.restore(new Uint8Array(await res.arrayBuffer())) as Classifier;
}

// ---- drawing ----
let drawing = false;
function clearPad(): void {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  current = null;
  show(null);
}
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 18;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(e.offsetX, e.offsetY);
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  ctx.lineTo(e.offsetX, e.offsetY);
  ctx.stroke();
});
pad.addEventListener("pointerup", () => {
  drawing = false;
  guess();
});

function guess(): void {
  const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
  const gray = new Uint8ClampedArray(pad.width * pad.height);
  for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4]!;
  const x = toMnist(gray, pad.width, pad.height);
  current = x ? { x, guess: model.predict(x) } : null;
  show(current && model.scores(current.x));
}

// ---- the two answers: right, or the right digit ----
async function judge(label: number): Promise<void> {
  if (!current) return;
  history.push(current.guess === label);
  demo.judged = history.length;
  let steps = 0;
  while (model.predict(current.x) !== label && steps < MAX_STEPS) {
    model.learn(current.x, label);
    steps++;
  }
  demo.steps = steps;
  current.guess = model.predict(current.x);
  show(model.scores(current.x));
  drawChart();
  await persist();
  $("status").textContent = steps ? `learned it in ${steps} step${steps > 1 ? "s" : ""}; saved to IndexedDB (${(demo.snapshotBytes / 1024).toFixed(0)} KB)` : "noted; saved to IndexedDB";
}

function show(scores: Float32Array | null): void {
  demo.guess = current ? current.guess : -1;
  $("guess").textContent = current ? String(current.guess) : "?";
  ($("right") as HTMLButtonElement).disabled = !current;
  const bars = $("bars");
  const lo = scores ? Math.min(...scores) : 0, hi = scores ? Math.max(...scores) : 1;
  for (let i = 0; i < 10; i++) {
    const v = scores && hi > lo ? (scores[i]! - lo) / (hi - lo) : 0;
    (bars.children[i] as HTMLElement).style.height = `${4 + 76 * v}px`;
  }
}

/** Accuracy over all judged guesses and over the last 10, after each judgement. */
function drawChart(): void {
  const c = chart.getContext("2d")!;
  const { width: w, height: h } = chart;
  c.clearRect(0, 0, w, h);
  c.strokeStyle = "#eee";
  for (const f of [0.25, 0.5, 0.75]) {
    c.beginPath();
    c.moveTo(0, h - f * h);
    c.lineTo(w, h - f * h);
    c.stroke();
  }
  const n = history.length;
  if (n === 0) return;
  const line = (color: string, at: (i: number) => number) => {
    c.strokeStyle = color;
    c.lineWidth = 2;
    c.beginPath();
    const xy = (i: number) => [n === 1 ? 4 : (i / (n - 1)) * (w - 8) + 4, h - 4 - at(i) * (h - 8)] as const;
    for (let i = 0; i < n; i++) {
      if (i === 0) c.moveTo(...xy(i));
      else c.lineTo(...xy(i));
    }
    c.stroke();
    c.fillStyle = color;
    c.beginPath();
    c.arc(...xy(n - 1), 3, 0, 2 * Math.PI); // the latest point
    c.fill();
  };
  let right = 0;
  const cumulative = history.map((ok, i) => (right += ok ? 1 : 0) / (i + 1));
  line("#bbb", (i) => cumulative[i]!);
  line("#4a7dff", (i) => {
    const from = Math.max(0, i - 9);
    return history.slice(from, i + 1).filter(Boolean).length / (i + 1 - from);
  });
  c.fillStyle = "#333";
  c.font = "12px system-ui";
  c.fillText(`${Math.round(cumulative[n - 1]! * 100)}% of ${n} (blue: last 10)`, 8, 14);
}

// ---- start ----
async function start(): Promise<void> {
  const digits = $("digits"), bars = $("bars");
  for (let d = 0; d < 10; d++) {
    const b = document.createElement("button");
    b.textContent = String(d);
    b.id = `digit-${d}`;
    b.onclick = () => judge(d);
    digits.append(b);
    bars.append(document.createElement("div"));
  }
  $("right").onclick = () => current && judge(current.guess);
  $("clear").onclick = clearPad;
  $("reset").onclick = async () => {
    await tx("readwrite", (s) => s.clear());
    location.reload();
  };
  engram = await init();
  const saved = await load("snapshot");
  if (saved instanceof Uint8Array) {
    model = engram.restore(saved) as Classifier;
    history = ((await load("history")) as boolean[] | undefined) ?? [];
    demo.source = "indexeddb";
    $("status").textContent = `restored from IndexedDB: ${history.length} drawings judged so far`;
  } else {
    model = await pretrained();
    demo.source = "pretrained";
    $("status").textContent = `started from the bundled pretrained ${model.kind} snapshot; draw a digit`;
  }
  demo.judged = history.length;
  clearPad();
  drawChart();
  demo.ready = true;
}

start().catch((e) => {
  $("status").textContent = `could not start: ${e instanceof Error ? e.message : String(e)}`;
  throw e;
});
