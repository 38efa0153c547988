import { MikroORM } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyAd } from '../../src/media/ffprobe';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface ErrorBody {
  error: { code: string; message: string; details: { fields?: Record<string, string[]> } & Record<string, unknown> };
}

interface CreatedBatchJob {
  job_id: string;
  variation: number;
  status: string;
  created_at: string;
  estimated_completion_time: string;
  links: { self: string; video: string; thumbnail: string; cancel: string };
}

interface BatchBody {
  batch_id: string;
  status: string;
  counts: Record<string, number>;
  jobs: Array<{
    job_id: string;
    variation: number;
    status: string;
    progress: { current_stage: string | null; percentage: number };
    video_url: string | null;
    thumbnail_url: string | null;
    cost: { total: number };
    error: { code: string; message: string } | null;
    links: { self: string };
  }>;
  cost: { total: number };
  created_at: string;
  updated_at: string;
}

const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
const REQUEST = { prompt: 'Create a 15 second square ad for a neighbourhood coffee roaster, warm and cosy', duration: 15, aspect_ratio: '1:1' };
const TERMINAL = ['completed', 'failed', 'cancelled'];

const post = (t: TestApp, route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.baseUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const getJson = async <T>(url: string, headers: Record<string, string> = {}): Promise<T> => (await (await fetch(url, { headers })).json()) as T;
const sql = <T>(t: TestApp, q: string, params: unknown[] = []): Promise<T[]> => t.app.get<MikroORM>(MikroORM).em.fork().execute(q, params);
const count = async (t: TestApp, q: string, params: unknown[] = []): Promise<number> => Number((await sql<{ n: string }>(t, q, params))[0].n);

/** sha256 and the ffprobe check of a served MP4. */
async function fetchAd(url: string): Promise<{ sha256: string; problems: string[] }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'batch-ad-'));
  try {
    const file = path.join(dir, 'ad.mp4');
    await writeFile(file, bytes);
    const { problems } = await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1080 });
    return { sha256: createHash('sha256').update(bytes).digest('hex'), problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Batches and variations of the v1 API (docs/api.md, "Batches and variations") on the real PostgreSQL, NATS
 * and ffmpeg: jobs made together share a batch id, variations draw their own pictures, a bad batch creates
 * nothing, and admission (ownership, queue, idempotency) is generate-ad's.
 */
describe('batches and variations (v1)', () => {
  describe('rendering on the local providers (planning on the fake OpenAI, for a cost)', () => {
    const openai = new FakeOpenAiServer();
    let t: TestApp;

    beforeAll(async () => {
      await openai.start();
      t = await startTestApp({
        PROMPT_PARSER_PROVIDER: 'openai',
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: `${openai.url}/v1`,
        MAX_PARALLEL_VIDEO_GENERATIONS: '2',
      });
    });
    afterAll(async () => {
      await t?.close();
      await openai.close();
    });

    let variationAds: string[] = [];

    it('should make 2 variations of one generate-ad request that share a batch id, complete, differ and both verify', async () => {
      const res = await post(t, '/api/v1/generate-ad', { ...REQUEST, variations: 2 });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { job_id: string; status: string; batch_id: string; jobs: CreatedBatchJob[]; links: { batch: string } };
      expect(created.status).toBe('queued');
      expect(created.jobs.map((j) => j.variation)).toEqual([0, 1]);
      expect(created.job_id).toBe(created.jobs[0].job_id);
      expect(new Set(created.jobs.map((j) => j.job_id)).size).toBe(2);
      expect(created.links.batch).toBe(`${t.baseUrl}/api/v1/batches/${created.batch_id}`);
      const rows = await sql<{ id: string; batch_id: string; variation_index: number }>(t, 'select id, batch_id, variation_index from jobs where batch_id = ? order by variation_index', [created.batch_id]);
      expect(rows.map((r) => [r.id, r.variation_index])).toEqual(created.jobs.map((j) => [j.job_id, j.variation]));
      // Each job published its own job.created, carrying the batch and its variation.
      const events = await sql<{ payload: { job_id: string; data: { batch_id?: string; variation?: number } } }>(
        t,
        `select payload from outbox where subject like '%.created.%' and payload->>'job_id' in (?, ?)`,
        created.jobs.map((j) => j.job_id),
      );
      expect(events.map((e) => [e.payload.job_id, e.payload.data.batch_id, e.payload.data.variation]).sort()).toEqual(
        created.jobs.map((j) => [j.job_id, created.batch_id, j.variation]).sort(),
      );

      const batch = await pollUntil(
        () => getJson<BatchBody>(created.links.batch),
        (b) => b.jobs.every((j) => TERMINAL.includes(j.status)),
        560_000,
        1000,
      );
      expect(batch.jobs.map((j) => j.error)).toEqual([null, null]);
      expect(batch.status).toBe('completed');
      expect(batch.counts).toEqual({ queued: 0, processing: 0, completed: 2, failed: 0, cancelled: 0 });
      expect(batch.jobs.map((j) => j.job_id)).toEqual(created.jobs.map((j) => j.job_id));

      // The batch's figures are its jobs' own.
      const jobs = await Promise.all(batch.jobs.map((j) => getJson<{ cost: { total: number }; progress: { percentage: number }; result: { video_url: string } }>(j.links.self)));
      expect(batch.jobs.map((j) => j.cost.total)).toEqual(jobs.map((j) => j.cost.total));
      expect(batch.jobs.map((j) => j.progress.percentage)).toEqual([100, 100]);
      expect(batch.jobs.map((j) => j.video_url)).toEqual(jobs.map((j) => j.result.video_url));
      expect(batch.cost.total).toBeCloseTo(jobs[0].cost.total + jobs[1].cost.total, 6);
      expect(batch.cost.total).toBeGreaterThan(0);

      const ads = await Promise.all(batch.jobs.map((j) => fetchAd(j.video_url!)));
      expect(ads.map((a) => a.problems)).toEqual([[], []]);
      expect(ads[0].sha256).not.toBe(ads[1].sha256);
      variationAds = ads.map((a) => a.sha256);

      // The pictures differ from the reference design on: each variation drew its own.
      const refs = await sql<{ reference_image_url: string }>(t, 'select reference_image_url from jobs where batch_id = ? order by variation_index', [created.batch_id]);
      const refHashes = await Promise.all(refs.map(async (r) => createHash('sha256').update(await readFile(new URL(r.reference_image_url))).digest('hex')));
      expect(refHashes[0]).not.toBe(refHashes[1]);
    }, 600_000);

    it('should make a batch of several requests whose variation 0 is the single job of the request (all served by the stage cache)', async () => {
      expect(variationAds).toHaveLength(2);
      const res = await post(t, '/api/v1/batch', { requests: [REQUEST, { ...REQUEST, variations: 2 }] });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { batch_id: string; status: string; jobs: CreatedBatchJob[]; links: { batch: string } };
      expect(created.jobs.map((j) => j.variation)).toEqual([0, 0, 1]);
      const batch = await pollUntil(
        () => getJson<BatchBody>(created.links.batch),
        (b) => b.jobs.every((j) => TERMINAL.includes(j.status)),
        280_000,
        500,
      );
      expect(batch.status).toBe('completed');
      // Nothing was computed again: every stage came from the cache, at no cost.
      const cache = await Promise.all(batch.jobs.map((j) => getJson<{ cache: Record<string, unknown> }>(j.links.self)));
      for (const c of cache) {
        expect(Object.keys(c.cache).sort()).toEqual(['composition', 'image_generation', 'prompt_parsing', 'video_generation']);
        expect(Object.values(c.cache).flat().every((hit) => hit === true)).toBe(true);
      }
      expect(batch.cost.total).toBe(0);
      const ads = await Promise.all(batch.jobs.map((j) => fetchAd(j.video_url!)));
      expect(ads.map((a) => a.problems)).toEqual([[], [], []]);
      expect(ads.map((a) => a.sha256)).toEqual([variationAds[0], variationAds[0], variationAds[1]]);

      // A single job of the request is variation 0 too: served whole by the cache, the same bytes.
      const single = (await (await post(t, '/api/v1/generate-ad', REQUEST)).json()) as { job_id: string };
      const job = await pollUntil(
        () => getJson<{ status: string; cost: { total: number }; result: { video_url: string } | null }>(`${t.baseUrl}/api/v1/jobs/${single.job_id}`),
        (j) => TERMINAL.includes(j.status),
        120_000,
        500,
      );
      expect(job.status).toBe('completed');
      expect(job.cost.total).toBe(0);
      expect((await fetchAd(job.result!.video_url)).sha256).toBe(variationAds[0]);
    }, 300_000);
  });

  describe('with AUTH_MODE=on, API role only (jobs stay queued)', () => {
    let t: TestApp;
    const keys: Record<string, string> = {};

    async function createKey(clientId: string, role: 'user' | 'admin' = 'user'): Promise<string> {
      const res = await post(t, '/api/v1/admin/api-keys', { clientId, userId: `${clientId}-user`, role }, { 'x-api-key': ADMIN_KEY });
      expect(res.status).toBe(201);
      return ((await res.json()) as { key: string }).key;
    }
    const as = (client: string) => ({ 'x-api-key': keys[client] });
    const jobCount = () => count(t, 'select count(*) as n from jobs');
    const createdEvents = () => count(t, `select count(*) as n from outbox where subject like '%.created.%'`);

    beforeAll(async () => {
      t = await startTestApp({ ROLES: 'api', AUTH_MODE: 'on', ADMIN_API_KEY: ADMIN_KEY, MAX_QUEUED_JOBS_PER_CLIENT: '5' });
      for (const c of ['acme', 'globex', 'flood']) keys[c] = await createKey(c);
      keys.ops = await createKey('ops', 'admin');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('should refuse a bad batch with 400 naming the field, and create nothing', async () => {
      const before = [await jobCount(), await createdEvents()];
      const eleven = await post(t, '/api/v1/batch', { requests: Array.from({ length: 11 }, () => REQUEST) }, as('acme'));
      expect(eleven.status).toBe(400);
      const elevenBody = (await eleven.json()) as ErrorBody;
      expect(elevenBody.error.code).toBe('INVALID_INPUT');
      expect(Object.keys(elevenBody.error.details.fields!)).toEqual(['requests']);

      const oneBad = await post(t, '/api/v1/batch', { requests: [REQUEST, { ...REQUEST, duration: 5 }, REQUEST, { ...REQUEST, brand_guidelines: { primary_color: 'gold' } }] }, as('acme'));
      expect(oneBad.status).toBe(400);
      const oneBadBody = (await oneBad.json()) as ErrorBody;
      expect(oneBadBody.error.code).toBe('INVALID_INPUT');
      expect(Object.keys(oneBadBody.error.details.fields!).sort()).toEqual(['requests.1.duration', 'requests.3.brand_guidelines.primary_color']);

      const unknownKey = await post(t, '/api/v1/batch', { requests: [REQUEST, { ...REQUEST, colour: 'red' }] }, as('acme'));
      expect(unknownKey.status).toBe(400);
      expect(Object.keys(((await unknownKey.json()) as ErrorBody).error.details.fields!)).toEqual(['requests.1.colour']);

      const tooMany = await post(t, '/api/v1/batch', { requests: [1, 2, 3, 4].map(() => ({ ...REQUEST, variations: 3 })) }, as('acme'));
      expect(tooMany.status).toBe(400);
      expect(((await tooMany.json()) as ErrorBody).error.details.fields).toEqual({ requests: [expect.stringContaining('at most 10 jobs')] });

      const empty = await post(t, '/api/v1/batch', { requests: [] }, as('acme'));
      expect(empty.status).toBe(400);
      expect(Object.keys(((await empty.json()) as ErrorBody).error.details.fields!)).toEqual(['requests']);

      for (const variations of [0, 4, 1.5, '2']) {
        const res = await post(t, '/api/v1/generate-ad', { ...REQUEST, variations }, as('acme'));
        expect(res.status).toBe(400);
        expect(Object.keys(((await res.json()) as ErrorBody).error.details.fields!)).toEqual(['variations']);
      }
      expect([await jobCount(), await createdEvents()]).toEqual(before);
    });

    it("should answer another client's batch with 404 like an unknown one, 400 for a malformed id, and show it to its owner and an admin", async () => {
      const res = await post(t, '/api/v1/batch', { requests: [REQUEST, { ...REQUEST, aspect_ratio: '9:16' }] }, as('acme'));
      expect(res.status).toBe(201);
      const created = (await res.json()) as { batch_id: string; jobs: CreatedBatchJob[] };
      const url = `${t.baseUrl}/api/v1/batches/${created.batch_id}`;

      const own = await fetch(url, { headers: as('acme') });
      expect(own.status).toBe(200);
      const body = (await own.json()) as BatchBody;
      expect(body.status).toBe('queued');
      expect(body.counts.queued).toBe(2);
      expect(body.jobs.map((j) => j.job_id)).toEqual(created.jobs.map((j) => j.job_id));
      expect(body.jobs.map((j) => [j.video_url, j.cost.total])).toEqual([
        [null, 0],
        [null, 0],
      ]);
      expect((await fetch(url, { headers: as('ops') })).status).toBe(200);

      const foreign = await fetch(url, { headers: as('globex') });
      expect(foreign.status).toBe(404);
      const unknown = await fetch(`${t.baseUrl}/api/v1/batches/00000000-0000-4000-8000-000000000000`, { headers: as('acme') });
      expect(unknown.status).toBe(404);
      const [f, u] = [(await foreign.json()) as ErrorBody, (await unknown.json()) as ErrorBody];
      expect(f.error.code).toBe('NOT_FOUND');
      expect(u.error.code).toBe('NOT_FOUND');
      expect(typeof f.error.message).toBe('string');
      // A job made alone has no batch: its id is no batch id either.
      expect((await fetch(`${t.baseUrl}/api/v1/batches/${created.jobs[0].job_id}`, { headers: as('acme') })).status).toBe(404);

      const malformed = await fetch(`${t.baseUrl}/api/v1/batches/not-a-uuid`, { headers: as('acme') });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as ErrorBody).error.code).toBe('INVALID_INPUT');
      // The jobs themselves are the owner's too.
      expect((await fetch(created.jobs[0].links.self, { headers: as('globex') })).status).toBe(404);

      // Cancelling its jobs one by one: nothing worked on yet, then nothing left.
      const cancel = (i: number) => fetch(created.jobs[i].links.cancel, { method: 'POST', headers: as('acme') });
      expect((await cancel(0)).status).toBe(200);
      const half = await getJson<BatchBody>(url, as('acme'));
      expect([half.status, half.counts.cancelled, half.counts.queued]).toEqual(['queued', 1, 1]);
      expect(half.jobs.map((j) => j.status)).toEqual(['cancelled', 'queued']);
      expect((await cancel(1)).status).toBe(200);
      expect((await getJson<BatchBody>(url, as('acme'))).status).toBe('cancelled');

      // Variations on generate-ad: one batch, owned alike.
      const v = await post(t, '/api/v1/generate-ad', { ...REQUEST, variations: 2 }, as('globex'));
      expect(v.status).toBe(201);
      const vBody = (await v.json()) as { batch_id: string; jobs: CreatedBatchJob[] };
      const rows = await sql<{ batch_id: string; client_id: string }>(t, 'select batch_id, client_id from jobs where id in (?, ?)', vBody.jobs.map((j) => j.job_id));
      expect(rows).toEqual([
        { batch_id: vBody.batch_id, client_id: 'globex' },
        { batch_id: vBody.batch_id, client_id: 'globex' },
      ]);
      expect((await fetch(`${t.baseUrl}/api/v1/batches/${vBody.batch_id}`, { headers: as('acme') })).status).toBe(404);
      // Without variations the answer is today's single-job body.
      const single = await post(t, '/api/v1/generate-ad', REQUEST, as('globex'));
      expect(Object.keys((await single.json()) as object).sort()).toEqual(['created_at', 'estimated_completion_time', 'job_id', 'status']);
    });

    it('should document the batch routes in the OpenAPI document, with the batch body and the batch_id parameter', async () => {
      const doc = await getJson<{
        paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>;
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      }>(`${t.baseUrl}/docs-json`);
      const ref = doc.paths['/api/v1/batch'].post.requestBody!.content['application/json'].schema.$ref;
      expect(Object.keys(doc.components.schemas[ref.split('/').pop()!].properties).sort()).toEqual(['requests', 'webhook_events', 'webhook_url']);
      expect(doc.paths['/api/v1/batches/{batch_id}'].get.parameters!.map((p) => p.name)).toContain('batch_id');
      const generate = doc.paths['/api/v1/generate-ad'].post.requestBody!.content['application/json'].schema.$ref;
      expect(doc.components.schemas[generate.split('/').pop()!].properties).toHaveProperty('variations');
    });

    it('should admit a batch whole or not at all against MAX_QUEUED_JOBS_PER_CLIENT, and replay it for its Idempotency-Key', async () => {
      const flood = () => count(t, `select count(*) as n from jobs where client_id = 'flood'`);
      const six = await post(t, '/api/v1/batch', { requests: [{ ...REQUEST, variations: 3 }, { ...REQUEST, variations: 3 }] }, as('flood'));
      expect(six.status).toBe(429);
      expect(((await six.json()) as ErrorBody).error.details).toMatchObject({ reason: 'queued_jobs', limit: 5, requested: 6 });
      expect(await flood()).toBe(0);

      const idem = { ...as('flood'), 'idempotency-key': `batch-${Date.now()}` };
      const body = { requests: [REQUEST, { ...REQUEST, variations: 3 }] };
      const first = await post(t, '/api/v1/batch', body, idem);
      expect(first.status).toBe(201);
      const replay = await post(t, '/api/v1/batch', body, idem);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.text()).toBe(await first.text());
      expect(await flood()).toBe(4);
      const other = await post(t, '/api/v1/batch', { requests: [REQUEST] }, idem);
      expect(other.status).toBe(422);

      // 4 queued: a second job fits no more as a pair of variations.
      const pair = await post(t, '/api/v1/generate-ad', { ...REQUEST, variations: 2 }, as('flood'));
      expect(pair.status).toBe(429);
      expect(await flood()).toBe(4);
      expect((await post(t, '/api/v1/generate-ad', REQUEST, as('flood'))).status).toBe(201);
    });
  });
});
