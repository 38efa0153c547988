import { Subjects, type StageProgress } from '@app/contracts';
import { jobState } from '../../test/fixtures/saga';
import { progressPercentage, remainingJobSeconds, stageProgress } from './job-progress';
import { videoProgress, type JobState, type SagaContext } from './job-saga';

function state(overrides: Partial<JobState> = {}): JobState {
  return jobState({
    id: 'j1',
    status: 'processing',
    request: { prompt: 'p', duration: 30, aspect_ratio: '9:16' },
    currentStage: 'composition',
    stagesCompleted: ['prompt_parsing', 'image_generation', 'video_generation'],
    progressPercentage: 85,
    stills: [null, null, null, null],
    stillVariants: [0, 0, 0, 0],
    clips: [null, null, null, null],
    scenesTotal: 4,
    scenesDone: 4,
    scenesDispatched: 4,
    attempts: { composition: 'a-comp', 'video_generation.1': 'a-v1' },
    version: 12,
    ...overrides,
  });
}

const ctx = { subjects: new Subjects('ads'), now: new Date('2026-12-02T00:00:00Z'), maxParallelClips: 2 } as SagaContext;

function tick(data: Partial<StageProgress['data']>): StageProgress {
  return {
    event_id: 'prog.a-comp.500',
    type: 'stage.progress',
    schema_version: 1,
    occurred_at: ctx.now.toISOString(),
    job_id: 'j1',
    data: { stage: 'composition', attempt_id: 'a-comp', scene_index: null, fraction: 0.5, elapsed_seconds: 10, remaining_seconds: 10, ...data },
  };
}

describe('progress percentages', () => {
  it('should move composition from 85 to 99, never to 100', () => {
    expect(progressPercentage(state(), 'composition', 0)).toBe(85);
    expect(progressPercentage(state(), 'composition', 0.5)).toBe(92);
    expect(progressPercentage(state(), 'composition', 1)).toBe(99);
  });

  it('should keep a clip tick below what the next finished clip sets', () => {
    for (let done = 0; done < 4; done++) {
      const p = progressPercentage(state({ scenesDone: done }), 'video_generation', 0.99)!;
      expect(p).toBeLessThan(videoProgress(done + 1, 4) + 1);
      expect(p).toBeGreaterThanOrEqual(videoProgress(done, 4) - 1);
    }
    expect(progressPercentage(state(), 'prompt_parsing', 0.5)).toBeNull();
  });

  it('should estimate the rest of the job from the measured clip length', () => {
    const s = state({ currentStage: 'video_generation', scenesDone: 0, scenesDispatched: 2 });
    // 5 s left of a 10 s clip, 2 clips not started (one wave of 2), composition 0.85 × 30 s.
    expect(remainingJobSeconds(s, tick({ stage: 'video_generation', elapsed_seconds: 5, remaining_seconds: 5 }).data, 2)).toBeCloseTo(5 + 10 + 25.5);
    expect(remainingJobSeconds(s, tick({ remaining_seconds: null }).data, 2)).toBeNull();
  });
});

describe('stageProgress (the saga transition)', () => {
  it('should apply a rising tick: new percentage, refined estimate, version + 1, one job.progress event', () => {
    const d = stageProgress(state(), tick({}), ctx);
    expect(d.kind).toBe('applied');
    if (d.kind !== 'applied') return;
    expect(d.next).toMatchObject({ progressPercentage: 92, version: 13, estimatedCompletionAt: '2026-12-02T00:00:10.000Z' });
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]).toMatchObject({ id: 'job.j1.v13.progress', subject: 'ads.evt.job.progress.j1' });
    expect(d.messages[0].payload.data).toEqual({ version: 13, stage: 'composition', scene_index: null, percentage: 92, estimated_completion_time: '2026-12-02T00:00:10.000Z' });
  });

  it.each([
    ['a stale attempt', state(), tick({ attempt_id: 'old' })],
    ['another stage', state({ currentStage: 'video_generation' }), tick({})],
    ['a finished job', state({ status: 'completed' }), tick({})],
    ['no advance', state({ progressPercentage: 95 }), tick({})],
  ])('should ignore %s', (_name, s, ev) => {
    expect(stageProgress(s, ev, ctx).kind).toBe('ignored');
  });
});
