import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { JobEvent } from '@app/contracts';
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { readSse, type SseFrame } from '../support/sse-client';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = `whsec_${Buffer.from('push-test-pipeline-secret-32byte').toString('base64')}`;

/**
 * A whole 30 s job (image and clips from the fake team services over the HTTP contract of docs/providers.md; planning
 * and composition local, real ffmpeg) watched two ways at once: the Server-Sent Events stream, dropped
 * mid-composition and resumed with Last-Event-ID, and a per-job webhook. Both must see every event of the
 * job; the progress must move during composition.
 */
describe('job event stream and progress', () => {
  let t: TestApp;
  let orm: MikroORM;
  const team = new FakeTeamServices();
  const receiver = new WebhookReceiver();
  let hookUrl: string;

  beforeAll(async () => {
    await team.start();
    hookUrl = await receiver.start();
    t = await startTestApp({
      IMAGE_PROVIDER: 'http',
      VIDEO_PROVIDER: 'http',
      IMAGE_GEN_URL: team.url,
      VIDEO_GEN_URL: team.url,
      WEBHOOK_SIGNING_SECRET: SECRET,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      SSE_HEARTBEAT_SECONDS: '1',
    });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([team.close(), receiver.close()]);
  });

  it('should answer 404 for an unknown job and 400 for a malformed id before streaming', async () => {
    const missing = await readSse(`${t.baseUrl}/api/v1/jobs/${randomUUID()}/events`, {}, () => undefined);
    expect(missing.status).toBe(404);
    const bad = await readSse(`${t.baseUrl}/api/v1/jobs/not-a-uuid/events`, {}, () => undefined);
    expect(bad.status).toBe(400);
  });

  it('should stream every event, let a client resume with Last-Event-ID without a gap, and move progress through composition', async () => {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Create a 30 second YouTube ad for a cloud project management tool', duration: 30, aspect_ratio: '16:9', webhook_url: `${hookUrl}/job` }),
    });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    const url = `${t.baseUrl}/api/v1/jobs/${jobId}/events`;

    // First connection: drop it once composition has reported progress past 90 %.
    const first = await readSse(url, {}, (f) => {
      if (!f.id) return true;
      const ev = JSON.parse(f.data!) as JobEvent<'progress'>;
      return !(ev.type === 'job.progress' && ev.data.stage === 'composition' && ev.data.percentage >= 90);
    });
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    expect(first.endedByServer).toBe(false);
    const resumeFrom = first.frames[first.frames.length - 1].id!;
    const second = await readSse(url, { 'last-event-id': resumeFrom }, () => undefined);
    expect(second.endedByServer).toBe(true);
    const frames: SseFrame[] = [...first.frames, ...second.frames];
    const events = frames.map((f) => JSON.parse(f.data!) as JobEvent);

    const job = (await (await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}`)).json()) as { status: string; progress: { percentage: number } };
    expect(job.status).toBe('completed');
    expect(job.progress.percentage).toBe(100);

    // Every event of the job, once, in the stream's order; `id:` is the event id.
    const stored: Array<{ id: string }> = await orm.em.fork().execute(`select id from outbox where subject like ? order by seq`, [`%.evt.job.%.${jobId}`]);
    expect(frames.map((f) => f.id)).toEqual(stored.map((r) => r.id));
    expect(frames.every((f, i) => f.event === events[i].type && f.id === events[i].event_id)).toBe(true);
    expect(events[events.length - 1].type).toBe('job.completed');

    // Progress: from 0 (created) to 100, never backwards, with at least 5 distinct values inside composition.
    const percentages = events.map((e) => (e.data as { percentage?: number }).percentage).filter((p): p is number => p !== undefined);
    expect([...percentages].sort((a, b) => a - b)).toEqual(percentages);
    expect(percentages[percentages.length - 1]).toBe(100);
    const composing = events.filter((e): e is JobEvent<'progress'> => e.type === 'job.progress' && (e.data as { stage: string }).stage === 'composition');
    const distinct = new Set(composing.map((e) => e.data.percentage));
    expect(distinct.size).toBeGreaterThanOrEqual(5);
    expect([...distinct].every((p) => p > 85 && p < 100)).toBe(true);
    // The estimate comes from the measured speed and moves with it.
    const etas = composing.map((e) => e.data.estimated_completion_time);
    expect(etas.every((x) => x !== null && !Number.isNaN(Date.parse(x)))).toBe(true);
    expect(new Set(etas).size).toBeGreaterThan(1);
    const versions = events.map((e) => (e.data as { version?: number }).version ?? 0);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);

    // The per-job webhook got the same events, each verifiable.
    const hooks = await pollUntil(async () => receiver.forJob(jobId), (h) => h.length >= stored.length, 30_000);
    const verifier = new Webhook(SECRET);
    for (const h of hooks) verifier.verify(h.body, h.headers);
    expect(hooks.map((h) => h.headers['webhook-id'])).toEqual(stored.map((r) => r.id));
  });

  it('should replay a finished job and end after its terminal event, with heartbeats on a quiet stream', async () => {
    const rows: Array<{ id: string }> = await orm.em.fork().execute(`select id from jobs where status = 'completed' limit 1`);
    const replay = await readSse(`${t.baseUrl}/api/v1/jobs/${rows[0].id}/events`, {}, () => undefined);
    expect(replay.endedByServer).toBe(true);
    expect(replay.frames[replay.frames.length - 1].event).toBe('job.completed');

    // A v2 job waiting at its storyboard for review is quiet for as long as it waits, however fast the
    // machine (a running job may finish, from the stage cache, before two heartbeats).
    const created = await fetch(`${t.baseUrl}/api/v2/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ creativePrompt: 'Create a 15 second ad for a neighbourhood bakery', duration: 15, aspectRatio: '1:1' }),
    });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    let heartbeats = 0;
    let cancelling = false;
    const stream = await readSse(`${t.baseUrl}/api/v1/jobs/${jobId}/events`, {}, (f) => {
      if (!f.id) heartbeats = f.comments;
      if (heartbeats >= 2 && !cancelling) {
        cancelling = true;
        void fetch(`${t.baseUrl}/api/v2/jobs/${jobId}`, { method: 'DELETE' });
      }
    });
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    expect(stream.endedByServer).toBe(true);
    expect(stream.frames[stream.frames.length - 1].event).toBe('job.cancelled');
  });
});
