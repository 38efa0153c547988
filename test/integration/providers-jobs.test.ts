import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyAd } from '../../src/media/ffprobe';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { FakeReplicateServer } from '../fakes/fake-replicate.server';
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { CHECK_AD } from '../support/check-ad';

interface JobBody {
  job_id: string;
  status: string;
  cost: Record<string, number>;
  result: { video_url: string; duration: number; resolution: string } | null;
  error: { code: string; message: string; failed_stage: string | null; details: Record<string, unknown> } | null;
}

/**
 * Whole jobs through the saga with the remote providers pointed at fake servers on loopback:
 * OpenAI + Replicate (local composition, real ffmpeg), and the team-service HTTP contract for all four stages;
 * then a permanent fault that must fail its job on the first attempt with the stage's code (docs/providers.md,
 * "Error codes") and partial cost.
 */
describe('jobs on remote providers', () => {
  const openai = new FakeOpenAiServer();
  const replicate = new FakeReplicateServer();
  const team = new FakeTeamServices();
  let hosted: TestApp;
  let contract: TestApp;

  const shrink = { PROVIDER_RETRY_BASE_MS: '20', REPLICATE_POLL_INITIAL_MS: '20', REPLICATE_POLL_MAX_MS: '100', MAX_PARALLEL_VIDEO_GENERATIONS: '3' };

  /** OpenAI planning and Replicate image + clips, pointed at the fakes (composition stays local). */
  const hostedEnv = (): Record<string, string> => ({
    PROMPT_PARSER_PROVIDER: 'openai',
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    IMAGE_PROVIDER: 'replicate',
    VIDEO_PROVIDER: 'replicate',
    REPLICATE_API_TOKEN: replicate.token,
    REPLICATE_BASE_URL: `${replicate.url}/v1`,
  });

  beforeAll(async () => {
    await Promise.all([openai.start(), replicate.start(), team.start()]);
    hosted = await startTestApp({ ...shrink, ...hostedEnv() });
    contract = await startTestApp({
      ...shrink,
      PROMPT_PARSER_PROVIDER: 'http',
      IMAGE_PROVIDER: 'http',
      VIDEO_PROVIDER: 'http',
      COMPOSITION_PROVIDER: 'http',
      PROMPT_PARSER_URL: team.url,
      IMAGE_GEN_URL: team.url,
      VIDEO_GEN_URL: team.url,
      COMPOSITION_URL: team.url,
      // Two tests send the same request and count each stage's cost: keep the stage cache out of it.
      STAGE_CACHE: 'off',
    });
  });

  afterAll(async () => {
    await hosted?.close();
    await contract?.close();
    await Promise.all([openai.close(), replicate.close(), team.close()]);
  });

  async function run(t: TestApp, request: Record<string, unknown>): Promise<JobBody> {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    return pollUntil(
      async () => (await (await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}`)).json()) as JobBody,
      (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
      180_000,
      250,
    );
  }

  async function verify(job: JobBody, expected: { durationSeconds: number; widthPx: number; heightPx: number }): Promise<string[]> {
    const video = await fetch(job.result!.video_url);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'remote-ad-')), 'ad.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    const problems = (await verifyAd(file, expected)).problems;
    // The independent checker, where the workspace has it (a user's clone does not).
    const checkAd = CHECK_AD;
    if (checkAd) {
      const aspect = expected.widthPx === expected.heightPx ? '1:1' : expected.widthPx > expected.heightPx ? '16:9' : '9:16';
      const r = spawnSync(checkAd, [file, '--duration', String(expected.durationSeconds), '--aspect', aspect], { encoding: 'utf8' });
      if (r.status !== 0) problems.push(`check-ad: ${r.stdout.trim().split('\n').pop()}`);
    }
    return problems;
  }

  it('should complete a job through OpenAI + Replicate with local composition, billing each stage', async () => {
    const job = await run(hosted, { prompt: 'Vertical ad for a luxury watch, elegant gold and black, for busy founders', duration: 15, aspect_ratio: '9:16' });
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(await verify(job, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).toEqual([]);
    expect(job.cost.prompt_parsing).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 6);
    expect(job.cost.image_generation).toBeCloseTo(0.003, 6);
    expect(job.cost.video_generation).toBeCloseTo(3 * 6 * 0.05, 1);
    expect(job.cost.composition).toBe(0);
    expect(replicate.calls.filter((c) => c.route === 'create:minimax/video-01')).toHaveLength(3);
  });

  it('should complete a job through the team-service HTTP contract', async () => {
    const job = await run(contract, { prompt: 'Square ad for a neighbourhood coffee shop pumpkin latte', duration: 15, aspect_ratio: '1:1' });
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(await verify(job, { durationSeconds: 15, widthPx: 1080, heightPx: 1080 })).toEqual([]);
    expect(job.cost).toMatchObject({ prompt_parsing: 0.03, image_generation: 0.2, composition: 0.08 });
    expect(job.cost.video_generation).toBeCloseTo(0.9, 6);
  });

  it('should fail a job on the first attempt of a permanent fault with its code, failed stage and partial cost', async () => {
    team.script('video', 'content_policy');
    const job = await run(contract, { prompt: 'Square ad for a neighbourhood coffee shop pumpkin latte', duration: 15, aspect_ratio: '1:1' });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'VIDEO_GENERATION_FAILED', failed_stage: 'video_generation', details: { service: 'http', attempts: 1 } });
    expect(job.error!.message).toContain('Content policy violation');
    // The stages that ran before are billed.
    expect(job.cost.prompt_parsing).toBe(0.03);
    expect(job.cost.image_generation).toBe(0.2);
    expect(team.calls.filter((c) => c.route === 'video' && c.fault === 'content_policy')).toHaveLength(1);
  });

  it('should not start a paid stage that would cross MAX_COST_PER_VIDEO and fail with COST_LIMIT_EXCEEDED and the cost so far', async () => {
    // Clips on MiniMax cost $0.05 per second: a 30 s ad's clips are estimated at about $1.5, over a $1 cap.
    const capped = await startTestApp({
      ...shrink,
      MAX_COST_PER_VIDEO: '1.00',
      ...hostedEnv(),
    });
    try {
      const videoPredictionsBefore = [...replicate.predictions.values()].filter((p) => !p.model.includes('flux')).length;
      const job = await run(capped, { prompt: 'Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics', duration: 30, aspect_ratio: '9:16' });
      expect(job.status).toBe('failed');
      expect(job.error).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', failed_stage: 'video_generation', details: { limit_usd: 1 } });
      expect(job.cost.prompt_parsing).toBeGreaterThan(0);
      expect(job.cost.image_generation).toBeCloseTo(0.003, 6);
      expect(job.cost.total).toBeLessThan(1);
      // No clip was paid for.
      expect([...replicate.predictions.values()].filter((p) => !p.model.includes('flux')).length).toBe(videoPredictionsBefore);
    } finally {
      await capped.close();
    }
  });
});
