import type { AspectRatio } from '@app/contracts';
import { OUTPUT_SIZE_PX } from '@app/contracts';

/** A rectangle in pixels from the frame's top-left. */
export interface BoxPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

/**
 * Margins kept free of text, as fractions of the frame: 9:16 keeps out of the top 14 % (account name, progress
 * bar) and bottom 20 % (caption, buttons) of Reels/Stories/TikTok, and 8 % at the sides (right-hand action
 * icons); 16:9 and 1:1 use title-safe margins (the player's controls and feed crops).
 */
export const SAFE_MARGINS: Readonly<Record<AspectRatio, { top: number; bottom: number; side: number }>> = {
  '9:16': { top: 0.14, bottom: 0.2, side: 0.08 },
  '16:9': { top: 0.08, bottom: 0.12, side: 0.07 },
  '1:1': { top: 0.07, bottom: 0.09, side: 0.07 },
};

/** The text-safe box of an aspect ratio, in output pixels (even numbers: chroma is subsampled by 2). Pure. */
export function safeAreaFor(aspect: AspectRatio): BoxPx {
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspect];
  const m = SAFE_MARGINS[aspect];
  const even = (x: number): number => 2 * Math.round(x / 2);
  const xPx = even(widthPx * m.side);
  const yPx = even(heightPx * m.top);
  return { xPx, yPx, widthPx: widthPx - 2 * xPx, heightPx: even(heightPx * (1 - m.bottom)) - yPx };
}
