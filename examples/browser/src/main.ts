// The page: draw → guess; a correction → the model learns that drawing; "Teach"
// → a new class named by the user, learned from the next few drawings. The model
// is engram.continual (16 classes: the digits and room for 6 symbols), which learns
// a new class from its first samples without forgetting the old ones. The model,
// the class names and the history of guesses persist in IndexedDB. It starts from
// pretrained.bin and measures its digit accuracy on check.bin, both made at build
// time from MNIST (build.mjs).
import { init, type Continual, type Engram } from "engram";
import { toMnist } from "./digit.js";

/** Capacity of the model (build.mjs creates it with this many classes). */
const CLASSES = 16;
/** Drawings needed before "Done" ends a lesson. */
const MIN_DRAWINGS = 3;
const DB = "engram-digits",
  STORE = "kv";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true })!;

let engram: Engram;
let model: Continual;
/** Class names: "0"…"9", then the symbols the user named. */
let names: string[] = [];
/** Every drawing the user judged: its true label and the guess made before learning it. */
let history: { label: number; guess: number }[] = [];
/** Digit accuracy on check.bin: when the page first started, and now. */
let checks = { first: -1, now: -1 };
let current: { x: Float32Array; guess: number } | null = null;
/** While teaching: the new class and how many drawings of it were learned. */
let lesson: { label: number; drawings: number } | null = null;
/** Has the model learned since its last prediction? (its next prediction re-solves the head) */
let stale = true;
let checkSet: { images: Uint8Array; labels: Uint8Array; n: number };

/** State for tests and the curious: `window.engramDemo`. */
const demo = {
  ready: false,
  guess: -1,
  source: "",
  judged: 0,
  taught: 0,
  names: [] as string[],
  /** Mean milliseconds of a `learn` in this session (browsers coarsen the clock, so a mean), and of the last first prediction after learning (it re-solves the head). */
  learnMs: 0,
  learns: 0,
  solveMs: 0,
  checkFirst: -1,
  checkNow: -1,
  checkN: 0,
  checkMs: 0,
  snapshotBytes: 0,
  /** `taught + judged` when checkNow was measured. */
  checkedAt: -1,
};
(window as unknown as { engramDemo: typeof demo }).engramDemo = demo;

// ---- IndexedDB: "snapshot" (Uint8Array), "names", "history", "checks" ----
function db(): Promise<IDBDatabase> {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}
async function tx<T>(
  mode: IDBTransactionMode,
  fn: (s: IDBObjectStore) => IDBRequest<T> | void,
): Promise<T | undefined> {
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
    s.put(names, "names");
    s.put(history, "history");
    s.put(checks, "checks");
  });
}
async function fetchBytes(name: string): Promise<Uint8Array> {
  const res = await fetch(new URL(`./${name}`, import.meta.url));
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// ---- the model, timed ----
function learn(x: Float32Array, label: number): void {
  const t = performance.now();
  model.learn(x, label);
  demo.learnMs += (performance.now() - t - demo.learnMs) / ++demo.learns;
  stale = true;
}
function predict(x: Float32Array): number {
  const t = performance.now();
  const y = model.predict(x);
  if (stale) demo.solveMs = performance.now() - t;
  stale = false;
  return y;
}

// ---- drawing ----
/** The canvas as an MNIST-like image (the red channel: the strokes are white). */
function read(c: CanvasRenderingContext2D): Float32Array | null {
  const { width, height } = c.canvas;
  const { data } = c.getImageData(0, 0, width, height);
  const gray = new Uint8ClampedArray(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4]!;
  return toMnist(gray, width, height);
}
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
  const x = read(ctx);
  if (!x) return;
  if (lesson) {
    // Teaching: learn the drawing as the new class at once and ask for the next one; no
    // prediction in between, so the head is re-solved once, when the lesson ends.
    learn(x, lesson.label);
    lesson.drawings++;
    demo.taught++;
    clearPad();
    showLesson();
    return;
  }
  current = { x, guess: predict(x) };
  show(model.scores(x));
});

