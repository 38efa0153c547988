import { toV1Status, V1_STAGES, type CostBreakdown, type JobError, type JobResult, type PlanAdjustment, type StageName } from '@app/contracts';
import { costBreakdown, toJobResult, v1Costs, v1StageOf, type JobState } from './job-saga';
import { resultUrls } from './job-saga.handler';
import type { JobStatusFields } from './job-status.reader';
import { roundUsd } from '../common/money';

/**
 * Seconds a local job is expected to take for an ad of `durationSeconds`. Linear fit of the README's
 * measurements on node-svc (2 cores); used only for `estimated_completion_time`.
 */
export function estimateJobSeconds(durationSeconds: number): number {
  return Math.round(20 + 2.5 * durationSeconds);
}

/** `GET /api/v1/jobs/{job_id}` body (docs/api.md, "GET /api/v1/jobs/{job_id}"). Costs USD, times ISO-8601 UTC. */
export interface JobResponse {
  job_id: string;
  status: string;
  progress: {
    current_stage: string | null;
    stages_completed: string[];
    stages_remaining: string[];
    percentage: number;
    estimated_completion_time: string | null;
    /** Clips finished and planned (video_generation), for "clip 2 of 4" displays (docs/api.md, "GET /api/v1/jobs/{job_id}"). */
    clips_completed: number;
    clips_total: number;
  };
  cost: CostBreakdown;
  /** Which finished stages and scenes were reused from the stage cache at cost 0 ({@link toCacheView}). */
  cache: CacheView;
  result: JobResult | null;
  error: JobError | null;
  /** What arithmetic fixed in the planner's answer (docs/design/plan-repair.md); present once a plan exists. */
  plan_adjustments?: PlanAdjustment[];
  created_at: string;
  updated_at: string;
  completed_at?: string;
  failed_at?: string;
  cancelled_at?: string;
}

/** Cost per stage, USD, from the row's cost columns. */
function stageCosts(job: JobStatusFields): JobState['costs'] {
  return {
    prompt_parsing: Number(job.costPromptParsing),
    image_generation: Number(job.costImageGeneration),
    storyboard: Number(job.costStoryboard),
    video_generation: Number(job.costVideoGeneration),
    composition: Number(job.costComposition),
  };
}

/**
 * The `cache` member of a job body (docs/design/cache.md, "In the job"): one entry per finished stage,
 * `true` when its output was reused from the stage cache at cost 0, `false` when it was computed. A
 * per-scene stage (video_generation) has one entry per scene, `null` for a scene not finished yet. Stages
 * not finished are absent.
 */
export type CacheView = Partial<Record<string, boolean | Array<boolean | null>>>;

/**
 * Builds {@link CacheView} from the saga's per-attempt-key flags (`prompt_parsing`, `video_generation.2`).
 * Pure.
 * @param scenesTotal scenes of the plan: the length of per-scene arrays
 */
export function toCacheView(cacheHits: Record<string, boolean>, scenesTotal: number): CacheView {
  const view: CacheView = {};
  for (const [key, hit] of Object.entries(cacheHits)) {
    const dot = key.indexOf('.');
    if (dot < 0) {
      view[key] = hit;
      continue;
    }
    const stage = key.slice(0, dot);
    const scene = Number(key.slice(dot + 1));
    if (!Number.isInteger(scene) || scene < 0) continue;
    const prior = view[stage];
    const scenes: Array<boolean | null> = Array.isArray(prior) ? prior : [];
    while (scenes.length < Math.max(scenesTotal, scene + 1)) scenes.push(null);
    scenes[scene] = hit;
    view[stage] = scenes;
  }
  return view;
}

/**
 * The v1 reading of a {@link CacheView}: v1 knows four stages, so the storyboard's stills count as part of
 * `image_generation` (docs/api.md, "v1"), which reads as reused only when the reference image and every
 * finished still were. Pure.
 */
export function toV1CacheView(view: CacheView): CacheView {
  const { storyboard, ...rest } = view;
  if (storyboard === undefined) return rest;
  const stills = Array.isArray(storyboard) ? storyboard : [storyboard];
  if (rest.image_generation !== undefined) rest.image_generation = rest.image_generation === true && stills.every((s) => s !== false);
  return rest;
}

/**
 * Maps a job's status fields (a `Job` entity or the read path's narrow row) to the v1 status body (docs/api.md,
 * "GET /api/v1/jobs/{job_id}"). Pure.
 * @param baseUrl public base URL for result links
 * @param now clock, for the completion estimate
 */
export function toJobResponse(job: JobStatusFields, baseUrl: string, now: Date = new Date()): JobResponse {
  const state: Pick<JobState, 'stagesCompleted' | 'currentStage' | 'costs'> = {
    stagesCompleted: job.stagesCompleted as StageName[],
    currentStage: job.currentStage,
    costs: stageCosts(job),
  };
  // v1 knows four stages: the storyboard's stills are part of image_generation (docs/api.md, "v1").
  const completed = state.stagesCompleted.filter((s) => s !== 'storyboard' && !(s === 'image_generation' && state.currentStage === 'storyboard'));
  const remaining = V1_STAGES.filter((s) => !completed.includes(s));
  let currentStage: string | null = state.currentStage && v1StageOf(state.currentStage);
  if (job.status === 'completed') currentStage = 'completed';
  else if (job.status === 'queued') currentStage = 'queued';
  else if (job.status === 'failed') currentStage = job.error?.failed_stage ?? state.currentStage;

  let cost: CostBreakdown;
  if (job.status === 'failed' || job.status === 'cancelled') {
    cost = costBreakdown(state);
  } else {
    cost = { total: costBreakdown(state).total };
    const costs = v1Costs(state.costs);
    for (const s of V1_STAGES) cost[s as StageName] = roundUsd(costs[s]);
  }

  const estimate = estimateJobSeconds(job.duration) * 1000;
  let eta: string | null = null;
  if (job.status === 'queued' || job.status === 'processing') {
    const startMs = (job.startedAt ?? job.createdAt).getTime();
    // A measured estimate (progress ticks) beats the fixed fit once there is one.
    const expectedMs = job.estimatedCompletionAt?.getTime() ?? startMs + estimate;
    eta = new Date(Math.max(expectedMs, now.getTime() + 2000)).toISOString();
  } else if (job.completedAt) {
    eta = job.completedAt.toISOString();
  }

  const body: JobResponse = {
    job_id: job.id,
    status: toV1Status(job.status),
    progress: {
      current_stage: currentStage,
      stages_completed: completed,
      stages_remaining: job.status === 'completed' ? [] : remaining,
      percentage: job.progressPercentage,
      estimated_completion_time: eta,
      clips_completed: job.scenesDone,
      clips_total: job.scenesTotal,
    },
    cost,
    cache: toV1CacheView(toCacheView(job.cacheHits ?? {}, job.scenesTotal)),
    result: job.result ? toJobResult(job.result, resultUrls(baseUrl, job.id)) : null,
    error: job.error,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
  if (job.hasPlan || job.parsedData) body.plan_adjustments = job.planAdjustments ?? job.parsedData?.adjustments ?? [];
  if (job.completedAt) body.completed_at = job.completedAt.toISOString();
  if (job.failedAt) body.failed_at = job.failedAt.toISOString();
  if (job.cancelledAt) body.cancelled_at = job.cancelledAt.toISOString();
  return body;
}
