import { SignJWT } from 'jose';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
const JWT_SECRET = 'jwt-secret-for-tests-0123456789abcdef-0123';
const valid = { prompt: 'Create a 15 second square ad for a neighbourhood coffee roaster', duration: 15, aspect_ratio: '1:1' };

/** Creates an API key through the admin endpoint. */
async function createKey(t: TestApp, clientId: string, userId: string, role: 'user' | 'admin' = 'user'): Promise<{ keyId: string; key: string }> {
  const res = await fetch(`${t.baseUrl}/api/v1/admin/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
    body: JSON.stringify({ clientId, userId, role }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { keyId: string; key: string };
}

const generate = (t: TestApp, key: string, body: unknown = valid, extra: Record<string, string> = {}) =>
  fetch(`${t.baseUrl}/api/v1/generate-ad`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...extra },
    body: JSON.stringify(body),
  });

/**
 * Who may do what (docs/security.md) on the real PostgreSQL and NATS: 401 without a credential, API keys
 * and JWTs, another client's records as 404, admins seeing all, per-principal rate limits with Retry-After,
 * idempotent creates, queue admission and the daily hard budget.
 */
describe('access control', () => {
  describe('with AUTH_MODE=on, API role only (jobs stay queued)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ROLES: 'api', AUTH_MODE: 'on', ADMIN_API_KEY: ADMIN_KEY, JWT_SECRET, RATE_LIMITS: 'on', MAX_QUEUED_JOBS_PER_CLIENT: '7' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('should answer 401 UNAUTHORIZED in the error shape without a key, with a bad key and with a revoked key', async () => {
      const none = await fetch(`${t.baseUrl}/api/v1/jobs`);
      expect(none.status).toBe(401);
      const body = (await none.json()) as ErrorBody;
      expect(body.error.code).toBe('UNAUTHORIZED');
      expect(typeof body.error.message).toBe('string');
      expect(body.error.details).toEqual(expect.any(Object));
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': 'avo_00000000_' + 'A'.repeat(43) } })).status).toBe(401);

      const { keyId, key } = await createKey(t, 'revokers', 'u1');
      expect(key).toMatch(/^avo_[0-9a-f]{8}_/);
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': key } })).status).toBe(200);
      const revoked = await fetch(`${t.baseUrl}/api/v1/admin/api-keys/${keyId}`, { method: 'DELETE', headers: { 'x-api-key': ADMIN_KEY } });
      expect(revoked.status).toBe(200);
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': key } })).status).toBe(401);
      // Health stays public.
      expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    });

    it('should refuse the admin endpoints to a user key with 403 FORBIDDEN', async () => {
      const { key } = await createKey(t, 'plain', 'u1');
      const res = await fetch(`${t.baseUrl}/api/v1/admin/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ clientId: 'x', role: 'admin' }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorBody).error.code).toBe('FORBIDDEN');
    });

    it("should hide another client's job (404), filter lists by owner, and let an admin see both", async () => {
      const a = await createKey(t, 'acme', 'alice');
      const b = await createKey(t, 'globex', 'bob');
      const admin = await createKey(t, 'ops', 'root', 'admin');
      const jobA = ((await (await generate(t, a.key)).json()) as { job_id: string }).job_id;
      const jobB = ((await (await generate(t, b.key)).json()) as { job_id: string }).job_id;
      const get = (key: string, id: string, suffix = '') => fetch(`${t.baseUrl}/api/v1/jobs/${id}${suffix}`, { headers: { 'x-api-key': key } });

      expect((await get(a.key, jobA)).status).toBe(200);
      const hidden = await get(a.key, jobB);
      expect(hidden.status).toBe(404);
      const unknown = await get(a.key, '00000000-0000-4000-8000-000000000000');
      // Same code and message shape as a job that does not exist: nothing reveals that it does.
      expect(((await hidden.json()) as ErrorBody).error.code).toBe(((await unknown.json()) as ErrorBody).error.code);
      expect((await get(a.key, jobB, '/video')).status).toBe(404);
      expect((await get(a.key, jobB, '/thumbnail')).status).toBe(404);
      expect((await fetch(`${t.baseUrl}/api/v1/jobs/${jobB}/cancel`, { method: 'POST', headers: { 'x-api-key': a.key } })).status).toBe(404);

      const listA = (await (await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': a.key } })).json()) as { jobs: Array<{ job_id: string }>; total: number };
      expect(listA.jobs.map((j) => j.job_id)).toEqual([jobA]);
      expect(listA.total).toBe(1);

      expect((await get(admin.key, jobA)).status).toBe(200);
      expect((await get(admin.key, jobB)).status).toBe(200);
      const all = (await (await fetch(`${t.baseUrl}/api/v1/jobs?limit=100`, { headers: { 'x-api-key': admin.key } })).json()) as { jobs: Array<{ job_id: string }> };
      expect(all.jobs.map((j) => j.job_id)).toEqual(expect.arrayContaining([jobA, jobB]));
    });

    it('should accept HS256 JWTs with the client claim and reject a wrong audience-less forgery', async () => {
      const secret = new TextEncoder().encode(JWT_SECRET);
      const token = await new SignJWT({ client_id: 'initech', roles: ['user'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('peter').setExpirationTime('5m').sign(secret);
      const res = await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const forged = await new SignJWT({ client_id: 'initech', roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(40)));
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
      const expired = await new SignJWT({ client_id: 'initech' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret);
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    });

    it('should answer the 6th generate inside a minute with 429 RATE_LIMIT_EXCEEDED, Retry-After and X-RateLimit-*', async () => {
      const { key } = await createKey(t, 'hasty', 'h1');
      const other = await createKey(t, 'calm', 'c1');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await generate(t, key);
        statuses.push(res.status);
        expect(res.headers.get('x-ratelimit-limit')).toBe('5');
        expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201]);
      const sixth = await generate(t, key);
      expect(sixth.status).toBe(429);
      const retryAfter = Number(sixth.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');
      const body = (await sixth.json()) as ErrorBody;
      expect(body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(body.error.details).toMatchObject({ class: 'generate', limit: 5, window_seconds: 60 });
      // Another principal has its own window; polling has its own class.
      expect((await generate(t, other.key)).status).toBe(201);
      expect((await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': key } })).status).toBe(200);
    });

    it('should replay the same Idempotency-Key and body as one job with an identical body, and answer 422 for another body', async () => {
      const { key } = await createKey(t, 'retrier', 'r1');
      const idem = { 'idempotency-key': `order-${Date.now()}` };
      const first = await generate(t, key, valid, idem);
      const second = await generate(t, key, { aspect_ratio: valid.aspect_ratio, duration: valid.duration, prompt: valid.prompt }, idem);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const [a, b] = [await first.text(), await second.text()];
      expect(b).toBe(a);
      const list = (await (await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': key } })).json()) as { total: number };
      expect(list.total).toBe(1);

      const other = await generate(t, key, { ...valid, duration: 30 }, idem);
      expect(other.status).toBe(422);
      expect(((await other.json()) as ErrorBody).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Keys are scoped to the principal: the same key from another client is a new request.
      const stranger = await createKey(t, 'stranger', 's1');
      expect((await generate(t, stranger.key, { ...valid, duration: 30 }, idem)).status).toBe(201);
    });

    it('should let concurrent requests with one Idempotency-Key create one job (the rest replay it or get 409)', async () => {
      const { key } = await createKey(t, 'racer', 'r1');
      const idem = { 'idempotency-key': `race-${Date.now()}` };
      const answers = await Promise.all(Array.from({ length: 4 }, () => generate(t, key, valid, idem)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const ids = new Set<string>();
      for (const r of answers) if (r.status === 201) ids.add(((await r.json()) as { job_id: string }).job_id);
      expect(ids.size).toBe(1);
      const list = (await (await fetch(`${t.baseUrl}/api/v1/jobs`, { headers: { 'x-api-key': key } })).json()) as { total: number };
      expect(list.total).toBe(1);
    });

    it('should refuse new jobs past MAX_QUEUED_JOBS_PER_CLIENT with 429 and a reason', async () => {
      const users = await Promise.all([createKey(t, 'flood', 'f1'), createKey(t, 'flood', 'f2')]);
      let refused: Response | null = null;
      for (let i = 0; i < 8 && !refused; i++) {
        const res = await generate(t, users[i % 2].key);
        if (res.status !== 201) refused = res;
      }
      expect(refused?.status).toBe(429);
      expect(((await refused!.json()) as ErrorBody).error.details).toMatchObject({ reason: 'queued_jobs', limit: 7 });
    });
  });

  describe('with a daily hard budget and a paid planning stage', () => {
    const openai = new FakeOpenAiServer();
    let t: TestApp;
    beforeAll(async () => {
      await openai.start();
      t = await startTestApp({
        AUTH_MODE: 'on',
        ADMIN_API_KEY: ADMIN_KEY,
        PROMPT_PARSER_PROVIDER: 'openai',
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: `${openai.url}/v1`,
        BUDGET_SOFT_DAILY_USD: '0.0000005',
        BUDGET_HARD_DAILY_USD: '0.000001',
      });
    });
    afterAll(async () => {
      await t?.close();
      await openai.close();
    });

    it('should refuse new jobs with BUDGET_EXCEEDED once the hard limit is spent while the running job completes, and report usage', async () => {
      const a = await createKey(t, 'spender', 'sam');
      const b = await createKey(t, 'thrifty', 'tom');
      const admin = await createKey(t, 'ops', 'root', 'admin');
      const created = await generate(t, a.key);
      expect(created.status).toBe(201);
      const { job_id } = (await created.json()) as { job_id: string };
      const job = (headers: Record<string, string>) => fetch(`${t.baseUrl}/api/v1/jobs/${job_id}`, { headers }).then((r) => r.json() as Promise<{ status: string; cost: { total: number } }>);

      // The plan is billed: the client is past its hard limit while the job still runs.
      await pollUntil(() => job({ 'x-api-key': a.key }), (j) => j.cost.total > 0, 180_000);
      const refused = await generate(t, a.key);
      expect(refused.status).toBe(402);
      const body = (await refused.json()) as ErrorBody;
      expect(body.error.code).toBe('BUDGET_EXCEEDED');
      expect(body.error.details).toMatchObject({ client_id: 'spender', hard_limit_usd: 0.000001 });
      // Another client is not affected (its job is cancelled at once: one render at a time on a loaded machine).
      const other = await generate(t, b.key);
      expect(other.status).toBe(201);
      const otherId = ((await other.json()) as { job_id: string }).job_id;
      expect((await fetch(`${t.baseUrl}/api/v1/jobs/${otherId}/cancel`, { method: 'POST', headers: { 'x-api-key': b.key } })).status).toBeLessThan(500);

      const done = await pollUntil(() => job({ 'x-api-key': a.key }), (j) => ['completed', 'failed', 'cancelled'].includes(j.status), 400_000, 1000);
      expect(done.status).toBe('completed');

      // Its files: the owner and an admin get them, another client gets 404; an unsatisfiable range is 416.
      const video = (key: string, headers: Record<string, string> = {}) => fetch(`${t.baseUrl}/api/v1/jobs/${job_id}/video`, { headers: { 'x-api-key': key, ...headers } });
      const own = await video(a.key);
      expect(own.status).toBe(200);
      const size = Number(own.headers.get('content-length'));
      await own.arrayBuffer();
      expect((await video(b.key)).status).toBe(404);
      const asAdmin = await video(admin.key);
      expect(asAdmin.status).toBe(200);
      await asAdmin.arrayBuffer();
      const range = await video(a.key, { range: `bytes=${size + 10}-` });
      expect(range.status).toBe(416);
      expect(range.headers.get('content-range')).toBe(`bytes */${size}`);
      expect(((await range.json()) as ErrorBody).error.code).toBe('RANGE_NOT_SATISFIABLE');

      const usage = (await (await fetch(`${t.baseUrl}/api/v2/usage`, { headers: { 'x-api-key': a.key } })).json()) as {
        client_id: string;
        total_usd: number;
        days: Array<{ day: string; client_usd: number; user_usd: number }>;
      };
      expect(usage.client_id).toBe('spender');
      expect(usage.days).toHaveLength(1);
      expect(usage.days[0].client_usd).toBeCloseTo(done.cost.total, 6);
      expect(usage.days[0].user_usd).toBeCloseTo(done.cost.total, 6);
      expect(usage.total_usd).toBeCloseTo(done.cost.total, 6);
      // Each alert is counted once per client and day, however many costs followed (the spender's job billed
      // several stages; the other client's job may have billed its plan before it was cancelled).
      const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
      const soft = Number(/^ad_budget_alerts_total\{level="soft"\} (\d+)$/m.exec(metrics)?.[1]);
      const hard = Number(/^ad_budget_alerts_total\{level="hard"\} (\d+)$/m.exec(metrics)?.[1]);
      expect([1, 2]).toContain(soft);
      expect(hard).toBe(soft);
    });
  });
});
