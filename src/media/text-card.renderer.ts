import { writeFile } from 'node:fs/promises';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { rgba, type Rgb } from './color';
import { fontPath, FONT_FILES, type FontRole } from './media-assets';

/** Canvas family name per bundled font. */
const FAMILY: Readonly<Record<FontRole, string>> = { sans: 'AdSans', sansBold: 'AdSansBold', serif: 'AdSerif' };
let fontsRegistered = false;

/** Registers the bundled DejaVu fonts with @napi-rs/canvas once; returns the family name of `role`. */
export function canvasFont(role: FontRole): string {
  if (!fontsRegistered) {
    for (const r of Object.keys(FONT_FILES) as FontRole[]) {
      if (!GlobalFonts.registerFromPath(fontPath(r), FAMILY[r])) throw new Error(`cannot register font ${fontPath(r)}`);
    }
    fontsRegistered = true;
  }
  return FAMILY[role];
}

/**
 * Greedy word wrap. Words longer than the line are split by characters so nothing is ever clipped. Pure:
 * `measure` returns a string's width in pixels at the current font.
 */
export function wrapText(text: string, maxWidthPx: number, measure: (s: string) => number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate) <= maxWidthPx) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    if (measure(word) <= maxWidthPx) {
      line = word;
      continue;
    }
    let chunk = '';
    for (const ch of Array.from(word)) {
      if (chunk && measure(chunk + ch) > maxWidthPx) {
        lines.push(chunk);
        chunk = '';
      }
      chunk += ch;
    }
    line = chunk;
  }
  if (line) lines.push(line);
  return lines;
}

/** Result of {@link fitText}: the font size in pixels and the wrapped lines. */
export interface FittedText {
  fontPx: number;
  lines: string[];
}

/**
 * Largest font size (from `maxFontPx` down to `minFontPx`, step 2 px) at which the text wraps into at most
 * `maxLines` lines of at most `maxWidthPx`. At the minimum size the line limit is relaxed rather than clipping.
 * Pure: `measure(s, fontPx)` returns the width of `s` in pixels.
 */
export function fitText(
  text: string,
  maxWidthPx: number,
  opts: { maxFontPx: number; minFontPx: number; maxLines: number },
  measure: (s: string, fontPx: number) => number,
): FittedText {
  for (let fontPx = opts.maxFontPx; fontPx > opts.minFontPx; fontPx -= 2) {
    const lines = wrapText(text, maxWidthPx, (s) => measure(s, fontPx));
    if (lines.length <= opts.maxLines) return { fontPx, lines };
  }
  return { fontPx: opts.minFontPx, lines: wrapText(text, maxWidthPx, (s) => measure(s, opts.minFontPx)) };
}

/** Look of a text card. Sizes in pixels. */
export interface TextCardStyle {
  font: FontRole;
  textColor: Rgb;
  /** Plate behind the text (a rounded, translucent panel) so text reads on any background. */
  plateColor: Rgb;
  plateAlpha: number;
  /** Short rule above the text in the brand's accent colour. */
  accentColor: Rgb;
  maxFontPx: number;
  minFontPx: number;
  maxLines: number;
  uppercase: boolean;
  /** Extra spacing between letters, pixels (luxury looks track their capitals). */
  letterSpacingPx: number;
}

/** A rendered card: its PNG (RGBA, cropped to the plate) and its size, even pixels. */
export interface TextCard {
  path: string;
  widthPx: number;
  heightPx: number;
  fontPx: number;
  lines: string[];
}

/** Width of `s` in pixels at `fontPx`, letter spacing included (added per glyph, as canvas draws it). */
function measureWith(ctx: SKRSContext2D, family: string, spacingPx: number) {
  return (s: string, fontPx: number): number => {
    ctx.font = `${fontPx}px ${family}`;
    return ctx.measureText(s).width + spacingPx * Array.from(s).length;
  };
}

/**
 * Renders one line of on-screen text as an RGBA PNG no wider than `maxWidthPx`: fitted and wrapped (never
 * clipped), centred, on a translucent rounded plate with a soft shadow, in the brand's colours. Rendering
 * text as an image sidesteps drawtext's escaping and expansion pitfalls (composition.md, "drawtext").
 */
export async function renderTextCard(text: string, maxWidthPx: number, style: TextCardStyle, path: string): Promise<TextCard> {
  const family = canvasFont(style.font);
  const probe = createCanvas(8, 8).getContext('2d');
  const shown = style.uppercase ? text.toLocaleUpperCase() : text;
  const padX = Math.round(style.maxFontPx * 0.55);
  const measure = measureWith(probe, family, style.letterSpacingPx);
  const fitted = fitText(shown, maxWidthPx - 2 * padX, style, measure);
  const { fontPx, lines } = fitted;
  const lineHeight = Math.round(fontPx * 1.22);
  const padY = Math.round(fontPx * 0.5);
  const accentGap = Math.round(fontPx * 0.45);
  const accentHeight = Math.max(3, Math.round(fontPx * 0.07));
  const textWidth = Math.max(...lines.map((l) => measure(l, fontPx)));
  const even = (x: number): number => 2 * Math.ceil(x / 2);
  const widthPx = Math.min(even(maxWidthPx), even(textWidth + 2 * padX));
  const heightPx = even(padY * 2 + accentHeight + accentGap + lineHeight * lines.length);

  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  const radius = Math.round(fontPx * 0.35);
  ctx.fillStyle = rgba(style.plateColor, style.plateAlpha);
  ctx.beginPath();
  ctx.roundRect(0, 0, widthPx, heightPx, radius);
  ctx.fill();

  const accentWidth = Math.round(Math.min(widthPx * 0.3, fontPx * 2.2));
  ctx.fillStyle = rgba(style.accentColor, 1);
  ctx.fillRect(Math.round((widthPx - accentWidth) / 2), padY, accentWidth, accentHeight);

  ctx.font = `${fontPx}px ${family}`;
  ctx.letterSpacing = `${style.letterSpacingPx}px`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.shadowColor = rgba(style.plateColor, 0.9);
  ctx.shadowBlur = Math.round(fontPx * 0.18);
  ctx.shadowOffsetY = Math.round(fontPx * 0.04);
  ctx.fillStyle = rgba(style.textColor, 1);
  const top = padY + accentHeight + accentGap;
  lines.forEach((line, i) => {
    // letterSpacing also trails the last glyph; shift by half of it so centred text is optically centred.
    ctx.fillText(line, widthPx / 2 + style.letterSpacingPx / 2, top + lineHeight * (i + 0.5));
  });
  await writeFile(path, await canvas.encode('png'));
  return { path, widthPx, heightPx, fontPx, lines };
}
