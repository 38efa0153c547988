import {
  clipSecondsFor,
  EVENT_SCHEMA_VERSION,
  STAGE_PROGRESS_PERCENT,
  STAGES,
  type AdPlan,
  type AdRequest,
  type CompositionOutput,
  type CostBreakdown,
  type ErrorCode,
  type JobError,
  type JobEvent,
  type JobEventData,
  type JobEventType,
  type JobResult,
  type SagaInbound,
  type StageCompleted,
  type StageFailed,
  type StageInputs,
  type StageName,
  type StageRequested,
  type Subjects,
  type VideoGenerationOutput,
} from '@app/contracts';
import { roundUsd } from '../common/money';

/** Job statuses (mirrors job.entity.ts; repeated here so the saga core has no ORM import). */
export type SagaStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

/**
 * The saga's view of a job: plain data, mapped from and to the `jobs` row by the handler.
 * Costs in USD, durations in seconds.
 */
export interface JobState {
  id: string;
  status: SagaStatus;
  request: AdRequest;
  currentStage: StageName | null;
  stagesCompleted: StageName[];
  progressPercentage: number;
  plan: AdPlan | null;
  /** URI of the reference image every clip derives from. */
  referenceImageUri: string | null;
  clips: Array<VideoGenerationOutput | null>;
  scenesTotal: number;
  scenesDone: number;
  scenesDispatched: number;
  /** Current attempt id per stage key (see {@link attemptKey}). */
  attempts: Record<string, string>;
  costs: Record<StageName, number>;
  result: CompositionOutput | null;
  error: JobError | null;
  version: number;
  /**
   * Whether each finished stage or scene (by {@link attemptKey}) was reused from the stage cache
   * (docs/design/cache.md). Absent on jobs that predate the cache.
   */
  cacheHits?: Record<string, boolean>;
}

/** A message to write to the outbox: deterministic id (also the Nats-Msg-Id), subject and payload. */
export interface OutboundMessage {
  id: string;
  subject: string;
  payload: StageRequested | JobEvent;
}

/** What the saga needs from outside: time, ids, limits, estimates. Injected, so `decide` stays pure. */
export interface SagaContext {
  subjects: Subjects;
  now: Date;
  newId: () => string;
  /** Clips requested at once per job (MAX_PARALLEL_VIDEO_GENERATIONS). */
  maxParallelClips: number;
  /** Hard cap per job, USD (seed 000: MAX_COST_PER_VIDEO). */
  maxCostUsd: number;
  /** Estimated USD of running `stage` for this job (whole stage; all scenes for video_generation). */
  estimateStageCostUsd: (stage: StageName, state: JobState) => number;
  /** Deadline given to a stage request, ms since epoch. */
  stageDeadlineMs: (stage: StageName) => number;
  /** Public URLs of a finished job's files. */
  resultUrls: (jobId: string) => { videoUrl: string; thumbnailUrl: string };
}

/** Commands that come from the API or the reaper rather than from the streams. */
export type SagaCommand =
  | { type: 'job.start'; event_id: string }
  | { type: 'job.cancel'; event_id: string }
  | { type: 'job.timeout'; event_id: string; message: string };

/** The outcome of {@link decide}. */
export type Decision =
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; code: ErrorCode; reason: string }
  | { kind: 'applied'; next: JobState; messages: OutboundMessage[]; terminal: boolean };

/** Key of a stage's attempt in {@link JobState.attempts}: `video_generation.<i>` per scene, else the stage. */
export function attemptKey(stage: StageName, sceneIndex: number | null): string {
  return sceneIndex === null ? stage : `${stage}.${sceneIndex}`;
}

/** Sum of per-stage costs, rounded to 1e-6 USD (the column scale). */
export function totalCost(costs: Record<StageName, number>): number {
  return roundUsd(STAGES.reduce((sum, s) => sum + (costs[s] ?? 0), 0));
}

/** The seed's cost object: stages that have a cost entry plus `total` (seed 000, "Get Job Status"). */
export function costBreakdown(state: Pick<JobState, 'costs' | 'stagesCompleted' | 'currentStage'>): CostBreakdown {
  const out: CostBreakdown = { total: totalCost(state.costs) };
  for (const s of STAGES) {
    if (state.stagesCompleted.includes(s) || state.currentStage === s || state.costs[s] > 0) out[s] = roundUsd(state.costs[s]);
  }
  return out;
}

/**
 * The client-facing result of a composition (seed 000 "Get Job Status"): served URLs, duration rounded to
 * 0.01 s, size in MB (10^6 bytes) rounded to 0.01. Used by the `job.completed` event and the REST body alike.
 */
