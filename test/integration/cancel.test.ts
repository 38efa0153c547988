import { MikroORM } from '@mikro-orm/postgresql';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

/**
 * Cancellation with real stage workers and ffmpeg (docs/design/saga.md, "Cancellation"): the job stops at once for the user, in-flight
 * clip renders are aborted through their AbortSignal, temp files go, partial cost stays, and results that
 * arrive late change nothing.
 */
describe('cancelling a running job', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should abort in-flight work, remove temp files, keep the cost and ignore late results', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A 60 second YouTube ad for a project management app that saves teams 5 hours every week', duration: 60, aspect_ratio: '16:9' }),
    });
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    const orm: MikroORM = t.app.get(MikroORM);
    const running = async () =>
      (await orm.em.fork().execute(`select count(*) as n from stage_attempts where job_id = ? and stage = 'video_generation' and status = 'running'`, [jobId]))[0] as { n: string };
    await pollUntil(running, (r) => Number(r.n) > 0, 120_000, 100);

    const cancel = await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    const body = (await cancel.json()) as { status: string; cost: { total: number }; cancelled_at: string };
    expect(body.status).toBe('cancelled');
    expect(body.cost.total).toBe(0);
    expect(body.cancelled_at).toEqual(expect.any(String));

    // The workers hear job.cancelled and abort their ffmpeg runs: no attempt stays running.
    await pollUntil(running, (r) => Number(r.n) === 0, 30_000, 100);
    const attempts: Array<{ status: string }> = await orm.em.fork().execute(`select status from stage_attempts where job_id = ? and stage = 'video_generation'`, [jobId]);
    expect(attempts.some((a) => a.status === 'cancelled')).toBe(true);
    expect(existsSync(path.join(t.config.artifactDir, 'jobs', jobId))).toBe(false);

    // Every worker has finished its attempt by now, so any late result would have landed: none changed the job.
    const job: Array<{ version: number; status: string }> = await orm.em.fork().execute('select version, status from jobs where id = ?', [jobId]);
    expect(job[0].status).toBe('cancelled');
    const transitions: Array<{ to_status: string }> = await orm.em.fork().execute('select to_status from job_transitions where job_id = ? order by version', [jobId]);
    expect(transitions.at(-1)!.to_status).toBe('cancelled');
    expect(transitions.filter((x) => x.to_status === 'cancelled')).toHaveLength(1);

    const again = await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});
