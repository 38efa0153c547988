import { validateAdPlan, type AdPlan } from './ad-plan';
import { acceptAdPlan, normalizeHexColor, repairAdPlan, rescaleDurations } from './plan-repair';

function plan(durations: number[], overrides: Partial<AdPlan> = {}): AdPlan {
  let t = 0;
  const scenes = durations.map((d, i) => ({
    scene_number: i + 1,
    role: i === durations.length - 1 ? ('cta' as const) : ('interest' as const),
    duration: d,
    visual_prompt: 'a product on a table',
    on_screen_text: `Line ${i + 1}`,
    transition: 'crossfade' as const,
    motion: 'zoom_in' as const,
  }));
  const text_overlays = scenes.map((s) => {
    const o = { scene_number: s.scene_number, text: s.on_screen_text, start_time: t + 0.3, end_time: t + s.duration - 0.3 };
    t += s.duration;
    return o;
  });
  return {
    framework: 'AIDA',
    product: { name: 'Thing', description: 'a thing', category: 'general', audience: 'people', offer: null },
    tone: 'confident',
    platform: null,
    hook: 'Line 1',
    call_to_action: 'Shop now',
    scenes,
    visual_direction: { style: 'clean', palette: ['#112233', '#AABBCC'], lighting: 'soft', color_grade: 'neutral' },
    audio: { mood: 'upbeat', tempo_bpm: 110, music_volume: 0.3 },
    text_overlays,
    ...overrides,
  };
}

describe('rescaleDurations', () => {
  it.each([
    [[10, 10, 10], 20, [7, 7, 6]],
    [[1, 14, 15], 30, [2, 14, 14]],
    [[5, 5, 5, 5, 5], 60, [12, 12, 12, 12, 12]],
    [[30, 30, 30], 60, [20, 20, 20]],
    [[2.5, 7.5, 5], 20, [3.3, 10, 6.7]],
    [[0, 10, 10], 15, [2, 7, 6]],
  ])('should split %j over %d s as %j (each 2-20 s, the sum exact)', (weights, total, expected) => {
    const out = rescaleDurations(weights, total)!;
    expect(out).toEqual(expected);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
  });

  it('should refuse totals no split can reach', () => {
    expect(rescaleDurations([5, 5, 5], 61)).toBeNull();
    expect(rescaleDurations([5, 5, 5, 5, 5], 9)).toBeNull();
  });
});

describe('normalizeHexColor', () => {
  it.each([
    ['#fa0', '#FFAA00'],
    ['d4af37', '#D4AF37'],
    [' #D4AF37ff ', '#D4AF37'],
    ['gold', null],
    [12, null],
  ])('should read %j as %j', (input, expected) => expect(normalizeHexColor(input)).toBe(expected));
});

describe('repairAdPlan', () => {
  it('should rescale durations proportionally, keep overlays inside their scenes and record both', () => {
    const bad = plan([10, 10, 10]);
    const { candidate, adjustments } = repairAdPlan(bad, 20);
    expect(validateAdPlan(candidate, 20)).toEqual([]);
    const fixed = candidate as AdPlan;
    expect(fixed.scenes.map((s) => s.duration)).toEqual([7, 7, 6]);
    // Overlay 2 was 10.3-19.7 inside 10-20 s; now it keeps its place inside 7-14 s.
    expect(fixed.text_overlays[1]).toMatchObject({ start_time: 7.21, end_time: 13.79 });
    expect(adjustments.map((a) => a.kind)).toEqual(['durations_rescaled']);
    expect(adjustments[0]).toMatchObject({ from: [10, 10, 10], to: [7, 7, 6] });
    expect(bad.scenes[0].duration).toBe(10);
  });

  it('should renumber scenes with their overlays, clamp stray overlays and normalise colours', () => {
    const bad = plan([5, 5, 5]);
    bad.scenes.forEach((s) => (s.scene_number += 1));
    bad.text_overlays.forEach((o) => (o.scene_number += 1));
    bad.text_overlays[2] = { ...bad.text_overlays[2], start_time: 12, end_time: 40 };
    bad.visual_direction.palette = ['#fa0', '112233'];
    const { candidate, adjustments } = repairAdPlan(bad, 15);
    expect(validateAdPlan(candidate, 15)).toEqual([]);
    const fixed = candidate as AdPlan;
    expect(fixed.scenes.map((s) => s.scene_number)).toEqual([1, 2, 3]);
    expect(fixed.text_overlays.map((o) => o.scene_number)).toEqual([1, 2, 3]);
    expect(fixed.text_overlays[2]).toMatchObject({ start_time: 12, end_time: 15 });
    expect(fixed.visual_direction.palette).toEqual(['#FFAA00', '#112233']);
    expect(new Set(adjustments.map((a) => a.kind))).toEqual(new Set(['scenes_renumbered', 'overlay_clamped', 'color_normalized']));
  });

  it('should drop an overlay naming no scene and clamp tempo and a percentage volume', () => {
    const bad = plan([5, 5, 5], { audio: { mood: 'calm', tempo_bpm: 240, music_volume: 30 } });
    bad.text_overlays.push({ scene_number: 9, text: 'x', start_time: 1, end_time: 2 });
    const result = acceptAdPlan(bad, 15);
    expect(result.problems).toEqual([]);
    expect(result.plan!.text_overlays).toHaveLength(3);
    expect(result.plan!.audio).toMatchObject({ tempo_bpm: 180, music_volume: 0.3 });
    expect(result.plan!.adjustments!.map((a) => a.kind)).toEqual(['overlay_dropped', 'audio_clamped', 'audio_clamped']);
    // The stored plan, adjustments included, still validates.
    expect(validateAdPlan(result.plan, 15)).toEqual([]);
  });

  it('should leave a valid plan untouched and record nothing', () => {
    const good = plan([5, 5, 5]);
    const result = acceptAdPlan(good, 15);
    expect(result.plan).toEqual(good);
    expect(result.adjustments).toEqual([]);
  });

  it('should leave what arithmetic cannot fix for the model', () => {
    const tooMany = plan([3, 3, 3, 3, 3, 3]);
    const result = acceptAdPlan(tooMany, 18);
    expect(result.plan).toBeNull();
    expect(result.problems.join(' ')).toContain('/scenes');
    const missing = { ...plan([5, 5, 5]), hook: undefined };
    expect(acceptAdPlan(missing, 15).problems.length).toBeGreaterThan(0);
    expect(repairAdPlan('not a plan', 15)).toEqual({ candidate: 'not a plan', adjustments: [] });
  });
});
