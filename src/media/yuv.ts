/**
 * A planar YUV 4:2:0 picture, 8 bits per sample, BT.709 limited range (what every clip and ad here is
 * encoded as): `data` holds the Y plane (width × height), then U, then V (each width/2 × height/2), with no
 * row padding — ffmpeg's `rawvideo` `yuv420p` layout.
 */
export interface Yuv420Image {
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
}

/** Bytes of a `yuv420p` frame of even `widthPx` × `heightPx`. */
export function yuv420FrameBytes(widthPx: number, heightPx: number): number {
  return (widthPx * heightPx * 3) / 2;
}

/** One plane of a yuv420p frame: where it starts in `data` (bytes), its size, and its subsampling (1 or 2). */
export interface Yuv420Plane {
  offset: number;
  widthPx: number;
  heightPx: number;
  subsampling: 1 | 2;
}

/** The Y, U and V planes of a `widthPx × heightPx` yuv420p frame, in that order (rawvideo layout). Pure. */
export function yuv420Planes(widthPx: number, heightPx: number): [Yuv420Plane, Yuv420Plane, Yuv420Plane] {
  const luma = widthPx * heightPx;
  const cw = widthPx / 2;
  const ch = heightPx / 2;
  return [
    { offset: 0, widthPx, heightPx, subsampling: 1 },
    { offset: luma, widthPx: cw, heightPx: ch, subsampling: 2 },
    { offset: luma + cw * ch, widthPx: cw, heightPx: ch, subsampling: 2 },
  ];
}

// BT.709 (ITU-R BT.709-6, table 3) in 8-bit limited range: Y' 16–235, Cb/Cr 16–240, scaled by 2^16.
const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;
const SCALE = 1 << 16;
const Y_R = Math.round(((219 / 255) * KR) * SCALE);
const Y_G = Math.round(((219 / 255) * KG) * SCALE);
const Y_B = Math.round(((219 / 255) * KB) * SCALE);
const U_R = Math.round((((224 / 255) * -KR) / (2 * (1 - KB))) * SCALE);
const U_G = Math.round((((224 / 255) * -KG) / (2 * (1 - KB))) * SCALE);
const U_B = Math.round(((224 / 255) * 0.5) * SCALE);
const V_R = U_B;
const V_G = Math.round((((224 / 255) * -KG) / (2 * (1 - KR))) * SCALE);
const V_B = Math.round((((224 / 255) * -KB) / (2 * (1 - KR))) * SCALE);
const HALF = 1 << 15;

/**
 * Converts opaque RGBA pixels (canvas order, alpha ignored) to {@link Yuv420Image} with the BT.709 matrix in
 * limited range, chroma from the mean of each 2×2 block (centre-sited) — the conversion ffmpeg does with
 * `scale=out_color_matrix=bt709:out_range=tv` (docs/design/composition.md, "Delivery settings": stills must not come out BT.601).
 * Pure.
 *
 * @param rgba `widthPx × heightPx × 4` bytes
 * @throws Error when a dimension is odd or `rgba` has the wrong length
 */
export function rgbaToYuv420(rgba: Uint8Array, widthPx: number, heightPx: number): Yuv420Image {
  if (widthPx % 2 !== 0 || heightPx % 2 !== 0) throw new Error(`yuv420p needs even dimensions, got ${widthPx}x${heightPx}`);
  if (rgba.length !== widthPx * heightPx * 4) throw new Error(`expected ${widthPx * heightPx * 4} RGBA bytes, got ${rgba.length}`);
  const data = new Uint8Array(yuv420FrameBytes(widthPx, heightPx));
  const [, { offset: uOffset, widthPx: cw }, { offset: vOffset }] = yuv420Planes(widthPx, heightPx);
  for (let y = 0; y < heightPx; y += 2) {
    for (let x = 0; x < widthPx; x += 2) {
      let rs = 0;
      let gs = 0;
      let bs = 0;
      for (let k = 0; k < 4; k++) {
        const px = x + (k & 1);
        const py = y + (k >> 1);
        const i = (py * widthPx + px) * 4;
        const r = rgba[i];
        const g = rgba[i + 1];
        const b = rgba[i + 2];
        data[py * widthPx + px] = (Y_R * r + Y_G * g + Y_B * b + HALF + (16 << 16)) >> 16;
        rs += r;
        gs += g;
        bs += b;
      }
      // Sums of four samples: two more fractional bits, removed in the same shift.
      const c = (y / 2) * cw + x / 2;
      data[uOffset + c] = (U_R * rs + U_G * gs + U_B * bs + (HALF << 2) + (128 << 18)) >> 18;
      data[vOffset + c] = (V_R * rs + V_G * gs + V_B * bs + (HALF << 2) + (128 << 18)) >> 18;
    }
  }
  return { widthPx, heightPx, data };
}
