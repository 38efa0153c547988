import type { V1JobStatus } from '@app/contracts';
import { batchStatus, countStatuses } from './batch-status';

describe('batchStatus', () => {
  it.each<[string, V1JobStatus[], ReturnType<typeof batchStatus>]>([
    ['queued while no job has left the queue', ['queued', 'queued'], 'queued'],
    ['processing once one job runs', ['processing', 'queued'], 'processing'],
    ['queued while the only other job was cancelled before it ran', ['cancelled', 'queued'], 'queued'],
    ['processing while one job is finished and another still queued', ['completed', 'queued'], 'processing'],
    ['processing while a failed job waits for a running one', ['failed', 'processing'], 'processing'],
    ['completed when every job completed', ['completed', 'completed', 'completed'], 'completed'],
    ['completed for a batch of one completed job', ['completed'], 'completed'],
    ['partially_completed when one completed and one failed', ['completed', 'failed'], 'partially_completed'],
    ['partially_completed when one completed and one was cancelled', ['cancelled', 'completed'], 'partially_completed'],
    ['failed when every job failed', ['failed', 'failed'], 'failed'],
    ['failed when jobs failed or were cancelled and none completed', ['failed', 'cancelled'], 'failed'],
    ['cancelled when every job was cancelled', ['cancelled', 'cancelled'], 'cancelled'],
  ])('should be %s', (_name, statuses, expected) => {
    expect(batchStatus(statuses)).toBe(expected);
  });

  it('should refuse an empty batch', () => {
    expect(() => batchStatus([])).toThrow('at least one job');
  });

  it('should not depend on the order of the jobs', () => {
    const statuses: V1JobStatus[] = ['completed', 'failed', 'processing', 'cancelled', 'queued'];
    const seen = new Set<string>();
    for (let i = 0; i < statuses.length; i++) seen.add(batchStatus([...statuses.slice(i), ...statuses.slice(0, i)]));
    expect([...seen]).toEqual(['processing']);
  });
});

describe('countStatuses', () => {
  it('should count every v1 status, 0 for absent ones', () => {
    expect(countStatuses(['completed', 'failed', 'completed'])).toEqual({ queued: 0, processing: 0, completed: 2, failed: 1, cancelled: 0 });
  });
});
