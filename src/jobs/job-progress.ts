import {
  EVENT_SCHEMA_VERSION,
  STAGE_PROGRESS_PERCENT,
  type JobEvent,
  type StageName,
  type StageProgress,
} from '@app/contracts';
import { attemptKey, type Decision, type JobState, type SagaContext } from './job-saga';

/**
 * Seconds of composition per second of ad, for the completion estimate before composition has reported a
 * speed of its own (README "Measured figures": 25 s for a 30 s ad on node-svc).
 */
export const COMPOSITION_SECONDS_PER_AD_SECOND = 0.85;

/** Composition ticks never reach 100 %: only the saga's `stage.completed` transition does. */
const COMPOSITION_CEILING = STAGE_PROGRESS_PERCENT.composition - 1;

/**
 * The job percentage a progress tick stands for (pure). Composition moves from 85 to 99 with its fraction.
 * A clip's fraction counts as at most one clip's share on top of the finished ones, so the figure stays
 * below what the next finished clip sets and never goes backwards when it arrives.
 * @returns an integer percentage, or null for stages that do not report progress
 */
export function progressPercentage(state: Pick<JobState, 'scenesDone' | 'scenesTotal'>, stage: StageName, fraction: number): number | null {
  const f = Math.min(1, Math.max(0, fraction));
  if (stage === 'composition') {
    const from = STAGE_PROGRESS_PERCENT.video_generation;
    return Math.min(COMPOSITION_CEILING, Math.floor(from + (STAGE_PROGRESS_PERCENT.composition - from) * f));
  }
  if (stage === 'video_generation' && state.scenesTotal > 0) {
    const from = STAGE_PROGRESS_PERCENT.image_generation;
    const to = STAGE_PROGRESS_PERCENT.video_generation;
    return Math.floor(from + ((to - from) * (state.scenesDone + f * 0.999)) / state.scenesTotal);
  }
  return null;
}

/**
 * Seconds until the job completes, from the speed the worker measured (pure). Composition: the worker's own
 * remaining time. A clip: its remaining time, plus the clips not yet started at the measured clip length
 * (`parallel` at a time), plus a composition estimate scaled to the ad's duration.
 * @returns null when the tick carries no estimate
 */
export function remainingJobSeconds(
  state: Pick<JobState, 'scenesDone' | 'scenesTotal' | 'scenesDispatched' | 'request'>,
  tick: StageProgress['data'],
  parallel: number,
): number | null {
  if (tick.remaining_seconds === null) return null;
  if (tick.stage === 'composition') return tick.remaining_seconds;
  if (tick.stage !== 'video_generation') return null;
  const clipSeconds = tick.elapsed_seconds + tick.remaining_seconds;
  const notStarted = Math.max(0, state.scenesTotal - state.scenesDispatched);
  const waves = Math.ceil(notStarted / Math.max(1, parallel));
  return tick.remaining_seconds + waves * clipSeconds + state.request.duration * COMPOSITION_SECONDS_PER_AD_SECOND;
}

/**
 * The saga's transition for a `stage.progress` tick (docs/events.md, "Progress"): moves
 * `progressPercentage` forward and refines the completion estimate, with its own guard: the job must be
 * processing the tick's stage on the tick's attempt (a late tick of a finished or superseded attempt changes
 * nothing), and the percentage must rise (duplicates and reordered ticks are no-ops). Emits `job.progress`.
 */
export function stageProgress(state: JobState, ev: StageProgress, ctx: SagaContext): Decision {
  const { stage, scene_index: sceneIndex, attempt_id: attemptId } = ev.data;
  if (state.status !== 'processing') return { kind: 'ignored', reason: `job is ${state.status}` };
  if (state.currentStage !== stage) return { kind: 'ignored', reason: `job is not in ${stage}` };
  if (state.attempts[attemptKey(stage, sceneIndex)] !== attemptId) return { kind: 'ignored', reason: `stale attempt ${attemptId}` };
  if (stage === 'video_generation' && sceneIndex !== null && state.clips[sceneIndex]) return { kind: 'ignored', reason: 'scene already done' };
  const percentage = progressPercentage(state, stage, ev.data.fraction);
  if (percentage === null || percentage <= state.progressPercentage) return { kind: 'ignored', reason: 'no advance' };
  const remaining = remainingJobSeconds(state, ev.data, ctx.maxParallelClips);
  const eta = remaining === null ? (state.estimatedCompletionAt ?? null) : new Date(ctx.now.getTime() + remaining * 1000).toISOString();
  const next: JobState = { ...state, progressPercentage: percentage, estimatedCompletionAt: eta, version: state.version + 1 };
  const id = `job.${state.id}.v${next.version}.progress`;
  const payload: JobEvent<'progress'> = {
    event_id: id,
    type: 'job.progress',
    schema_version: EVENT_SCHEMA_VERSION,
    occurred_at: ctx.now.toISOString(),
    job_id: state.id,
    data: { version: next.version, stage, scene_index: sceneIndex, percentage, estimated_completion_time: eta },
  };
  return { kind: 'applied', next, terminal: false, messages: [{ id, subject: ctx.subjects.jobEvent('progress', state.id), payload }] };
}
