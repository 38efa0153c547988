import { makeAdPlan, sampleBrand } from '../../../../test/fixtures/plans';
import { toHex, toHsl } from '../../../media/color';
import { brandLookFor, lookKindFor, readableOn, seedFrom, seededRandom } from './brand-look';

describe('lookKindFor', () => {
  it.each([
    [['luxury minimalist'], 'luxury'],
    [['modern, clean, confident'], 'modern'],
    [['warm and rustic'], 'warm'],
    [['bold urban energetic'], 'bold'],
    [[null, undefined, 'playful'], 'bold'],
    [['pastel'], 'fresh'],
  ] as const)('should read %p as %s', (texts, kind) => {
    expect(lookKindFor(...texts)).toBe(kind);
  });
});

describe('brandLookFor', () => {
  it('should keep the gold hue in every tone and never make the deep tone black', () => {
    const look = brandLookFor(makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16' }), sampleBrand('luxury-watch'));
    expect(look.kind).toBe('luxury');
    expect(toHex(look.primary)).toBe('#d4af37');
    expect(look.baseTone).toBe('deep');
    for (const tone of Object.values(look.tones)) expect(Math.abs(toHsl(tone).h - toHsl(look.primary).h)).toBeLessThan(1);
    expect(toHsl(look.tones.deep).l).toBeCloseTo(0.14, 2);
  });

  it('should take a dark, coloured secondary as the deep tone', () => {
    const look = brandLookFor(makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16', sample: 'sneaker-launch' }), null);
    expect(toHsl(look.tones.deep).h).toBeCloseTo(toHsl({ r: 15, g: 23, b: 42 }).h, 0);
  });

  it('should let brand guidelines override the plan palette', () => {
    const look = brandLookFor(makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1', sample: 'coffee-square' }), { primary_color: '#FF0000' });
    expect(toHex(look.primary)).toBe('#ff0000');
  });
});

describe('readableOn', () => {
  it('should prefer the first candidate with WCAG contrast of at least 4.5', () => {
    const navy = { r: 15, g: 23, b: 42 };
    const blue = { r: 37, g: 99, b: 235 };
    const white = { r: 255, g: 255, b: 255 };
    expect(readableOn(navy, [blue, white])).toBe(white);
    expect(readableOn(white, [blue, navy])).toBe(blue);
  });
});

describe('seedFrom / seededRandom', () => {
  it('should be deterministic', () => {
    expect(seedFrom('Aurum')).toBe(seedFrom('Aurum'));
    expect(seedFrom('Aurum')).not.toBe(seedFrom('aurum'));
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
