/**
 * Job statuses, defined once for the saga, the `jobs.status` column (its check constraint), SQL filters and
 * both REST versions (docs/api.md, "Statuses").
 *
 * Stored statuses describe what holds a slot: `processing` is any generating stage (it holds one of
 * MAX_CONCURRENT_JOBS), `queued` waits for a slot (a new job, or a resumed one after render or refine),
 * `storyboard_complete` is the approval gate (holds nothing: no worker, no lease, no slot).
 */
export const JOB_STATUSES = ['queued', 'processing', 'storyboard_complete', 'completed', 'failed', 'cancelled', 'partially_completed'] as const;

/** One of {@link JOB_STATUSES}. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses that hold a MAX_CONCURRENT_JOBS slot and that the stalled-job rule watches. */
export const GENERATING_STATUSES: readonly JobStatus[] = ['processing'];

/** Statuses a job never leaves (refine may reopen `failed`: see {@link REFINABLE_STATUSES}). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'partially_completed'];

/** Statuses in which a storyboard may be refined (docs/api.md: the storyboard review, and a retry after a failure). */
export const REFINABLE_STATUSES: readonly JobStatus[] = ['storyboard_complete', 'failed'];

/** True for statuses a job never leaves on its own. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** True for statuses that hold a slot. */
export function isGeneratingStatus(status: JobStatus): boolean {
  return GENERATING_STATUSES.includes(status);
}

/** Statuses the v1 API reports (unchanged since v1: a v1 job never waits for approval). */
export const V1_JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type V1JobStatus = (typeof V1_JOB_STATUSES)[number];

/** Statuses the v2 API reports (docs/api.md, "v2 statuses"). */
export const V2_JOB_STATUSES = [
  'generating_storyboard',
  'storyboard_complete',
  'generating_video',
  'completed',
  'failed',
  'cancelled',
  'partially_completed',
] as const;
export type V2JobStatus = (typeof V2_JOB_STATUSES)[number];

/** The v1 word for a stored status (`storyboard_complete` cannot occur for v1 jobs; it reads as processing). */
export function toV1Status(status: JobStatus): V1JobStatus {
  switch (status) {
    case 'storyboard_complete':
      return 'processing';
    case 'partially_completed':
      return 'completed';
    case 'queued':
    case 'processing':
    case 'completed':
    case 'failed':
    case 'cancelled':
      return status;
  }
}

/**
 * The v2 word for a stored status: a queued or processing job is generating its storyboard until it is
 * approved, then generating its video.
 */
export function toV2Status(status: JobStatus, approved: boolean): V2JobStatus {
  if (status === 'queued' || status === 'processing') return approved ? 'generating_video' : 'generating_storyboard';
  return status;
}

/** SQL list literal of statuses, e.g. `('processing')`, for `where status in ...` (values are constants). */
export function sqlStatusList(statuses: readonly JobStatus[]): string {
  return `(${statuses.map((s) => `'${s}'`).join(', ')})`;
}
