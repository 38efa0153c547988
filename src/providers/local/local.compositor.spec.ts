import { makeAdPlan } from '../../../test/fixtures/plans';
import { planTimeline } from '../../media/timeline';
import { brandLookFor } from './design/brand-look';
import { ctaCardStyle, envFlag, slideUpDistancePx, textMotionFor, textWindows } from './local.compositor';
import { safeAreaFor } from '../../media/safe-area';
import { contrastRatio } from '../../media/color';

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

describe('envFlag', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
  ])('should read %p as %p', (value, flag) => {
    expect(envFlag({ EXPORT_GIF: value }, 'EXPORT_GIF')).toBe(flag);
  });

  it('should refuse anything else, naming the variable', () => {
    expect(() => envFlag({ EXPORT_WEBM: 'ture' }, 'EXPORT_WEBM')).toThrow('EXPORT_WEBM=ture: expected true or false');
  });
});
