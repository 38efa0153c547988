import type { BoxPx } from './safe-area';

/** Largest share of the safe area's width and height the closing card's logo may take. */
export const CTA_LOGO_MAX_WIDTH = 0.5;
export const CTA_LOGO_MAX_HEIGHT = 0.16;
/** Largest share of the safe area's width and height the corner watermark may take. */
export const WATERMARK_MAX_WIDTH = 0.16;
export const WATERMARK_MAX_HEIGHT = 0.06;
/** Below this height (pixels) a logo is unreadable and is left out rather than drawn as a smudge. */
export const MIN_LOGO_HEIGHT_PX = 16;

const even = (x: number): number => 2 * Math.floor(x / 2);

/** The largest `w × h` with the logo's aspect inside `maxW × maxH`, even pixels (chroma is subsampled by 2). Pure. */
function fitInside(logo: { widthPx: number; heightPx: number }, maxW: number, maxH: number): { widthPx: number; heightPx: number } {
  const scale = Math.min(maxW / logo.widthPx, maxH / logo.heightPx);
  // Nearest even size, unless that passes the limit: the aspect stays within the 2 px of the rounding.
  const near = (x: number, max: number): number => Math.max(2, 2 * Math.round(x / 2) > max ? even(x) : 2 * Math.round(x / 2));
  return { widthPx: near(logo.widthPx * scale, maxW), heightPx: near(logo.heightPx * scale, maxH) };
}

/**
 * Box of the logo on the closing call-to-action card (docs/design/composition.md, "Brand assets"): centred on
 * the safe area, its bottom a gap (2 % of the safe height) above the card's top, at most
 * {@link CTA_LOGO_MAX_WIDTH} × {@link CTA_LOGO_MAX_HEIGHT} of the safe area and never above its top edge; the
 * logo's aspect kept. Output pixels. Pure.
 * @param cardTopPx the card's top edge at its final (highest) position, pixels
 * @returns null when less than {@link MIN_LOGO_HEIGHT_PX} is left above the card
 */
export function ctaLogoBox(logo: { widthPx: number; heightPx: number }, safe: BoxPx, cardTopPx: number): BoxPx | null {
  const gap = Math.round(safe.heightPx * 0.02);
  const room = cardTopPx - gap - safe.yPx;
  const maxH = Math.min(safe.heightPx * CTA_LOGO_MAX_HEIGHT, room);
  if (maxH < MIN_LOGO_HEIGHT_PX || logo.widthPx <= 0 || logo.heightPx <= 0) return null;
  const size = fitInside(logo, safe.widthPx * CTA_LOGO_MAX_WIDTH, maxH);
  return { xPx: safe.xPx + even((safe.widthPx - size.widthPx) / 2), yPx: cardTopPx - gap - size.heightPx, ...size };
}

/**
 * Box of the corner watermark (docs/design/composition.md, "Brand assets"): the top-right corner of the safe
 * area (clear of the 9:16 platform UI and of the text cards, which sit at the bottom), at most
 * {@link WATERMARK_MAX_WIDTH} × {@link WATERMARK_MAX_HEIGHT} of it, aspect kept. Output pixels. Pure.
 */
export function watermarkBox(logo: { widthPx: number; heightPx: number }, safe: BoxPx): BoxPx {
  const size = fitInside(logo, safe.widthPx * WATERMARK_MAX_WIDTH, safe.heightPx * WATERMARK_MAX_HEIGHT);
  return { xPx: safe.xPx + safe.widthPx - size.widthPx, yPx: safe.yPx, ...size };
}
