import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The REST surface on the real PostgreSQL and NATS: validation, error bodies, lookups, listing, health,
 * metrics and OpenAPI. Pipeline behaviour is in pipeline.test.ts.
 * Stage workers and the saga are off here (ROLES=api) so jobs stay queued and nothing renders.
 */
describe('REST API v1', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ROLES: 'api' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const post = (body: unknown, raw = false) =>
    fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });

  const valid = { prompt: 'Create a 30 second Instagram ad for luxury watches', duration: 30, aspect_ratio: '9:16' };

  it('should create a queued job and answer 201 with the documented fields', async () => {
    const res = await post({ ...valid, brand_guidelines: { primary_color: '#D4AF37', secondary_color: '#000', style: 'luxury minimalist' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['created_at', 'estimated_completion_time', 'job_id', 'status']);
    expect(body.status).toBe('queued');
    expect(body.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(body.estimated_completion_time)).toBeGreaterThan(Date.parse(body.created_at));

    const job = (await (await fetch(`${t.baseUrl}/api/v1/jobs/${body.job_id}`)).json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      job_id: body.job_id,
      status: 'queued',
      progress: { current_stage: 'queued', stages_completed: [], percentage: 0 },
      cost: { prompt_parsing: 0, image_generation: 0, video_generation: 0, composition: 0, total: 0 },
      result: null,
      error: null,
    });
  });

  it.each([
    ['a short prompt', { ...valid, prompt: 'too short' }, ['prompt']],
    ['a long prompt', { ...valid, prompt: 'x'.repeat(501) }, ['prompt']],
    ['a duration under 15', { ...valid, duration: 14 }, ['duration']],
    ['a duration over 60', { ...valid, duration: 61 }, ['duration']],
    ['a fractional duration', { ...valid, duration: 30.5 }, ['duration']],
    ['a string duration', { ...valid, duration: '30' }, ['duration']],
    ['an unknown aspect ratio', { ...valid, aspect_ratio: '4:3' }, ['aspect_ratio']],
    ['missing fields', {}, ['prompt', 'duration', 'aspect_ratio']],
    ['a bad colour', { ...valid, brand_guidelines: { primary_color: 'gold' } }, ['brand_guidelines.primary_color']],
    ['a long style', { ...valid, brand_guidelines: { style: 's'.repeat(101) } }, ['brand_guidelines.style']],
    ['an unknown field', { ...valid, colour: 'red' }, ['colour']],
  ])('should reject %s with 400 INVALID_INPUT naming each bad field', async (_name, body, fields) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { code: string; message: string; details: { fields: Record<string, string[]> } } };
    expect(err.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(err.error.details.fields).sort()).toEqual([...fields].sort());
  });

  it('should answer a malformed JSON body with 400 INVALID_INPUT in the error shape', async () => {
    const res = await post('{"prompt": "unterminated', true);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.message).toMatch(/JSON/);
  });

  it('should answer 404 NOT_FOUND for an unknown job and 400 for a malformed id', async () => {
    const missing = await fetch(`${t.baseUrl}/api/v1/jobs/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const bad = await fetch(`${t.baseUrl}/api/v1/jobs/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    const video = await fetch(`${t.baseUrl}/api/v1/jobs/00000000-0000-4000-8000-000000000000/video`);
    expect(video.status).toBe(404);
  });

  it('should list jobs newest first with total, limit and offset, filtered by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await post(valid)).json()) as { job_id: string }).job_id);
    const page = (await (await fetch(`${t.baseUrl}/api/v1/jobs?status=queued&limit=2&offset=0`)).json()) as {
      jobs: Array<{ job_id: string; status: string; cost_total: number }>;
      total: number;
      limit: number;
      offset: number;
    };
    expect(page.limit).toBe(2);
    expect(page.offset).toBe(0);
    expect(page.total).toBeGreaterThanOrEqual(3);
    expect(page.jobs.map((j) => j.job_id)).toEqual([ids[2], ids[1]]);
    expect(page.jobs.every((j) => j.status === 'queued' && j.cost_total === 0)).toBe(true);
    const next = (await (await fetch(`${t.baseUrl}/api/v1/jobs?status=queued&limit=2&offset=2`)).json()) as { jobs: Array<{ job_id: string }> };
    expect(next.jobs[0].job_id).toBe(ids[0]);
    const bad = await fetch(`${t.baseUrl}/api/v1/jobs?limit=1000`);
    expect(bad.status).toBe(400);
  });

  it('should cancel a queued job and answer 409 when cancelling it again', async () => {
    const { job_id } = (await (await post(valid)).json()) as { job_id: string };
    const res = await fetch(`${t.baseUrl}/api/v1/jobs/${job_id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('cancelled');
    const again = await fetch(`${t.baseUrl}/api/v2/jobs/${job_id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
  });

  it('should report health with database and NATS connected', async () => {
    const res = await fetch(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy', service: 'ai-video-orchestrator', database: 'connected', nats: 'connected', version: expect.any(String), uptime_seconds: expect.any(Number) });
  });

  it('should serve Prometheus metrics that count created jobs', async () => {
    const count = async () => Number(/^ad_jobs_created_total (\d+)/m.exec(await (await fetch(`${t.baseUrl}/metrics`)).text())?.[1]);
    const before = await count();
    expect((await post(valid)).status).toBe(201);
    expect(await count()).toBe(before + 1);
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/# TYPE ad_stage_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE ad_stage_cost_usd_total counter/);
    expect(text).toMatch(/# TYPE ad_jobs_finished_total counter/);
    // Prometheus' own linter, where it is installed (Debian package `prometheus`).
    if (existsSync('/usr/bin/promtool')) {
      const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    }
  });

  it('should serve the OpenAPI document at /docs', async () => {
    const res = await fetch(`${t.baseUrl}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/generate-ad', '/api/v1/jobs/{job_id}', '/health']));
    expect((await fetch(`${t.baseUrl}/docs`)).status).toBe(200);
  });

  it('should show the v2 API in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v2/generate', '/api/v2/jobs/{job_id}', '/api/v2/jobs/{job_id}/render', '/api/v2/jobs/{job_id}/refine', '/api/v2/jobs/{job_id}/storyboard/{scene_number}']),
    );
  });
});
