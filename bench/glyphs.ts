// Glyphs: a procedural 28×28 grey 10-class image set, generated from a seed, for choosing
// defaults on data that is not MNIST (issue #17). Nothing is downloaded or stored: every
// split is regenerated bit for bit from its seed in about a second.
//
// Each class is a stroke figure (ring, square, triangle, plus, cross, equals, T, L, diamond,
// arc) drawn under a random affine map (rotation ±20°, scale 0.55–0.85 per axis, shear ±0.2,
// shift ±2 px), with a random stroke width (0.9–2.6 px), a random background level (0–0.45),
// a random low contrast (0.12–0.55 above the background; MNIST's strokes are 1 on 0), a
// random distractor stroke in 30 % of the images, Gaussian pixel noise (σ 0.02–0.08) and a clamp
// to [0, 1]. So the values' offset and scale differ from MNIST's from image to image: a
// default that depends on the data's contrast shows it here.
//
//   import { glyphs } from "./glyphs.js";  glyphs("train", 20000) → { images: Float32Array (n × 784), labels: Uint8Array }
//   node scripts/ts.mjs bench/glyphs.ts --pgm out.pgm   (a 10 × 10 contact sheet, one row per class)
//
// Splits: train, validation and test come from disjoint seeds (1, 2, 3); labels cycle through
// a seeded shuffle so every split is balanced. The generator uses plain JavaScript float math
// (Math.sin/cos/sqrt/log): it makes data for benchmarks and is never part of the library.
import { writeFileSync } from "node:fs";
import { rng } from "../test/helpers/rng.js";

/** Side of an image in pixels. */
export const SIDE = 28;
/** The class names, in label order. */
export const GLYPH_CLASSES = [
  "ring",
  "square",
  "triangle",
  "plus",
  "cross",
  "equals",
  "T",
  "L",
  "diamond",
  "arc",
] as const;

type Seg = [number, number, number, number];

// the figures as segments in [-1, 1]², y down
function polyline(points: [number, number][], closed: boolean): Seg[] {
  const out: Seg[] = [];
  const n = points.length;
  for (let i = 0; i + (closed ? 0 : 1) < n; i++) {
    const a = points[i]!,
      b = points[(i + 1) % n]!;
    out.push([a[0], a[1], b[0], b[1]]);
  }
  return out;
}
function arcPoints(from: number, to: number, steps: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const t = from + ((to - from) * i) / steps;
    pts.push([Math.cos(t), Math.sin(t)]);
  }
  return pts;
}
const FIGURES: Seg[][] = [
  polyline(arcPoints(0, 2 * Math.PI, 20).slice(0, 20), true),
  polyline(
    [
      [-0.85, -0.85],
      [0.85, -0.85],
      [0.85, 0.85],
      [-0.85, 0.85],
    ],
    true,
  ),
  polyline(
    [
      [0, -0.95],
      [0.95, 0.8],
      [-0.95, 0.8],
    ],
    true,
  ),
  [
    [0, -1, 0, 1],
    [-1, 0, 1, 0],
  ],
  [
    [-0.8, -0.8, 0.8, 0.8],
    [-0.8, 0.8, 0.8, -0.8],
  ],
  [
    [-0.9, -0.4, 0.9, -0.4],
    [-0.9, 0.4, 0.9, 0.4],
  ],
  [
    [-0.9, -0.9, 0.9, -0.9],
    [0, -0.9, 0, 1],
  ],
  [
    [-0.6, -1, -0.6, 0.9],
    [-0.6, 0.9, 0.8, 0.9],
  ],
  polyline(
    [
      [0, -1],
      [1, 0],
      [0, 1],
      [-1, 0],
    ],
    true,
  ),
  polyline(arcPoints(0.5 * Math.PI, 1.5 * Math.PI, 12), false),
];

