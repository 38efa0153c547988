import { musicStyleFor, validateAdPlan, type AdPlan, type AdRequestOptions } from '@app/contracts';
import { loadConfig } from '../../config/app.config';
import { CostEstimator } from './cost-estimator';
import type { JobState } from './job-saga';
import { makeAdPlan, SAMPLE_REQUESTS } from '../../test/fixtures/plans';
import { cutClips, variationCount, variationCut } from './variation-cuts';

/** Every sample plan, at its own length and at each scene count the planner makes. */
const PLANS: Array<{ label: string; plan: AdPlan; duration: number }> = SAMPLE_REQUESTS.flatMap((r) =>
  [3, 4, 5].map((scenes) => ({
    label: `${r.name} ${r.durationSeconds}s ${scenes} scenes`,
    plan: makeAdPlan({ durationSeconds: r.durationSeconds, aspectRatio: r.aspectRatio, sample: r.name, scenes }),
    duration: r.durationSeconds,
  })),
);

describe('variationCut', () => {
  it('cut 0 is the approved plan itself, in planned order', () => {
    const { plan } = PLANS[0];
    const cut = variationCut(plan, 0);
    expect(cut.plan).toBe(plan);
    expect(cut.order).toEqual(plan.scenes.map((_, i) => i));
  });

  describe.each(PLANS)('$label', ({ plan, duration }) => {
    const before = JSON.stringify(plan);
    const cuts = [1, 2].map((i) => variationCut(plan, i));

    it.each([1, 2])('cut %i passes the plan schema and sums to the ad duration exactly', (i) => {
      const cut = cuts[i - 1];
      expect(validateAdPlan(cut.plan, duration)).toEqual([]);
      expect(cut.plan.scenes.reduce((s, x) => s + x.duration, 0)).toBe(plan.scenes.reduce((s, x) => s + x.duration, 0));
      expect(cut.plan.text_overlays.at(-1)!.end_time).toBeCloseTo(duration, 6);
    });

    it.each([1, 2])('cut %i opens on another scene, changes every transition and the music, keeps the CTA last', (i) => {
      const cut = cuts[i - 1];
      expect(cut.order[0]).not.toBe(0);
      expect(cut.order.at(-1)).toBe(plan.scenes.length - 1);
      expect([...cut.order].sort((a, b) => a - b)).toEqual(plan.scenes.map((_, k) => k));
      cut.plan.scenes.forEach((s, p) => {
        const from = plan.scenes[cut.order[p]];
        expect({ ...s, scene_number: 0, transition: 'x' }).toEqual({ ...from, scene_number: 0, transition: 'x' });
        expect(s.scene_number).toBe(p + 1);
        expect(s.transition).not.toBe(plan.scenes[p].transition);
      });
      expect(musicStyleFor(cut.plan.audio.mood)).not.toBe(musicStyleFor(plan.audio.mood));
      expect(cut.plan.hook).toBe(cut.plan.scenes[0].on_screen_text);
      expect(cut.plan.text_overlays.map((o) => o.text)).toEqual(cut.plan.scenes.map((s) => s.on_screen_text));
    });

    it('the two cuts differ from each other (transitions and music at least) and leave the base untouched', () => {
      expect(cuts[0].plan.scenes.map((s) => s.transition)).not.toEqual(cuts[1].plan.scenes.map((s) => s.transition));
      expect(musicStyleFor(cuts[0].plan.audio.mood)).not.toBe(musicStyleFor(cuts[1].plan.audio.mood));
      expect(cuts[0].plan.audio.tempo_bpm).not.toBe(cuts[1].plan.audio.tempo_bpm);
      expect(JSON.stringify(plan)).toBe(before);
    });

    it('is deterministic', () => {
      expect(variationCut(plan, 1)).toEqual(cuts[0]);
      expect(variationCut(plan, 2)).toEqual(cuts[1]);
    });
  });

  it('opens the product-first cut on the payoff scene (AIDA desire)', () => {
    const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16', scenes: 4 });
    expect(plan.scenes.map((s) => s.role)).toEqual(['attention', 'interest', 'desire', 'action']);
    expect(variationCut(plan, 1).plan.scenes[0].role).toBe('desire');
    expect(variationCut(plan, 1).order).toEqual([2, 0, 1, 3]);
  });

  it('opens the bold-line cut on the shortest remaining line when the plan has one', () => {
    const plan = makeAdPlan({ durationSeconds: 60, aspectRatio: '16:9', scenes: 5 });
    plan.scenes[1].on_screen_text = 'Bold.';
    const cut = variationCut(plan, 2);
    expect(cut.order[0]).toBe(1);
    expect(cut.order).not.toEqual(variationCut(plan, 1).order);
  });

  it('keeps the client-chosen mood and a muted ad silent', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
    const kept = variationCut(plan, 1, true).plan.audio;
    expect(kept.mood).toBe(plan.audio.mood);
    expect(kept.tempo_bpm).not.toBe(plan.audio.tempo_bpm);
    const muted: AdPlan = { ...plan, audio: { ...plan.audio, music_volume: 0 } };
    expect(variationCut(muted, 2).plan.audio).toEqual(muted.audio);
  });

  it('refuses an index outside 0-2', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
    expect(() => variationCut(plan, 3)).toThrow(/0-2/);
    expect(() => variationCut(plan, -1)).toThrow();
  });

  it('orders the shared clips like the cut', () => {
    const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16', scenes: 4 });
    const clips = plan.scenes.map((_, i) => ({ clip_uri: `file:///c${i}.mp4`, duration: 8, resolution: '1080x1920' }));
    expect(cutClips(variationCut(plan, 1), clips).map((c) => c.clip_uri)).toEqual(['file:///c2.mp4', 'file:///c0.mp4', 'file:///c1.mp4', 'file:///c3.mp4']);
  });
});

describe('variationCount', () => {
  it.each([
    ['a v1 job: 1 cut', 1 as const, { numberOfVariations: 3 }, 1],
    ['a v2 job without the field: 1 cut', 2 as const, {}, 1],
    ['a v2 job without options: 1 cut', 2 as const, null, 1],
    ['a v2 job asking for 2: 2 cuts', 2 as const, { numberOfVariations: 2 }, 2],
    ['a v2 job asking for 3: 3 cuts', 2 as const, { numberOfVariations: 3 }, 3],
    ['a stored value above the bound: 3 cuts', 2 as const, { numberOfVariations: 9 }, 3],
  ])('%s', (_label, apiVersion, options, expected) => {
    expect(variationCount({ apiVersion, options })).toBe(expected);
  });
});

describe('CostEstimator with variations', () => {
  it('counts one composition per cut and the clips once', () => {
    const config = loadConfig({ COMPOSITION_PROVIDER: 'http', COMPOSITION_URL: 'http://compose.test' });
    const estimator = new CostEstimator(config);
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
    const job = (options: AdRequestOptions | null) => ({ apiVersion: 2, options, plan, stills: [], request: { prompt: 'p', duration: 15, aspect_ratio: '9:16' } }) as unknown as JobState;
    const one = estimator.estimate('composition', job(null));
    expect(one).toBeGreaterThan(0);
    expect(estimator.estimate('composition', job({ numberOfVariations: 3 }))).toBeCloseTo(3 * one, 9);
    expect(estimator.estimate('video_generation', job({ numberOfVariations: 3 }))).toBe(estimator.estimate('video_generation', job(null)));
  });
});