export function toJobResult(result: CompositionOutput, urls: { videoUrl: string; thumbnailUrl: string }): JobResult {
  return {
    video_url: urls.videoUrl,
    thumbnail_url: urls.thumbnailUrl,
    duration: round2(result.duration),
    resolution: result.resolution,
    file_size_mb: round2(result.file_size_bytes / 1e6),
    scenes_generated: result.scenes,
  };
}

/** Progress while clips are generated: 35 % to 85 % by finished clips (seed 000, "Pipeline Flow" step 6). */
export function videoProgress(done: number, total: number): number {
  const from = STAGE_PROGRESS_PERCENT.image_generation;
  const to = STAGE_PROGRESS_PERCENT.video_generation;
  return total > 0 ? Math.round(from + ((to - from) * done) / total) : from;
}


/**
 * The saga's transition function: given a job's state and one inbound event or command, what changes and
 * which messages follow. Pure: no I/O, time and ids come from `ctx`. The handler runs it inside one
 * transaction with the job row locked, so each event changes state at most once.
 *
 * Guards: events for a job not in `processing`, or whose attempt id is not the job's current attempt for
 * that stage/scene, are ignored (late results of aborted or superseded work change nothing).
 */
export function decide(state: JobState, input: SagaInbound | SagaCommand, ctx: SagaContext): Decision {
  switch (input.type) {
    case 'job.created':
    case 'job.start':
      return start(state, ctx);
    case 'job.cancel':
      return cancel(state, ctx);
    case 'job.timeout':
      if (state.status !== 'processing' && state.status !== 'queued') return { kind: 'ignored', reason: `job is ${state.status}` };
      return fail(state, ctx, {
        code: 'TIMEOUT',
        message: input.message,
        failed_stage: state.currentStage,
        details: { stage: state.currentStage },
      });
    case 'stage.completed':
      return stageCompleted(state, input, ctx);
    case 'stage.failed':
      return stageFailed(state, input, ctx);
    default:
      return { kind: 'ignored', reason: `unknown input type ${(input as { type: string }).type}` };
  }
}

function start(state: JobState, ctx: SagaContext): Decision {
  if (state.status !== 'queued') return { kind: 'ignored', reason: `job is ${state.status}` };
  const next: JobState = { ...state, status: 'processing', version: state.version + 1 };
  const messages = [jobEvent(next, 'started', { version: next.version }, ctx)];
  return withStageRequest(next, 'prompt_parsing', messages, ctx);
}

function cancel(state: JobState, ctx: SagaContext): Decision {
  if (state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled') {
    return { kind: 'rejected', code: 'CONFLICT', reason: `job is already ${state.status}` };
  }
  const next: JobState = { ...state, status: 'cancelled', version: state.version + 1 };
  return {
    kind: 'applied',
    next,
    terminal: true,
    messages: [jobEvent(next, 'cancelled', { version: next.version, cost: costBreakdown(next) }, ctx)],
  };
}

function guardResult(state: JobState, ev: StageCompleted | StageFailed): string | null {
  if (state.status !== 'processing') return `job is ${state.status}`;
  const key = attemptKey(ev.data.stage, ev.data.scene_index);
  if (state.attempts[key] !== ev.data.attempt_id) return `stale attempt ${ev.data.attempt_id} for ${key}`;
  if (ev.data.stage === 'video_generation' && ev.data.scene_index !== null && state.clips[ev.data.scene_index]) {
    return `scene ${ev.data.scene_index} already has a clip`;
  }
  return null;
}

