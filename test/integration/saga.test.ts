import { MikroORM } from '@mikro-orm/postgresql';
import type { AdPlan, StageCompleted, StageName } from '@app/contracts';
import { JobReaper } from '../../src/jobs/job-reaper';
import { JobSagaHandler } from '../../src/jobs/job-saga.handler';
import { SAGA_RESULTS_DURABLE } from '../../src/jobs/saga.consumer';
import { planAd } from '../../src/providers/local/planner/ad-planner';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

/**
 * The saga's guarantees on the real PostgreSQL and NATS, driven without stage workers (ROLES=api,orchestrator):
 * duplicates are no-ops, fan-in under concurrent "last" clips starts composition once, MAX_CONCURRENT_JOBS
 * holds and queued jobs start in order, stuck jobs time out and lost requests are re-driven (time injected).
 */
describe('job saga on PostgreSQL', () => {
  let t: TestApp;
  let saga: JobSagaHandler;
  let orm: MikroORM;

  beforeAll(async () => {
    t = await startTestApp({ ROLES: 'api,orchestrator', MAX_CONCURRENT_JOBS: '2', MAX_PARALLEL_VIDEO_GENERATIONS: '4' });
    saga = t.app.get(JobSagaHandler);
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
  });

  const request = { prompt: 'Create a 30 second Instagram ad for luxury watches', duration: 30, aspect_ratio: '9:16' as const };

  async function createJob(): Promise<string> {
    const res = await fetch(`${t.baseUrl}/api/v1/generate-ad`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    return ((await res.json()) as { job_id: string }).job_id;
  }

  async function row(jobId: string): Promise<{ status: string; current_stage: string | null; attempts: Record<string, string>; version: number; scenes_done: number; error: { code: string } | null }> {
    const rows = await orm.em.fork().execute('select status, current_stage, attempts, version, scenes_done, error from jobs where id = ?', [jobId]);
    return rows[0] as never;
  }

  function completion(jobId: string, stage: StageName, attemptId: string, output: unknown, sceneIndex: number | null = null): StageCompleted {
    return {
      event_id: `res.${attemptId}`,
      type: 'stage.completed',
      schema_version: 1,
      occurred_at: new Date().toISOString(),
      job_id: jobId,
      data: { stage, attempt_id: attemptId, scene_index: sceneIndex, output: output as never, cost_usd: 0.1, processing_time_seconds: 1, provider: 'test', attempts: 1 },
    };
  }

  /** Waits until the relay has published the request of stage attempt `attemptId`. */
  async function requestPublished(attemptId: string): Promise<void> {
    await pollUntil(
      async () => (await orm.em.fork().execute('select published_at from outbox where id = ?', [`req.${attemptId}`]))[0] as { published_at: Date | null } | undefined,
      (r) => !!r?.published_at,
    );
  }

  async function cancelAll(): Promise<void> {
    const rows: Array<{ id: string }> = await orm.em.fork().execute(`select id from jobs where status in ('queued','processing')`);
    for (const r of rows) await saga.command(r.id, { type: 'job.cancel', event_id: `cancel.${r.id}` });
  }

  it('should apply each event once, start composition exactly once when the last clips finish together, and count each cost once', async () => {
    const jobId = await createJob();
    const started = await pollUntil(() => row(jobId), (r) => r.status === 'processing');
    const plan: AdPlan = planAd(request);

    const parsed = completion(jobId, 'prompt_parsing', started.attempts.prompt_parsing, plan);
    expect((await saga.handleEvent(SAGA_RESULTS_DURABLE, parsed)).kind).toBe('applied');
    expect(await saga.handleEvent(SAGA_RESULTS_DURABLE, parsed)).toEqual({ kind: 'ignored', reason: 'duplicate' });

    const afterPlan = await row(jobId);
    const image = completion(jobId, 'image_generation', afterPlan.attempts.image_generation, { image_uri: 'file:///tmp/ref.png', seed: 1, width: 1080, height: 1920 });
    expect((await saga.handleEvent(SAGA_RESULTS_DURABLE, image)).kind).toBe('applied');

    // The storyboard: one still per scene (a v1 job is approved up front, so the clips follow).
    const n = plan.scenes.length;
    for (let i = 0; i < n; i++) {
      const current = await row(jobId);
      const still = completion(jobId, 'storyboard', current.attempts[`storyboard.${i}`], { image_uri: `file:///tmp/still-${i}.png`, seed: i, width: 1080, height: 1920 }, i);
      expect((await saga.handleEvent(SAGA_RESULTS_DURABLE, still)).kind).toBe('applied');
    }

    const fanned = await row(jobId);
    const clips = plan.scenes.map((s, i) =>
      completion(jobId, 'video_generation', fanned.attempts[`video_generation.${i}`], { clip_uri: `file:///tmp/${i}.mp4`, duration: s.duration, resolution: '1080x1920' }, i),
    );
    // Every clip completes at the same instant, each delivered twice: the row lock and inbox serialise them.
    const results = await Promise.all([...clips, ...clips].map((c) => saga.handleEvent(SAGA_RESULTS_DURABLE, c)));
    expect(results.filter((r) => r.kind === 'applied')).toHaveLength(n);

    const after = await row(jobId);
    expect(after).toMatchObject({ status: 'processing', current_stage: 'composition', scenes_done: n });
    const compositionRequests: Array<{ n: string }> = await orm.em
      .fork()
      .execute(`select count(*) as n from outbox where subject like ? `, [`%.stage.req.composition.${jobId}`]);
    expect(Number(compositionRequests[0].n)).toBe(1);
    const transitions: Array<{ n: string; d: string }> = await orm.em
      .fork()
      .execute('select count(*) as n, count(distinct version) as d from job_transitions where job_id = ?', [jobId]);
    expect(transitions[0].n).toBe(transitions[0].d);
    const cost: Array<{ cost_video_generation: string }> = await orm.em.fork().execute('select cost_video_generation from jobs where id = ?', [jobId]);
    expect(Number(cost[0].cost_video_generation)).toBeCloseTo(0.1 * n, 6);
    await cancelAll();
  });

  it('should hold MAX_CONCURRENT_JOBS and start queued jobs in creation order as slots free', async () => {
    await cancelAll();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await createJob());
    await pollUntil(async () => Promise.all(ids.map(row)), (rs) => rs.filter((r) => r.status === 'processing').length === 2);
    // Give any further (wrong) start a chance to land, then check again.
    await saga.startQueued();
    let rows = await Promise.all(ids.map(row));
    expect(rows.map((r) => r.status)).toEqual(['processing', 'processing', 'queued', 'queued']);

    await saga.command(ids[0], { type: 'job.cancel', event_id: `cancel.${ids[0]}` });
    rows = await Promise.all(ids.map(row));
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'processing', 'processing', 'queued']);
    await cancelAll();
  });

  it('should fail a job without progress past its deadline with TIMEOUT, and re-drive lost requests but not those a live worker holds', async () => {
    await cancelAll();
    const reaper = t.app.get(JobReaper);
    const quiet = await createJob();
    await pollUntil(() => row(quiet), (r) => r.status === 'processing');
    const attempt = (await row(quiet)).attempts.prompt_parsing;
    await requestPublished(attempt);

    // Past the duplicate window plus two leases, but before the stall deadline: the request is re-driven.
    const redrive = await reaper.sweep(new Date(Date.now() + (120 + 2 * t.config.stageLeaseSeconds + 5) * 1000));
    expect(redrive.redriven).toContain(`req.${attempt}`);
    expect(redrive.timedOut).not.toContain(quiet);

    // Long waits of a live worker (a hosted clip heartbeating for minutes) are not re-driven: a running
    // attempt whose lease outlives the sweep's `now` was delivered.
    const held = await createJob();
    await pollUntil(() => row(held), (r) => r.status === 'processing');
    const heldAttempt = (await row(held)).attempts.prompt_parsing;
    await requestPublished(heldAttempt);
    const sweepAt = new Date(Date.now() + (120 + 2 * t.config.stageLeaseSeconds + 5) * 1000);
    await orm.em.fork().execute(
      `insert into stage_attempts (attempt_id, job_id, stage, status, deliveries, lease_owner, lease_until) values (?, ?, 'prompt_parsing', 'running', 1, 'test:1', ?)`,
      [heldAttempt, held, new Date(sweepAt.getTime() + 10_000)],
    );
    const skipped = await reaper.sweep(sweepAt);
    expect(skipped.redriven).not.toContain(`req.${heldAttempt}`);
    // Once the lease has run out (the worker died), the same sweep re-drives it.
    const after = await reaper.sweep(new Date(sweepAt.getTime() + 20_000));
    expect(after.redriven).toContain(`req.${heldAttempt}`);

    const late = await reaper.sweep(new Date(Date.now() + (t.config.jobStallTimeoutSeconds + 5) * 1000));
    expect(late.timedOut).toContain(quiet);
    const job = (await (await fetch(`${t.baseUrl}/api/v1/jobs/${quiet}`)).json()) as { status: string; error: { code: string; failed_stage: string } };
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'TIMEOUT', failed_stage: 'prompt_parsing' });
  });
});
