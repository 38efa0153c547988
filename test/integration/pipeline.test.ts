import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobEvent } from '@app/contracts';
import { verifyAd } from '../../src/media/ffprobe';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface JobBody {
  job_id: string;
  status: string;
  progress: { current_stage: string; stages_completed: string[]; stages_remaining: string[]; percentage: number };
  cost: Record<string, number>;
  result: { video_url: string; thumbnail_url: string; duration: number; resolution: string; file_size_mb: number; scenes_generated: number } | null;
  error: unknown;
  completed_at?: string;
}

/**
 * The main job end to end on the local providers: REST → job.created on JetStream → saga on PostgreSQL →
 * stage workers (planner, reference image, clips in parallel, one-pass ffmpeg composition) → result served
 * over HTTP, checked with the project's own ffprobe validation. Job events are observed on their subjects.
 */
describe('pipeline on local providers', () => {
  let t: TestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
    nc = await connect({ servers: t.config.natsServers });
  });

  afterAll(async () => {
    await nc?.close();
    await t?.close();
  });

  it('should turn a prompt into a verified MP4, publishing the job events and counting it in /metrics', async () => {
    const seen: JobEvent[] = [];
    const sub = nc.subscribe(`${t.config.natsPrefix}.evt.job.>`, { callback: (_e, m) => void seen.push(m.json<JobEvent>()) });
    const request = {
      prompt: 'Square Facebook ad for a cozy neighborhood coffee shop\'s new pumpkin spice latte — 20% OFF "this week": only!',
      duration: 15,
      aspect_ratio: '1:1',
      brand_guidelines: { primary_color: '#B45309', secondary_color: '#FFF7ED', style: 'warm and rustic' },
    };
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };

    const percentages: number[] = [];
    const job = await pollUntil(
      async () => {
        const body = (await (await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}`)).json()) as JobBody;
        percentages.push(body.progress.percentage);
        return body;
      },
      (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
      240_000,
      500,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ current_stage: 'completed', percentage: 100, stages_remaining: [] });
    expect(job.progress.stages_completed).toEqual(['prompt_parsing', 'image_generation', 'video_generation', 'composition']);
    expect([...percentages].sort((a, b) => a - b)).toEqual(percentages); // progress never goes back
    expect(job.cost).toEqual({ prompt_parsing: 0, image_generation: 0, video_generation: 0, composition: 0, total: 0 });
    expect(job.result).toMatchObject({ resolution: '1080x1080', video_url: `${t.baseUrl}/api/v1/jobs/${jobId}/video` });
    expect(job.result!.scenes_generated).toBeGreaterThanOrEqual(3);
    expect(Math.abs(job.result!.duration - 15)).toBeLessThanOrEqual(0.5);

    // The file, fetched over HTTP as a client would, passes the project's own validation.
    const video = await fetch(job.result!.video_url);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ad-'));
    const file = path.join(dir, 'ad.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    expect((await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1080 })).problems).toEqual([]);

    const range = await fetch(job.result!.video_url, { headers: { range: 'bytes=0-1023' } });
    expect(range.status).toBe(206);
    expect((await range.arrayBuffer()).byteLength).toBe(1024);
    const thumb = await fetch(job.result!.thumbnail_url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');

    // Job events on their subjects, in causal order, for other services.
    await pollUntil(async () => seen.length, () => seen.some((e) => e.type === 'job.completed'), 10_000);
    sub.unsubscribe();
    const types = seen.filter((e) => e.job_id === jobId).map((e) => e.type);
    expect(types[0]).toBe('job.created');
    expect(types).toContain('job.started');
    expect(types.filter((x) => x === 'job.stage_completed').length).toBe(3 + job.result!.scenes_generated);
    expect(types[types.length - 1]).toBe('job.completed');
    const versions = seen.filter((e) => e.type !== 'job.created').map((e) => (e.data as { version: number }).version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);

    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ad_jobs_finished_total\{status="completed"\} 1$/m);
    expect(metrics).toMatch(/^ad_stage_duration_seconds_count\{stage="composition",provider="local",outcome="completed"\} 1$/m);
  });
});
