import type { AspectRatio } from '@app/contracts';
import { makeAdPlan, sampleBrand, type SampleName } from '../../../../test/fixtures/plans';
import { contrastRatio, type Rgb } from '../../../media/color';
import type { CompositionText } from '../../../media/composition.args';
import { safeAreaFor } from '../../../media/safe-area';
import { planTimeline } from '../../../media/timeline';
import { brandLookFor } from '../design/brand-look';
import {
  cardFrameFor,
  ctaCardStyle,
  gifExcerpt,
  placeCard,
  scaleCtaStyle,
  scaledSize,
  scaleTextStyle,
  slideUpDistancePx,
  textCardStyle,
  textMotionFor,
  textWindows,
  thumbnailTime,
  type TextMotion,
} from './composition-layout';

describe('textWindows', () => {
  it('should show each card while its scene is alone on screen, after the fade-in and before the fade-out', () => {
    const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16' });
    expect(textWindows(plan, planTimeline(plan), 30)).toEqual([
      { start: 0.35, end: 7.5 },
      { start: 8.2, end: 15 },
      { start: 15.7, end: 22.5 },
      { start: 23.2, end: 29.7 },
    ]);
  });

  it('should narrow a card to the plan overlay times when they leave at least 1.5 s', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1', sample: 'coffee-square' });
    plan.text_overlays[1] = { ...plan.text_overlays[1], start_time: 6, end_time: 8 };
    plan.text_overlays[2] = { ...plan.text_overlays[2], start_time: 14, end_time: 15 };
    const windows = textWindows(plan, planTimeline(plan), 15);
    expect(windows[1]).toEqual({ start: 6, end: 8 });
    expect(windows[2]).toEqual({ start: 10.7, end: 14.7 });
  });

  it('should bring the hook in right after the fade-in whatever the overlay says (visible within 2 s)', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16', sample: 'sneaker-launch' });
    plan.text_overlays[0] = { ...plan.text_overlays[0], start_time: 2.5 };
    expect(textWindows(plan, planTimeline(plan), 15)[0].start).toBe(0.35);
  });
});

describe('textMotionFor', () => {
  it.each([
    ['attention', 'bold', false, 'slide_up'],
    ['interest', 'bold', false, 'fade'],
    ['solution', 'modern', false, 'slide_up'],
    ['agitate', 'modern', false, 'fade'],
    ['attention', 'luxury', false, 'fade'],
    ['desire', 'warm', false, 'fade'],
    ['cta', 'luxury', true, 'slide_up'],
    ['action', 'fresh', true, 'slide_up'],
  ] as const)('should enter a %s card of a %s look (closing %s) with %s', (role, kind, closing, motion) => {
    expect(textMotionFor(role, { kind }, closing)).toBe(motion);
  });
});

describe('slideUpDistancePx', () => {
  it('should travel 3 % of the safe height, in even pixels', () => {
    expect(slideUpDistancePx(safeAreaFor('9:16'))).toBe(38);
    expect(slideUpDistancePx(safeAreaFor('16:9'))).toBe(26);
  });
});

describe('ctaCardStyle', () => {
  it('should fill the button with the brand colour and label it in a colour that reads on it', () => {
    const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16', sample: 'luxury-watch' });
    const style = ctaCardStyle(brandLookFor(plan, { primary_color: '#D4AF37', secondary_color: '#000000', style: 'luxury minimalist' }));
    expect(style.buttonColor).toEqual({ r: 0xd4, g: 0xaf, b: 0x37 });
    expect(contrastRatio(style.buttonTextColor, style.buttonColor)).toBeGreaterThanOrEqual(4.5);
    expect(style.nameFont).toBe('serif');
  });
});

/** The four sample ads at their sample aspect and length, with their brand looks. */
const SAMPLE_ADS: ReadonlyArray<[SampleName, AspectRatio, number]> = [
  ['luxury-watch', '9:16', 30],
  ['sneaker-launch', '9:16', 15],
  ['saas-youtube', '16:9', 60],
  ['coffee-square', '1:1', 15],
];