function stageCompleted(state: JobState, ev: StageCompleted, ctx: SagaContext): Decision {
  const stale = guardResult(state, ev);
  if (stale) return { kind: 'ignored', reason: stale };
  const stage = ev.data.stage;
  const costs = { ...state.costs, [stage]: roundUsd(state.costs[stage] + ev.data.cost_usd) };
  const cacheHits = { ...state.cacheHits, [attemptKey(stage, ev.data.scene_index)]: ev.data.cached === true };
  let next: JobState = { ...state, costs, cacheHits, version: state.version + 1 };
  const messages: OutboundMessage[] = [];

  const finishStage = (s: StageName): void => {
    next.stagesCompleted = [...next.stagesCompleted.filter((x) => x !== s), s];
    next.progressPercentage = STAGE_PROGRESS_PERCENT[s];
  };
  const stageEvent = (): OutboundMessage =>
    jobEvent(next, 'stage_completed', {
      version: next.version,
      stage,
      scene_index: ev.data.scene_index,
      percentage: next.progressPercentage,
      cost: costBreakdown(next),
      ...(ev.data.cached ? { cached: true } : {}),
    }, ctx);

  switch (stage) {
    case 'prompt_parsing': {
      const plan = (ev as StageCompleted<'prompt_parsing'>).data.output;
      next = { ...next, plan, scenesTotal: plan.scenes.length, clips: plan.scenes.map(() => null) };
      finishStage(stage);
      messages.push(stageEvent());
      return withStageRequest(next, 'image_generation', messages, ctx);
    }
    case 'image_generation': {
      next.referenceImageUri = (ev as StageCompleted<'image_generation'>).data.output.image_uri;
      finishStage(stage);
      messages.push(stageEvent());
      const capped = costCap(next, 'video_generation', messages, ctx);
      if (capped) return capped;
      next = { ...next, currentStage: 'video_generation', scenesDone: 0, scenesDispatched: 0 };
      const n = Math.min(ctx.maxParallelClips, next.scenesTotal);
      for (let i = 0; i < n; i++) messages.push(dispatchScene(next, i, ctx));
      next.scenesDispatched = n;
      return { kind: 'applied', next, messages, terminal: false };
    }
    case 'video_generation': {
      const i = ev.data.scene_index ?? 0;
      const clips = [...next.clips];
      clips[i] = (ev as StageCompleted<'video_generation'>).data.output;
      next = { ...next, clips, scenesDone: next.scenesDone + 1 };
      next.progressPercentage = videoProgress(next.scenesDone, next.scenesTotal);
      messages.push(stageEvent());
      if (next.scenesDone < next.scenesTotal) {
        if (next.scenesDispatched < next.scenesTotal) {
          messages.push(dispatchScene(next, next.scenesDispatched, ctx));
          next.scenesDispatched += 1;
        }
        return { kind: 'applied', next, messages, terminal: false };
      }
      // Fan-in: only the transaction that sees done == total (under the row lock) starts composition.
      finishStage('video_generation');
      return withStageRequest(next, 'composition', messages, ctx);
    }
    case 'composition': {
      const result = (ev as StageCompleted<'composition'>).data.output;
      next = { ...next, result, status: 'completed', currentStage: null };
      finishStage(stage);
      messages.push(stageEvent());
      messages.push(
        jobEvent(next, 'completed', { version: next.version, result: toJobResult(result, ctx.resultUrls(next.id)), cost: costBreakdown(next) }, ctx),
      );
      return { kind: 'applied', next, messages, terminal: true };
    }
  }
}

function stageFailed(state: JobState, ev: StageFailed, ctx: SagaContext): Decision {
  const stale = guardResult(state, ev);
  if (stale) return { kind: 'ignored', reason: stale };
  const stage = ev.data.stage;
  const costs = { ...state.costs, [stage]: roundUsd(state.costs[stage] + ev.data.cost_usd) };
  const withCost: JobState = { ...state, costs };
  const error: JobError = {
    code: ev.data.error.code,
    message: ev.data.error.message,
    failed_stage: stage,
    details: { ...ev.data.error.details, ...(ev.data.scene_index !== null ? { scene_index: ev.data.scene_index } : {}) },
  };
  return fail(withCost, ctx, error);
}

/** Moves the job to `failed`; `bump` is false when the caller already counted this transition's version. */
function fail(state: JobState, ctx: SagaContext, error: JobError, bump = true): Decision {
  const next: JobState = { ...state, status: 'failed', error, version: bump ? state.version + 1 : state.version };
  const messages: OutboundMessage[] = [];
  if (error.failed_stage) {
    messages.push(
      jobEvent(next, 'stage_failed', {
        version: next.version,
        stage: error.failed_stage as StageName,
        scene_index: (error.details.scene_index as number | undefined) ?? null,
        error,
      }, ctx),
    );
  }
  messages.push(jobEvent(next, 'failed', { version: next.version, error, cost: costBreakdown(next) }, ctx));
  return { kind: 'applied', next, messages, terminal: true };
}

/**
 * Fails the job with COST_LIMIT_EXCEEDED when starting `stage` would cross the cap (seed 000, "Cost
 * Optimization": fail past MAX_COST_PER_VIDEO). `state` already carries this transition's version.
 */
