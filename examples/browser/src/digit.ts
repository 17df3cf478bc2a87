// A drawing → an MNIST-like 28×28 image: MNIST digits are white on black, their
// bounding box scaled to fit 20×20 (aspect kept) and placed so that the centre
// of mass sits at the image centre (LeCun et al. 1998). Input math only: the
// model's math all runs in engram.wasm.

/**
 * `gray` holds width × height intensities (0–255, row-major). Returns 784 values
 * in [0, 1], or null when nothing is drawn.
 */
export function toMnist(gray: ArrayLike<number>, width: number, height: number): Float32Array | null {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh); // target pixels per source pixel
  const tw = Math.max(1, Math.round(bw * scale)),
    th = Math.max(1, Math.round(bh * scale));
  // box filter: each target pixel averages the source pixels it covers
  const small = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const sy0 = y0 + Math.floor((ty * bh) / th),
      sy1 = y0 + Math.max(Math.floor(((ty + 1) * bh) / th), Math.floor((ty * bh) / th) + 1);
    for (let tx = 0; tx < tw; tx++) {
      const sx0 = x0 + Math.floor((tx * bw) / tw),
        sx1 = x0 + Math.max(Math.floor(((tx + 1) * bw) / tw), Math.floor((tx * bw) / tw) + 1);
      let sum = 0;
      for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += gray[sy * width + sx]!;
      small[ty * tw + tx] = sum / ((sy1 - sy0) * (sx1 - sx0) * 255);
    }
  }
  // centre of mass → (14, 14)
  let mass = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  const ox = Math.round(14 - mx / mass),
    oy = Math.round(14 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const X = x + ox,
        Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = small[y * tw + x]!;
    }
  return out;
}