function sampleAd(sample: SampleName) {
  const [, aspectRatio, durationSeconds] = SAMPLE_ADS.find(([name]) => name === sample)!;
  const plan = makeAdPlan({ durationSeconds, aspectRatio, sample });
  return { plan, slots: planTimeline(plan), durationSeconds, look: brandLookFor(plan, sampleBrand(sample)) };
}

/** Colours rounded to whole code values: the styles mix colours in floating point. */
const rgb = (c: Rgb): [number, number, number] => [Math.round(c.r), Math.round(c.g), Math.round(c.b)];

describe('textWindows of the samples', () => {
  it.each<[SampleName, Array<{ start: number; end: number }>]>([
    ['luxury-watch', [{ start: 0.35, end: 7.5 }, { start: 8.2, end: 15 }, { start: 15.7, end: 22.5 }, { start: 23.2, end: 29.7 }]],
    ['sneaker-launch', [{ start: 0.35, end: 5 }, { start: 5.7, end: 10 }, { start: 10.7, end: 14.7 }]],
    ['saas-youtube', [{ start: 0.35, end: 12 }, { start: 12.7, end: 24 }, { start: 24.7, end: 36 }, { start: 36.7, end: 48 }, { start: 48.7, end: 59.7 }]],
    ['coffee-square', [{ start: 0.35, end: 5 }, { start: 5.7, end: 10 }, { start: 10.7, end: 14.7 }]],
  ])('should time the cards of %s 0.2 s after each crossfade and 0.3 s before the fade-out', (sample, windows) => {
    const { plan, slots, durationSeconds } = sampleAd(sample);
    expect(textWindows(plan, slots, durationSeconds)).toEqual(windows);
  });
});

describe('thumbnailTime', () => {
  const card = (startSeconds: number, endSeconds: number): CompositionText => ({ path: 'text-1.png', xPx: 0, yPx: 0, startSeconds, endSeconds, fadeSeconds: 0.4 });

  it.each<[SampleName, number]>([
    ['luxury-watch', 3.925],
    ['sneaker-launch', 2.675],
    ['saas-youtube', 6.175],
    ['coffee-square', 2.675],
  ])('should take the thumbnail of %s at %p s, mid-way through the hook once faded in', (sample, seconds) => {
    const { plan, slots, durationSeconds } = sampleAd(sample);
    const [hook] = textWindows(plan, slots, durationSeconds);
    expect(thumbnailTime([card(hook.start, hook.end)], slots)).toBe(seconds);
  });

  it.each<[SampleName, number]>([
    ['luxury-watch', 3.75],
    ['saas-youtube', 6],
  ])('should take the thumbnail of %s without cards mid-way through the first clear scene, at %p s', (sample, seconds) => {
    expect(thumbnailTime([], sampleAd(sample).slots)).toBe(seconds);
  });

  it('should ignore every card but the first (logos come after the cards)', () => {
    const { slots } = sampleAd('luxury-watch');
    expect(thumbnailTime([card(1, 3), card(0, 30)], slots)).toBe(2);
  });
});

