import type { V1JobStatus } from '@app/contracts';

/** Status of a batch as `GET /api/v1/batches/{batch_id}` reports it (docs/api.md, "Batches and variations"). */
export type BatchStatus = 'queued' | 'processing' | 'completed' | 'partially_completed' | 'failed' | 'cancelled';

/** Jobs of a batch per v1 status. */
export type BatchCounts = Record<V1JobStatus, number>;

/** Counts the jobs of a batch per v1 status (every status present, 0 when none). Pure. */
export function countStatuses(statuses: readonly V1JobStatus[]): BatchCounts {
  const counts: BatchCounts = { queued: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const s of statuses) counts[s] += 1;
  return counts;
}

/**
 * The aggregate status of a batch from its jobs' v1 statuses (docs/api.md, "Batches and variations"), in order:
 * 1. every job `completed` → `completed`; every job `cancelled` → `cancelled`;
 * 2. any job still `queued` or `processing` (a batch is finished only when all its jobs are) → `processing`
 *    once one job runs or has finished its work (`completed` or `failed`), else `queued` (only queued jobs,
 *    and perhaps cancelled ones: nothing of the batch has been worked on yet);
 * 3. all finished, at least one `completed` → `partially_completed` (its videos are served, the others' errors listed);
 * 4. all finished, none completed → `failed` (failures, possibly with cancellations).
 * Pure.
 * @throws Error for an empty list: a batch always has jobs
 */
export function batchStatus(statuses: readonly V1JobStatus[]): BatchStatus {
  if (statuses.length === 0) throw new Error('a batch has at least one job');
  const c = countStatuses(statuses);
  const n = statuses.length;
  if (c.completed === n) return 'completed';
  if (c.cancelled === n) return 'cancelled';
  if (c.queued + c.processing > 0) return c.processing + c.completed + c.failed > 0 ? 'processing' : 'queued';
  return c.completed > 0 ? 'partially_completed' : 'failed';
}
