import { colorHistogram, contrastRatio, fromHsl, histogramDistance, mix, parseHex, toHex, toHsl, withLightness } from './color';

describe('parseHex / toHex', () => {
  it.each([
    ['#D4AF37', { r: 212, g: 175, b: 55 }],
    ['#fff', { r: 255, g: 255, b: 255 }],
    ['000000', { r: 0, g: 0, b: 0 }],
    ['#12345', null],
    ['red', null],
  ])('should parse %s', (hex, rgb) => {
    expect(parseHex(hex)).toEqual(rgb);
  });

  it('should print clamped, rounded lowercase hex', () => {
    expect(toHex({ r: 212.4, g: 300, b: -3 })).toBe('#d4ff00');
  });
});

describe('HSL round trip', () => {
  it.each(['#D4AF37', '#2563EB', '#B45309', '#0F172A', '#808080'])('should survive %s', (hex) => {
    expect(toHex(fromHsl(toHsl(parseHex(hex)!)))).toBe(hex.toLowerCase());
  });

  it('should set lightness and clamp saturation', () => {
    const c = toHsl(withLightness(parseHex('#D4AF37')!, 0.14, 0.3, 0.65));
    expect(c.l).toBeCloseTo(0.14, 2);
    expect(c.s).toBeCloseTo(0.65, 2);
  });
});

describe('contrastRatio', () => {
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#D4AF37', '#000000', 9.99],
  ])('should rate %s on %s', (a, b, ratio) => {
    expect(contrastRatio(parseHex(a)!, parseHex(b)!)).toBeCloseTo(ratio, 1);
  });
});

describe('histogramDistance', () => {
  const fill = (r: number, g: number, b: number, pixels = 4): Uint8ClampedArray => {
    const a = new Uint8ClampedArray(pixels * 4);
    for (let i = 0; i < pixels; i++) a.set([r, g, b, 255], i * 4);
    return a;
  };

  it('should be 0 for the same bins and 1 for disjoint bins, as check-ad counts', () => {
    expect(histogramDistance(fill(10, 10, 10), fill(60, 60, 60))).toBe(0);
    expect(histogramDistance(fill(10, 10, 10), fill(200, 200, 200))).toBe(1);
  });

  it('should count the share of pixels that changed bins', () => {
    const half = new Uint8ClampedArray([...fill(10, 10, 10, 2), ...fill(200, 200, 200, 2)]);
    expect(histogramDistance(fill(10, 10, 10), half)).toBe(0.5);
  });

  it('should bin 2 bits per channel', () => {
    const h = colorHistogram(new Uint8ClampedArray([255, 128, 64, 255]));
    expect(h.indexOf(1)).toBe(3 * 16 + 2 * 4 + 1);
    expect(mix({ r: 0, g: 0, b: 0 }, { r: 255, g: 255, b: 255 }, 0.5)).toEqual({ r: 127.5, g: 127.5, b: 127.5 });
  });
});
