import { clipSecondsFor, validateJobEventData, type AdPlan, type StageCompleted, type StageFailed, type StageName, type StageRequested, type StoryboardOutput } from '@app/contracts';
import { applied, jobState, sagaPlan, SAGA_JOB_ID, sagaContext, stageCompleted, stageCosts, stageFailed } from '../../test/fixtures/saga';
import { costBreakdown, decide, PIPELINE, videoProgress, type Decision, type JobState, type SagaCommand, type SagaContext } from './job-saga';

const JOB = SAGA_JOB_ID;

const plan = (sceneSeconds: number[]): AdPlan => sagaPlan(sceneSeconds);

const costs = stageCosts;

const state = jobState;

const ctx = (overrides: Partial<SagaContext> = {}): SagaContext => sagaContext(overrides);

function completed(stage: StageName, attemptId: string, output: unknown, cost = 0, sceneIndex: number | null = null): StageCompleted {
  return stageCompleted(JOB, stage, attemptId, output, { costUsd: cost, sceneIndex });
}

function failed(stage: StageName, attemptId: string, cost = 0, sceneIndex: number | null = null): StageFailed {
  const error = { code: 'VIDEO_GENERATION_FAILED' as const, message: 'boom', retryable: false, details: { service: 'http', attempts: 3, last_error: '429' } };
  return stageFailed(JOB, stage, attemptId, error, { costUsd: cost, sceneIndex, provider: 'http', attempts: 3 });
}

function still(i: number, seed = 0): StoryboardOutput {
  return { image_uri: `file:///s${i}${seed ? `-${seed}` : ''}.png`, seed, width: 1080, height: 1920 };
}

/** A job whose storyboard waits for the still of its last scene (attempt `s<last>`). */
function onLastStill(p: AdPlan, overrides: Partial<JobState> = {}): JobState {
  const n = p.scenes.length;
  return state({
    status: 'processing',
    currentStage: 'storyboard',
    plan: p,
    scenesTotal: n,
    referenceImageUri: 'file:///ref.png',
    stills: p.scenes.map((_, i) => (i < n - 1 ? still(i) : null)),
    stillVariants: p.scenes.map(() => 0),
    stillsDispatched: p.scenes.map((_, i) => i),
    attempts: Object.fromEntries(p.scenes.map((_, i) => [`storyboard.${i}`, `s${i}`])),
    settled: Object.fromEntries(p.scenes.slice(0, n - 1).map((_, i) => [`storyboard.${i}`, `s${i}`])),
    stagesCompleted: ['prompt_parsing', 'image_generation'],
    ...overrides,
  });
}