describe('textCardStyle', () => {
  it.each<[SampleName, string, string, boolean, number, number, [number, number, number], [number, number, number], [number, number, number]]>([
    ['luxury-watch', 'luxury', 'serif', true, 5, 4, [212, 175, 55], [245, 230, 200], [37, 30, 9]],
    ['sneaker-launch', 'bold', 'sansBold', true, 1, 1, [225, 242, 250], [14, 165, 233], [12, 19, 34]],
    ['saas-youtube', 'modern', 'sansBold', false, 0, 0, [225, 232, 250], [245, 158, 11], [9, 18, 37]],
    ['coffee-square', 'warm', 'sansBold', false, 0, 0, [250, 235, 225], [180, 83, 9], [37, 21, 9]],
  ])(
    'should style the cards of %s (%s look): %s, hook upper case %p, tracking %i/%i px',
    (sample, kind, font, hookUppercase, hookTrackingPx, lineTrackingPx, text, accent, plate) => {
      const { look } = sampleAd(sample);
      expect(look.kind).toBe(kind);
      const hook = textCardStyle(look, true);
      const line = textCardStyle(look, false);
      expect([hook.font, line.font]).toEqual([font, font]);
      expect([hook.maxFontPx, line.maxFontPx, hook.minFontPx, line.minFontPx]).toEqual([82, 66, 34, 34]);
      expect([hook.maxLines, hook.plateAlpha]).toEqual([3, 0.7]);
      expect([hook.uppercase, line.uppercase]).toEqual([hookUppercase, false]);
      expect([hook.letterSpacingPx, line.letterSpacingPx]).toEqual([hookTrackingPx, lineTrackingPx]);
      expect(rgb(hook.textColor)).toEqual(text);
      expect(rgb(hook.accentColor)).toEqual(accent);
      expect(rgb(hook.plateColor)).toEqual(plate);
      expect(line.textColor).toEqual(hook.textColor);
    },
  );
});

describe('ctaCardStyle of the samples', () => {
  it.each<[SampleName, string, [number, number, number], [number, number, number], [number, number, number], boolean, number]>([
    ['luxury-watch', 'serif', [245, 230, 200], [212, 175, 55], [59, 48, 13], true, 6],
    ['sneaker-launch', 'sansBold', [34, 197, 94], [14, 165, 233], [17, 27, 49], true, 1],
    ['saas-youtube', 'sansBold', [245, 158, 11], [37, 99, 235], [255, 255, 255], false, 0],
    ['coffee-square', 'serif', [250, 235, 225], [180, 83, 9], [255, 255, 255], false, 0],
  ])('should close %s with the name in %s, offer %j, button %j labelled %j', (sample, nameFont, offer, button, label, uppercase, trackingPx) => {
    const { look } = sampleAd(sample);
    const style = ctaCardStyle(look);
    const hook = textCardStyle(look, true);
    expect(style.nameFont).toBe(nameFont);
    expect(style.buttonFont).toBe('sansBold');
    expect([style.textColor, style.plateColor, style.accentColor]).toEqual([hook.textColor, hook.plateColor, hook.accentColor]);
    expect(style.plateAlpha).toBe(0.8);
    expect(rgb(style.offerColor)).toEqual(offer);
    expect(rgb(style.buttonColor)).toEqual(button);
    expect(rgb(style.buttonTextColor)).toEqual(label);
    expect([style.maxNamePx, style.minNamePx, style.uppercase, style.letterSpacingPx]).toEqual([92, 40, uppercase, trackingPx]);
  });
});

describe('scaled sizes and styles', () => {
  it.each<[{ widthPx: number; heightPx: number }, number, { widthPx: number; heightPx: number }]>([
    [{ widthPx: 1080, heightPx: 1920 }, 1, { widthPx: 1080, heightPx: 1920 }],
    [{ widthPx: 1080, heightPx: 1920 }, 0.5, { widthPx: 540, heightPx: 960 }],
    [{ widthPx: 1080, heightPx: 1920 }, 0.1, { widthPx: 108, heightPx: 192 }],
    [{ widthPx: 1920, heightPx: 1080 }, 0.33, { widthPx: 634, heightPx: 356 }],
    [{ widthPx: 10, heightPx: 10 }, 0.01, { widthPx: 2, heightPx: 2 }],
  ])('should scale %j by %p to %j (even pixels)', (size, scale, scaled) => {
    expect(scaledSize(size, scale)).toEqual(scaled);
  });

  it.each<[number, [number, number, number], [number, number, number]]>([
    [1, [82, 34, 5], [92, 40, 6]],
    [0.5, [41, 17, 3], [46, 20, 3]],
    [0.1, [8, 6, 1], [9, 6, 1]],
  ])('should scale the luxury type by %p to hook %j and name %j (max px, min px, tracking px)', (scale, hook, name) => {
    const { look } = sampleAd('luxury-watch');
    const text = scaleTextStyle(textCardStyle(look, true), scale);
    const cta = scaleCtaStyle(ctaCardStyle(look), scale);
    expect([text.maxFontPx, text.minFontPx, text.letterSpacingPx]).toEqual(hook);
    expect([cta.maxNamePx, cta.minNamePx, cta.letterSpacingPx]).toEqual(name);
  });
});

