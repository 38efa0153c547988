/**
 * Fault soak (docs/design/saga.md, "Crash testing", last paragraph): 100 jobs through the whole saga with all four stages on the team-service
 * HTTP contract, served by fake services that fail a share of API requests with transient faults (500, 503,
 * 429 + Retry-After: 1, connection reset; default 30 %). Prints how many jobs completed, the failures by code,
 * the retries counted in /metrics, and the wall time.
 *
 * It runs under Jest only to reuse the integration harness (a fresh database and NATS prefix per run, dropped
 * afterwards; the repo has no ts-node): `npm run bench:faults`. Knobs (env): SOAK_JOBS (100),
 * SOAK_FAULT_RATE (0.3), SOAK_TARGET (99), and any provider variable such as PROVIDER_MAX_RETRIES.
 */
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { fakeAd, fakeClip, fakePng } from '../fakes/media-fixtures';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

const JOBS = Number(process.env.SOAK_JOBS ?? 100);
const FAULT_RATE = Number(process.env.SOAK_FAULT_RATE ?? 0.3);
const TARGET = Number(process.env.SOAK_TARGET ?? 99);

interface JobBody {
  job_id: string;
  status: string;
  error: { code: string; failed_stage: string | null; details: Record<string, unknown> } | null;
}

describe('fault soak', () => {
  const team = new FakeTeamServices({ transientRate: FAULT_RATE, retryAfterSeconds: 1 });
  let t: TestApp;

  beforeAll(async () => {
    await team.start();
    await Promise.all([fakePng(540, 960), fakeClip(540, 960, 5.5), fakeClip(540, 960, 5), fakeAd('9:16', 15)]);
    t = await startTestApp({
      PROMPT_PARSER_PROVIDER: 'http',
      IMAGE_PROVIDER: 'http',
      VIDEO_PROVIDER: 'http',
      COMPOSITION_PROVIDER: 'http',
      PROMPT_PARSER_URL: team.url,
      IMAGE_GEN_URL: team.url,
      VIDEO_GEN_URL: team.url,
      COMPOSITION_URL: team.url,
      PROVIDER_RETRY_BASE_MS: process.env.PROVIDER_RETRY_BASE_MS ?? '100',
      MAX_CONCURRENT_JOBS: process.env.MAX_CONCURRENT_JOBS ?? '20',
      STAGE_SLOTS_VIDEO_GENERATION: '8',
      STAGE_SLOTS_COMPOSITION: '4',
      LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'error',
      // Each job must meet the faults: its numbered prompt gives the same plan, which the stage cache would reuse.
      STAGE_CACHE: 'off',
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('PROVIDER_')) as Array<[string, string]>),
    });
  });

  afterAll(async () => {
    await t?.close();
    await team.close();
  });

  it(`should complete at least ${TARGET} of ${JOBS} jobs at ${FAULT_RATE * 100} % transient faults`, async () => {
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const res = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `Soak job ${i}: vertical ad for a luxury watch`, duration: 15, aspect_ratio: '9:16' }),
      });
      if (res.status !== 201) throw new Error(`job ${i} not accepted: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { job_id: string }).job_id);
    }
    const jobs = await Promise.all(
      ids.map((id) =>
        pollUntil(
          async () => (await (await fetch(`${t.baseUrl}/api/v1/jobs/${id}`)).json()) as JobBody,
          (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
          900_000,
          1000,
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const completed = jobs.filter((j) => j.status === 'completed').length;
    const failures = jobs.filter((j) => j.status !== 'completed').map((j) => `${j.error?.code} at ${j.error?.failed_stage} after ${String(j.error?.details.attempts)} attempts`);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    const retries = [...metrics.matchAll(/^ad_provider_retries_total\{[^}]*stage="([a-z_]+)"[^}]*\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`);
    const apiCalls = team.calls.filter((c) => c.route !== 'file');
    const faulted = apiCalls.filter((c) => c.fault !== null).length;
    // eslint-disable-next-line no-console
    console.log(
      [
        `fault soak: ${completed}/${JOBS} jobs completed in ${seconds.toFixed(1)} s`,
        `  injected faults: ${faulted}/${apiCalls.length} API requests (${((100 * faulted) / Math.max(1, apiCalls.length)).toFixed(1)} %), max retries ${t.config.providers.resilience.maxRetries}`,
        `  retries by stage: ${retries.join(', ') || 'none'}`,
        `  failures: ${failures.length ? failures.join('; ') : 'none'}`,
      ].join('\n'),
    );
    expect(completed).toBeGreaterThanOrEqual(TARGET);
  });
});
