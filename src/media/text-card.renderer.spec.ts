import { join } from 'node:path';
import { brandFontPath, resolveAssetDir } from './media-assets';
import { fitText, fontFamilyList, wrapText } from './text-card.renderer';

/** A monospace stand-in for canvas measureText: 10 px per character at 20 px, scaling with the font size. */
const mono = (s: string, fontPx = 20): number => Array.from(s).length * fontPx * 0.5;

describe('wrapText', () => {
  it.each([
    ['Time, refined.', 200, ['Time, refined.']],
    ['Hand-finished 18k gold: every detail matters', 150, ['Hand-finished', '18k gold: every', 'detail matters']],
    ['Supercalifragilistic', 100, ['Supercalif', 'ragilistic']],
    ['  spaced   out  ', 200, ['spaced out']],
    ['50% OFF: "today"', 90, ['50% OFF:', '"today"']],
  ])('should wrap "%s" into %p px', (text, width, lines) => {
    expect(wrapText(text, width, (s) => mono(s))).toEqual(lines);
  });
});

describe('fitText', () => {
  const opts = { maxFontPx: 40, minFontPx: 20, maxLines: 2 };

  it('should keep the largest size when the text fits', () => {
    expect(fitText('Shop now', 400, opts, mono)).toEqual({ fontPx: 40, lines: ['Shop now'] });
  });

  it('should shrink until the text fits the line limit', () => {
    expect(fitText('Discover the whole collection', 300, opts, mono)).toEqual({ fontPx: 36, lines: ['Discover the', 'whole collection'] });
  });

  it('should wrap at the minimum size rather than clip when nothing fits', () => {
    const fitted = fitText('one two three four five six seven eight nine ten', 100, opts, mono);
    expect(fitted.fontPx).toBe(20);
    expect(fitted.lines.every((l) => mono(l, 20) <= 100)).toBe(true);
  });
});

describe('fontFamilyList', () => {
  it('should put the brand font first and the CJK and emoji fallbacks last', () => {
    expect(fontFamilyList('sansBold', false)).toBe('AdSansBold, AdCjk, AdEmoji');
    expect(fontFamilyList('serif', true)).toBe('AdBrand, AdSerif, AdCjk, AdEmoji');
  });
});

describe('brandFontPath', () => {
  it('should be null when BRAND_FONT_FILE is unset or blank', () => {
    expect(brandFontPath(undefined)).toBeNull();
    expect(brandFontPath('  ')).toBeNull();
  });

  it('should return an existing file as an absolute path', () => {
    const file = join(resolveAssetDir(), 'fonts', 'DejaVuSerif.ttf');
    expect(brandFontPath(file)).toBe(file);
  });

  it('should fail loudly, naming the variable, when the file is missing', () => {
    expect(() => brandFontPath('/nope/brand.ttf')).toThrow('BRAND_FONT_FILE=/nope/brand.ttf: no such font file');
  });
});
