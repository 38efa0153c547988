import type { AdScene } from '@app/contracts';
import { planTimeline } from './timeline';

const scene = (duration: number, transition: AdScene['transition'] = 'crossfade'): Pick<AdScene, 'duration' | 'transition'> => ({ duration, transition });

describe('planTimeline', () => {
  it('should give every clip its scene plus the outgoing overlap and start scenes at the running sum', () => {
    const slots = planTimeline({ scenes: [scene(7.5), scene(7.5, 'wipe'), scene(7.5), scene(7.5)] as AdScene[] });
    expect(slots).toEqual([
      { startSeconds: 0, durationSeconds: 7.5, transitionOutSeconds: 0.5, transitionInSeconds: 0, clipSeconds: 8, clearFromSeconds: 0, clearToSeconds: 7.5 },
      { startSeconds: 7.5, durationSeconds: 7.5, transitionOutSeconds: 0.5, transitionInSeconds: 0.5, clipSeconds: 8, clearFromSeconds: 8, clearToSeconds: 15 },
      { startSeconds: 15, durationSeconds: 7.5, transitionOutSeconds: 0.5, transitionInSeconds: 0.5, clipSeconds: 8, clearFromSeconds: 15.5, clearToSeconds: 22.5 },
      { startSeconds: 22.5, durationSeconds: 7.5, transitionOutSeconds: 0, transitionInSeconds: 0.5, clipSeconds: 7.5, clearFromSeconds: 23, clearToSeconds: 30 },
    ]);
  });

  it('should round decimal sums to milliseconds', () => {
    const slots = planTimeline({ scenes: [scene(4.1), scene(5.2), scene(5.7)] as AdScene[] });
    expect(slots.map((s) => s.startSeconds)).toEqual([0, 4.1, 9.3]);
    expect(slots.map((s) => s.clipSeconds)).toEqual([4.6, 5.7, 5.7]);
  });
});