describe('cardFrameFor', () => {
  it.each<[AspectRatio, number, { xPx: number; yPx: number; widthPx: number; heightPx: number }, boolean, number, number, number]>([
    ['9:16', 1, { xPx: 86, yPx: 268, widthPx: 908, heightPx: 1268 }, false, 908, 908, 38],
    ['16:9', 1, { xPx: 134, yPx: 86, widthPx: 1652, heightPx: 864 }, true, 958, 1024, 26],
    ['1:1', 1, { xPx: 76, yPx: 76, widthPx: 928, heightPx: 906 }, false, 928, 928, 28],
    ['9:16', 0.1, { xPx: 8, yPx: 26, widthPx: 90, heightPx: 126 }, false, 90, 90, 4],
    ['16:9', 0.1, { xPx: 14, yPx: 8, widthPx: 166, heightPx: 86 }, true, 96, 103, 2],
  ])('should frame %s at scale %p in %j (landscape %p, widths %i/%i px, slide %i px)', (aspect, scale, safe, landscape, textWidthPx, ctaWidthPx, slideUpPx) => {
    expect(cardFrameFor(aspect, scale)).toEqual({ safe, landscape, textWidthPx, ctaWidthPx, slideUpPx });
  });
});

describe('placeCard', () => {
  const window = { start: 1, end: 4 };

  it.each<[AspectRatio, number, number, TextMotion, boolean, number, number, number]>([
    ['9:16', 600, 200, 'fade', false, 240, 1298, 0],
    ['9:16', 600, 200, 'slide_up', false, 240, 1298, 38],
    ['9:16', 601, 200, 'fade', false, 240, 1298, 0],
    ['16:9', 600, 200, 'slide_up', false, 134, 724, 26],
    ['16:9', 600, 200, 'slide_up', true, 660, 724, 26],
    ['1:1', 500, 300, 'fade', true, 290, 654, 0],
  ])('should place a %s card of %ix%i px (%s, closing %p) at (%i, %i), sliding %i px', (aspect, widthPx, heightPx, motion, closing, xPx, yPx, slideUpPx) => {
    const placed = placeCard(cardFrameFor(aspect, 1), { path: 'card.png', widthPx, heightPx }, window, motion, closing);
    expect(placed.text).toEqual({ path: 'card.png', xPx, yPx, startSeconds: 1, endSeconds: 4, fadeSeconds: 0.4, slideUpPx });
    expect(placed.box).toEqual({ xPx, yPx, widthPx, heightPx: heightPx + slideUpPx, startSeconds: 1, endSeconds: 4 });
  });
});

describe('gifExcerpt', () => {
  const hookAt = (startSeconds: number): CompositionText[] => [{ path: 'text-1.png', xPx: 0, yPx: 0, startSeconds, endSeconds: startSeconds + 4, fadeSeconds: 0.4 }];

  it.each<[CompositionText[], number, number, number]>([
    [hookAt(0.35), 30, 0.35, 6],
    [hookAt(1), 6, 1, 4.7],
    [[], 5, 0.3, 4.4],
    [[], 60, 0.3, 6],
  ])('should excerpt %j of a %i s ad from %p s for %p s', (texts, durationSeconds, startSeconds, seconds) => {
    const excerpt = gifExcerpt(texts, durationSeconds);
    expect(excerpt.startSeconds).toBe(startSeconds);
    expect(excerpt.seconds).toBeCloseTo(seconds, 9);
  });
});
