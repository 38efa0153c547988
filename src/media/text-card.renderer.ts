import { writeFile } from 'node:fs/promises';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { rgba, type Rgb } from './color';
import {
  brandFontPath,
  fallbackFontPath,
  FALLBACK_FONT_FILES,
  fontPath,
  FONT_FILES,
  type FallbackFontRole,
  type FontRole,
} from './media-assets';

/** Canvas family name per bundled font. */
const FAMILY: Readonly<Record<FontRole, string>> = { sans: 'AdSans', sansBold: 'AdSansBold', serif: 'AdSerif' };
const FALLBACK_FAMILY: Readonly<Record<FallbackFontRole, string>> = { cjk: 'AdCjk', emoji: 'AdEmoji' };
const BRAND_FAMILY = 'AdBrand';
let registered: { brand: boolean } | undefined;
let brandFontFile: string | null = null;

/**
 * Sets the optional brand font (config `BRAND_FONT_FILE`, config/providers/local.config.ts) the fonts are
 * registered with. Fonts are registered once per process, so the composition root calls this at startup,
 * before the first text is drawn; the file is checked at registration.
 *
 * @throws Error when the fonts are already registered with another brand font, which would otherwise be
 *   ignored silently
 */
export function setBrandFontFile(file: string | null): void {
  if (registered && file !== brandFontFile) throw new Error(`BRAND_FONT_FILE=${file ?? ''}: the fonts are already registered; set it before the first render`);
  brandFontFile = file;
}

function register(path: string, family: string): void {
  if (!GlobalFonts.registerFromPath(path, family)) throw new Error(`cannot register font ${path}`);
}

/**
 * Registers the bundled fonts (DejaVu, the CJK and emoji fallbacks) and the optional brand font
 * ({@link setBrandFontFile}) with @napi-rs/canvas, once per process. Call it at startup to fail early on a bad
 * brand font path.
 *
 * @returns whether a brand font is in use
 * @throws Error when a bundled font cannot be registered or `BRAND_FONT_FILE` names a missing file
 */
export function registerCanvasFonts(): { brand: boolean } {
  if (registered) return registered;
  for (const r of Object.keys(FONT_FILES) as FontRole[]) register(fontPath(r), FAMILY[r]);
  for (const r of Object.keys(FALLBACK_FONT_FILES) as FallbackFontRole[]) register(fallbackFontPath(r), FALLBACK_FAMILY[r]);
  const brandPath = brandFontPath(brandFontFile);
  if (brandPath) register(brandPath, BRAND_FAMILY);
  registered = { brand: brandPath !== null };
  return registered;
}

/**
 * CSS font-family list for `role` (pure): the brand font first when there is one, then the role's DejaVu
 * face, then the CJK and emoji fallbacks. Skia picks each character's glyph from the first family that has it,
 * so Latin, CJK and emoji mix in one line without tofu.
 */
export function fontFamilyList(role: FontRole, brand: boolean): string {
  return [...(brand ? [BRAND_FAMILY] : []), FAMILY[role], FALLBACK_FAMILY.cjk, FALLBACK_FAMILY.emoji].join(', ');
}

