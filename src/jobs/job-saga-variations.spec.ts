import { type CompositionInput, type CompositionOutput, type JobEvent, type StageCompleted, type StageFailed, type StageName, type StageRequested, type VideoGenerationOutput } from '@app/contracts';
import { makeAdPlan } from '../../test/fixtures/plans';
import { applied, jobState, sagaContext, stageCompleted, stageCosts, stageFailed } from '../../test/fixtures/saga';
import { decide, stageInput, type Decision, type JobState, type SagaContext } from './job-saga';
import { variationCut } from './variation-cuts';

const JOB = '00000000-0000-4000-8000-000000000003';
const PLAN = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16', scenes: 4 });

function clip(i: number): VideoGenerationOutput {
  return { clip_uri: `file:///clip-${i}.mp4`, duration: 8, resolution: '1080x1920' };
}

function ad(i: number): CompositionOutput {
  return { video_uri: `file:///v${i}/final.mp4`, thumbnail_uri: `file:///v${i}/thumbnail.jpg`, duration: 30, resolution: '1080x1920', file_size_bytes: 4_000_000, scenes: 4 };
}

/** A job whose clips wait for the last scene's (attempt `c3`); v2 unless told otherwise. */
function onLastClip(overrides: Partial<JobState> = {}): JobState {
  const n = PLAN.scenes.length;
  return jobState({
    id: JOB,
    status: 'processing',
    apiVersion: 2,
    options: { numberOfVariations: 3 },
    currentStage: 'video_generation',
    stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard'],
    progressPercentage: 80,
    plan: PLAN,
    referenceImageUri: 'file:///ref.png',
    stills: PLAN.scenes.map((_, i) => ({ image_uri: `file:///s${i}.png`, seed: i, width: 1080, height: 1920 })),
    stillVariants: PLAN.scenes.map(() => 0),
    stillsDispatched: PLAN.scenes.map((_, i) => i),
    clips: PLAN.scenes.map((_, i) => (i < n - 1 ? clip(i) : null)),
    scenesTotal: n,
    scenesDone: n - 1,
    scenesDispatched: n,
    attempts: Object.fromEntries(PLAN.scenes.map((_, i) => [`video_generation.${i}`, `c${i}`])),
    settled: Object.fromEntries(PLAN.scenes.slice(0, n - 1).map((_, i) => [`video_generation.${i}`, `c${i}`])),
    costs: stageCosts({ prompt_parsing: 0.01, image_generation: 0.02, storyboard: 0.04, video_generation: 0.6 }),
    version: 10,
    ...overrides,
  });
}

function ctx(overrides: Partial<SagaContext> = {}): SagaContext {
  return sagaContext(
    {
      resultUrls: (id) => ({ videoUrl: `http://x/${id}/data`, thumbnailUrl: `http://x/${id}/thumbnail` }),
      variationUrls: (id, i) => ({ videoUrl: `http://x/${id}/variations/${i}/data`, thumbnailUrl: `http://x/${id}/variations/${i}/thumbnail` }),
      ...overrides,
    },
    'k',
  );
}

function completed(stage: StageName, attemptId: string, output: unknown, sceneIndex: number | null, cost = 0): StageCompleted {
  return stageCompleted(JOB, stage, attemptId, output, { costUsd: cost, sceneIndex });
}

function failed(attemptId: string, sceneIndex: number, cost = 0): StageFailed {
  const error = { code: 'COMPOSITION_FAILED' as const, message: 'ffmpeg exited 1', retryable: false, details: { service: 'local' } };
  return stageFailed(JOB, 'composition', attemptId, error, { costUsd: cost, sceneIndex });
}


function requests(d: Extract<Decision, { kind: 'applied' }>): StageRequested<'composition'>[] {
  return d.messages.map((m) => m.payload).filter((p): p is StageRequested<'composition'> => p.type === 'stage.requested');
}

function jobEvents(d: Extract<Decision, { kind: 'applied' }>, type: string): JobEvent[] {
  return d.messages.map((m) => m.payload).filter((p): p is JobEvent => p.type === type);
}

