import { MikroORM } from '@mikro-orm/postgresql';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StageCompleted } from '@app/contracts';
import { verifyAd } from '../../src/media/ffprobe';
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

interface JobBody {
  job_id: string;
  status: string;
  cost: Record<string, number>;
  cache: Record<string, boolean | Array<boolean | null>>;
  result: { video_url: string; thumbnail_url: string; duration: number; resolution: string; scenes_generated: number } | null;
  error: unknown;
}

const REQUEST = { prompt: 'Square ad for a small bakery: sourdough fresh every morning, order ahead', duration: 15, aspect_ratio: '1:1' };

/**
 * The stage cache (docs/design/cache.md) on the real PostgreSQL, NATS and ffmpeg. Image and clips come from the
 * fake team services (they report a cost and count their calls, so a reuse is visible as zero calls and zero
 * cost); planning and composition are local (the finished ad is a real ffmpeg render, verified with ffprobe).
 */
describe('stage cache', () => {
  const team = new FakeTeamServices();
  let t: TestApp;
  let off: TestApp;

  const providersEnv = (): Record<string, string> => ({
    IMAGE_PROVIDER: 'http',
    VIDEO_PROVIDER: 'http',
    IMAGE_GEN_URL: team.url,
    VIDEO_GEN_URL: team.url,
    MAX_PARALLEL_VIDEO_GENERATIONS: '3',
  });
  const sql = <T>(app: TestApp, q: string, params: unknown[] = []): Promise<T[]> => app.app.get<MikroORM>(MikroORM).em.fork().execute(q, params);
  const teamCalls = (): number => team.calls.filter((c) => c.route === 'image' || c.route === 'video').length;

  async function runJob(app: TestApp): Promise<JobBody> {
    const res = await fetch(`${app.baseUrl}/api/v1/generate-ad`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST) });
    expect(res.status).toBe(201);
    const { job_id: id } = (await res.json()) as { job_id: string };
    const job = await pollUntil(
      async () => (await (await fetch(`${app.baseUrl}/api/v1/jobs/${id}`)).json()) as JobBody,
      (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
      280_000,
      500,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    return job;
  }

  /** The stage.completed events the workers stored (and published) for a job. */
  async function resultEvents(app: TestApp, jobId: string): Promise<Array<StageCompleted['data']>> {
    const rows = await sql<{ outcome: StageCompleted | string }>(app, `select outcome from stage_attempts where job_id = ? and status = 'succeeded'`, [jobId]);
    return rows.map((r) => (typeof r.outcome === 'string' ? (JSON.parse(r.outcome) as StageCompleted) : r.outcome).data);
  }

  const allCached = (scenes: number, hit: boolean) => ({
    prompt_parsing: hit,
    image_generation: hit,
    video_generation: Array.from({ length: scenes }, () => hit),
    composition: hit,
  });

  beforeAll(async () => {
    await team.start();
    t = await startTestApp(providersEnv());
    // The composition of the cache-off jobs comes from the fake too: two ffmpeg renders prove nothing more here.
    off = await startTestApp({ ...providersEnv(), COMPOSITION_PROVIDER: 'http', COMPOSITION_URL: team.url, STAGE_CACHE: 'off' });
  });

  afterAll(async () => {
    await off?.close();
    await t?.close();
    await team.close();
  });

  it('should serve a second identical job from the cache at cost 0, even after the first job directory is removed', async () => {
    const callsBefore = teamCalls();
    const first = await runJob(t);
    const scenes = first.result!.scenes_generated;
    expect(first.cache).toEqual(allCached(scenes, false));
    expect(first.cost.image_generation).toBe(team.costs.image);
    expect(first.cost.video_generation).toBeCloseTo(scenes * team.costs.video, 6);
    const callsFirst = teamCalls() - callsBefore;
    expect(callsFirst).toBe(1 + scenes);

    // One entry per stage and scene, each with its own copy of its artifacts.
    const entries = await sql<{ stage: string; artifact_paths: string[]; cost_saved_usd: string }>(t, 'select stage, artifact_paths, cost_saved_usd from stage_cache');
    // The storyboard's stills are cached per scene too (v1 counts them in image_generation).
    expect(entries.map((e) => e.stage).sort()).toEqual(
      ['composition', 'image_generation', 'prompt_parsing', ...Array(scenes).fill('storyboard'), ...Array(scenes).fill('video_generation')].sort(),
    );
    for (const e of entries) for (const p of e.artifact_paths) expect(p.startsWith(path.join(t.config.artifactDir, 'cache', e.stage))).toBe(true);

    await rm(path.join(t.config.artifactDir, 'jobs', first.job_id), { recursive: true, force: true });

    const second = await runJob(t);
    expect(second.cache).toEqual(allCached(scenes, true));
    expect(second.cost).toEqual({ prompt_parsing: 0, image_generation: 0, video_generation: 0, composition: 0, total: 0 });
    expect(teamCalls() - callsBefore).toBe(callsFirst); // no provider call at all

    const events = await resultEvents(t, second.job_id);
    expect(events).toHaveLength(3 + 2 * scenes);
    for (const e of events) expect(e).toMatchObject({ cached: true, cost_usd: 0, attempts: 0 });
    // The second job owns its files: none of its outputs points into the first job's (deleted) directory or the cache.
    for (const e of events) {
      for (const uri of JSON.stringify(e.output).match(/file:\/\/[^"]+/g) ?? []) {
        expect(uri).toContain(`/jobs/${second.job_id}/`);
        expect(existsSync(new URL(uri))).toBe(true);
      }
    }
    const firstEvents = await resultEvents(t, first.job_id);
    for (const e of firstEvents) expect(e.cached).toBeUndefined();

    const video = await fetch(second.result!.video_url);
    expect(video.status).toBe(200);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cached-ad-'));
    const file = path.join(dir, 'ad.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    expect((await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1080 })).problems).toEqual([]);
    await rm(dir, { recursive: true, force: true });

    const hits = await sql<{ stage: string; hits: number }>(t, 'select stage, hits from stage_cache');
    for (const h of hits) expect(Number(h.hits)).toBe(1);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ad_stage_cache_lookups_total\{stage="composition",outcome="hit"\} 1/);
    expect(metrics).toMatch(new RegExp(`ad_stage_cache_saved_usd_total\\{stage="image_generation"\\} ${team.costs.image}`));
  });

  it('should recompute a stage whose entry expired, and replace the entry', async () => {
    await sql(t, `update stage_cache set expires_at = now() - interval '1 second'`);
    const oldDirs = (await sql<{ artifact_dir: string | null }>(t, 'select artifact_dir from stage_cache')).map((r) => r.artifact_dir).filter((d): d is string => !!d);
    const callsBefore = teamCalls();
    const job = await runJob(t);
    const scenes = job.result!.scenes_generated;
    expect(job.cache).toEqual(allCached(scenes, false));
    expect(job.cost.image_generation).toBe(team.costs.image);
    expect(teamCalls() - callsBefore).toBe(1 + scenes);
    const live = await sql<{ n: string }>(t, 'select count(*) as n from stage_cache where expires_at > now() and hits = 0');
    expect(Number(live[0].n)).toBe(3 + 2 * scenes);
    for (const d of oldDirs) expect(existsSync(d)).toBe(false); // the expired copies are gone
  });

  it('should recompute every stage with STAGE_CACHE=off and store nothing', async () => {
    const callsBefore = teamCalls();
    const first = await runJob(off);
    const second = await runJob(off);
    const scenes = second.result!.scenes_generated;
    expect(first.cache).toEqual(allCached(scenes, false));
    expect(second.cache).toEqual(allCached(scenes, false));
    expect(second.cost).toMatchObject({ image_generation: team.costs.image, composition: team.costs.compose });
    expect(teamCalls() - callsBefore).toBe(2 * (1 + scenes));
    expect(Number((await sql<{ n: string }>(off, 'select count(*) as n from stage_cache'))[0].n)).toBe(0);
    expect(existsSync(path.join(off.config.artifactDir, 'cache'))).toBe(false);
  });
});
