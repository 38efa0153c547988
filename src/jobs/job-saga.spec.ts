import { clipSecondsFor, Subjects, type AdPlan, type StageCompleted, type StageFailed, type StageName, type StageRequested } from '@app/contracts';
import { costBreakdown, decide, videoProgress, type Decision, type JobState, type SagaContext } from './job-saga';

const JOB = '00000000-0000-4000-8000-000000000001';

function plan(sceneSeconds: number[]): AdPlan {
  return {
    framework: 'AIDA',
    product: { name: 'Watch', description: 'a watch', category: 'luxury', audience: 'collectors', offer: null },
    tone: 'elegant',
    platform: 'instagram',
    hook: 'Time, refined',
    call_to_action: 'Shop now',
    scenes: sceneSeconds.map((d, i) => ({
      scene_number: i + 1,
      role: 'attention',
      duration: d,
      visual_prompt: `scene ${i + 1}`,
      on_screen_text: `text ${i + 1}`,
      transition: 'crossfade',
      motion: 'zoom_in',
    })),
    visual_direction: { style: 'luxury', palette: ['#D4AF37', '#000000'], lighting: 'soft', color_grade: 'luxury' },
    audio: { mood: 'elegant', tempo_bpm: 80, music_volume: 0.3 },
    text_overlays: [],
  };
}

function state(overrides: Partial<JobState> = {}): JobState {
  return {
    id: JOB,
    status: 'queued',
    request: { prompt: 'A luxury watch ad with gold', duration: 30, aspect_ratio: '9:16' },
    currentStage: null,
    stagesCompleted: [],
    progressPercentage: 0,
    plan: null,
    referenceImageUri: null,
    clips: [],
    scenesTotal: 0,
    scenesDone: 0,
    scenesDispatched: 0,
    attempts: {},
    costs: { prompt_parsing: 0, image_generation: 0, video_generation: 0, composition: 0 },
    result: null,
    error: null,
    version: 1,
    ...overrides,
  };
}

function ctx(overrides: Partial<SagaContext> = {}): SagaContext {
  let n = 0;
  return {
    subjects: new Subjects('t'),
    now: new Date('2026-01-01T00:00:00Z'),
    newId: () => `a${++n}`,
    maxParallelClips: 2,
    maxCostUsd: 10,
    estimateStageCostUsd: () => 0,
    stageDeadlineMs: () => 0,
    resultUrls: (id) => ({ videoUrl: `http://x/${id}.mp4`, thumbnailUrl: `http://x/${id}.jpg` }),
    ...overrides,
  };
}

function completed(stage: StageName, attemptId: string, output: unknown, cost = 0, sceneIndex: number | null = null): StageCompleted {
  return {
    event_id: `res.${attemptId}`,
    type: 'stage.completed',
    schema_version: 1,
    occurred_at: '2026-01-01T00:00:01Z',
    job_id: JOB,
    data: { stage, attempt_id: attemptId, scene_index: sceneIndex, output: output as never, cost_usd: cost, processing_time_seconds: 1, provider: 'local', attempts: 1 },
  };
}

function failed(stage: StageName, attemptId: string, cost = 0, sceneIndex: number | null = null): StageFailed {
  return {
    event_id: `res.${attemptId}`,
    type: 'stage.failed',
    schema_version: 1,
    occurred_at: '2026-01-01T00:00:01Z',
    job_id: JOB,
    data: {
      stage,
      attempt_id: attemptId,
      scene_index: sceneIndex,
      cost_usd: cost,
      processing_time_seconds: 1,
      provider: 'http',
      attempts: 3,
      error: { code: 'VIDEO_GENERATION_FAILED', message: 'boom', retryable: false, details: { service: 'http', attempts: 3, last_error: '429' } },
    },
  };
}

function applied(d: Decision): Extract<Decision, { kind: 'applied' }> {
  if (d.kind !== 'applied') throw new Error(`expected applied, got ${d.kind}: ${'reason' in d ? d.reason : ''}`);
  return d;
}

function subjectsOf(d: Decision): string[] {
  return applied(d).messages.map((m) => m.subject);
}

