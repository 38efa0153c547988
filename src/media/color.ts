/** An sRGB colour, 0–255 per channel. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Parses `#RRGGBB` or `#RGB`; null when malformed. Pure. */
export function parseHex(hex: string): Rgb | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const h = m[1].length === 3 ? m[1].replace(/./g, (c) => c + c) : m[1];
  return { r: parseInt(h.slice(0, 2), 16), g: parseInt(h.slice(2, 4), 16), b: parseInt(h.slice(4, 6), 16) };
}

/** `#rrggbb`. Pure. */
export function toHex(c: Rgb): string {
  const h = (v: number): string => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

/** CSS `rgba(...)` string for canvas. Pure. */
export function rgba(c: Rgb, alpha = 1): string {
  return `rgba(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)},${alpha})`;
}

/** Linear interpolation between two colours, `t` in 0–1. Pure. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t };
}

/** WCAG relative luminance, 0–1. Pure. */
export function luminance(c: Rgb): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG contrast ratio, 1–21 (4.5 is the AA threshold for body text). Pure. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Hue (0–360), saturation and lightness (0–1). */
export interface Hsl {
  h: number;
  s: number;
  l: number;
}

/** Pure. */
export function toHsl(c: Rgb): Hsl {
  const r = c.r / 255;
  const g = c.g / 255;
  const b = c.b / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return { h: 0, s: 0, l };
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  let h: number;
  if (max === r) h = (g - b) / d + (g < b ? 6 : 0);
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  return { h: h * 60, s, l };
}

/** Pure. */
export function fromHsl({ h, s, l }: Hsl): Rgb {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => 255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1)));
  return { r: f(0), g: f(8), b: f(4) };
}

/** The colour with its HSL lightness set to `l` and saturation clamped to `[minS, maxS]`. Pure. */
export function withLightness(c: Rgb, l: number, minS = 0, maxS = 1): Rgb {
  const hsl = toHsl(c);
  return fromHsl({ h: hsl.h, s: Math.min(maxS, Math.max(minS, hsl.s)), l });
}

/**
 * Distance between two RGBA pixel buffers' colour histograms, as the independent delivery check counts scene
 * changes: 64 bins (2 bits per channel), half the L1 distance over the pixel count, 0–1. Pure.
 */
export function histogramDistance(a: Uint8ClampedArray | Uint8Array, b: Uint8ClampedArray | Uint8Array): number {
  const ha = colorHistogram(a);
  const hb = colorHistogram(b);
  const pa = a.length / 4;
  const pb = b.length / 4;
  let sum = 0;
  for (let i = 0; i < 64; i++) sum += Math.abs(ha[i] / pa - hb[i] / pb);
  return sum / 2;
}

/** 64-bin colour histogram of an RGBA buffer (2 bits per channel). Pure. */
export function colorHistogram(rgbaPixels: Uint8ClampedArray | Uint8Array): number[] {
  const hist = new Array<number>(64).fill(0);
  for (let p = 0; p < rgbaPixels.length; p += 4) {
    hist[(rgbaPixels[p] >> 6) * 16 + (rgbaPixels[p + 1] >> 6) * 4 + (rgbaPixels[p + 2] >> 6)] += 1;
  }
  return hist;
}
