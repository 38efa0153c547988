import type { JobEvent } from '@app/contracts';
import { Webhook } from 'standardwebhooks';
import { activeSecrets, afterAttempt, filterAccepts, toWebhookPayload } from './webhook-policy';
import { parseRetryAfter, signatureHeader } from './webhook-sender';

const SCHEDULE = [0, 5, 300, 1800];

describe('afterAttempt', () => {
  it.each([
    [200, 1, 'delivered'],
    [204, 3, 'delivered'],
    [410, 1, 'gone'],
    [500, 4, 'exhausted'],
  ])('should read status %s after attempt %s as %s', (status, attempts, kind) => {
    expect(afterAttempt({ status, retryAfterSeconds: null }, attempts, SCHEDULE, 0).kind).toBe(kind);
  });

  it('should follow the schedule with at most 10 % jitter, retry redirects and timeouts, and wait out Retry-After on 429/503', () => {
    expect(afterAttempt({ status: 500, retryAfterSeconds: null }, 1, SCHEDULE, 0)).toEqual({ kind: 'retry', delaySeconds: 5 });
    expect(afterAttempt({ status: 302, retryAfterSeconds: null }, 2, SCHEDULE, 0.999)).toEqual({ kind: 'retry', delaySeconds: 329.97 });
    expect(afterAttempt({ status: null, retryAfterSeconds: null }, 1, SCHEDULE, 0.5)).toEqual({ kind: 'retry', delaySeconds: 5.25 });
    expect(afterAttempt({ status: 429, retryAfterSeconds: 120 }, 1, SCHEDULE, 0)).toEqual({ kind: 'retry', delaySeconds: 120 });
    expect(afterAttempt({ status: 503, retryAfterSeconds: 1 }, 2, SCHEDULE, 0)).toEqual({ kind: 'retry', delaySeconds: 300 });
    expect(afterAttempt({ status: 500, retryAfterSeconds: 120 }, 1, SCHEDULE, 0)).toEqual({ kind: 'retry', delaySeconds: 5 });
  });
});

describe('filterAccepts', () => {
  it('should take everything without a filter, exact types and families with one', () => {
    expect(filterAccepts(null, 'job.progress')).toBe(true);
    expect(filterAccepts([], 'job.progress')).toBe(true);
    expect(filterAccepts(['job.completed'], 'job.completed')).toBe(true);
    expect(filterAccepts(['job.completed'], 'job.failed')).toBe(false);
    expect(filterAccepts(['job.*'], 'job.storyboard_ready')).toBe(true);
    expect(filterAccepts(['webhook.*'], 'job.failed')).toBe(false);
  });
});

describe('signing and payloads', () => {
  it('should sign with each active secret so that either verifies, and drop expired ones', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    const secrets = activeSecrets(
      [
        { secret: `whsec_${Buffer.from('old-secret-old-secret-old-secret').toString('base64')}`, created_at: '2026-11-01T00:00:00Z', expires_at: '2026-12-03T00:00:00Z' },
        { secret: `whsec_${Buffer.from('new-secret-new-secret-new-secret').toString('base64')}`, created_at: '2026-12-01T00:00:00Z', expires_at: null },
        { secret: `whsec_${Buffer.from('gone-secret-gone-secret-gone-sec').toString('base64')}`, created_at: '2026-10-01T00:00:00Z', expires_at: '2026-11-02T00:00:00Z' },
      ],
      now,
    );
    expect(secrets).toHaveLength(2);
    const body = '{"type":"job.completed"}';
    const at = new Date();
    const headers = { 'webhook-id': 'job.x.v9.completed', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signatureHeader(secrets, 'job.x.v9.completed', at, body) };
    expect(headers['webhook-signature'].split(' ').every((s) => s.startsWith('v1,'))).toBe(true);
    for (const s of secrets) expect(new Webhook(s).verify(body, headers)).toEqual({ type: 'job.completed' });
  });

  it('should build {type, timestamp, data} with the job link and without the webhook request', () => {
    const event: JobEvent<'created'> = {
      event_id: 'job.j1.v1.created',
      type: 'job.created',
      schema_version: 1,
      occurred_at: '2026-12-02T01:02:03.000Z',
      job_id: 'j1',
      data: { request: { prompt: 'p', duration: 15, aspect_ratio: '9:16' }, webhook: { url: 'https://x', event_types: null } },
    };
    expect(toWebhookPayload(event, 'https://api.example')).toEqual({
      type: 'job.created',
      timestamp: '2026-12-02T01:02:03.000Z',
      data: { job_id: 'j1', request: { prompt: 'p', duration: 15, aspect_ratio: '9:16' }, links: { job: 'https://api.example/api/v1/jobs/j1' } },
    });
  });

  it('should read Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Wed, 02 Dec 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