describe('decide (job saga transition function)', () => {
  it('should start a queued job with a prompt_parsing request and a started event', () => {
    const d = applied(decide(state(), { type: 'job.start', event_id: 'e1' }, ctx()));
    expect(d.next).toMatchObject({ status: 'processing', currentStage: 'prompt_parsing', version: 2, attempts: { prompt_parsing: 'a1' } });
    expect(subjectsOf(d)).toEqual([`t.evt.job.started.${JOB}`, `t.stage.req.prompt_parsing.${JOB}`]);
    const req = d.messages[1].payload as StageRequested<'prompt_parsing'>;
    expect(req.data.input).toEqual(state().request);
    expect(d.messages[1].id).toBe('req.a1');
  });

  it.each(['completed', 'failed', 'cancelled', 'processing'] as const)('should ignore a start when the job is %s', (status) => {
    expect(decide(state({ status }), { type: 'job.start', event_id: 'e' }, ctx()).kind).toBe('ignored');
  });

  it('should store the plan and request the reference image after prompt parsing', () => {
    const s = state({ status: 'processing', currentStage: 'prompt_parsing', attempts: { prompt_parsing: 'p1' } });
    const d = applied(decide(s, completed('prompt_parsing', 'p1', plan([7, 8, 7, 8]), 0.02), ctx()));
    expect(d.next).toMatchObject({ currentStage: 'image_generation', scenesTotal: 4, progressPercentage: 20, stagesCompleted: ['prompt_parsing'] });
    expect(d.next.costs.prompt_parsing).toBe(0.02);
    expect(subjectsOf(d)).toEqual([`t.evt.job.stage_completed.${JOB}`, `t.stage.req.image_generation.${JOB}`]);
  });

  it.each([
    ['a reused plan', true, { prompt_parsing: true }, { cached: true }],
    ['a computed plan', false, { prompt_parsing: false }, {}],
  ])('should record %s in cacheHits and say so in job.stage_completed (docs/design/cache.md)', (_name, cached, hits, flag) => {
    const s = state({ status: 'processing', currentStage: 'prompt_parsing', attempts: { prompt_parsing: 'p1' } });
    const ev = completed('prompt_parsing', 'p1', plan([7, 8, 7, 8]));
    if (cached) ev.data.cached = true;
    const d = applied(decide(s, ev, ctx()));
    expect(d.next.cacheHits).toEqual(hits);
    const data = d.messages[0].payload.data as Record<string, unknown>;
    expect(data).toMatchObject({ stage: 'prompt_parsing', cost: { prompt_parsing: 0, total: 0 } });
    expect(data.cached).toEqual((flag as { cached?: boolean }).cached);
  });

  it('should keep one cache flag per scene', () => {
    const s = state({
      status: 'processing',
      currentStage: 'video_generation',
      plan: plan([5, 5, 5]),
      scenesTotal: 3,
      scenesDispatched: 2,
      clips: [null, null, null],
      referenceImageUri: 'file:///ref.png',
      attempts: { 'video_generation.0': 'v0', 'video_generation.1': 'v1' },
      stagesCompleted: ['prompt_parsing', 'image_generation'],
      cacheHits: { prompt_parsing: true, image_generation: true },
    });
    const ev = completed('video_generation', 'v1', { clip_uri: 'file:///1.mp4', duration: 5.5, resolution: '1080x1920' }, 0, 1);
    ev.data.cached = true;
    const d = applied(decide(s, ev, ctx()));
    const next = applied(decide(d.next, completed('video_generation', 'v0', { clip_uri: 'file:///0.mp4', duration: 5.5, resolution: '1080x1920' }, 0.4, 0), ctx())).next;
    expect(next.cacheHits).toEqual({ prompt_parsing: true, image_generation: true, 'video_generation.1': true, 'video_generation.0': false });
  });

  it('should fan out at most maxParallelClips scene requests after the reference image', () => {
    const s = state({ status: 'processing', currentStage: 'image_generation', plan: plan([7, 8, 7, 8]), scenesTotal: 4, clips: [null, null, null, null], attempts: { image_generation: 'i1' }, stagesCompleted: ['prompt_parsing'] });
    const d = applied(decide(s, completed('image_generation', 'i1', { image_uri: 'file:///ref.png', seed: 1, width: 1080, height: 1920 }), ctx()));
    expect(d.next).toMatchObject({ currentStage: 'video_generation', scenesDispatched: 2, referenceImageUri: 'file:///ref.png', progressPercentage: 35 });
    expect(subjectsOf(d).slice(1)).toEqual([`t.stage.req.video_generation.${JOB}.0`, `t.stage.req.video_generation.${JOB}.1`]);
    const first = d.messages[1].payload as StageRequested<'video_generation'>;
    expect(first.data.input.clip_duration).toBe(7.5);
    expect(first.data.input.reference_image_uri).toBe('file:///ref.png');
  });

  it('should dispatch the next scene as a clip finishes and start composition only when all are in', () => {
    const p = plan([5, 5, 5]);
    let s = state({
      status: 'processing',
      currentStage: 'video_generation',
      plan: p,
      scenesTotal: 3,
      scenesDispatched: 2,
      clips: [null, null, null],
      referenceImageUri: 'file:///ref.png',
      attempts: { 'video_generation.0': 'v0', 'video_generation.1': 'v1' },
      stagesCompleted: ['prompt_parsing', 'image_generation'],
    });
    const c = ctx();
    let d = applied(decide(s, completed('video_generation', 'v1', { clip_uri: 'file:///1.mp4', duration: 5.5, resolution: '1080x1920' }, 0.4, 1), c));
    expect(d.next).toMatchObject({ scenesDone: 1, scenesDispatched: 3, progressPercentage: videoProgress(1, 3) });
    expect(subjectsOf(d)).toEqual([`t.evt.job.stage_completed.${JOB}`, `t.stage.req.video_generation.${JOB}.2`]);
    s = d.next;
    const third = s.attempts['video_generation.2'];
    d = applied(decide(s, completed('video_generation', 'v0', { clip_uri: 'file:///0.mp4', duration: 5.5, resolution: '1080x1920' }, 0.4, 0), c));
    expect(subjectsOf(d)).toEqual([`t.evt.job.stage_completed.${JOB}`]);
    d = applied(decide(d.next, completed('video_generation', third, { clip_uri: 'file:///2.mp4', duration: 5, resolution: '1080x1920' }, 0.4, 2), c));
    expect(d.next).toMatchObject({ currentStage: 'composition', scenesDone: 3, progressPercentage: 85 });
    expect(d.next.costs.video_generation).toBeCloseTo(1.2, 6);
    const req = d.messages[1].payload as StageRequested<'composition'>;
    expect(req.data.input.clips.map((x) => x.clip_uri)).toEqual(['file:///0.mp4', 'file:///1.mp4', 'file:///2.mp4']);
  });

  it('should complete the job with result urls and the cost breakdown', () => {
    const s = state({ status: 'processing', currentStage: 'composition', attempts: { composition: 'c1' }, stagesCompleted: ['prompt_parsing', 'image_generation', 'video_generation'], costs: { prompt_parsing: 0.05, image_generation: 0.3, video_generation: 1.2, composition: 0 } });
    const out = { video_uri: 'file:///f.mp4', thumbnail_uri: 'file:///t.jpg', duration: 30.02, resolution: '1080x1920', file_size_bytes: 12_500_000, scenes: 4 };
    const d = applied(decide(s, completed('composition', 'c1', out, 0.1), ctx()));
    expect(d.terminal).toBe(true);
    expect(d.next).toMatchObject({ status: 'completed', progressPercentage: 100, result: out });
    const done = d.messages.find((m) => m.subject === `t.evt.job.completed.${JOB}`)!;
    expect(done.payload.data).toMatchObject({ result: { video_url: `http://x/${JOB}.mp4`, file_size_mb: 12.5, scenes_generated: 4 }, cost: { total: 1.65 } });
  });

  it.each([
    ['a stale attempt id', state({ status: 'processing', currentStage: 'composition', attempts: { composition: 'new' } }), completed('composition', 'old', {})],
    ['a cancelled job', state({ status: 'cancelled', attempts: { composition: 'c1' } }), completed('composition', 'c1', {})],
    ['a failed job', state({ status: 'failed', attempts: { composition: 'c1' } }), failed('composition', 'c1')],
    ['a scene that already has its clip', state({ status: 'processing', attempts: { 'video_generation.0': 'v0' }, clips: [{ clip_uri: 'x', duration: 1, resolution: 'x' }] }), completed('video_generation', 'v0', {}, 0, 0)],
  ])('should ignore a result for %s', (_name, s, ev) => {
    expect(decide(s, ev, ctx()).kind).toBe('ignored');
  });

  it('should fail the job with the stage error, failed_stage and partial cost', () => {
    const s = state({ status: 'processing', currentStage: 'video_generation', attempts: { 'video_generation.1': 'v1' }, stagesCompleted: ['prompt_parsing', 'image_generation'], costs: { prompt_parsing: 0.05, image_generation: 0.3, video_generation: 0.4, composition: 0 } });
    const d = applied(decide(s, failed('video_generation', 'v1', 0.2, 1), ctx()));
    expect(d.next.status).toBe('failed');
    expect(d.next.error).toEqual({ code: 'VIDEO_GENERATION_FAILED', message: 'boom', failed_stage: 'video_generation', details: { service: 'http', attempts: 3, last_error: '429', scene_index: 1 } });
    expect(costBreakdown(d.next)).toEqual({ prompt_parsing: 0.05, image_generation: 0.3, video_generation: 0.6, total: 0.95 });
    expect(subjectsOf(d)).toEqual([`t.evt.job.stage_failed.${JOB}`, `t.evt.job.failed.${JOB}`]);
  });

  it('should fail with COST_LIMIT_EXCEEDED instead of starting a stage that would cross the cap', () => {
    const s = state({ status: 'processing', currentStage: 'image_generation', plan: plan([5, 5, 5]), scenesTotal: 3, clips: [null, null, null], attempts: { image_generation: 'i1' }, costs: { prompt_parsing: 0.05, image_generation: 0, video_generation: 0, composition: 0 } });
    const c = ctx({ estimateStageCostUsd: (stage) => (stage === 'video_generation' ? 12 : 0) });
    const d = applied(decide(s, completed('image_generation', 'i1', { image_uri: 'file:///r.png', seed: 1, width: 1, height: 1 }, 0.3), c));
    expect(d.next).toMatchObject({ status: 'failed', version: 2, error: { code: 'COST_LIMIT_EXCEEDED', failed_stage: 'video_generation' } });
    expect(d.next.costs.image_generation).toBe(0.3);
    expect(subjectsOf(d).some((x) => x.includes('.stage.req.'))).toBe(false);
    expect(subjectsOf(d)).toContain(`t.evt.job.failed.${JOB}`);
  });

  it.each(['queued', 'processing'] as const)('should cancel a %s job and keep its cost', (status) => {
    const s = state({ status, costs: { prompt_parsing: 0.05, image_generation: 0, video_generation: 0, composition: 0 } });
    const d = applied(decide(s, { type: 'job.cancel', event_id: 'c' }, ctx()));
    expect(d.next.status).toBe('cancelled');
    expect(subjectsOf(d)).toEqual([`t.evt.job.cancelled.${JOB}`]);
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('should reject cancelling a %s job with CONFLICT', (status) => {
    expect(decide(state({ status }), { type: 'job.cancel', event_id: 'c' }, ctx())).toMatchObject({ kind: 'rejected', code: 'CONFLICT' });
  });

  it('should fail a stuck job with TIMEOUT naming its stage', () => {
    const d = applied(decide(state({ status: 'processing', currentStage: 'composition' }), { type: 'job.timeout', event_id: 't', message: 'no progress' }, ctx()));
    expect(d.next.error).toMatchObject({ code: 'TIMEOUT', failed_stage: 'composition' });
  });

  it.each([
    [[5, 5, 5], 0, 5.5],
    [[5, 5, 5], 2, 5],
    [[8], 0, 8],
  ])('should give clip %#: scenes %j index %i lasts %f s (scene + crossfade overlap)', (secs, i, expected) => {
    expect(clipSecondsFor(plan(secs as number[]), i as number)).toBe(expected);
  });

  it('should give each transition its own deterministic message ids', () => {
    const s = state({ status: 'processing', currentStage: 'prompt_parsing', attempts: { prompt_parsing: 'p1' } });
    const ev = completed('prompt_parsing', 'p1', plan([5, 5, 5]));
    const ids1 = applied(decide(s, ev, ctx())).messages.map((m) => m.id);
    const ids2 = applied(decide(s, ev, ctx())).messages.map((m) => m.id);
    expect(ids1).toEqual(ids2);
    expect(new Set(ids1).size).toBe(ids1.length);
  });
});
