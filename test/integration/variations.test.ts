import { spawnSync } from 'node:child_process';
import { MikroORM } from '@mikro-orm/postgresql';
import type { CompositionInput } from '@app/contracts';
import { verifyAd } from '../../src/media/ffprobe';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { CHECK_AD } from '../support/check-ad';
import { downloadArtifact, getV2Job, postJson, readJson, type V2JobBody, type V2Variation } from '../support/v2-client';


const REQUEST = { creativePrompt: 'A 15 second TikTok ad for a cold brew coffee, bold and energetic, free shipping today', duration: 15, platform: 'tiktok' };

/**
 * Variations of a v2 job end to end on the local providers, the real PostgreSQL, NATS and ffmpeg (docs/api.md,
 * "Variations"). A 15 s job with numberOfVariations 2 is approved and rendered: its clips are made once per
 * scene, two compositions (one per cut) make two different MP4s, both served with range requests and both
 * passing the project's verification and the delivery check. Then the same request with 3 variations, cut 2
 * forced to fail by the VARIATION_FAULT_INDICES test hook, ends `partially_completed` with cuts 0 and 1
 * served and cut 2 listed with its error (its stills, clips and the first two cuts come from the stage cache).
 */
describe('v2 variations on local providers', () => {
  let t: TestApp;
  let orm: MikroORM;

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2', VARIATION_FAULT_INDICES: '2' });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
  });

  const json = readJson;
  const post = postJson;
  const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
  const download = (url: string, contentType: string, name: string): Promise<{ file: string; sha256: string }> => downloadArtifact(url, name, { contentType });
  /** Creates, waits for the storyboard, renders and waits for the end; returns the final body and scene count. */
  const renderJob = async (numberOfVariations: number): Promise<{ done: V2JobBody; scenes: number }> => {
    const created = await post(`${t.baseUrl}/api/v2/generate`, { ...REQUEST, numberOfVariations });
    expect(created.status).toBe(201);
    const { job_id: id } = await json<{ job_id: string }>(created);
    const board = await pollUntil(() => get(id), (b) => b.status === 'storyboard_complete' || b.status === 'failed', 180_000, 500);
    expect(board.error).toBeNull();
    expect((await post(`${t.baseUrl}/api/v2/jobs/${id}/render`, { maxCostUsd: 1 })).status).toBe(200);
    const done = await pollUntil(() => get(id), (x) => ['completed', 'partially_completed', 'failed', 'cancelled'].includes(x.status), 720_000, 1000);
    return { done, scenes: board.storyboard.length };
  };
  const attemptsOf = async (id: string): Promise<Record<string, number>> => {
    const rows: Array<{ stage: string; n: string }> = await orm.em.fork().execute('select stage, count(*) as n from stage_attempts where job_id = ? group by stage', [id]);
    return Object.fromEntries(rows.map((r) => [r.stage, Number(r.n)]));
  };

  it('should refuse more than 3 variations naming the field', async () => {
    const res = await post(`${t.baseUrl}/api/v2/generate`, { ...REQUEST, numberOfVariations: 4 });
    expect(res.status).toBe(400);
    const body = await json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>(res);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.details.fields)).toEqual(['numberOfVariations']);
  });

  it('should render two different cuts from clips made once, both served and both passing the delivery check', async () => {
    const { done, scenes } = await renderJob(2);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.progress.percentage).toBe(100);
    const id = done.job_id;
    const self = `${t.baseUrl}/api/v2/jobs/${id}`;
    const variations = done.results!.variations;
    expect(variations.map((v) => ({ index: v.index, cut: v.cut, status: v.status, videoUrl: v.videoUrl, thumbnailUrl: v.thumbnailUrl, cost: v.cost, error: v.error }))).toEqual([
      { index: 0, cut: 'as_planned', status: 'completed', videoUrl: `${self}/variations/0/data`, thumbnailUrl: `${self}/variations/0/thumbnail`, cost: 0, error: null },
      { index: 1, cut: 'product_first', status: 'completed', videoUrl: `${self}/variations/1/data`, thumbnailUrl: `${self}/variations/1/thumbnail`, cost: 0, error: null },
    ]);
    expect(done.results!.videoUrl).toBe(`${self}/data`);

    // Clips generated once per scene, one composition per cut; the cuts' inputs differ only in the edit.
    expect(await attemptsOf(id)).toMatchObject({ video_generation: scenes, composition: 2 });
    const requests: Array<{ payload: { data: { scene_index: number | null; input: CompositionInput } } }> = await orm.em
      .fork()
      .execute(`select payload from outbox where subject like ? order by created_at`, [`%.stage.req.composition.${id}.%`]);
    const inputs = requests.map((r) => r.payload.data).sort((a, b) => a.scene_index! - b.scene_index!);
    expect(inputs.map((r) => r.scene_index)).toEqual([0, 1]);
    expect(new Set(inputs.flatMap((r) => r.input.clips.map((c) => c.clip_uri))).size).toBe(scenes);
    expect(inputs[1].input.clips.map((c) => c.clip_uri)).not.toEqual(inputs[0].input.clips.map((c) => c.clip_uri));

    // Both MP4s fetchable, different files, each a valid ad of the requested shape.
    const files = await Promise.all(variations.map((v) => download(v.videoUrl!, 'video/mp4', `v${v.index}.mp4`)));
    expect(files[0].sha256).not.toBe(files[1].sha256);
    const main = await download(done.results!.videoUrl, 'video/mp4', 'main.mp4');
    expect(main.sha256).toBe(files[0].sha256);
    for (const f of files) {
      expect({ file: f.file, problems: (await verifyAd(f.file, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).problems }).toEqual({ file: f.file, problems: [] });
      if (CHECK_AD) {
        const r = spawnSync(CHECK_AD, [f.file, '--duration', '15', '--aspect', '9:16', '--scenes', String(scenes)], { encoding: 'utf8' });
        expect(r.stdout.trim().split('\n').pop() === 'check-ad: PASS' ? 'check-ad: PASS' : `${f.file}\n${r.stdout}`).toBe('check-ad: PASS');
      }
    }
    const thumbs = await Promise.all(variations.map((v) => download(v.thumbnailUrl!, 'image/jpeg', `v${v.index}.jpg`)));
    expect(thumbs[0].sha256).not.toBe(thumbs[1].sha256);

    // Range requests as on /data; a cut the job does not have is a 404 in the error shape.
    const range = await fetch(variations[1].videoUrl!, { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toHaveLength(100);
    const missing = await fetch(`${self}/variations/2/data`);
    expect(missing.status).toBe(404);
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe('NOT_FOUND');
  });

  it('should end partially_completed when one cut fails, serving the others and listing the failure', async () => {
    const { done, scenes } = await renderJob(3);
    expect(done.status).toBe('partially_completed');
    expect(done.error).toBeNull();
    const id = done.job_id;
    const self = `${t.baseUrl}/api/v2/jobs/${id}`;
    const variations = done.results!.variations;
    expect(variations.map((v) => [v.index, v.status, v.videoUrl])).toEqual([
      [0, 'completed', `${self}/variations/0/data`],
      [1, 'completed', `${self}/variations/1/data`],
      [2, 'failed', null],
    ]);
    expect(variations[2].error).toMatchObject({ code: 'COMPOSITION_FAILED', message: expect.stringContaining('variation 2') });
    expect(await attemptsOf(id)).toMatchObject({ video_generation: scenes, composition: 3 });
    for (const v of variations.slice(0, 2)) {
      const { file } = await download(v.videoUrl!, 'video/mp4', `p${v.index}.mp4`);
      expect((await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).problems).toEqual([]);
    }
    expect((await fetch(done.results!.videoUrl)).status).toBe(200);
    const failed = await fetch(`${self}/variations/2/data`);
    expect(failed.status).toBe(404);
    expect((await json<{ error: { code: string } }>(failed)).error.code).toBe('NOT_FOUND');
    // The event stream's terminal event carries the variations.
    const events: Array<{ payload: { data: { status?: string; variations?: V2Variation[] } } }> = await orm.em
      .fork()
      .execute(`select payload from outbox where subject like ?`, [`%.evt.job.completed.${id}`]);
    expect(events).toHaveLength(1);
    expect(events[0].payload.data.status).toBe('partially_completed');
    expect(events[0].payload.data.variations!.map((v) => v.status)).toEqual(['completed', 'completed', 'failed']);
  });
});