/** Registers the fonts once (see {@link registerCanvasFonts}); returns the family list of `role` for `ctx.font`. */
export function canvasFont(role: FontRole): string {
  return fontFamilyList(role, registerCanvasFonts().brand);
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
 * text as an image sidesteps drawtext's escaping and expansion pitfalls (docs/design/composition.md, "Text").
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

/** What the closing call-to-action card shows. `offer` is omitted when null or blank. */
export interface CtaCardContent {
  productName: string;
  offer: string | null;
  callToAction: string;
}

/** Look of the closing card: a plate in the brand's deep tone, the name, the offer and a CTA button. Pixels. */
export interface CtaCardStyle {
  nameFont: FontRole;
  buttonFont: FontRole;
  textColor: Rgb;
  plateColor: Rgb;
  plateAlpha: number;
  accentColor: Rgb;
  /** Offer line colour (the accent or the brand colour, whichever reads on the plate). */
  offerColor: Rgb;
  /** The button is filled with the brand's primary colour; its label takes a colour that reads on it. */
  buttonColor: Rgb;
  buttonTextColor: Rgb;
  maxNamePx: number;
  minNamePx: number;
  uppercase: boolean;
  letterSpacingPx: number;
}

/**
 * Renders the closing call-to-action card as an RGBA PNG no wider than `maxWidthPx`: the product name (up to 2
 * lines), the offer (when there is one) and the CTA on a filled, rounded button, centred on a translucent plate
 * with an accent rule, all in brand colours. Every line is fitted and wrapped, never clipped. Returns the card's
 * size; the caller places it inside the safe area.
 */
export async function renderCtaCard(content: CtaCardContent, maxWidthPx: number, style: CtaCardStyle, path: string): Promise<TextCard> {
  const nameFamily = canvasFont(style.nameFont);
  const buttonFamily = canvasFont(style.buttonFont);
  const probe = createCanvas(8, 8).getContext('2d');
  const up = (s: string): string => (style.uppercase ? s.toLocaleUpperCase() : s);
  const pad = Math.round(style.maxNamePx * 0.6);
  const inner = maxWidthPx - 2 * pad;
  const measureName = measureWith(probe, nameFamily, style.letterSpacingPx);
  const measureBody = measureWith(probe, buttonFamily, 0);
  const name = fitText(up(content.productName), inner, { maxFontPx: style.maxNamePx, minFontPx: style.minNamePx, maxLines: 2 }, measureName);
  const bodyMax = Math.max(style.minNamePx, Math.round(name.fontPx * 0.62));
  const bodyMin = Math.max(24, Math.round(style.minNamePx * 0.8));
  const offerText = content.offer?.trim() ? content.offer.trim() : null;
  const offer = offerText ? fitText(offerText, inner, { maxFontPx: bodyMax, minFontPx: bodyMin, maxLines: 2 }, measureBody) : null;
  const buttonPadX = Math.round(bodyMax * 0.9);
  const cta = fitText(content.callToAction, inner - 2 * buttonPadX, { maxFontPx: bodyMax, minFontPx: bodyMin, maxLines: 2 }, measureBody);

  const nameLine = Math.round(name.fontPx * 1.18);
  const bodyLine = (px: number): number => Math.round(px * 1.25);
  const accentHeight = Math.max(3, Math.round(name.fontPx * 0.07));
  const gap = Math.round(name.fontPx * 0.4);
  const buttonPadY = Math.round(cta.fontPx * 0.55);
  const buttonHeight = bodyLine(cta.fontPx) * cta.lines.length + 2 * buttonPadY;
  const buttonWidth = Math.max(...cta.lines.map((l) => measureBody(l, cta.fontPx))) + 2 * buttonPadX;
  const contentWidth = Math.max(
    ...name.lines.map((l) => measureName(l, name.fontPx)),
    ...(offer ? offer.lines.map((l) => measureBody(l, offer.fontPx)) : [0]),
    buttonWidth,
  );
  const even = (x: number): number => 2 * Math.ceil(x / 2);
  const widthPx = Math.min(even(maxWidthPx), even(contentWidth + 2 * pad));
  const offerHeight = offer ? bodyLine(offer.fontPx) * offer.lines.length + gap : 0;
  const heightPx = even(pad + accentHeight + gap + nameLine * name.lines.length + gap + offerHeight + buttonHeight + pad);

  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = rgba(style.plateColor, style.plateAlpha);
  ctx.beginPath();
  ctx.roundRect(0, 0, widthPx, heightPx, Math.round(name.fontPx * 0.35));
  ctx.fill();
  const accentWidth = Math.round(Math.min(widthPx * 0.3, name.fontPx * 2.2));
  ctx.fillStyle = rgba(style.accentColor, 1);
  ctx.fillRect(Math.round((widthPx - accentWidth) / 2), pad, accentWidth, accentHeight);

  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const cx = widthPx / 2;
  let y = pad + accentHeight + gap;
  ctx.shadowColor = rgba(style.plateColor, 0.9);
  ctx.shadowBlur = Math.round(name.fontPx * 0.18);
  ctx.font = `${name.fontPx}px ${nameFamily}`;
  ctx.letterSpacing = `${style.letterSpacingPx}px`;
  ctx.fillStyle = rgba(style.textColor, 1);
  for (const line of name.lines) {
    ctx.fillText(line, cx + style.letterSpacingPx / 2, y + nameLine / 2);
    y += nameLine;
  }
  y += gap;
  ctx.letterSpacing = '0px';
  if (offer) {
    ctx.font = `${offer.fontPx}px ${buttonFamily}`;
    ctx.fillStyle = rgba(style.offerColor, 1);
    for (const line of offer.lines) {
      ctx.fillText(line, cx, y + bodyLine(offer.fontPx) / 2);
      y += bodyLine(offer.fontPx);
    }
    y += gap;
  }
  ctx.shadowBlur = 0;
  ctx.fillStyle = rgba(style.buttonColor, 1);
  ctx.beginPath();
  ctx.roundRect(Math.round(cx - buttonWidth / 2), y, Math.round(buttonWidth), buttonHeight, Math.round(buttonHeight / 2));
  ctx.fill();
  ctx.font = `${cta.fontPx}px ${buttonFamily}`;
  ctx.fillStyle = rgba(style.buttonTextColor, 1);
  cta.lines.forEach((line, i) => ctx.fillText(line, cx, y + buttonPadY + bodyLine(cta.fontPx) * (i + 0.5)));
  await writeFile(path, await canvas.encode('png'));
  return { path, widthPx, heightPx, fontPx: name.fontPx, lines: [...name.lines, ...(offer?.lines ?? []), ...cta.lines] };
}