/** A split: `images` holds n × 784 values in [0, 1] row-major, `labels` n classes in 0…9. */
export interface GlyphSet {
  images: Float32Array;
  labels: Uint8Array;
}

const SEEDS = { train: 1, validation: 2, test: 3 } as const;

/** Generates `n` images of a split; the same split and n give the same bits. */
export function glyphs(split: keyof typeof SEEDS, n: number): GlyphSet {
  const rand = rng(0x9e3779b9 ^ SEEDS[split]);
  const uni = (a: number, b: number) => a + (b - a) * rand();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const images = new Float32Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n);
  const order = Array.from({ length: 10 }, (_, i) => i);
  const ink = new Float64Array(SIDE * SIDE);
  for (let s = 0; s < n; s++) {
    if (s % 10 === 0)
      for (let i = 9; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    const label = order[s % 10]!;
    labels[s] = label;
    // affine map from figure space to pixels
    const th = uni(-Math.PI / 9, Math.PI / 9),
      sx = uni(0.55, 0.85) * 12,
      sy = uni(0.55, 0.85) * 12,
      sh = uni(-0.2, 0.2);
    const cx = 13.5 + uni(-2, 2),
      cy = 13.5 + uni(-2, 2);
    const c = Math.cos(th),
      si = Math.sin(th);
    const map = (x: number, y: number): [number, number] => {
      const u = sx * (x + sh * y),
        v = sy * y;
      return [cx + c * u - si * v, cy + si * u + c * v];
    };
    const segs = FIGURES[label]!.map(([x0, y0, x1, y1]) => [...map(x0, y0), ...map(x1, y1)] as Seg);
    if (rand() < 0.3) {
      // a distractor: a short stroke somewhere
      const x0 = uni(2, 26),
        y0 = uni(2, 26),
        a = uni(0, 2 * Math.PI),
        len = uni(3, 8);
      segs.push([x0, y0, x0 + len * Math.cos(a), y0 + len * Math.sin(a)]);
    }
    const half = uni(0.9, 2.6) / 2;
    ink.fill(0);
    for (let py = 0; py < SIDE; py++)
      for (let px = 0; px < SIDE; px++) {
        let d = Infinity;
        for (const [x0, y0, x1, y1] of segs) {
          const dx = x1 - x0,
            dy = y1 - y0;
          const len2 = dx * dx + dy * dy;
          let t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          const ex = x0 + t * dx - px,
            ey = y0 + t * dy - py;
          const e = Math.sqrt(ex * ex + ey * ey);
          if (e < d) d = e;
        }
        const v = half + 0.5 - d; // anti-aliased coverage
        ink[py * SIDE + px] = v <= 0 ? 0 : v >= 1 ? 1 : v;
      }
    const bg = uni(0, 0.45),
      contrast = uni(0.12, 0.55),
      noise = uni(0.02, 0.08);
    const base = s * SIDE * SIDE;
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = bg + contrast * ink[i]! + noise * gauss();
      images[base + i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { images, labels };
}

// a contact sheet for eyeballing: 10 rows (classes) × 10 samples, as a binary PGM
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("glyphs.ts")) {
  const i = process.argv.indexOf("--pgm");
  if (i > 0) {
    const { images, labels } = glyphs("validation", 400);
    const W = 10 * SIDE,
      out = new Uint8Array(W * W);
    const filled = new Array<number>(10).fill(0);
    for (let s = 0; s < labels.length; s++) {
      const r = labels[s]!,
        k = filled[r]!;
      if (k >= 10) continue;
      filled[r] = k + 1;
      for (let y = 0; y < SIDE; y++)
        for (let x = 0; x < SIDE; x++)
          out[(r * SIDE + y) * W + k * SIDE + x] = Math.round(255 * images[s * SIDE * SIDE + y * SIDE + x]!);
    }
    writeFileSync(process.argv[i + 1]!, Buffer.concat([Buffer.from(`P5\n${W} ${W}\n255\n`), out]));
  }
}
