import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { planAd } from '../../src/providers/local/planner/ad-planner';
import { Job } from '../../src/jobs/job.entity';
import { toJobResponse } from '../../src/jobs/job-response';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The read path (docs/design/performance.md, "Status reads"): the status and list bodies read from a few
 * columns and serialized by the response schema are the very bytes the entity path (`findOne` + `toJobResponse`
 * + `JSON.stringify`) gave, for a job in every status; ETags, `If-None-Match` → 304 and `Cache-Control`.
 */
describe('status reads', () => {
  let t: TestApp;
  let orm: MikroORM;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ ROLES: 'api' });
    orm = t.app.get(MikroORM);
    const plan = planAd({ prompt: 'Create a 30 second Instagram ad for luxury watches', duration: 30, aspect_ratio: '9:16' });
    const now = Date.now();
    const em = orm.em.fork();
    const make = (status: Job['status'], extra: Partial<Job>): Job => {
      const id = randomUUID();
      ids[status] = id;
      return em.create(Job, {
        id,
        status,
        prompt: 'Create a 30 second Instagram ad for luxury watches',
        duration: 30,
        aspectRatio: '9:16',
        createdAt: new Date(now - 5000),
        ...extra,
      });
    };
    make('queued', { brandGuidelines: { primary_color: '#D4AF37', style: 'luxury "gold" \\ minimal' } });
    make('processing', {
      startedAt: new Date(now - 4000),
      currentStage: 'video_generation',
      stagesCompleted: ['prompt_parsing', 'image_generation'],
      progressPercentage: 48,
      parsedData: plan,
      scenesTotal: 4,
      scenesDone: 1,
      costPromptParsing: 0.000213,
      costImageGeneration: 0.003,
      costVideoGeneration: 0.25,
      costTotal: 0.253213,
      clips: [{ clip_uri: 'file:///tmp/c0.mp4', duration: 7.5, resolution: '1080x1920' }, null, null, null],
    });
    make('completed', {
      startedAt: new Date(now - 4000),
      completedAt: new Date(now - 1000),
      currentStage: null,
      stagesCompleted: ['prompt_parsing', 'image_generation', 'video_generation', 'composition'],
      progressPercentage: 100,
      parsedData: plan,
      scenesTotal: 4,
      scenesDone: 4,
      costPromptParsing: 0.0002,
      costImageGeneration: 0.003,
      costVideoGeneration: 1.2,
      costComposition: 0,
      costTotal: 1.2032,
      result: { video_uri: 'file:///tmp/final.mp4', thumbnail_uri: 'file:///tmp/thumb.jpg', duration: 30.021, resolution: '1080x1920', file_size_bytes: 5_221_337, scenes: 4 },
    });
    make('failed', {
      startedAt: new Date(now - 4000),
      failedAt: new Date(now - 2000),
      currentStage: 'video_generation',
      stagesCompleted: ['prompt_parsing', 'image_generation'],
      progressPercentage: 41,
      costPromptParsing: 0.0002,
      costImageGeneration: 0.003,
      costTotal: 0.0032,
      error: { code: 'VIDEO_GENERATION_FAILED', message: 'clip 2: "model" refused \u00e9\u4e2d', failed_stage: 'video_generation', details: { service: 'replicate', attempts: 3, last_error: 'x' } },
    });
    make('cancelled', { startedAt: new Date(now - 4000), cancelledAt: new Date(now - 3000), cancelRequested: true, currentStage: 'prompt_parsing', costPromptParsing: 0.0001, costTotal: 0.0001 });
    await em.flush();
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each(['queued', 'processing', 'completed', 'failed', 'cancelled'])('should serve the same bytes as the entity path for a %s job', async (status) => {
    const id = ids[status];
    const res = await fetch(`${t.baseUrl}/api/v1/jobs/${id}`);
    expect(res.status).toBe(200);
    const served = await res.text();
    const entity = await orm.em.fork().findOneOrFail(Job, id);
    expect(served).toBe(JSON.stringify(toJobResponse(entity, t.config.publicBaseUrl)));
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('should answer 304 with the ETag for an unchanged job and 200 once its version moves', async () => {
    const url = `${t.baseUrl}/api/v1/jobs/${ids.processing}`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`W/"${(await orm.em.fork().findOneOrFail(Job, ids.processing)).version}"`);
    expect(first.headers.get('cache-control')).toBe('no-cache');

    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await fetch(url, { headers: { 'if-none-match': `"nope", ${etag.slice(2)}` } })).status).toBe(304);

    const em = orm.em.fork();
    const job = await em.findOneOrFail(Job, ids.processing);
    job.scenesDone = 2;
    await em.flush();
    const changed = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as { progress: { clips_completed: number } }).progress.clips_completed).toBe(2);
  });

  it('should answer each of many concurrent reads with its own job, whatever shares a batch', async () => {
    const wanted = [...Object.values(ids), ...Object.values(ids), randomUUID(), ids.completed.toUpperCase()];
    const answers = await Promise.all(wanted.map((id) => fetch(`${t.baseUrl}/api/v1/jobs/${id}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { job_id?: string } }))));
    answers.forEach((a, i) => {
      if (i === wanted.length - 2) expect(a.status).toBe(404);
      else expect([a.status, a.body.job_id]).toEqual([200, wanted[i].toLowerCase()]);
    });
  });

  it('should send the security headers on a status read', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/jobs/${ids.completed}`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('should answer 404 for an unknown job even with If-None-Match', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/jobs/${randomUUID()}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('should serve the list as before and revalidate it with its ETag', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/jobs?limit=3&offset=1`);
    expect(res.status).toBe(200);
    const served = await res.text();
    const [rows, total] = await orm.em.fork().findAndCount(Job, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 3, offset: 1 });
    const before = {
      jobs: rows.map((j) => ({
        job_id: j.id,
        status: j.status,
        created_at: j.createdAt.toISOString(),
        cost_total: Number(j.costTotal),
        current_stage: j.currentStage,
        percentage: j.progressPercentage,
        // The dashboard's columns (docs/dashboard.md).
        prompt: j.prompt,
        duration: j.duration,
        aspect_ratio: j.aspectRatio,
        updated_at: j.updatedAt.toISOString(),
      })),
      total,
      limit: 3,
      offset: 1,
    };
    expect(served).toBe(JSON.stringify(before));
    const etag = res.headers.get('etag')!;
    expect((await fetch(`${t.baseUrl}/api/v1/jobs?limit=3&offset=1`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${t.baseUrl}/api/v1/jobs?limit=2&offset=1`, { headers: { 'if-none-match': etag } })).status).toBe(200);
  });
});
