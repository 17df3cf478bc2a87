// A small line chart as a standalone SVG for the variance benchmark: log or linear axes
// (cli/plot.ts draws linear learning curves only), markers, dashed series for theory lines,
// and a legend beside the plot.

/** One line: points in data units; `dashed` for a theory curve. */
export interface Line {
  name: string;
  points: { x: number; y: number }[];
  color: string;
  dashed?: boolean;
}

/** What to draw; `logX`/`logY` put that axis on a log10 scale (values must be > 0). */
export interface Plot {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  lines: Line[];
  logX?: boolean;
  logY?: boolean;
  yMin?: number;
  yMax?: number;
  xTicks: number[];
  yTicks: number[];
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const r2 = (v: number) => Number(v.toFixed(2)).toString();
const label = (v: number) =>
  Math.abs(v) >= 1e4
    ? v.toExponential(0).replace("e+", "e")
    : Number.isInteger(v)
      ? String(v)
      : Number(v.toPrecision(3)).toString();

/** Renders `plot` as an SVG document (800 × 520, legend on the right). */
export function renderPlot(plot: Plot): string {
  const W = 860,
    H = 520;
  const box = { left: 70, top: 74, width: 520, height: 380 };
  const tx = (v: number) => (plot.logX ? Math.log10(v) : v);
  const ty = (v: number) => (plot.logY ? Math.log10(v) : v);
  const [x0, x1] = [tx(plot.xTicks[0]!), tx(plot.xTicks.at(-1)!)];
  const [y0, y1] = [ty(plot.yMin ?? plot.yTicks[0]!), ty(plot.yMax ?? plot.yTicks.at(-1)!)];
  const px = (v: number) => box.left + ((tx(v) - x0) / (x1 - x0)) * box.width;
  const py = (v: number) => box.top + box.height - ((Math.min(Math.max(ty(v), y0), y1) - y0) / (y1 - y0)) * box.height;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${box.left}" y="30" font-size="18" font-weight="600" fill="#111827">${esc(plot.title)}</text>`,
    `<text x="${box.left}" y="52" font-size="12" fill="#6b7280">${esc(plot.subtitle)}</text>`,
    `<g font-size="11" fill="#4b5563">`,
  ];
  for (const t of plot.yTicks) {
    out.push(
      `<line x1="${box.left}" x2="${box.left + box.width}" y1="${r2(py(t))}" y2="${r2(py(t))}" stroke="#e5e7eb"/>`,
    );
    out.push(`<text x="${box.left - 6}" y="${r2(py(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  }
  for (const t of plot.xTicks) {
    out.push(
      `<line x1="${r2(px(t))}" x2="${r2(px(t))}" y1="${box.top}" y2="${box.top + box.height}" stroke="#f3f4f6"/>`,
    );
    out.push(`<text x="${r2(px(t))}" y="${box.top + box.height + 17}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(
    `</g>`,
    `<rect x="${box.left}" y="${box.top}" width="${box.width}" height="${box.height}" fill="none" stroke="#9ca3af"/>`,
  );
  out.push(
    `<text x="${box.left + box.width / 2}" y="${H - 22}" font-size="13" fill="#374151" text-anchor="middle">${esc(plot.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(20 ${box.top + box.height / 2}) rotate(-90)" font-size="13" fill="#374151" text-anchor="middle">${esc(plot.yLabel)}</text>`,
  );
  plot.lines.forEach((line, i) => {
    const pts = line.points.filter((p) => (!plot.logX || p.x > 0) && (!plot.logY || p.y > 0));
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j ? "L" : "M"}${r2(px(p.x))} ${r2(py(p.y))}`).join(" ");
    const dash = line.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(
      `<g data-line="${esc(line.name)}">`,
      `<path d="${d}" fill="none" stroke="${line.color}" stroke-width="${line.dashed ? 1.5 : 2.25}"${dash}/>`,
    );
    if (!line.dashed)
      for (const p of pts)
        out.push(
          `<circle cx="${r2(px(p.x))}" cy="${r2(py(p.y))}" r="3.2" fill="#ffffff" stroke="${line.color}" stroke-width="1.75" data-x="${p.x}" data-y="${p.y}"/>`,
        );
    out.push(`</g>`);
    const ly = box.top + 8 + i * 19;
    out.push(
      `<line x1="${box.left + box.width + 18}" x2="${box.left + box.width + 42}" y1="${ly}" y2="${ly}" stroke="${line.color}" stroke-width="2.25"${dash}/>`,
    );
    out.push(
      `<text x="${box.left + box.width + 48}" y="${ly + 4}" font-size="11.5" fill="#374151">${esc(line.name)}</text>`,
    );
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
