import type { BrandGuidelines } from '@app/contracts';
import { fromHsl, parseHex, toHex, toHsl, type Hsl, type Rgb } from '../../../media/color';
import type { VoiceProfile } from '../planner/prompt-lexicon';

/**
 * The plan's palette and the colour words of its image prompts: what the planner writes into
 * `visual_direction.palette`, which `brandLookFor` (brand-look.ts) later turns into a brand look. Pure.
 */

/** `#RGB` / `#RRGGBB` (with or without `#`, any case) → `#RRGGBB` upper case; anything else → null. */
export function normalizeHexColor(value: string | null | undefined): string | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value ?? '').trim());
  if (!m?.[1]) return null;
  const hex = m[1].length === 3 ? Array.from(m[1], (c) => c + c).join('') : m[1];
  return `#${hex.toUpperCase()}`;
}

/** A normalized `#RRGGBB` colour (normalizeHexColor's output) as RGB. */
function rgbOf(hex: string): Rgb {
  return parseHex(hex) ?? { r: 0, g: 0, b: 0 };
}

/** `#RRGGBB` (upper case, as plans carry colours) of an HSL colour whose hue may lie outside 0–360. */
function hslToHex({ h, s, l }: Hsl): string {
  return toHex(fromHsl({ h: ((h % 360) + 360) % 360, s, l })).toUpperCase();
}

function rgbDistance(a: string, b: string): number {
  const x = rgbOf(a);
  const y = rgbOf(b);
  return Math.hypot(x.r - y.r, x.g - y.g, x.b - y.b);
}

/** Derived colours closer than this (RGB Euclidean) to a palette colour add nothing and are skipped. */
const MIN_COLOR_DISTANCE = 48;

/**
 * The plan palette: brand colours first (normalised `#RRGGBB`, duplicates dropped; the voice's base colours when
 * the brand gives none), then derived colours, up to 6: a saturated accent, a light tint, a dark shade and a
 * harmony colour (complementary for loud voices, analogous for quiet ones), all from the first chromatic brand
 * colour's hue (the voice's hue when the brand is greyscale). The light/dark/accent trio makes scene images differ
 * clearly in colour distribution; a derived colour nearly identical to one already present is skipped.
 */
export function buildPalette(
  brand: BrandGuidelines | null | undefined,
  voice: Pick<VoiceProfile, 'basePalette' | 'accentHue' | 'harmonyOffset'>,
): string[] {
  const brandColors = [
    normalizeHexColor(brand?.primary_color),
    normalizeHexColor(brand?.secondary_color),
  ].filter((c): c is string => c !== null);
  const core = [...new Set(brandColors.length > 0 ? brandColors : voice.basePalette)];
  const chromatic = core.map((hex) => toHsl(rgbOf(hex))).find((c) => c.s >= 0.25 && c.l >= 0.15 && c.l <= 0.85);
  const hue = chromatic?.h ?? voice.accentHue;
  const derived = [
    hslToHex({ h: hue, s: 0.85, l: 0.5 }),
    hslToHex({ h: hue, s: 0.4, l: 0.95 }),
    hslToHex({ h: hue, s: 0.35, l: 0.08 }),
    hslToHex({ h: hue + voice.harmonyOffset, s: 0.6, l: 0.42 }),
  ];
  const palette = [...core];
  for (const color of derived) {
    if (palette.length >= 6) break;
    if (palette.every((p) => rgbDistance(p, color) >= MIN_COLOR_DISTANCE)) palette.push(color);
  }
  return palette;
}

/** A plain colour word for an image prompt ("deep black", "warm gold", "bright blue"). */
export function nameColor(hex: string): string {
  const { h, s, l } = toHsl(rgbOf(hex));
  if (l <= 0.12) return s > 0.3 && l > 0.05 ? 'deep charcoal' : 'deep black';
  if (l >= 0.93) return s > 0.3 ? 'soft ivory' : 'clean white';
  if (s < 0.12) return l < 0.45 ? 'slate grey' : 'light grey';
  const hues: Array<[number, string]> = [
    [15, 'red'],
    [38, 'orange'],
    [52, 'gold'],
    [65, 'yellow'],
    [95, 'lime'],
    [150, 'green'],
    [185, 'teal'],
    [205, 'sky blue'],
    [245, 'blue'],
    [275, 'indigo'],
    [300, 'violet'],
    [335, 'magenta'],
    [360, 'red'],
  ];
  const hueName = hues.find(([limit]) => h < limit)?.[1] ?? 'red';
  if (hueName === 'orange' && l < 0.45) return s > 0.6 ? 'burnt orange' : 'bronze';
  if (l < 0.3) return `dark ${hueName}`;
  if (l > 0.75) return `pale ${hueName}`;
  return s > 0.6 ? `bright ${hueName}` : hueName;
}
