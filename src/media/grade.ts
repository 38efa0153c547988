import type { ColorGrade } from '@app/contracts';
import { yuv420Planes, type Yuv420Image } from './yuv';

/**
 * A light grade on 8-bit limited-range YUV: luma contrast about mid-grey, chroma saturation and a warm/cool
 * shift on U and V (code values). The one definition both ways of applying it use: ffmpeg's `lutyuv` in the
 * composition, and {@link gradeTables} on a still before the local clip provider moves its camera over it.
 */
export interface GradePreset {
  contrast: number;
  saturation: number;
  du: number;
  dv: number;
}

/** The style presets (docs/design/composition.md, "Colour grade": warm, cool, high-contrast luxury); `neutral` is no grade. */
export const GRADE_PRESETS: Readonly<Record<Exclude<ColorGrade, 'neutral'>, GradePreset>> = {
  warm: { contrast: 1.03, saturation: 1.05, du: -4, dv: 5 },
  cool: { contrast: 1.03, saturation: 1.0, du: 5, dv: -3 },
  luxury: { contrast: 1.08, saturation: 0.94, du: -3, dv: 3 },
};

/** Luma pivot of the contrast (mid-grey in limited range), code value. */
export const GRADE_LUMA_PIVOT = 126;

/** Per-plane lookup tables of a grade: index = input code value. */
export interface GradeTables {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/**
 * The grade as lookup tables with exactly `lutyuv`'s arithmetic (the expression in doubles, clipped to 16–235
 * for luma and 16–240 for chroma, then truncated to an integer as ffmpeg 5.1's vf_lut does with `(int)`), so a
 * still graded here matches the composition's `lutyuv` code value for code value. Null for `neutral`. Pure.
 */
export function gradeTables(grade: ColorGrade): GradeTables | null {
  if (grade === 'neutral') return null;
  const p = GRADE_PRESETS[grade];
  const table = (f: (v: number) => number, lo: number, hi: number): Uint8Array =>
    Uint8Array.from({ length: 256 }, (_, v) => Math.trunc(Math.min(hi, Math.max(lo, f(v)))));
  return {
    y: table((v) => (v - GRADE_LUMA_PIVOT) * p.contrast + GRADE_LUMA_PIVOT, 16, 235),
    u: table((v) => (v - 128) * p.saturation + 128 + p.du, 16, 240),
    v: table((v) => (v - 128) * p.saturation + 128 + p.dv, 16, 240),
  };
}

/**
 * A graded copy of a yuv420p picture (pure). Grading the still once, before the camera moves over it, costs
 * 3 MP of lookups per clip instead of per frame: bilinear sampling and transitions are weighted means, and a
 * per-channel affine grade commutes with weighted means (up to its clipping at the range ends).
 */
export function applyGrade(image: Yuv420Image, grade: ColorGrade): Yuv420Image {
  const tables = gradeTables(grade);
  if (!tables) return image;
  const data = new Uint8Array(image.data.length);
  const src = image.data;
  const planes = yuv420Planes(image.widthPx, image.heightPx);
  [tables.y, tables.u, tables.v].forEach((table, k) => {
    const { offset, widthPx, heightPx } = planes[k];
    for (let i = offset; i < offset + widthPx * heightPx; i++) data[i] = table[src[i]];
  });
  return { ...image, data };
}
