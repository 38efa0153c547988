import { exportAspectOf, isExportFormat, planExports, toV2Status, type AspectRatio, type CompositionOutput, type CostBreakdown, type ExportFailure, type JobError, type V2JobStatus } from '@app/contracts';
import { costBreakdown, variationResults, type JobState } from './job-saga';
import { toState } from './job-saga.handler';
import type { Job } from './job.entity';
import { estimateJobSeconds } from './job-response';
import { v2Links, type V2JobLinks } from './links';
import { roundUsd } from '../common/money';

/** Estimated cost of a v2 job (docs/api.md): storyboard stills, video (clips and composition), exports; USD. */
export interface EstimatedCost {
  total: number;
  breakdown: { storyboard: number; video: number; exports: number };
  currency: 'USD';
}

/** One storyboard scene as the v2 body shows it (seconds; `imageUrl` served by the app). */
export interface V2StoryboardEntry {
  sceneNumber: number;
  imageUrl: string;
  description: string;
  onScreenText: string;
  duration: number;
  timestamp: number;
  /** Present when the stage cache supplied the still. */
  cached?: boolean;
}

/**
 * One cut of a job with `numberOfVariations` (docs/api.md, "Variations"): served URLs when it succeeded,
 * its composition cost (USD; the shared clips are in the job's `cost` once), its error when it failed.
 */
export interface V2Variation {
  index: number;
  cut: string;
  status: 'completed' | 'failed';
  videoUrl: string | null;
  thumbnailUrl: string | null;
  cost: number;
  error: JobError | null;
}

/** `GET /api/v2/jobs/{job_id}` body (docs/api.md, "GET /api/v2/jobs/{job_id}"). */
export interface V2JobResponse {
  job_id: string;
  status: V2JobStatus;
  approved: boolean;
  progress: { stage: string; percentage: number; currentScene: string | null; estimatedTimeRemaining: number | null; cost: number };
  storyboard: V2StoryboardEntry[];
  estimatedCost: EstimatedCost;
  cost: CostBreakdown;
  results: {
    videoUrl: string;
    thumbnailUrl: string;
    /** The job's cuts in index order; empty for a job that rendered one. */
    variations: V2Variation[];
    /** Served URL per export key (`gif`, `webm`, `16:9`, ...; docs/api.md, "Exports"). */
    exports: Record<string, string>;
    /** Requested exports that failed twice and were skipped; the job is still `completed`. */
    exportFailures: ExportFailure[];
  } | null;
  error: JobError | null;
  refineCount: number;
  links: Omit<V2JobLinks, 'storyboardImageUrl' | 'videoUrl' | 'thumbnailUrl' | 'exportUrl' | 'variation'>;
  created_at: string;
  updated_at: string;
}

/** The v2 progress word of a job (docs/api.md, "progress.stage"). Pure. */
export function v2StageWord(state: JobState): { stage: string; currentScene: string | null } {
  const n = state.plan?.scenes.length ?? 0;
  switch (state.status) {
    case 'queued':
      return { stage: 'queued', currentScene: null };
    case 'storyboard_complete':
      return { stage: 'storyboard_complete', currentScene: null };
    case 'processing':
      break;
    case 'completed':
    case 'partially_completed':
    case 'failed':
    case 'cancelled':
      return { stage: state.status, currentScene: null };
  }
  switch (state.currentStage) {
    case 'prompt_parsing':
      return { stage: 'parsing_brief', currentScene: null };
    case 'image_generation':
      return { stage: 'generating_reference', currentScene: null };
    case 'storyboard': {
      const next = state.stills.findIndex((s, i) => !s && i < n);
      const scene = next >= 0 ? next + 1 : n;
      return { stage: `generating_scene_${scene}`, currentScene: `${scene} of ${n}` };
    }
    case 'video_generation':
      return { stage: 'rendering_video', currentScene: `${Math.min(state.scenesDone + 1, n)} of ${n}` };
    case 'composition':
      return { stage: 'exporting_formats', currentScene: null };
    case null:
      return { stage: 'processing', currentScene: null };
  }
}

/**
 * v2 percentage: the storyboard is the first half (plan 5, reference 10, stills to 50), the render the second
 * (clips to 90, composition 100). Pure.
 */
export function v2Percentage(state: JobState): number {
  const n = state.plan?.scenes.length ?? 0;
  const stills = state.stills.filter(Boolean).length;
  if (state.status === 'completed' || state.status === 'partially_completed') return 100;
  if (state.status === 'storyboard_complete') return 50;
  if (state.approved && state.stagesCompleted.includes('storyboard')) {
    if (state.stagesCompleted.includes('video_generation')) return 90;
    return Math.round(50 + (40 * state.scenesDone) / Math.max(1, n));
  }
  if (state.stagesCompleted.includes('storyboard')) return 50;
  if (state.referenceImageUri) return Math.round(10 + (40 * stills) / Math.max(1, n));
  return state.plan ? 10 : state.status === 'queued' ? 0 : 5;
}

