import type { AdPlan, BrandGuidelines } from '@app/contracts';
import { contrastRatio, fromHsl, mix, parseHex, toHsl, withLightness, type Rgb } from '../../../media/color';
import type { FontRole } from '../../../media/media-assets';

/** Design families the local renderers know, picked from style keywords. */
export type LookKind = 'luxury' | 'modern' | 'warm' | 'bold' | 'fresh';

/** Tones a scene can take; consecutive scenes take different tones so their colour histograms differ. */
export type Tone = 'deep' | 'vivid' | 'light';

/** Colours and type of one brand, derived from the plan's palette and the request's brand guidelines. */
export interface BrandLook {
  kind: LookKind;
  primary: Rgb;
  secondary: Rgb;
  accent: Rgb;
  /** Base colour per tone: deep (HSL lightness 0.14, never near-black: blackdetect), vivid (0.42–0.58), light (0.93). */
  tones: Record<Tone, Rgb>;
  /** The tone the reference image is built on. */
  baseTone: Tone;
  displayFont: FontRole;
  textFont: FontRole;
  uppercase: boolean;
  /** Letter spacing as a fraction of the font size. */
  trackingEm: number;
}

const KINDS: ReadonlyArray<[LookKind, RegExp]> = [
  ['luxury', /luxur|elegan|premium|gold|minimalis|sophisticat|refined|exclusive|timeless/i],
  ['warm', /warm|rustic|cozy|cosy|organic|natural|vintage|handmade|artisan|homey/i],
  ['bold', /bold|energetic|urban|sport|dynamic|street|vibrant|young|edgy|playful/i],
  ['modern', /modern|clean|tech|confident|professional|sleek|minimal|saas|productiv/i],
];

/** Picks the design family from style text (brand style first, then plan style, tone, category). Pure. */
export function lookKindFor(...texts: Array<string | null | undefined>): LookKind {
  for (const text of texts) {
    if (!text) continue;
    const hit = KINDS.find(([, re]) => re.test(text));
    if (hit) return hit[0];
  }
  return 'fresh';
}

/**
 * Derives the brand look (pure): brand guideline colours win over the plan palette; the accent is the third
 * palette colour or the primary rotated 150° in hue; tones keep the primary's hue so every scene shares one palette.
 */
export function brandLookFor(plan: AdPlan, brand: BrandGuidelines | null): BrandLook {
  const palette = plan.visual_direction.palette.map(parseHex).filter((c): c is Rgb => c !== null);
  const primary = parseHex(brand?.primary_color ?? '') ?? palette[0] ?? { r: 37, g: 99, b: 235 };
  const secondary = parseHex(brand?.secondary_color ?? '') ?? palette[1] ?? mix(primary, { r: 0, g: 0, b: 0 }, 0.8);
  const p = toHsl(primary);
  const accent = palette[2] ?? fromHsl({ h: (p.h + 150) % 360, s: Math.max(0.5, p.s), l: 0.55 });
  const kind = lookKindFor(brand?.style, plan.visual_direction.style, plan.tone, plan.product.category);
  // An unsaturated primary (black, white, grey) would make grey tones: borrow the accent's hue instead.
  const hueSource = p.s < 0.15 ? accent : primary;
  // A dark, coloured secondary (navy, forest, burgundy) is a better deep tone than the primary darkened;
  // black is not (blackdetect fails frames that are 98 % near-black).
  const s = toHsl(secondary);
  const deepFromSecondary = s.s >= 0.15 && s.l >= 0.06 && s.l <= 0.3;
  const tones: Record<Tone, Rgb> = {
    deep: deepFromSecondary ? withLightness(secondary, Math.max(0.13, s.l), 0.3, 0.8) : withLightness(hueSource, 0.14, 0.3, 0.65),
    vivid: withLightness(hueSource, Math.min(0.58, Math.max(0.42, toHsl(hueSource).l)), 0.5, 1),
    light: withLightness(hueSource, 0.93, 0.25, 0.7),
  };
  const baseTone: Tone = kind === 'luxury' ? 'deep' : kind === 'bold' ? 'vivid' : 'light';
  return {
    kind,
    primary,
    secondary,
    accent,
    tones,
    baseTone,
    displayFont: kind === 'luxury' || kind === 'warm' ? 'serif' : 'sansBold',
    textFont: kind === 'luxury' ? 'serif' : 'sansBold',
    uppercase: kind === 'luxury' || kind === 'bold',
    trackingEm: kind === 'luxury' ? 0.12 : kind === 'bold' ? 0.02 : 0,
  };
}

/** A colour that reads on `background`: the first candidate with WCAG contrast ≥ 4.5, else the best one. Pure. */
export function readableOn(background: Rgb, candidates: Rgb[]): Rgb {
  const withRatio = candidates.map((c) => ({ c, ratio: contrastRatio(c, background) }));
  return (withRatio.find((x) => x.ratio >= 4.5) ?? withRatio.sort((a, b) => b.ratio - a.ratio)[0]).c;
}

/** Deterministic 32-bit seed from text (FNV-1a). Pure. */
export function seedFrom(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
