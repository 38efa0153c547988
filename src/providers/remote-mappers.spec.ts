import { validateAdPlan } from '@app/contracts';
import { makeAdPlan } from '../../test/fixtures/plans';
import { toAdPlan, toComposeRequest, envelopeProblems } from './http/http-contract.mappers';
import { toStrictSchema } from './openai/openai.mappers';
import { outputUrls, parsePredictionToken, predictionToken } from './replicate/replicate.client';
import { clipInputFor, klingDurationFor } from './replicate/replicate.mappers';

const REQ = { prompt: 'Coffee shop latte ad for commuters', duration: 15, aspect_ratio: '1:1' as const };

describe('HTTP contract mappers', () => {
  it('should accept a full plan and complete the contract parse result {scenes, visual_direction, audio, text_overlays}', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1' });
    expect(toAdPlan(plan, REQ).plan).toBe(plan);
    const { scenes, visual_direction, audio, text_overlays } = plan;
    const mapped = toAdPlan({ scenes, visual_direction, audio, text_overlays }, REQ);
    expect(mapped.problems).toEqual([]);
    expect(validateAdPlan(mapped.plan, 15)).toEqual([]);
    expect(mapped.plan!.hook).toBe(scenes[0].on_screen_text);
  });

  it('should rescale a plan whose durations do not add up, and report one arithmetic cannot fix', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1' });
    const rescaled = toAdPlan({ ...plan, scenes: plan.scenes.map((s) => ({ ...s, duration: 1 })) }, REQ).plan;
    expect(rescaled!.scenes.map((s) => s.duration)).toEqual([5, 5, 5]);
    expect(rescaled!.adjustments![0]).toMatchObject({ kind: 'durations_rescaled', from: [1, 1, 1], to: [5, 5, 5] });
    expect(toAdPlan({ ...plan, scenes: plan.scenes.map((s) => ({ ...s, duration: 'long' })) }, REQ).plan).toBeNull();
  });

  it('should build /compose scenes on the plan timeline', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1' });
    const clips = plan.scenes.map((_, i) => ({ clip_uri: `file:///c${i}.mp4`, duration: 5, resolution: '540x540' }));
    const body = toComposeRequest({ plan, clips, duration: 15, aspect_ratio: '1:1', brand_guidelines: null }) as { scenes: Array<{ start_time: number; end_time: number; video_url: string }> };
    expect(body.scenes[0]).toMatchObject({ start_time: 0, video_url: 'file:///c0.mp4' });
    expect(body.scenes.at(-1)!.end_time).toBe(15);
    expect(body.scenes[0]).not.toHaveProperty('color_grade_applied');
  });

  it('should tell the remote compositor which clips already carry the grade', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1' });
    const clips = plan.scenes.map((_, i) => ({ clip_uri: `file:///c${i}.mp4`, duration: 5, resolution: '540x540', ...(i === 0 ? { color_grade: 'warm' as const } : {}) }));
    const body = toComposeRequest({ plan, clips, duration: 15, aspect_ratio: '1:1', brand_guidelines: null }) as { scenes: Array<Record<string, unknown>> };
    expect(body.scenes[0].color_grade_applied).toBe('warm');
    expect(body.scenes[1]).not.toHaveProperty('color_grade_applied');
  });

  it('should check the envelope', () => {
    expect(envelopeProblems({ success: true, result: {}, cost: 0.1 })).toEqual([]);
    expect(envelopeProblems('oops')).toEqual(['answer is not a JSON object']);
    expect(envelopeProblems({ success: true })).toEqual(['"result" is missing']);
  });
});

describe('Replicate mappers', () => {
  it('should round-trip resume tokens and read outputs', () => {
    expect(parsePredictionToken(predictionToken('minimax/video-01', 'abc123'))).toEqual({ model: 'minimax/video-01', predictionId: 'abc123' });
    expect(parsePredictionToken('local:1')).toBeNull();
    expect(outputUrls(['https://a/1.png'])).toEqual(['https://a/1.png']);
    expect(outputUrls('https://a/1.mp4')).toEqual(['https://a/1.mp4']);
    expect(outputUrls({ x: 1 })).toEqual([]);
  });

  it('should map a scene to MiniMax and Kling inputs', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
    const input = { scene: plan.scenes[0], scene_index: 0, scene_count: 3, plan, reference_image_uri: 'x', clip_duration: 5.5, aspect_ratio: '9:16' as const, brand_guidelines: null };
    expect(clipInputFor('minimax/video-01', input, 'data:image/png;base64,AA')).toMatchObject({ first_frame_image: 'data:image/png;base64,AA' });
    expect(clipInputFor('kwaivgi/kling-v1.6-standard', input, 'u')).toMatchObject({ start_image: 'u', duration: 10 });
    expect([klingDurationFor(4), klingDurationFor(5), klingDurationFor(5.5)]).toEqual([5, 5, 10]);
  });
});

describe('OpenAI strict schema', () => {
  it('should drop keywords strict mode rejects and keep the rest', () => {
    const s = toStrictSchema({ type: 'object', properties: { a: { type: 'string', minLength: 1, maxLength: 5 }, b: { type: 'number', minimum: 2 } } });
    expect(s).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'number', minimum: 2 } } });
  });
});