/** The job after its last clip, with the cut compositions it requested. */
function afterClips(c: SagaContext, overrides: Partial<JobState> = {}) {
  const d = applied(decide(onLastClip(overrides), completed('video_generation', 'c3', clip(3), 3), c));
  return { next: d.next, reqs: requests(d) };
}

/** Drives every cut to an outcome (`fail` lists the cuts that fail), returning each decision. */
function runCuts(fail: number[], c = ctx({ maxParallelClips: 3 })) {
  let { next } = afterClips(c);
  const decisions: Array<Extract<Decision, { kind: 'applied' }>> = [];
  for (let i = 0; i < 3; i++) {
    const attempt = next.attempts[`composition.${i}`];
    const ev = fail.includes(i) ? failed(attempt, i, 0.01) : completed('composition', attempt, ad(i), i, 0.02);
    const d = applied(decide(next, ev, c));
    decisions.push(d);
    next = d.next;
  }
  return { next, decisions, last: decisions[2] };
}

describe('saga: composition fan-out per variation', () => {
  it('a v2 job without numberOfVariations requests one composition, exactly as before (no scene index, no cut)', () => {
    const single = afterClips(ctx(), { options: {} });
    expect(single.reqs).toHaveLength(1);
    expect(single.reqs[0].data.scene_index).toBeNull();
    expect(single.next.attempts.composition).toBe(single.reqs[0].data.attempt_id);
    expect(single.next.cuts ?? null).toBeNull();
    expect(single.reqs[0].data.input).toEqual(stageInput(single.next, 'composition', null));
    expect('variation' in single.reqs[0].data.input).toBe(false);
  });

  it('a v1 job renders one composition whatever its options say', () => {
    const v1 = afterClips(ctx(), { apiVersion: 1 });
    expect(v1.reqs.map((r) => r.data.scene_index)).toEqual([null]);
  });

  it('fans out one composition per cut, at most maxParallelClips at once, scene_index = cut index', () => {
    const { next, reqs } = afterClips(ctx({ maxParallelClips: 2 }));
    expect(reqs.map((r) => r.data.scene_index)).toEqual([0, 1]);
    expect(reqs.map((r) => r.data.stage)).toEqual(['composition', 'composition']);
    expect(next.cuts).toEqual({ total: 3, dispatched: 2, outcomes: [null, null, null] });
    expect(next.currentStage).toBe('composition');
    expect(next.attempts['composition.0']).toBe(reqs[0].data.attempt_id);
    expect(next.attempts['composition.1']).toBe(reqs[1].data.attempt_id);
  });

  it("cut 0's input is a single job's (same cache key); cut 1 carries its own plan, clip order and index", () => {
    const { reqs } = afterClips(ctx());
    const single = afterClips(ctx(), { options: {} }).reqs[0].data.input;
    expect(reqs[0].data.input).toEqual(single);
    const one: CompositionInput = reqs[1].data.input;
    const cut = variationCut(PLAN, 1);
    expect(one.variation).toBe(1);
    expect(one.plan).toEqual(cut.plan);
    expect(one.clips.map((c) => c.clip_uri)).toEqual(cut.order.map((i) => `file:///clip-${i}.mp4`));
    expect(one.plan.scenes.map((s) => s.transition)).not.toEqual(PLAN.scenes.map((s) => s.transition));
  });

  it('exports are made of cut 0 only', () => {
    const { reqs } = afterClips(ctx(), { options: { numberOfVariations: 2, exportFormats: ['gif'] } });
    expect(reqs[0].data.input.exports).toEqual(['gif']);
    expect(reqs[1].data.input.exports).toBeUndefined();
  });

  it('a finished cut requests the next undispatched one and leaves the job processing', () => {
    const c = ctx({ maxParallelClips: 2 });
    const { next } = afterClips(c);
    const d = applied(decide(next, completed('composition', next.attempts['composition.0'], ad(0), 0), c));
    expect(d.terminal).toBe(false);
    expect(d.next.status).toBe('processing');
    expect(requests(d).map((r) => r.data.scene_index)).toEqual([2]);
    expect(d.next.cuts!.dispatched).toBe(3);
    expect(d.next.cuts!.outcomes[0]).toMatchObject({ index: 0, cut: 'as_planned', status: 'completed', output: ad(0) });
    expect(d.next.progressPercentage).toBeGreaterThanOrEqual(85);
    expect(d.next.progressPercentage).toBeLessThan(100);
  });

  it('ignores a repeated cut result and a stale attempt', () => {
    const c = ctx();
    const { next } = afterClips(c);
    const first = completed('composition', next.attempts['composition.0'], ad(0), 0);
    const after = applied(decide(next, first, c)).next;
    expect(decide(after, first, c).kind).toBe('ignored');
    expect(decide(after, completed('composition', 'old-attempt', ad(9), 1), c).kind).toBe('ignored');
    expect(decide(after, failed(after.attempts['composition.0'], 0), c).kind).toBe('ignored');
  });

  it('fans in: all cuts done → completed, result cut 0, job.completed carries the variations and their costs', () => {
    const { next, last } = runCuts([]);
    expect(last.terminal).toBe(true);
    expect(next.status).toBe('completed');
    expect(next.result).toEqual(ad(0));
    expect(next.stagesCompleted).toContain('composition');
    expect(next.progressPercentage).toBe(100);
    expect(next.costs.composition).toBeCloseTo(0.06, 6);
    const [event] = jobEvents(last, 'job.completed');
    const data = event.data as unknown as { status: string; result: { video_url: string }; variations: Array<Record<string, unknown>> };
    expect(data.status).toBe('completed');
    expect(data.result.video_url).toBe(`http://x/${JOB}/data`);
    expect(data.variations.map((v) => [v.index, v.status, v.video_url, v.cost])).toEqual([
      [0, 'completed', `http://x/${JOB}/variations/0/data`, 0.02],
      [1, 'completed', `http://x/${JOB}/variations/1/data`, 0.02],
      [2, 'completed', `http://x/${JOB}/variations/2/data`, 0.02],
    ]);
  });

  it('one cut failing → partially_completed, the others served, the failure listed with its error', () => {
    const { next, decisions, last } = runCuts([1]);
    expect(decisions[1].terminal).toBe(false);
    expect(jobEvents(decisions[1], 'job.failed')).toHaveLength(0);
    expect(jobEvents(decisions[1], 'job.stage_failed')).toHaveLength(1);
    expect(next.status).toBe('partially_completed');
    expect(next.error).toBeNull();
    expect(next.result).toEqual(ad(0));
    expect(next.costs.composition).toBeCloseTo(0.05, 6);
    const data = jobEvents(last, 'job.completed')[0].data as { status: string; variations: Array<{ status: string; video_url: string | null; error: { code: string } | null }> };
    expect(data.status).toBe('partially_completed');
    expect(data.variations.map((v) => v.status)).toEqual(['completed', 'failed', 'completed']);
    expect(data.variations[1].video_url).toBeNull();
    expect(data.variations[1].error?.code).toBe('COMPOSITION_FAILED');
  });

  it('cut 0 failing → the job serves the first cut that succeeded', () => {
    const { next } = runCuts([0]);
    expect(next.status).toBe('partially_completed');
    expect(next.result).toEqual(ad(1));
  });

  it('every cut failing → the job fails as a single composition would', () => {
    const { next, last } = runCuts([0, 1, 2]);
    expect(next.status).toBe('failed');
    expect(next.error).toMatchObject({ code: 'COMPOSITION_FAILED', failed_stage: 'composition' });
    expect(jobEvents(last, 'job.failed')).toHaveLength(1);
    expect(jobEvents(last, 'job.stage_failed')).toHaveLength(1);
    expect(next.costs.composition).toBeCloseTo(0.03, 6);
  });

  it('a finished job ignores a late cut result', () => {
    const { next } = runCuts([]);
    expect(decide(next, completed('composition', next.attempts['composition.2'], ad(2), 2), ctx()).kind).toBe('ignored');
  });
});