/** A v2 job waiting at the approval gate with every still. */
function waiting(p: AdPlan = plan([10, 10, 10]), overrides: Partial<JobState> = {}): JobState {
  return state({
    apiVersion: 2,
    status: 'storyboard_complete',
    approved: false,
    plan: p,
    scenesTotal: p.scenes.length,
    referenceImageUri: 'file:///ref.png',
    stills: p.scenes.map((_, i) => still(i)),
    stillVariants: p.scenes.map(() => 0),
    stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard'],
    progressPercentage: 35,
    awaitingApprovalSince: '2026-01-01T00:00:00.000Z',
    costs: costs({ storyboard: 0.009 }),
    ...overrides,
  });
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

  it('should fan out at most maxParallelClips storyboard requests after the reference image', () => {
    const s = state({ status: 'processing', currentStage: 'image_generation', plan: plan([7, 8, 7, 8]), scenesTotal: 4, clips: [null, null, null, null], stills: [null, null, null, null], attempts: { image_generation: 'i1' }, stagesCompleted: ['prompt_parsing'] });
    const d = applied(decide(s, completed('image_generation', 'i1', { image_uri: 'file:///ref.png', seed: 1, width: 1080, height: 1920 }), ctx()));
    expect(d.next).toMatchObject({ currentStage: 'storyboard', stillsDispatched: [0, 1], referenceImageUri: 'file:///ref.png', progressPercentage: 35 });
    expect(subjectsOf(d).slice(1)).toEqual([`t.stage.req.storyboard.${JOB}.0`, `t.stage.req.storyboard.${JOB}.1`]);
    const first = d.messages[1].payload as StageRequested<'storyboard'>;
    expect(first.data.input).toMatchObject({ reference_image_uri: 'file:///ref.png', scene_index: 0, variant: 0, hd: false });
  });

  it('should fan out at most maxParallelClips clip requests once the storyboard of an approved job is complete, each animating its still', () => {
    const p = plan([7, 8, 7, 8]);
    const s = onLastStill(p, { approved: true });
    const d = applied(decide(s, completed('storyboard', 's3', still(3), 0, 3), ctx()));
    expect(d.next).toMatchObject({ status: 'processing', currentStage: 'video_generation', scenesDispatched: 2, progressPercentage: 35 });
    expect(subjectsOf(d)).toEqual([`t.stage.req.video_generation.${JOB}.0`, `t.stage.req.video_generation.${JOB}.1`]);
    const first = d.messages[0].payload as StageRequested<'video_generation'>;
    expect(first.data.input.clip_duration).toBe(7.5);
    expect(first.data.input.still_uri).toBe('file:///s0.png');
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
      stills: [still(0), still(1), still(2)],
      attempts: { 'video_generation.0': 'v0', 'video_generation.1': 'v1' },
      stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard'],
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
    const s = state({ status: 'processing', currentStage: 'composition', attempts: { composition: 'c1' }, stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard', 'video_generation'], costs: costs({ prompt_parsing: 0.05, image_generation: 0.3, video_generation: 1.2, composition: 0 }) });
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
    ['a scene that already has its clip', state({ status: 'processing', currentStage: 'video_generation', attempts: { 'video_generation.0': 'v0' }, clips: [{ clip_uri: 'x', duration: 1, resolution: 'x' }] }), completed('video_generation', 'v0', {}, 0, 0)],
  ])('should ignore a result for %s', (_name, s, ev) => {
    expect(decide(s, ev, ctx()).kind).toBe('ignored');
  });

  it('should fail the job with the stage error, failed_stage and partial cost', () => {
    const s = state({ status: 'processing', currentStage: 'video_generation', attempts: { 'video_generation.1': 'v1' }, stagesCompleted: ['prompt_parsing', 'image_generation'], costs: costs({ prompt_parsing: 0.05, image_generation: 0.3, video_generation: 0.4, composition: 0 }) });
    const d = applied(decide(s, failed('video_generation', 'v1', 0.2, 1), ctx()));
    expect(d.next.status).toBe('failed');
    expect(d.next.error).toEqual({ code: 'VIDEO_GENERATION_FAILED', message: 'boom', failed_stage: 'video_generation', details: { service: 'http', attempts: 3, last_error: '429', scene_index: 1 } });
    expect(costBreakdown(d.next)).toEqual({ prompt_parsing: 0.05, image_generation: 0.3, video_generation: 0.6, total: 0.95 });
    expect(subjectsOf(d)).toEqual([`t.evt.job.stage_failed.${JOB}`, `t.evt.job.failed.${JOB}`]);
  });

  it('should fail with COST_LIMIT_EXCEEDED instead of starting a stage that would cross the cap', () => {
    const s = { ...onLastStill(plan([5, 5, 5]), { approved: true }), costs: costs({ prompt_parsing: 0.05 }) };
    const c = ctx({ estimateStageCostUsd: (stage) => (stage === 'video_generation' ? 12 : 0) });
    const d = applied(decide(s, completed('storyboard', 's2', still(2), 0.3, 2), c));
    expect(d.next).toMatchObject({ status: 'failed', version: 2, error: { code: 'COST_LIMIT_EXCEEDED', failed_stage: 'video_generation' } });
    expect(d.next.costs.storyboard).toBe(0.3);
    expect(subjectsOf(d).some((x) => x.includes('.stage.req.'))).toBe(false);
    expect(subjectsOf(d)).toContain(`t.evt.job.failed.${JOB}`);
  });

  it.each(['queued', 'processing'] as const)('should cancel a %s job and keep its cost', (status) => {
    const s = state({ status, costs: costs({ prompt_parsing: 0.05, image_generation: 0, video_generation: 0, composition: 0 }) });
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
    expect(clipSecondsFor(plan(secs), i)).toBe(expected);
  });

  it('should give each transition its own deterministic message ids', () => {
    const s = state({ status: 'processing', currentStage: 'prompt_parsing', attempts: { prompt_parsing: 'p1' } });
    const ev = completed('prompt_parsing', 'p1', plan([5, 5, 5]));
    const ids1 = applied(decide(s, ev, ctx())).messages.map((m) => m.id);
    const ids2 = applied(decide(s, ev, ctx())).messages.map((m) => m.id);
    expect(ids1).toEqual(ids2);
    expect(new Set(ids1).size).toBe(ids1.length);
  });

  it('should list the pipeline as data with the approval gate between the storyboard and the clips', () => {
    expect(PIPELINE.map((r) => (r.kind === 'gate' ? `gate:${r.gate}` : `${r.kind}:${r.stage}`))).toEqual([
      'stage:prompt_parsing',
      'stage:image_generation',
      'fan_out:storyboard',
      'gate:approval',
      'fan_out:video_generation',
      'stage:composition',
    ]);
  });

  const quoteCtx = (): SagaContext => ctx({ estimateStageCostUsd: (stage) => (stage === 'video_generation' ? 3 : stage === 'composition' ? 0.1 : 0) });

  // Transition table of the storyboard review: [name, state, input, context, expected decision kind, expected state, expected subjects].
  it.each<[string, JobState, StageCompleted | SagaCommand, SagaContext, Decision['kind'], Partial<JobState>, string[] | null]>([
    [
      'a still that is not the last asks for the next scene without one',
      { ...onLastStill(plan([5, 5, 5, 5, 10])), stills: [null, null, null, null, null], stillsDispatched: [0, 1], attempts: { 'storyboard.0': 's0', 'storyboard.1': 's1' }, settled: {} },
      completed('storyboard', 's0', still(0), 0.003, 0),
      ctx(),
      'applied',
      { status: 'processing', currentStage: 'storyboard', stillsDispatched: [0, 1, 2] },
      [`t.stage.req.storyboard.${JOB}.2`],
    ],
    [
      'the last still of a v2 job stops at the gate: storyboard_complete, the storyboard event, no stage request',
      onLastStill(plan([10, 10, 10]), { apiVersion: 2, approved: false }),
      completed('storyboard', 's2', still(2), 0.003, 2),
      quoteCtx(),
      'applied',
      { status: 'storyboard_complete', currentStage: null, awaitingApprovalSince: '2026-01-01T00:00:00.000Z', stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard'] },
      [`t.evt.job.stage_completed.${JOB}`, `t.evt.job.storyboard_completed.${JOB}`],
    ],
    ['approve marks the storyboard approved and stays at the gate', waiting(), { type: 'job.approve', event_id: 'a' }, ctx(), 'applied', { status: 'storyboard_complete', approved: true }, [`t.evt.job.approved.${JOB}`]],
    ['approve outside storyboard_complete is a conflict', state({ apiVersion: 2, status: 'processing', approved: false }), { type: 'job.approve', event_id: 'a' }, ctx(), 'rejected', {}, null],
    [
      'render approves and queues the job for a slot',
      waiting(),
      { type: 'job.render', event_id: 'r' },
      quoteCtx(),
      'applied',
      { status: 'queued', approved: true, queuedAt: '2026-01-01T00:00:00.000Z', awaitingApprovalSince: null },
      [`t.evt.job.approved.${JOB}`],
    ],
    ['render of an approved storyboard queues without a second approved event', waiting(undefined, { approved: true }), { type: 'job.render', event_id: 'r' }, quoteCtx(), 'applied', { status: 'queued' }, []],
    ['render above maxCostUsd is refused', waiting(), { type: 'job.render', event_id: 'r', maxCostUsd: 1 }, quoteCtx(), 'rejected', {}, null],
    ['render past MAX_COST_PER_VIDEO is refused', waiting(), { type: 'job.render', event_id: 'r' }, ctx({ maxCostUsd: 2, estimateStageCostUsd: () => 3 }), 'rejected', {}, null],
    ['render of a generating job is a conflict', state({ apiVersion: 2, status: 'processing' }), { type: 'job.render', event_id: 'r' }, ctx(), 'rejected', {}, null],
    [
      'a resumed (approved) job that gets its slot goes straight to the clips',
      waiting(plan([10, 10, 10]), { status: 'queued', approved: true, queuedAt: '2026-01-01T00:00:00.000Z', awaitingApprovalSince: null }),
      { type: 'job.start', event_id: 's' },
      ctx(),
      'applied',
      { status: 'processing', currentStage: 'video_generation', scenesDispatched: 2, queuedAt: null },
      [`t.evt.job.started.${JOB}`, `t.stage.req.video_generation.${JOB}.0`, `t.stage.req.video_generation.${JOB}.1`],
    ],
    [
      'a refined job that gets its slot asks only for the stills it lacks',
      waiting(plan([10, 10, 10]), { status: 'queued', stills: [still(0), null, still(2)], stillVariants: [0, 1, 0], stagesCompleted: ['prompt_parsing', 'image_generation'] }),
      { type: 'job.start', event_id: 's' },
      ctx(),
      'applied',
      { status: 'processing', currentStage: 'storyboard', stillsDispatched: [1] },
      [`t.evt.job.started.${JOB}`, `t.stage.req.storyboard.${JOB}.1`],
    ],
    [
      'refine with regenerateScenes drops that still only, bumps its variant and queues',
      waiting(),
      { type: 'job.refine', event_id: 'f', regenerateScenes: [2] },
      ctx(),
      'applied',
      { status: 'queued', approved: false, refineCount: 1, stills: [still(0), null, still(2)], stillVariants: [0, 1, 0], stagesCompleted: ['prompt_parsing', 'image_generation'] },
      [`t.evt.job.refined.${JOB}`],
    ],
    [
      'refine of a visual prompt drops that scene\'s still; a new on-screen text alone keeps it',
      waiting(),
      { type: 'job.refine', event_id: 'f', scenes: [{ sceneNumber: 1, visualPrompt: 'a new shot' }, { sceneNumber: 3, onScreenText: 'Buy now' }] },
      ctx(),
      'applied',
      { status: 'queued', stills: [null, still(1), still(2)] },
      [`t.evt.job.refined.${JOB}`],
    ],
    [
      'refine that changes no picture returns to the gate at once',
      waiting(),
      { type: 'job.refine', event_id: 'f', scenes: [{ sceneNumber: 2, onScreenText: 'New line', duration: 12 }, { sceneNumber: 3, duration: 8 }] },
      quoteCtx(),
      'applied',
      { status: 'storyboard_complete', refineCount: 1, stills: [still(0), still(1), still(2)] },
      [`t.evt.job.refined.${JOB}`, `t.evt.job.storyboard_completed.${JOB}`],
    ],
    [
      'refine with a new creative prompt re-plans everything',
      waiting(),
      { type: 'job.refine', event_id: 'f', creativePrompt: 'A brand new idea for the watch ad' },
      ctx(),
      'applied',
      { status: 'queued', plan: null, stills: [], referenceImageUri: null, stagesCompleted: [], request: { prompt: 'A brand new idea for the watch ad', duration: 30, aspect_ratio: '9:16' } },
      [`t.evt.job.refined.${JOB}`],
    ],
    [
      'refine of a failed job clears the error and queues it',
      waiting(undefined, { status: 'failed', error: { code: 'TIMEOUT', message: 'x', failed_stage: 'storyboard', details: {} }, stills: [still(0), null, null], stagesCompleted: ['prompt_parsing', 'image_generation'] }),
      { type: 'job.refine', event_id: 'f', regenerateScenes: [1] },
      ctx(),
      'applied',
      { status: 'queued', error: null, stills: [null, null, null] },
      [`t.evt.job.refined.${JOB}`],
    ],
    ['refine whose durations do not sum to the ad is invalid', waiting(), { type: 'job.refine', event_id: 'f', scenes: [{ sceneNumber: 1, duration: 4 }] }, ctx(), 'rejected', {}, null],
    ['refine of an unknown scene is invalid', waiting(), { type: 'job.refine', event_id: 'f', regenerateScenes: [9] }, ctx(), 'rejected', {}, null],
    ['refine while generating is a conflict', state({ apiVersion: 2, status: 'processing', plan: plan([10, 10, 10]) }), { type: 'job.refine', event_id: 'f', regenerateScenes: [1] }, ctx(), 'rejected', {}, null],
    [
      'an approval left past its TTL expires to cancelled with its cost',
      waiting(),
      { type: 'job.expire', event_id: 'x', message: 'not approved within 72 h' },
      ctx(),
      'applied',
      { status: 'cancelled', costs: costs({ storyboard: 0.009 }), error: { code: 'CANCELLED', message: 'not approved within 72 h', failed_stage: null, details: { reason: 'approval_expired' } } },
      [`t.evt.job.cancelled.${JOB}`],
    ],
    ['expiry of a generating job is ignored', state({ status: 'processing' }), { type: 'job.expire', event_id: 'x', message: 'm' }, ctx(), 'ignored', {}, null],
    ['the stalled rule ignores a job waiting for approval', waiting(), { type: 'job.timeout', event_id: 't', message: 'm' }, ctx(), 'ignored', {}, null],
    ['cancel of a waiting job cancels it with its cost', waiting(), { type: 'job.cancel', event_id: 'c' }, ctx(), 'applied', { status: 'cancelled', costs: costs({ storyboard: 0.009 }) }, [`t.evt.job.cancelled.${JOB}`]],
    // The fence: decide() alone (no inbox) ignores a repeated result of a completed stage or scene.
    [
      'a repeated prompt_parsing result (would bill twice)',
      state({ status: 'processing', currentStage: 'image_generation', plan: plan([10, 10, 10]), attempts: { prompt_parsing: 'p1', image_generation: 'i1' }, settled: { prompt_parsing: 'p1' }, stagesCompleted: ['prompt_parsing'], costs: costs({ prompt_parsing: 0.02 }) }),
      completed('prompt_parsing', 'p1', plan([10, 10, 10]), 0.02),
      ctx(),
      'ignored',
      {},
      null,
    ],
    [
      'a repeated image_generation result after clips started (would reset fan-in)',
      waiting(plan([10, 10, 10]), { status: 'processing', approved: true, currentStage: 'video_generation', scenesDone: 1, scenesDispatched: 2, attempts: { image_generation: 'i1', 'video_generation.0': 'v0' }, settled: { image_generation: 'i1', 'video_generation.0': 'v0' } }),
      completed('image_generation', 'i1', { image_uri: 'file:///ref.png', seed: 1, width: 1, height: 1 }),
      ctx(),
      'ignored',
      {},
      null,
    ],
    [
      'a repeated storyboard result after clips started (would reset fan-in)',
      waiting(plan([10, 10, 10]), { status: 'processing', approved: true, currentStage: 'video_generation', scenesDone: 1, scenesDispatched: 2, attempts: { 'storyboard.2': 's2' }, settled: { 'storyboard.2': 's2' } }),
      completed('storyboard', 's2', still(2), 0.003, 2),
      ctx(),
      'ignored',
      {},
      null,
    ],
    ['a storyboard result while the job waits for approval', waiting(undefined, { attempts: { 'storyboard.0': 's0' } }), completed('storyboard', 's0', still(0), 0.003, 0), ctx(), 'ignored', {}, null],
  ])('should decide: %s', (_name, s, input, c, kind, expected, subjects) => {
    const d = decide(s, input, c);
    expect(d.kind).toBe(kind);
    if (d.kind === 'applied') {
      expect(d.next).toMatchObject(expected);
      expect(d.next.version).toBe(s.version + 1);
      if (subjects) expect(subjectsOf(d)).toEqual(subjects);
    }
  });

  it('should apply a stage result once even without the inbox: the same event again is ignored and bills nothing', () => {
    const s = state({ status: 'processing', currentStage: 'prompt_parsing', attempts: { prompt_parsing: 'p1' } });
    const ev = completed('prompt_parsing', 'p1', plan([10, 10, 10]), 0.02);
    const first = applied(decide(s, ev, ctx()));
    const again = decide(first.next, ev, ctx());
    expect(again).toMatchObject({ kind: 'ignored' });
    expect(first.next.costs.prompt_parsing).toBe(0.02);
  });

  it('should give v1 clients no storyboard events and fold the stills\' cost into image_generation', () => {
    const d = applied(decide(onLastStill(plan([5, 5, 5]), { stills: [null, still(1), null], settled: {} }), completed('storyboard', 's0', still(0), 0.003, 0), ctx()));
    expect(subjectsOf(d).filter((x) => x.includes('.evt.job.'))).toEqual([]);
    expect(costBreakdown({ ...d.next, costs: costs({ image_generation: 0.003, storyboard: 0.009 }) })).toEqual({ prompt_parsing: 0, image_generation: 0.012, total: 0.012 });
    expect(costBreakdown({ ...d.next, apiVersion: 2, costs: costs({ image_generation: 0.003, storyboard: 0.009 }) })).toEqual({ prompt_parsing: 0, image_generation: 0.003, storyboard: 0.009, total: 0.012 });
  });

  it('should refuse a render above maxCostUsd with the quote in details', () => {
    expect(decide(waiting(), { type: 'job.render', event_id: 'r', maxCostUsd: 1 }, quoteCtx())).toMatchObject({
      kind: 'rejected',
      code: 'CONFLICT',
      details: { quote: { total: 3.1, breakdown: { video_generation: 3, composition: 0.1 }, currency: 'USD' }, max_cost_usd: 1 },
    });
  });

  it('should name every bad field of a refine', () => {
    const d = decide(waiting(), { type: 'job.refine', event_id: 'f', scenes: [{ sceneNumber: 7 }], regenerateScenes: [0] }, ctx());
    expect(d).toMatchObject({ kind: 'rejected', code: 'INVALID_INPUT' });
    expect(Object.keys((d as unknown as { details: { fields: object } }).details.fields).sort()).toEqual(['regenerateScenes.0', 'scenes.0.sceneNumber']);
  });

  it('should emit storyboard_completed, approved and refined events that match their JSON Schemas', () => {
    const c = ctx({ storyboardImageUrl: (id, n) => `http://x/api/v2/jobs/${id}/storyboard/${n}`, estimateStageCostUsd: (stage) => (stage === 'video_generation' ? 3 : 0) });
    const done = applied(decide(onLastStill(plan([10, 10, 10]), { apiVersion: 2, approved: false }), completed('storyboard', 's2', still(2), 0.003, 2), c));
    const board = done.messages.find((m) => m.payload.type === 'job.storyboard_completed')!.payload.data as { storyboard: Array<{ image_url: string; timestamp: number }> };
    expect(validateJobEventData('storyboard_completed', board)).toEqual([]);
    expect(board.storyboard.map((e) => [e.image_url, e.timestamp])).toEqual([
      [`http://x/api/v2/jobs/${JOB}/storyboard/1`, 0],
      [`http://x/api/v2/jobs/${JOB}/storyboard/2`, 10],
      [`http://x/api/v2/jobs/${JOB}/storyboard/3`, 20],
    ]);
    const approved = applied(decide(done.next, { type: 'job.approve', event_id: 'a' }, c));
    expect(validateJobEventData('approved', approved.messages[0].payload.data)).toEqual([]);
    const refined = applied(decide(done.next, { type: 'job.refine', event_id: 'f', regenerateScenes: [1, 3] }, c));
    expect(refined.messages[0].payload.data).toEqual({ version: done.next.version + 1, refine_count: 1, changes: { creative_prompt: false, scenes_edited: [], scenes_regenerated: [1, 3] } });
    expect(validateJobEventData('refined', refined.messages[0].payload.data)).toEqual([]);
    expect(validateJobEventData('refined', { version: 1 })).not.toEqual([]);
  });

  it('should give a regenerated scene a new seed and the same seed on a retry', () => {
    const s = waiting(plan([10, 10, 10]), { status: 'queued', stills: [still(0), null, still(2)], stillVariants: [0, 1, 0], stagesCompleted: ['prompt_parsing', 'image_generation'] });
    const a = applied(decide(s, { type: 'job.start', event_id: 's' }, ctx())).messages[1].payload as StageRequested<'storyboard'>;
    const b = applied(decide(s, { type: 'job.start', event_id: 's' }, ctx())).messages[1].payload as StageRequested<'storyboard'>;
    const first = applied(decide({ ...s, stillVariants: [0, 0, 0] }, { type: 'job.start', event_id: 's' }, ctx())).messages[1].payload as StageRequested<'storyboard'>;
    expect(a.data.input.seed).toBe(b.data.input.seed);
    expect(a.data.input.seed).not.toBe(first.data.input.seed);
    expect(a.data.input.variant).toBe(1);
  });
});