/**
 * Maps a job row to the v2 body. Pure.
 * @param estimatedCost the job's estimate (CostEstimator), USD
 */
export function toV2JobResponse(job: Job, baseUrl: string, estimatedCost: EstimatedCost, now: Date = new Date()): V2JobResponse {
  const state = toState(job);
  const links = v2Links(baseUrl, job.id);
  const { stage, currentScene } = v2StageWord(state);
  let t = 0;
  const storyboard: V2StoryboardEntry[] = [];
  for (const [i, scene] of (state.plan?.scenes ?? []).entries()) {
    const start = t;
    t += scene.duration;
    const still = state.stills[i];
    if (!still) continue;
    storyboard.push({
      sceneNumber: scene.scene_number,
      imageUrl: links.storyboardImageUrl(scene.scene_number),
      description: scene.visual_prompt,
      onScreenText: scene.on_screen_text,
      duration: scene.duration,
      timestamp: Math.round(start * 100) / 100,
      ...(still.cached !== undefined ? { cached: still.cached } : {}),
    });
  }
  const cost = costBreakdown(state);
  let remaining: number | null = null;
  if (state.status === 'processing' || state.status === 'queued') {
    const since = (job.startedAt ?? job.createdAt).getTime();
    remaining = Math.max(2, Math.round((since + estimateJobSeconds(job.duration) * 1000 - now.getTime()) / 1000));
  }
  const { exports, exportFailures } = job.result ? v2Exports(job.result, job.options?.exportFormats, job.aspectRatio, links) : { exports: {}, exportFailures: [] };
  return {
    job_id: job.id,
    status: toV2Status(job.status, job.approved),
    approved: job.approved,
    progress: { stage, percentage: v2Percentage(state), currentScene, estimatedTimeRemaining: remaining, cost: roundUsd(cost.total) },
    storyboard,
    estimatedCost,
    cost,
    results: job.result ? { videoUrl: links.data, thumbnailUrl: links.thumbnail, variations: v2Variations(state, links), exports, exportFailures } : null,
    error: job.error,
    refineCount: job.refineCount,
    links: { self: links.self, approve: links.approve, render: links.render, refine: links.refine, cancel: links.cancel, data: links.data, thumbnail: links.thumbnail },
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
}

/** `results.variations` (docs/api.md, "Variations"). Pure. */
export function v2Variations(state: Pick<JobState, 'id' | 'cuts'>, links: Pick<V2JobLinks, 'variation'>): V2Variation[] {
  return variationResults(state, { variationUrls: (_id, index) => links.variation(index) }).map((v) => ({
    index: v.index,
    cut: v.cut,
    status: v.status,
    videoUrl: v.video_url,
    thumbnailUrl: v.thumbnail_url,
    cost: v.cost,
    error: v.error,
  }));
}

/**
 * `results.exports` and `results.exportFailures` of a finished job (docs/api.md, "Exports"). Pure.
 * Exports the composition made are served by key; a requested `mp4:<aspect>` equal to the job's own aspect is
 * the ad itself (`/data`); the deployment-wide previews (`EXPORT_GIF`, `EXPORT_WEBM`) fill a key no requested
 * export took. A requested export the composition neither made nor listed as failed is listed with
 * `SERVICE_UNAVAILABLE`.
 */
export function v2Exports(
  result: CompositionOutput,
  requested: readonly string[] | undefined,
  aspect: string,
  links: Pick<V2JobLinks, 'data' | 'exportUrl'>,
): { exports: Record<string, string>; exportFailures: ExportFailure[] } {
  const exports: Record<string, string> = {};
  for (const f of requested ?? []) if (isExportFormat(f) && exportAspectOf(f) === aspect) exports[aspect] = links.data;
  for (const e of result.exports ?? []) exports[e.key] = links.exportUrl(e.key);
  if (result.gif_uri && !exports.gif) exports.gif = links.exportUrl('gif');
  if (result.webm_uri && !exports.webm) exports.webm = links.exportUrl('webm');
  const exportFailures = (result.export_failures ?? []).map((f) => ({ format: f.format, code: f.code, message: f.message }));
  // A compositor that makes no exports (the team's HTTP service) answers without them: the client asked, so say so.
  const accounted = new Set<string>([...(result.exports ?? []).map((e) => e.format), ...exportFailures.map((f) => f.format)]);
  for (const format of planExports(requested, aspect as AspectRatio)) {
    if (!accounted.has(format)) exportFailures.push({ format, code: 'SERVICE_UNAVAILABLE', message: 'the composition provider made no such export' });
  }
  return { exports, exportFailures };
}