// ---- a correction (or a confirmation): learn that drawing once ----
async function judge(label: number): Promise<void> {
  if (!current || lesson) return;
  history.push({ label, guess: current.guess });
  learn(current.x, label);
  demo.judged = history.length;
  showRecall();
  $("status").textContent = `learned it in ${demo.learnMs.toFixed(1)} ms`;
  current = null;
  await persist();
  scheduleCheck();
}

// ---- teaching a new class ----
function startLesson(): void {
  const name = $<HTMLInputElement>("name").value.trim();
  if (!name || names.length >= CLASSES) return;
  const known = names.indexOf(name);
  lesson = { label: known >= 0 ? known : names.length, drawings: 0 };
  if (known < 0) names.push(name);
  demo.names = names.slice();
  clearPad();
  showClasses();
  showLesson();
}
async function endLesson(): Promise<void> {
  if (!lesson) return;
  const { label, drawings } = lesson;
  lesson = null;
  showLesson();
  await persist();
  $("status").textContent =
    `learned “${names[label]}” from ${drawings} drawings (${demo.learnMs.toFixed(1)} ms a drawing); draw it`;
  scheduleCheck();
}
function showLesson(): void {
  pad.classList.toggle("teaching", lesson !== null);
  $<HTMLButtonElement>("done").disabled = !lesson || lesson.drawings < MIN_DRAWINGS;
  $<HTMLButtonElement>("teach").disabled = lesson !== null || names.length >= CLASSES;
  $("teaching").textContent = lesson
    ? `draw “${names[lesson.label]}” (${lesson.drawings} so far; a few, then Done)`
    : names.length >= CLASSES
      ? "full: 16 classes"
      : "";
}

// ---- did it forget? digit accuracy on check.bin, through the same canvas path as a drawing ----
let checkTimer: ReturnType<typeof setTimeout> | undefined;
/** Measures after a pause, so a burst of corrections re-solves the head once. */
function scheduleCheck(): void {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => void measure(), 600);
}
async function measure(): Promise<void> {
  const t = performance.now();
  const cell = document.createElement("canvas");
  cell.width = cell.height = 28;
  const big = document.createElement("canvas");
  big.width = pad.width;
  big.height = pad.height;
  const c = big.getContext("2d", { willReadFrequently: true })!;
  const img = new ImageData(28, 28);
  let right = 0;
  for (let i = 0; i < checkSet.n; i++) {
    for (let p = 0; p < 784; p++) {
      const v = checkSet.images[i * 784 + p]!;
      img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
      img.data[p * 4 + 3] = 255;
    }
    cell.getContext("2d")!.putImageData(img, 0, 0);
    c.drawImage(cell, 0, 0, big.width, big.height);
    const x = read(c);
    right += x && predict(x) === checkSet.labels[i] ? 1 : 0;
    if (i % 50 === 49) await new Promise((ok) => setTimeout(ok, 0)); // let the page breathe
  }
  checks.now = right / checkSet.n;
  if (checks.first < 0) checks.first = checks.now;
  demo.checkFirst = checks.first;
  demo.checkNow = checks.now;
  demo.checkN = checkSet.n;
  demo.checkMs = performance.now() - t;
  demo.checkedAt = demo.taught + demo.judged;
  showChecks();
  await persist();
}
function showChecks(): void {
  const pct = (v: number) => (v < 0 ? "…" : `${(100 * v).toFixed(1)} %`);
  $("checks").innerHTML =
    `Accuracy on ${checkSet.n} MNIST test digits: <b>${pct(checks.first)}</b> when it started, <b>${pct(checks.now)}</b> now` +
    (demo.solveMs ? `<br><small>re-solving after learning took ${demo.solveMs.toFixed(0)} ms</small>` : "");
}

