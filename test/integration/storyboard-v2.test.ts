import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { verifyAd } from '../../src/media/ffprobe';
import { JobReaper } from '../../src/jobs/job-reaper';
import { makePng, uploadAsset } from '../support/asset-fixtures';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { CHECK_AD } from '../support/check-ad';
import { downloadArtifact, getV2Job, postJson, readJson, type V2JobBody } from '../support/v2-client';

/**
 * The v2 storyboard review end to end on the local providers, the real PostgreSQL, NATS and ffmpeg: generate →
 * storyboard_complete (a still per scene, a quote) holding no slot and doing no clip work while it waits;
 * refine of one scene changes that still only; render → completed, the clips animating the approved stills;
 * /data passes the project's verification (and check-ad when the workspace has it); an unapproved storyboard
 * expires after APPROVAL_TTL_HOURS with its cost kept.
 */
describe('v2 storyboard review on local providers', () => {
  let t: TestApp;
  let orm: MikroORM;

  beforeAll(async () => {
    // One slot: a job waiting for approval must not hold it, or the second job could never start.
    t = await startTestApp({ MAX_CONCURRENT_JOBS: '1', MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
  });

  const json = readJson;
  const post = postJson;
  const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
  const sha = async (url: string): Promise<string> => (await downloadArtifact(url, 'still', { contentType: ['image/png', 'image/jpeg'] })).sha256;
  const clipWork = async (id: string): Promise<{ attempts: number; requests: number }> => {
    const em = orm.em.fork();
    const a: Array<{ n: string }> = await em.execute(`select count(*) as n from stage_attempts where job_id = ? and stage in ('video_generation', 'composition')`, [id]);
    const r: Array<{ n: string }> = await em.execute(`select count(*) as n from outbox where subject like ? or subject like ?`, [`%.stage.req.video_generation.${id}.%`, `%.stage.req.composition.${id}`]);
    return { attempts: Number(a[0].n), requests: Number(r[0].n) };
  };

  it('should reject a bad request naming every bad field', async () => {
    const res = await post(`${t.baseUrl}/api/v2/generate`, { creativePrompt: 'short', duration: 61, platform: 'myspace', numberOfVariations: 4, brandGuidelines: { primaryColor: 'gold' }, audioControls: { musicVolume: 2 } });
    expect(res.status).toBe(400);
    const body = await json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>(res);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.details.fields).sort()).toEqual(
      ['audioControls.musicVolume', 'brandGuidelines.primaryColor', 'creativePrompt', 'duration', 'numberOfVariations', 'platform'].sort(),
    );
  });

  it('should stop at the storyboard, refine one scene, render the approved stills and expire an unapproved storyboard', async () => {
    // The brand's logo is a real upload: a job may only name assets that exist and are the caller's.
    const uploaded = await uploadAsset(t.baseUrl, makePng(), 'logo.png', 'image/png');
    expect(uploaded.status).toBe(201);
    const logo = await json<{ assetId: string; type: string; mimeType: string }>(uploaded);
    expect(logo).toMatchObject({ type: 'image', mimeType: 'image/png' });
    const created = await post(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a luxury gold watch, elegant and minimal',
      duration: 15,
      platform: 'tiktok',
      videoName: 'Gold watch launch',
      stylePresets: ['luxury'],
      brandGuidelines: { primaryColor: '#D4AF37', secondaryColor: '#000000' },
      assets: [{ id: logo.assetId, role: 'logo' }],
    });
    expect(created.status).toBe(201);
    const a = await json<{ job_id: string; status: string; estimatedCost: V2JobBody['estimatedCost']; links: Record<string, string> }>(created);
    expect(a).toMatchObject({ status: 'generating_storyboard', estimatedCost: { currency: 'USD', total: 0 }, links: { self: `${t.baseUrl}/api/v2/jobs/${a.job_id}` } });
    expect(Object.values(a.links).every((l) => l.startsWith(`${t.baseUrl}/api/v2/`))).toBe(true);
    const second = await json<{ job_id: string }>(await post(`${t.baseUrl}/api/v2/generate`, { creativePrompt: 'Wide YouTube ad for a project management app for small teams', duration: 15, platform: 'youtube' }));

    // Both reach the gate with one slot: the waiting job released it.
    const board = await pollUntil(() => get(a.job_id), (b) => b.status === 'storyboard_complete' || b.status === 'failed', 180_000, 500);
    expect(board.error).toBeNull();
    expect(board).toMatchObject({ approved: false, progress: { stage: 'storyboard_complete', percentage: 50 } });
    const scenes = board.storyboard.length;
    expect(scenes).toBeGreaterThanOrEqual(3);
    expect(board.storyboard.map((s) => s.sceneNumber)).toEqual(Array.from({ length: scenes }, (_, i) => i + 1));
    expect(board.storyboard.reduce((sum, s) => sum + s.duration, 0)).toBeCloseTo(15, 2);
    expect(board.estimatedCost.currency).toBe('USD');
    const b = await pollUntil(() => get(second.job_id), (x) => x.status === 'storyboard_complete' || x.status === 'failed', 180_000, 500);
    expect(b.status).toBe('storyboard_complete');
    const stored: Array<{ options: { assets: unknown[]; videoName: string } }> = await orm.em.fork().execute('select options from jobs where id = ?', [a.job_id]);
    expect(stored[0].options).toMatchObject({ assets: [{ id: logo.assetId, role: 'logo' }], videoName: 'Gold watch launch' });

    const before = await Promise.all(board.storyboard.map((s) => sha(s.imageUrl)));
    expect(new Set(before).size).toBe(scenes);

    // Waiting: no clip work, no cost, not stalled however long it waits (until the approval TTL).
    const reaper = t.app.get(JobReaper);
    const later = await reaper.sweep(new Date(Date.now() + (t.config.jobStallTimeoutSeconds + 60) * 1000));
    expect(later.timedOut).toEqual([]);
    expect(later.expired).toEqual([]);
    expect(await clipWork(a.job_id)).toEqual({ attempts: 0, requests: 0 });
    expect((await get(a.job_id)).cost.total).toBe(0);

    // Approve outside the gate is refused; approve at the gate works.
    const approved = await json<V2JobBody>(await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/approve`));
    expect(approved).toMatchObject({ status: 'storyboard_complete', approved: true });

    // Refine one scene: only its still changes; the refine is counted and approval is asked again.
    const target = 2;
    const refine = await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/refine`, { regenerateScenes: [target] });
    expect(refine.status).toBe(200);
    const refined = await pollUntil(() => get(a.job_id), (x) => x.status === 'storyboard_complete' || x.status === 'failed', 120_000, 500);
    expect(refined).toMatchObject({ status: 'storyboard_complete', approved: false, refineCount: 1 });
    const after = await Promise.all(refined.storyboard.map((s) => sha(s.imageUrl)));
    after.forEach((h, i) => (i === target - 1 ? expect(h).not.toBe(before[i]) : expect(h).toBe(before[i])));
    const stillAttempts: Array<{ scene_index: number; n: string }> = await orm.em
      .fork()
      .execute(`select scene_index, count(*) as n from stage_attempts where job_id = ? and stage = 'storyboard' group by scene_index order by scene_index`, [a.job_id]);
    expect(stillAttempts.map((r) => Number(r.n))).toEqual(Array.from({ length: scenes }, (_, i) => (i === target - 1 ? 2 : 1)));
    const badRefine = await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/refine`, { scenes: [{ sceneNumber: 1, duration: 2 }], regenerateScenes: [99] });
    expect(badRefine.status).toBe(400);
    expect(Object.keys((await json<{ error: { details: { fields: object } } }>(badRefine)).error.details.fields)).toEqual(expect.arrayContaining(['regenerateScenes.0']));

    // Render: approves, quotes, and runs clips that animate the approved stills.
    const render = await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/render`, { maxCostUsd: 5 });
    expect(render.status).toBe(200);
    const rendering = await json<V2JobBody>(render);
    expect(rendering).toMatchObject({ approved: true, quote: { total: 0, currency: 'USD' } });
    expect(['generating_video', 'completed']).toContain(rendering.status);
    const done = await pollUntil(() => get(a.job_id), (x) => ['completed', 'failed', 'cancelled'].includes(x.status), 720_000, 1000);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'completed', progress: { stage: 'completed', percentage: 100 }, results: { videoUrl: `${t.baseUrl}/api/v2/jobs/${a.job_id}/data` } });
    expect(done.cost).toMatchObject({ total: 0, storyboard: 0, video_generation: 0, composition: 0 });
    const job: Array<{ stills: Array<{ image_uri: string }> }> = await orm.em.fork().execute('select stills from jobs where id = ?', [a.job_id]);
    const requests: Array<{ payload: { data: { scene_index: number; input: { still_uri: string } } } }> = await orm.em
      .fork()
      .execute(`select payload from outbox where subject like ? order by seq`, [`%.stage.req.video_generation.${a.job_id}.%`]);
    expect(requests.map((r) => [r.payload.data.scene_index, r.payload.data.input.still_uri]).sort()).toEqual(job[0].stills.map((s, i) => [i, s.image_uri]).sort());

    const video = await fetch(done.results!.videoUrl);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'v2-ad-')), 'ad.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    expect((await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).problems).toEqual([]);
    const checkAd = CHECK_AD;
    if (checkAd) {
      const r = spawnSync(checkAd, [file, '--duration', '15', '--aspect', '9:16', '--scenes', String(scenes)], { encoding: 'utf8' });
      // The whole report on failure: which check failed and what check-ad measured.
      expect(r.stdout.trim().split('\n').pop() === 'check-ad: PASS' ? 'check-ad: PASS' : `${file}\n${r.stdout}`).toBe('check-ad: PASS');
    }
    const range = await fetch(done.results!.videoUrl, { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect((await fetch(done.results!.thumbnailUrl)).headers.get('content-type')).toBe('image/jpeg');
    expect((await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/refine`, { regenerateScenes: [1] })).status).toBe(409);
    expect((await post(`${t.baseUrl}/api/v2/jobs/${a.job_id}/approve`)).status).toBe(409);

    // The other storyboard was never approved: past APPROVAL_TTL_HOURS it is cancelled, its cost kept.
    const expiry = await reaper.sweep(new Date(Date.now() + (t.config.approvalTtlHours * 3600 + 60) * 1000));
    expect(expiry.expired).toEqual([second.job_id]);
    const gone = await get(second.job_id);
    expect(gone).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED', details: { reason: 'approval_expired' } } });
    expect(await clipWork(second.job_id)).toEqual({ attempts: 0, requests: 0 });
  }, 1_200_000);

  it('should name aspectRatio when neither it nor a platform default is given', async () => {
    const res = await post(`${t.baseUrl}/api/v2/generate`, { creativePrompt: 'A custom ad for a coffee shop downtown', duration: 15, platform: 'custom' });
    expect(res.status).toBe(400);
    expect(Object.keys((await json<{ error: { details: { fields: object } } }>(res)).error.details.fields)).toEqual(['aspectRatio']);
  });
});
