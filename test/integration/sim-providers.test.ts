import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from 'pg';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

/**
 * The `sim` providers (docs/design/performance.md, "Sim providers"): a job runs through every stage of the
 * real saga on NATS and PostgreSQL with waits only, ends completed with a valid plan, one clip per scene and a
 * small but real MP4 that the video route serves; a stage's configured latency is honoured.
 */
describe('sim providers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      PROMPT_PARSER_PROVIDER: 'sim',
      IMAGE_PROVIDER: 'sim',
      VIDEO_PROVIDER: 'sim',
      COMPOSITION_PROVIDER: 'sim',
      SIM_LATENCY_DEFAULT: '20',
      SIM_LATENCY_VIDEO_GENERATION: '300-600',
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('should complete a job with every stage simulated and serve its video', async () => {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Launch video for a sustainable sneaker line made from recycled ocean plastic', duration: 30, aspect_ratio: '9:16' }),
    });
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    const done = await pollUntil(
      async () => (await (await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}`)).json()) as { status: string; progress: { clips_total: number; clips_completed: number }; result: { scenes_generated: number; resolution: string } | null },
      (j) => j.status !== 'queued' && j.status !== 'processing',
      60_000,
    );
    expect(done.status).toBe('completed');
    expect(done.progress.clips_total).toBeGreaterThanOrEqual(3);
    expect(done.progress.clips_completed).toBe(done.progress.clips_total);
    expect(done.result).toMatchObject({ scenes_generated: done.progress.clips_total, resolution: '1080x1920' });

    const video = await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}/video`);
    expect(video.status).toBe(200);
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');

    const pg = new Client({ connectionString: t.config.databaseUrl });
    await pg.connect();
    try {
      const attempts = (await pg.query(`select stage, provider, created_at as started_at, updated_at as finished_at from stage_attempts where job_id = $1 and status = 'succeeded'`, [jobId])).rows as Array<{ stage: string; provider: string; started_at: Date; finished_at: Date }>;
      expect(new Set(attempts.map((a) => a.provider))).toEqual(new Set(['sim']));
      for (const a of attempts.filter((x) => x.stage === 'video_generation')) expect(a.finished_at.getTime() - a.started_at.getTime()).toBeGreaterThanOrEqual(290);
      const plan = (await pg.query('select parsed_data, clips from jobs where id = $1', [jobId])).rows[0] as { parsed_data: { scenes: unknown[] }; clips: Array<{ clip_uri: string }> };
      expect(plan.parsed_data.scenes.length).toBe(done.progress.clips_total);
      for (const c of plan.clips) expect(existsSync(fileURLToPath(c.clip_uri))).toBe(true);
      expect(statSync(fileURLToPath(plan.clips[0].clip_uri)).size).toBeGreaterThan(0);
    } finally {
      await pg.end();
    }
  });
});
