import { safeAreaFor } from './safe-area';

describe('safeAreaFor', () => {
  it.each([
    ['9:16', { xPx: 86, yPx: 268, widthPx: 908, heightPx: 1268 }],
    ['16:9', { xPx: 134, yPx: 86, widthPx: 1652, heightPx: 864 }],
    ['1:1', { xPx: 76, yPx: 76, widthPx: 928, heightPx: 906 }],
  ] as const)('should keep text out of the platform UI on %s', (aspect, box) => {
    expect(safeAreaFor(aspect)).toEqual(box);
  });

  it('should keep 9:16 text out of the top 14 % and the bottom 20 %', () => {
    const box = safeAreaFor('9:16');
    expect(box.yPx).toBeGreaterThanOrEqual(0.14 * 1920 - 2);
    expect(box.yPx + box.heightPx).toBeLessThanOrEqual(0.8 * 1920);
  });
});
