import { fitText } from './text';

describe('planner text', () => {
  describe('fitText', () => {
    it.each<[string, number]>([
      ['short', 80],
      ['a '.repeat(100), 80],
      ['字'.repeat(200), 80],
      ['😀'.repeat(100), 80],
      ['word '.repeat(30), 40],
    ])('should keep %j within %i UTF-16 units', (text, max) => {
      const out = fitText(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    });
  });
});