function costCap(state: JobState, stage: StageName, messages: OutboundMessage[], ctx: SagaContext): Decision | null {
  const spent = totalCost(state.costs);
  const estimate = ctx.estimateStageCostUsd(stage, state);
  if (spent + estimate <= ctx.maxCostUsd + 1e-9) return null;
  const failed = fail(state, ctx, {
    code: 'COST_LIMIT_EXCEEDED',
    message: `starting ${stage} would bring the job to $${round2(spent + estimate)}, over the $${ctx.maxCostUsd} limit`,
    failed_stage: stage,
    details: { spent_usd: spent, estimate_usd: roundUsd(estimate), limit_usd: ctx.maxCostUsd },
  }, false);
  return failed.kind === 'applied' ? { ...failed, messages: [...messages, ...failed.messages] } : failed;
}

function withStageRequest(
  state: JobState,
  stage: Exclude<StageName, 'video_generation'>,
  messages: OutboundMessage[],
  ctx: SagaContext,
): Decision {
  const capped = costCap(state, stage, messages, ctx);
  if (capped) return capped;
  const attemptId = ctx.newId();
  const next: JobState = {
    ...state,
    currentStage: stage,
    attempts: { ...state.attempts, [attemptKey(stage, null)]: attemptId },
  };
  messages.push(stageRequest(next, stage, null, attemptId, stageInput(next, stage, null), ctx));
  return { kind: 'applied', next, messages, terminal: false };
}

function dispatchScene(state: JobState, sceneIndex: number, ctx: SagaContext): OutboundMessage {
  const attemptId = ctx.newId();
  state.attempts = { ...state.attempts, [attemptKey('video_generation', sceneIndex)]: attemptId };
  return stageRequest(state, 'video_generation', sceneIndex, attemptId, stageInput(state, 'video_generation', sceneIndex), ctx);
}

/** Builds a stage's input from the job state (seed 001, "Service Endpoints" request shapes). */
export function stageInput<S extends StageName>(state: JobState, stage: S, sceneIndex: number | null): StageInputs[S] {
  const brand = state.request.brand_guidelines ?? null;
  switch (stage) {
    case 'prompt_parsing':
      return { ...state.request } as StageInputs[S];
    case 'image_generation':
      return { plan: required(state.plan), aspect_ratio: state.request.aspect_ratio, brand_guidelines: brand } as StageInputs[S];
    case 'video_generation': {
      const plan = required(state.plan);
      const i = sceneIndex ?? 0;
      return {
        scene: plan.scenes[i],
        scene_index: i,
        scene_count: plan.scenes.length,
        plan,
        reference_image_uri: required(state.referenceImageUri),
        clip_duration: clipSecondsFor(plan, i),
        aspect_ratio: state.request.aspect_ratio,
        brand_guidelines: brand,
      } as StageInputs[S];
    }
    case 'composition':
      return {
        plan: required(state.plan),
        clips: state.clips.map((c) => required(c)),
        duration: state.request.duration,
        aspect_ratio: state.request.aspect_ratio,
        brand_guidelines: brand,
      } as StageInputs[S];
    default:
      throw new Error(`unknown stage ${String(stage)}`);
  }
}

function stageRequest<S extends StageName>(
  state: JobState,
  stage: S,
  sceneIndex: number | null,
  attemptId: string,
  input: StageInputs[S],
  ctx: SagaContext,
): OutboundMessage {
  const id = `req.${attemptId}`;
  const payload: StageRequested<S> = {
    event_id: id,
    type: 'stage.requested',
    schema_version: EVENT_SCHEMA_VERSION,
    occurred_at: ctx.now.toISOString(),
    job_id: state.id,
    data: { stage, attempt_id: attemptId, scene_index: sceneIndex, input, deadline_ms: ctx.stageDeadlineMs(stage) },
  };
  return { id, subject: ctx.subjects.stageRequest(stage, state.id, sceneIndex ?? undefined), payload: payload as StageRequested };
}

function jobEvent<T extends JobEventType>(state: JobState, type: T, data: JobEventData[T], ctx: SagaContext): OutboundMessage {
  const sceneSuffix = 'scene_index' in (data as object) && (data as { scene_index: number | null }).scene_index !== null ? `.${(data as { scene_index: number }).scene_index}` : '';
  const id = `job.${state.id}.v${state.version}.${type}${sceneSuffix}`;
  const payload: JobEvent<T> = {
    event_id: id,
    type: `job.${type}`,
    schema_version: EVENT_SCHEMA_VERSION,
    occurred_at: ctx.now.toISOString(),
    job_id: state.id,
    data,
  };
  return { id, subject: ctx.subjects.jobEvent(type, state.id), payload: payload as JobEvent };
}

function required<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('saga invariant violated: missing stage output');
  return value;
}


function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
