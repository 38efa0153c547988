import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface JobBody {
  job_id: string;
  status: string;
  error: unknown;
  result: { duration: number } | null;
  plan_adjustments?: Array<{ kind: string; path: string; from: unknown; to: unknown; reason: string }>;
}

/**
 * A hosted plan valid under the JSON schema but with wrong sums (durations 1.5× the request, overlays outside
 * their scenes, scenes numbered from 2, a short-hand colour) is fixed by arithmetic, with no repair call to the
 * model, and the job completes, listing what was adjusted (docs/design/plan-repair.md).
 */
describe('plan repair by arithmetic in a job', () => {
  const openai = new FakeOpenAiServer();
  let app: TestApp;

  beforeAll(async () => {
    await openai.start();
    app = await startTestApp({ PROMPT_PARSER_PROVIDER: 'openai', OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: `${openai.url}/v1`, PROVIDER_RETRY_BASE_MS: '20' });
  });

  afterAll(async () => {
    await app?.close();
    await openai.close();
  });

  it('should complete a job whose hosted plan has wrong sums, with plan_adjustments listing the rescale', async () => {
    openai.script('chat', 'wrong_sums');
    const created = await fetch(`${app.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Vertical ad for a luxury watch, elegant gold and black', duration: 20, aspect_ratio: '9:16' }),
    });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    const job = await pollUntil(
      async () => (await (await fetch(`${app.baseUrl}/api/v1/jobs/${jobId}`)).json()) as JobBody,
      (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
      240_000,
      250,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(job.result!.duration).toBeCloseTo(20, 0);
    // One call: arithmetic fixed it all, nothing went back to the model.
    expect(openai.calls.filter((c) => c.route === 'chat')).toHaveLength(1);
    const kinds = job.plan_adjustments!.map((a) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(['scenes_renumbered', 'durations_rescaled', 'overlay_clamped', 'color_normalized']));
    const rescale = job.plan_adjustments!.find((a) => a.kind === 'durations_rescaled')!;
    expect((rescale.from as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(30, 6);
    expect((rescale.to as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(20, 6);
    expect(rescale.reason).toContain('30 s for a 20 s ad');
  });
});
