import { ASPECT_RATIOS, OUTPUT_SIZE_PX } from '@app/contracts';
import { CTA_LOGO_MAX_HEIGHT, ctaLogoBox, MIN_LOGO_HEIGHT_PX, watermarkBox } from './logo-layout';
import { safeAreaFor, type BoxPx } from './safe-area';

const inside = (box: BoxPx, outer: BoxPx): boolean =>
  box.xPx >= outer.xPx && box.yPx >= outer.yPx && box.xPx + box.widthPx <= outer.xPx + outer.widthPx && box.yPx + box.heightPx <= outer.yPx + outer.heightPx;

const LOGOS = [
  { widthPx: 800, heightPx: 200 },
  { widthPx: 512, heightPx: 512 },
  { widthPx: 300, heightPx: 900 },
  { widthPx: 4000, heightPx: 100 },
];

describe('ctaLogoBox', () => {
  for (const aspect of ASPECT_RATIOS) {
    const safe = safeAreaFor(aspect);
    const cardTop = safe.yPx + Math.round(safe.heightPx * 0.55);
    it.each(LOGOS)(`should keep a %o logo inside the ${aspect} safe zone, above the card, aspect kept`, (logo) => {
      const box = ctaLogoBox(logo, safe, cardTop)!;
      expect(box).not.toBeNull();
      expect(inside(box, safe)).toBe(true);
      expect(box.yPx + box.heightPx).toBeLessThan(cardTop);
      expect(box.heightPx).toBeLessThanOrEqual(Math.ceil(safe.heightPx * CTA_LOGO_MAX_HEIGHT));
      // The aspect is kept up to the even-pixel rounding (at most 1 px each way after scaling).
      const aspect = logo.widthPx / logo.heightPx;
      expect(Math.abs(box.widthPx / box.heightPx - aspect)).toBeLessThanOrEqual(aspect * (1 / box.widthPx + 1 / box.heightPx) * 1.01 + 1e-9);
      // Centred on the safe area (within the even-pixel rounding).
      expect(Math.abs(box.xPx + box.widthPx / 2 - (safe.xPx + safe.widthPx / 2))).toBeLessThanOrEqual(2);
      expect([box.xPx % 2, box.widthPx % 2, box.heightPx % 2]).toEqual([0, 0, 0]);
    });
  }

  it('should leave the logo out when the card leaves no room above it', () => {
    const safe = safeAreaFor('16:9');
    expect(ctaLogoBox({ widthPx: 400, heightPx: 100 }, safe, safe.yPx + MIN_LOGO_HEIGHT_PX)).toBeNull();
  });
});

describe('watermarkBox', () => {
  for (const aspect of ASPECT_RATIOS) {
    it.each(LOGOS)(`should put a %o watermark in the top-right corner of the ${aspect} safe zone`, (logo) => {
      const safe = safeAreaFor(aspect);
      const box = watermarkBox(logo, safe);
      expect(inside(box, safe)).toBe(true);
      expect(box.xPx + box.widthPx).toBe(safe.xPx + safe.widthPx);
      expect(box.yPx).toBe(safe.yPx);
      expect(box.widthPx * box.heightPx).toBeLessThan(0.02 * OUTPUT_SIZE_PX[aspect].widthPx * OUTPUT_SIZE_PX[aspect].heightPx);
    });
  }
});
