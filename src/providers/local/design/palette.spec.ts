import { VOICE_PROFILES } from '../planner/prompt-lexicon';
import { buildPalette, normalizeHexColor } from './palette';

describe('plan palette', () => {
  describe('brand colours', () => {
    it.each<[string | undefined, string | null]>([
      ['#abc', '#AABBCC'],
      ['#D4AF37', '#D4AF37'],
      ['d4af37', '#D4AF37'],
      ['red', null],
      [undefined, null],
    ])('should normalise %p to %p', (input, output) => {
      expect(normalizeHexColor(input)).toBe(output);
    });

    it('should put expanded brand colours first, without duplicates', () => {
      const palette = buildPalette(
        { primary_color: '#f0a', secondary_color: '#FF00AA' },
        VOICE_PROFILES.playful,
      );
      expect(palette[0]).toBe('#FF00AA');
      expect(palette.filter((c) => c === '#FF00AA')).toHaveLength(1);
      expect(palette.length).toBeGreaterThanOrEqual(3);
      expect(palette.length).toBeLessThanOrEqual(6);
    });
  });
});
