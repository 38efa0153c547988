import type { EntityManager } from '@mikro-orm/postgresql';
import { EVENT_SCHEMA_VERSION, type JobEvent, type JobEventData, type Subjects } from '@app/contracts';
import { enqueueOutbox } from '../messaging/outbox.relay';

/**
 * Writes a new job's `job.created` event to the outbox inside the transaction that inserts its row, so the
 * saga starts every job exactly as it was stored, v1 or v2, single or in a batch (docs/design/saga.md,
 * "Transactional outbox"). The event id is deterministic (`job.<id>.v1.created`: version 1 of the job).
 */
export function enqueueJobCreated(tx: EntityManager, subjects: Subjects, jobId: string, at: Date, data: JobEventData['created']): void {
  const eventId = `job.${jobId}.v1.created`;
  const event: JobEvent<'created'> = {
    event_id: eventId,
    type: 'job.created',
    schema_version: EVENT_SCHEMA_VERSION,
    occurred_at: at.toISOString(),
    job_id: jobId,
    data,
  };
  enqueueOutbox(tx, eventId, subjects.jobEvent('created', jobId), event);
}
