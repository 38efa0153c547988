import { makeAdPlan } from '../../../test/fixtures/plans';
import { planTimeline } from '../../media/timeline';
import { textWindows } from './local.compositor';

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
});
