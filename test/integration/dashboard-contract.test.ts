import { ROUTES, type RouteSpec } from '../../apps/dashboard/src/routes';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

/**
 * The typed API client checked against the OpenAPI document (docs/dashboard.md, "API used by the dashboard"): every route in the dashboard's route
 * table (apps/dashboard/src/routes.ts, the only place the client builds URLs from) exists in the service's
 * /docs-json with its method, query parameters and body fields; routes a later branch adds (`since`) are checked once
 * the document has them. The v1 bodies the client reads carry the fields its types name.
 */
describe('dashboard API client against the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApiDoc;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should find every route the client calls, with its query parameters and body fields', () => {
    const problems: string[] = [];
    const pending: string[] = [];
    for (const [name, spec] of Object.entries(ROUTES) as Array<[string, RouteSpec]>) {
      const op = doc.paths[spec.path]?.[spec.method];
      if (!op) {
        if (spec.since) pending.push(`${name} (${spec.since})`);
        else problems.push(`${name}: ${spec.method.toUpperCase()} ${spec.path} is not in the OpenAPI document`);
        continue;
      }
      const params = new Set((op.parameters ?? []).map((p) => p.name));
      for (const q of spec.query ?? []) if (!params.has(q)) problems.push(`${name}: query parameter ${q} is not documented`);
      for (const p of spec.path.match(/\{(\w+)\}/g) ?? []) if (!params.has(p.slice(1, -1))) problems.push(`${name}: path parameter ${p} is not documented`);
      if (spec.body?.length) {
        const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
        const props = ref ? doc.components?.schemas?.[ref.split('/').pop()!]?.properties : undefined;
        // A body without a documented schema cannot be checked field by field; one with a schema must hold every field.
        if (props) {
          for (const f of spec.body) if (!(f in props)) problems.push(`${name}: body field ${f} is not in ${ref}`);
        } else if (!spec.since) {
          problems.push(`${name}: request body has no schema`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The routes this build does not serve yet are exactly those a later branch adds (`since` in routes.ts).
    for (const p of pending) expect(p).toMatch(/\((issue-10|issue-13|issue-15-upload)\)$/);
  });

  it('should read the v1 job, list, stage and estimate bodies with the fields the client types name', async () => {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Minimal ad for a reusable water bottle, cool blue tones', duration: 15, aspect_ratio: '1:1' }),
    });
    const { job_id: id } = (await created.json()) as { job_id: string };
    const job = await pollUntil(
      async () => (await (await fetch(`${t.baseUrl}/api/v1/jobs/${id}`)).json()) as Record<string, unknown> & { status: string },
      (j) => j.status === 'completed' || j.status === 'failed',
      900_000,
      1000,
    );
    expect(job.status).toBe('completed');
    expect(Object.keys(job)).toEqual(expect.arrayContaining(['job_id', 'status', 'progress', 'cost', 'result', 'error', 'created_at', 'updated_at']));
    expect(Object.keys(job.progress as object)).toEqual(
      expect.arrayContaining(['current_stage', 'stages_completed', 'stages_remaining', 'percentage', 'estimated_completion_time', 'clips_completed', 'clips_total']),
    );
    expect(Object.keys(job.result as object)).toEqual(expect.arrayContaining(['video_url', 'thumbnail_url', 'duration', 'resolution', 'file_size_mb', 'scenes_generated']));

    const list = (await (await fetch(`${t.baseUrl}/api/v1/jobs?limit=5&q=${encodeURIComponent('WATER bottle')}`)).json()) as { jobs: Array<Record<string, unknown>>; total: number };
    expect(list.total).toBe(1);
    expect(Object.keys(list.jobs[0])).toEqual(expect.arrayContaining(['job_id', 'status', 'created_at', 'updated_at', 'cost_total', 'current_stage', 'percentage', 'prompt', 'duration', 'aspect_ratio']));
    // LIKE wildcards in the search are literal text.
    expect(((await (await fetch(`${t.baseUrl}/api/v1/jobs?q=%25`)).json()) as { total: number }).total).toBe(0);

    const stages = (await (await fetch(`${t.baseUrl}/api/v1/jobs/${id}/stages`)).json()) as {
      request: { prompt: string; duration: number };
      attempts: Array<{ stage: string; scene_index: number | null; status: string; provider: string; duration_seconds: number; provider_calls: number; cost_usd: number; cached: boolean; started_at: string }>;
    };
    expect(stages.request).toMatchObject({ prompt: 'Minimal ad for a reusable water bottle, cool blue tones', duration: 15, aspect_ratio: '1:1' });
    const names = stages.attempts.map((a) => a.stage);
    for (const s of ['prompt_parsing', 'image_generation', 'video_generation', 'composition']) expect(names).toContain(s);
    const clips = stages.attempts.filter((a) => a.stage === 'video_generation');
    expect(clips.length).toBe((job.result as { scenes_generated: number }).scenes_generated);
    expect(clips.map((c) => c.scene_index).sort()).toEqual(clips.map((_, i) => i));
    for (const a of stages.attempts) {
      expect(a.status).toBe('succeeded');
      expect(a.provider).toBe('local');
      expect(a.provider_calls).toBeGreaterThanOrEqual(1);
      expect(a.duration_seconds).toBeGreaterThanOrEqual(0);
      expect(a.cached).toBe(false);
    }
    expect((await fetch(`${t.baseUrl}/api/v1/jobs/00000000-0000-4000-8000-000000000000/stages`)).status).toBe(404);

    const estimate = (await (await fetch(`${t.baseUrl}/api/v1/cost-estimate?duration=30`)).json()) as { currency: string; total: number; breakdown: Record<string, number> };
    expect(estimate.currency).toBe('USD');
    expect(Object.keys(estimate.breakdown).sort()).toEqual(['composition', 'image_generation', 'prompt_parsing', 'storyboard', 'video_generation']);
    expect(estimate.total).toBeCloseTo(Object.values(estimate.breakdown).reduce((a, b) => a + b, 0), 6);
    const bad = await fetch(`${t.baseUrl}/api/v1/cost-estimate?duration=61`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
  }, 1_000_000);
});