// ---- display ----
function show(scores: Float32Array | null): void {
  demo.guess = current ? current.guess : -1;
  $("guess").textContent = current ? (names[current.guess] ?? "?") : "?";
  $<HTMLButtonElement>("right").disabled = !current;
  const bars = $("bars");
  const seen = model ? model.classesSeen : [];
  let lo = Infinity,
    hi = -Infinity;
  for (const c of seen) if (scores) ((lo = Math.min(lo, scores[c]!)), (hi = Math.max(hi, scores[c]!)));
  for (let i = 0; i < CLASSES; i++) {
    const v = scores && seen.includes(i) && hi > lo ? (scores[i]! - lo) / (hi - lo) : 0;
    (bars.children[i] as HTMLElement).style.height = `${3 + 67 * v}px`;
  }
}
function showClasses(): void {
  const box = $("classes"),
    labels = $("labels");
  box.replaceChildren();
  names.forEach((name, c) => {
    const b = document.createElement("button");
    b.textContent = name;
    b.id = `class-${c}`;
    if (c >= 10) b.className = "symbol";
    b.onclick = () => void judge(c);
    box.append(b);
  });
  for (let i = 0; i < CLASSES; i++) (labels.children[i] as HTMLElement).textContent = names[i] ?? "";
}
/** Per class: how often the guess was right on the user's drawings, before learning each. */
function showRecall(): void {
  const rows = names.map((name, c) => {
    const mine = history.filter((h) => h.label === c);
    return mine.length
      ? `<tr><td>${name.replace(/[<&]/g, "")}</td><td>${mine.filter((h) => h.guess === c).length} / ${mine.length}</td></tr>`
      : "";
  });
  $("recall").innerHTML = rows.join("")
    ? `<tr><th>class</th><th>guessed right</th></tr>${rows.join("")}`
    : "<tr><td>nothing judged yet</td></tr>";
}

// ---- start ----
async function start(): Promise<void> {
  for (let i = 0; i < CLASSES; i++) {
    $("bars").append(document.createElement("div"));
    $("labels").append(document.createElement("span"));
  }
  $("right").onclick = () => current && void judge(current.guess);
  $("clear").onclick = clearPad;
  $("teach").onclick = startLesson;
  $("done").onclick = () => void endLesson();
  $("reset").onclick = async () => {
    await tx("readwrite", (s) => s.clear());
    location.reload();
  };
  engram = await init();
  const bytes = await fetchBytes("check.bin");
  const n = Math.floor(bytes.length / 785);
  checkSet = { images: bytes.subarray(0, n * 784), labels: bytes.subarray(n * 784, n * 785), n };
  const saved = await load("snapshot");
  if (saved instanceof Uint8Array) {
    model = engram.restore(saved, "continual");
    names = ((await load("names")) as string[] | undefined) ?? [];
    history = ((await load("history")) as typeof history | undefined) ?? [];
    checks = ((await load("checks")) as typeof checks | undefined) ?? checks;
    demo.source = "indexeddb";
    $("status").textContent =
      `restored from IndexedDB: ${names.length - 10} symbols taught, ${history.length} drawings judged`;
  } else {
    model = engram.restore(await fetchBytes("pretrained.bin"), "continual");
    names = Array.from({ length: 10 }, (_, d) => String(d));
    demo.source = "pretrained";
    $("status").textContent =
      "started from the bundled pretrained snapshot (MNIST, learned class by class); draw a digit";
  }
  if (model.kind !== "continual" || model.config["classes"] !== CLASSES)
    throw new Error(`expected a ${CLASSES}-class continual snapshot`);
  demo.names = names.slice();
  demo.judged = history.length;
  clearPad();
  showClasses();
  showLesson();
  showRecall();
  await measure();
  demo.ready = true;
}

start().catch((e) => {
  $("status").textContent = `could not start: ${e instanceof Error ? e.message : String(e)}`;
  throw e;
});
