import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';

interface Fixture {
  hoursAgo: number;
  status: 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
  costUsd: number;
  /** Seconds from creation to completion (completed jobs). */
  durationSeconds?: number;
  code?: string;
  /** Written as queued first and moved to its final state by an update, as the saga does. */
  viaUpdate?: boolean;
}

/**
 * `GET /api/v1/metrics` against rows written straight into the jobs and stage_attempts tables (ROLES=api:
 * no saga touches them), compared with the same figures counted by hand from the fixture list.
 */
describe('GET /api/v1/metrics', () => {
  let t: TestApp;
  let orm: MikroORM;

  const fixtures: Fixture[] = [
    { hoursAgo: 0.5, status: 'completed', costUsd: 1.2, durationSeconds: 200 },
    { hoursAgo: 2, status: 'completed', costUsd: 2.4, durationSeconds: 300, viaUpdate: true },
    { hoursAgo: 5, status: 'completed', costUsd: 1.5, durationSeconds: 250 },
    { hoursAgo: 7, status: 'failed', costUsd: 0.6, code: 'VIDEO_GENERATION_FAILED' },
    { hoursAgo: 9, status: 'failed', costUsd: 0.1, code: 'TIMEOUT', viaUpdate: true },
    { hoursAgo: 11, status: 'failed', costUsd: 0.7, code: 'VIDEO_GENERATION_FAILED' },
    { hoursAgo: 13, status: 'cancelled', costUsd: 0.3 },
    { hoursAgo: 20, status: 'processing', costUsd: 0.9 },
    { hoursAgo: 23.5, status: 'queued', costUsd: 0 },
    // Outside 24 h:
    { hoursAgo: 25, status: 'completed', costUsd: 9, durationSeconds: 999 },
    { hoursAgo: 72, status: 'failed', costUsd: 5, code: 'COMPOSITION_FAILED' },
  ];
  /** Composition attempt durations (seconds) of the completed jobs in the window, and one outside it. */
  const compositionSeconds = [20, 24, 31];

  beforeAll(async () => {
    t = await startTestApp({ ROLES: 'api' });
    orm = t.app.get(MikroORM);
    const em = orm.em.fork();
    const now = Date.now();
    for (const f of fixtures) {
      const id = randomUUID();
      const created = new Date(now - f.hoursAgo * 3600_000);
      const final = [f.status, f.costUsd, f.durationSeconds ? new Date(created.getTime() + f.durationSeconds * 1000) : null, f.code ? JSON.stringify({ code: f.code, message: 'x', failed_stage: null, details: {} }) : null];
      await em.execute(
        `insert into jobs (id, status, cost_total, completed_at, error, prompt, duration, aspect_ratio, created_at) values (?, ?, ?, ?, ?, 'metrics fixture', 15, '9:16', ?)`,
        [id, ...(f.viaUpdate ? ['queued', 0, null, null] : final), created],
      );
      if (f.viaUpdate) {
        await em.execute(`update jobs set status = 'processing', cost_total = ? where id = ?`, [f.costUsd / 2, id]);
        await em.execute(`update jobs set status = ?, cost_total = ?, completed_at = ?, error = ? where id = ?`, [...final, id]);
      }
    }
    for (const [i, seconds] of [...compositionSeconds, 400].entries()) {
      const finished = new Date(now - (i === 3 ? 30 : 1) * 3600_000);
      const id = randomUUID();
      await em.execute(
        `insert into stage_attempts (attempt_id, job_id, stage, status, created_at, updated_at) values (?, ?, 'composition', 'running', ?, ?)`,
        [id, randomUUID(), new Date(finished.getTime() - seconds * 1000), new Date(finished.getTime() - seconds * 1000)],
      );
      // Attempts finish by an update, as the stage runner does: the rollup trigger counts that transition.
      await em.execute(`update stage_attempts set status = 'succeeded', updated_at = ? where attempt_id = ?`, [finished, id]);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should match a count by hand over the last 24 h', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/metrics?time_range=24h`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;

    const inWindow = fixtures.filter((f) => f.hoursAgo < 24);
    const completed = inWindow.filter((f) => f.status === 'completed');
    const failed = inWindow.filter((f) => f.status === 'failed');
    const totalCost = inWindow.reduce((s, f) => s + f.costUsd, 0);
    const r1 = (n: number) => Math.round(n * 10) / 10;
    expect(body).toMatchObject({
      time_range: '24h',
      total_jobs: inWindow.length,
      completed_jobs: completed.length,
      failed_jobs: failed.length,
      success_rate: r1((100 * completed.length) / (completed.length + failed.length)),
      average_cost_usd: Math.round((totalCost / inWindow.length) * 100) / 100,
      average_duration_seconds: r1(completed.reduce((s, f) => s + f.durationSeconds!, 0) / completed.length),
      total_cost_usd: Math.round(totalCost * 100) / 100,
      jobs_per_hour: r1(inWindow.length / 24),
      failures_by_code: { VIDEO_GENERATION_FAILED: 2, TIMEOUT: 1 },
    });
    // Percentiles from the hourly rollup: within a bucket (about 4.4 %) of the exact median.
    const composition = (body.stage_durations as Record<string, { p50_seconds: number; p95_seconds: number; samples: number }>).composition;
    expect(composition.samples).toBe(3);
    expect(Math.abs(composition.p50_seconds - 24) / 24).toBeLessThan(0.05);
    expect(Math.abs(composition.p95_seconds - 31) / 31).toBeLessThan(0.05);
  });

  it('should widen with the window and reject an unknown one', async () => {
    const week = (await (await fetch(`${t.baseUrl}/api/v1/metrics?time_range=7d`)).json()) as { total_jobs: number; failures_by_code: Record<string, number> };
    expect(week.total_jobs).toBe(fixtures.length);
    expect(week.failures_by_code.COMPOSITION_FAILED).toBe(1);
    const hour = (await (await fetch(`${t.baseUrl}/api/v1/metrics?time_range=1h`)).json()) as { total_jobs: number; jobs_per_hour: number };
    expect(hour).toMatchObject({ total_jobs: 1, jobs_per_hour: 1 });
    const bad = await fetch(`${t.baseUrl}/api/v1/metrics?time_range=2w`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
  });
});
