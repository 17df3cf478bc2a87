// A learning-curve chart as a standalone SVG: title, subtitle, gridded axes
// with 1-2-5 ticks, axis labels, one line per series, an optional dashed
// target line, the last value of each series at its end, and an optional
// zoomed inset of the top of the range (where accuracy curves spend their time).

/** One curve: points (x, y) in data units, drawn in `color`. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
  color?: string;
}

/** What to draw. */
export interface Chart {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A horizontal dashed reference line, e.g. the accuracy target. */
  target?: { y: number; label: string };
  /** Formats y values for ticks and labels (default: 12k style). */
  yFormat?: (y: number) => string;
  /** Formats x values for ticks (default: 12k style). */
  xFormat?: (x: number) => string;
  /** Fixed y range ends; by default the data's range widened to nice ticks. */
  yMin?: number;
  yMax?: number;
  /** Adds an inset (lower right) showing only y ≥ `yMin`, from the first point that reaches it. */
  inset?: { yMin: number };
  /** Where the legend goes (when there are several series): top left inside the plot (default), or in a row below it. */
  legend?: "inside" | "below";
  width?: number;
  height?: number;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

const COLORS = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed"];
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** Ticks covering [lo, hi] with a 1-2-2.5-5 step and at most about `most` intervals. */
export function niceTicks(lo: number, hi: number, most = 6): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / most;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** 0 → "0", 12000 → "12k", 1500000 → "1.5M". */
export function shortNumber(x: number): string {
  const trim = (v: number) => Number(v.toPrecision(3)).toString();
  if (Math.abs(x) >= 1e6) return `${trim(x / 1e6)}M`;
  if (Math.abs(x) >= 1e3) return `${trim(x / 1e3)}k`;
  return trim(x);
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f = (v: number) => Number(v.toFixed(2)).toString();

/** Renders `chart` as an SVG document. */
export function renderChart(chart: Chart): string {
  const W = chart.width ?? 800;
  const below = chart.legend === "below" && chart.series.length > 1 ? 26 : 0;
  const H = (chart.height ?? 500) + below;
  const top = chart.subtitle ? 80 : 58;
  const box: Box = { left: 76, top, width: W - 76 - 64, height: H - below - top - 62 };
  const all = chart.series.flatMap((s) => s.points);
  const ys = all.map((p) => p.y).concat(chart.target ? [chart.target.y] : []);
  // the x axis ends at the last sample, not at the next round tick beyond it
  const [xLo, xHi] = [Math.min(0, ...all.map((p) => p.x)), Math.max(1, ...all.map((p) => p.x))];
  const xTicks = niceTicks(xLo, xHi, 8).filter((t) => t <= xHi);
  const yTicks = niceTicks(chart.yMin ?? Math.min(...ys, Infinity), chart.yMax ?? Math.max(...ys, -Infinity), 6);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${box.left}" y="34" font-size="19" font-weight="600" fill="#111827">${esc(chart.title)}</text>`,
  ];
  if (chart.subtitle)
    out.push(`<text x="${box.left}" y="58" font-size="13" fill="#6b7280">${esc(chart.subtitle)}</text>`);
  panel(out, chart, box, chart.series, [xLo, xHi], [yTicks[0]!, yTicks.at(-1)!], xTicks, yTicks, 12, true);
  out.push(
    `<text x="${box.left + box.width / 2}" y="${H - below - 16}" font-size="13" fill="#374151" text-anchor="middle">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(22 ${box.top + box.height / 2}) rotate(-90)" font-size="13" fill="#374151" text-anchor="middle">${esc(chart.yLabel)}</text>`,
  );

  const inset = chart.inset && insetSeries(chart.series, chart.inset.yMin);
  if (chart.inset && inset) {
    const iw = box.width * 0.5;
    const ih = box.height * 0.46;
    const ibox: Box = {
      left: box.left + box.width - iw - 14,
      top: box.top + box.height - ih - 34,
      width: iw,
      height: ih,
    };
    const ipts = inset.flatMap((s) => s.points);
    const iy = niceTicks(chart.inset.yMin, chart.yMax ?? Math.max(...ipts.map((p) => p.y)), 4);
    const [lo, hi] = [Math.min(...ipts.map((p) => p.x)), Math.max(...ipts.map((p) => p.x))];
    const pad = (hi - lo) * 0.04;
    const ix = niceTicks(lo, hi, 4).filter((t) => t >= lo - pad && t <= hi + pad);
    out.push(
      `<rect x="${f(ibox.left - 46)}" y="${f(ibox.top - 24)}" width="${f(iw + 56)}" height="${f(ih + 50)}" rx="6" fill="#ffffff" stroke="#d1d5db"/>`,
    );
    out.push(
      `<text x="${f(ibox.left - 38)}" y="${f(ibox.top - 9)}" font-size="11" fill="#6b7280">zoom: ${esc((chart.yFormat ?? shortNumber)(iy[0]!))} and up</text>`,
    );
    panel(out, chart, ibox, inset, [lo - pad, hi + pad], [iy[0]!, iy.at(-1)!], ix, iy, 10, false);
  }

  if (chart.series.length > 1) {
    // top left, under the title: accuracy curves rise to the right; or in one row below the axis label
    const step = box.width / chart.series.length;
    chart.series.forEach((s, i) => {
      const color = s.color ?? COLORS[i % COLORS.length]!;
      const [x, y] = below ? [box.left - 40 + i * step, H - 14] : [box.left, box.top + 20 + i * 18];
      out.push(
        `<line x1="${f(x + 40)}" x2="${f(x + 62)}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2.5"/>`,
        `<text x="${f(x + 68)}" y="${y}" font-size="12" fill="#374151">${esc(s.name)}</text>`,
      );
    });
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** The part of each series from its first point with y ≥ yMin on (none if no series gets there in two points). */
function insetSeries(series: Series[], yMin: number): Series[] | undefined {
  const cut = series.map((s) => ({
    ...s,
    points: s.points
      .slice(
        Math.max(
          0,
          s.points.findIndex((p) => p.y >= yMin),
        ),
      )
      .filter((p) => p.y >= yMin),
  }));
  return cut.some((s) => s.points.length >= 2) ? cut : undefined;
}

/** Grid, ticks, frame, target line and series inside `box`, which spans [x0, x1] × [y0, y1]. */
function panel(
  out: string[],
  chart: Chart,
  box: Box,
  series: Series[],
  [x0, x1]: [number, number],
  [y0, y1]: [number, number],
  xTicks: number[],
  yTicks: number[],
  fontSize: number,
  labelLast: boolean,
): void {
  const px = (x: number) => box.left + ((x - x0) / (x1 - x0)) * box.width;
  const py = (y: number) => box.top + box.height - ((y - y0) / (y1 - y0)) * box.height;
  const yFmt = chart.yFormat ?? shortNumber;
  const xFmt = chart.xFormat ?? shortNumber;
  const bottom = box.top + box.height;
  out.push(`<g font-size="${fontSize}" fill="#4b5563">`);
  for (const t of yTicks) {
    out.push(
      `<line x1="${box.left}" x2="${box.left + box.width}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e5e7eb"/>`,
      `<text x="${box.left - 8}" y="${f(py(t) + fontSize / 3)}" text-anchor="end">${esc(yFmt(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${bottom}" y2="${bottom + 5}" stroke="#9ca3af"/>`,
      `<text x="${f(px(t))}" y="${f(bottom + 8 + fontSize)}" text-anchor="middle">${esc(xFmt(t))}</text>`,
    );
  }
  out.push(
    `</g>`,
    `<rect x="${box.left}" y="${box.top}" width="${box.width}" height="${box.height}" fill="none" stroke="#9ca3af"/>`,
  );
  if (chart.target && chart.target.y >= y0 && chart.target.y <= y1) {
    const ty = py(chart.target.y);
    out.push(
      `<line x1="${box.left}" x2="${box.left + box.width}" y1="${f(ty)}" y2="${f(ty)}" stroke="#dc2626" stroke-width="1.25" stroke-dasharray="6 4"/>`,
      `<text x="${box.left + 6}" y="${f(ty - 5)}" font-size="${fontSize - 1}" fill="#dc2626">${esc(chart.target.label)}</text>`,
    );
  }
  const labelled: { x: number; y: number }[] = []; // end labels drawn so far: one per spot
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const color = s.color ?? COLORS[i % COLORS.length]!;
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${f(px(p.x))} ${f(py(p.y))}`).join(" ");
    out.push(
      `<g data-series="${esc(s.name)}">`,
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2.25" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    for (const p of s.points) {
      out.push(
        `<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3.25" fill="#ffffff" stroke="${color}" stroke-width="1.75" data-x="${p.x}" data-y="${p.y}"/>`,
      );
    }
    const last = s.points.at(-1)!;
    const at = { x: px(last.x), y: py(last.y) };
    const free = !labelled.some((q) => Math.abs(q.x - at.x) < 30 && Math.abs(q.y - at.y) < 14);
    if (labelLast && free) labelled.push(at);
    if (labelLast && free)
      out.push(
        `<text x="${f(px(last.x) - 6)}" y="${f(py(last.y) - 9)}" font-size="${fontSize + 1}" font-weight="600" fill="${color}" text-anchor="end">${esc(yFmt(last.y))}</text>`,
      );
    out.push(`</g>`);
  });
}
