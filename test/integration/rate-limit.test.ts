import { getStorageToken } from '@nestjs/throttler';
import type { PgThrottlerStorage } from '../../src/access/pg-throttler.storage';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

const LIMIT = 15;

/**
 * Rate-limit counting on the real PostgreSQL (docs/security.md, "Rate limits"; docs/design/performance.md,
 * "Status reads"): hits coalesced into one upsert per event-loop round still get one position each, so a
 * limit of L lets exactly L requests through, across API processes sharing the database.
 */
describe('rate-limit counting', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { ROLES: 'api', RATE_LIMITS: 'on', RATE_LIMIT_POLL: `${LIMIT}/min` };
    a = await startTestApp(env);
    // A second API process on the same database: its own pool, its own batches.
    b = await startTestApp({ ...env, DATABASE_URL: a.config.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('should give each hit of one batch its own position, in call order, and continue the count in the next batch', async () => {
    const storage = a.app.get<PgThrottlerStorage>(getStorageToken(), { strict: false });
    const first = await Promise.all(Array.from({ length: 7 }, () => storage.increment('test:positions', 60_000, 4)));
    expect(first.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(first.map((r) => r.isBlocked)).toEqual([false, false, false, false, true, true, true]);
    for (const r of first) {
      expect(r.timeToExpire).toBeGreaterThan(0);
      expect(r.timeToExpire).toBeLessThanOrEqual(60);
      expect(r.timeToBlockExpire).toBe(r.isBlocked ? r.timeToExpire : 0);
    }
    // Another key in the same round has its own count.
    const [x, y, other] = await Promise.all([
      storage.increment('test:positions', 60_000, 4),
      storage.increment('test:positions', 60_000, 4),
      storage.increment('test:positions-other', 60_000, 4),
    ]);
    expect([x.totalHits, y.totalHits, other.totalHits]).toEqual([8, 9, 1]);
  });

  it('should hand two processes hitting one key in the same round disjoint, contiguous ranges of positions', async () => {
    const sa = a.app.get<PgThrottlerStorage>(getStorageToken(), { strict: false });
    const sb = b.app.get<PgThrottlerStorage>(getStorageToken(), { strict: false });
    expect(sa).not.toBe(sb);
    const hit = (s: PgThrottlerStorage) => s.increment('test:shared', 60_000, 10);
    const [fromA, fromB] = await Promise.all([Promise.all(Array.from({ length: 12 }, () => hit(sa))), Promise.all(Array.from({ length: 12 }, () => hit(sb)))]);
    const pa = fromA.map((r) => r.totalHits);
    const pb = fromB.map((r) => r.totalHits);
    expect([...pa, ...pb].sort((m, n) => m - n)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // One batch per process: each range is consecutive.
    for (const p of [pa, pb]) expect(p).toEqual(Array.from({ length: 12 }, (_, i) => p[0] + i));
    expect([...fromA, ...fromB].filter((r) => !r.isBlocked)).toHaveLength(10);
  });

  it('should start a new window once the last one ended', async () => {
    const storage = a.app.get<PgThrottlerStorage>(getStorageToken(), { strict: false });
    const opened = await storage.increment('test:window', 1_000, 2);
    expect(opened.totalHits).toBe(1);
    // The window is 1 s: keep counting until a hit lands in a fresh window.
    const fresh = await pollUntil(
      () => storage.increment('test:window', 1_000, 2),
      (r) => r.totalHits === 1,
      10_000,
      100,
    );
    expect(fresh.isBlocked).toBe(false);
  });

  it(`should let exactly ${LIMIT} of 40 concurrent polls through across two app instances, the rest 429 with Retry-After`, async () => {
    const poll = (t: TestApp) => fetch(`${t.baseUrl}/api/v1/jobs?limit=1`);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => poll(i % 2 === 0 ? a : b)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LIMIT);
    const remaining = answers.filter((r) => r.status === 200).map((r) => Number(r.headers.get('x-ratelimit-remaining')));
    expect(remaining.sort((m, n) => m - n)).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
    for (const r of answers) {
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      if (r.status !== 429) {
        await r.text();
        continue;
      }
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      const body = (await r.json()) as { error: { code: string; details: Record<string, unknown> } };
      expect(body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(body.error.details).toMatchObject({ class: 'poll', limit: LIMIT, window_seconds: 60 });
    }
    // Health is public: never counted, never refused.
    expect((await fetch(`${a.baseUrl}/health`)).status).toBe(200);
  });
});
