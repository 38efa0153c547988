import { spawnSync } from 'node:child_process';
import { MikroORM } from '@mikro-orm/postgresql';
import type { CompositionInput, CompositionOutput } from '@app/contracts';
import { probeMedia, verifyAd } from '../../src/media/ffprobe';
import { safeAreaFor } from '../../src/media/safe-area';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { CHECK_AD } from '../support/check-ad';
import { downloadArtifact, getV2Job, postJson, readJson, type V2JobBody } from '../support/v2-client';


/**
 * A v2 job's exports end to end on the local providers, the real PostgreSQL, NATS and ffmpeg (docs/api.md,
 * "Exports"): one 15 s 9:16 job asks for gif, webm, mp4:16:9 and mp4:1:1, with the 1:1 export forced to fail
 * by the EXPORT_FAULT_FORMATS test hook (a 1 ms limit, so it fails through ffmpeg's real timeout path). The
 * job completes at 0 USD with the three exports served (range requests, content types), each probed, the
 * 16:9 re-composition passing the delivery check with its text laid out inside the 16:9 safe zone, and the
 * 1:1 export listed as skipped after its retry. All of it happens in the one composition attempt.
 */
describe('v2 exports on local providers', () => {
  let t: TestApp;
  let orm: MikroORM;

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2', EXPORT_FAULT_FORMATS: 'mp4:1:1' });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
  });

  const json = readJson;
  const post = postJson;
  const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
  const download = async (url: string, contentType: string, name: string): Promise<string> => (await downloadArtifact(url, name, { contentType })).file;

  it('should refuse an unknown export format naming the field', async () => {
    const res = await post(`${t.baseUrl}/api/v2/generate`, { creativePrompt: 'A 15 second ad for a coffee shop downtown', duration: 15, platform: 'tiktok', exportFormats: ['gif', 'mp4:4:3'] });
    expect(res.status).toBe(400);
    const body = await json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>(res);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.details.fields)).toEqual(['exportFormats']);
  });

  it('should make, verify and serve every requested export, and list the one that failed', async () => {
    const created = await post(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a trail running shoe, energetic, 20% off this week',
      duration: 15,
      platform: 'tiktok',
      exportFormats: ['mp4', 'gif', 'webm', 'mp4:16:9', 'mp4:1:1'],
    });
    expect(created.status).toBe(201);
    const { job_id: id } = await json<{ job_id: string }>(created);
    const board = await pollUntil(() => get(id), (b) => b.status === 'storyboard_complete' || b.status === 'failed', 180_000, 500);
    expect(board.error).toBeNull();
    const scenes = board.storyboard.length;
    expect((await post(`${t.baseUrl}/api/v2/jobs/${id}/render`, { maxCostUsd: 1 })).status).toBe(200);
    const done = await pollUntil(() => get(id), (x) => ['completed', 'failed', 'cancelled'].includes(x.status), 720_000, 1000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.cost.total).toBe(0);

    // Served by key; the forced failure is listed with the code of its last try, and nothing else failed.
    const self = `${t.baseUrl}/api/v2/jobs/${id}`;
    expect(done.results!.exports).toEqual({ gif: `${self}/exports/gif`, webm: `${self}/exports/webm`, '16:9': `${self}/exports/16:9` });
    expect(done.results!.exportFailures).toEqual([{ format: 'mp4:1:1', code: 'TIMEOUT', message: expect.stringContaining('mp4:1:1 export') }]);

    // One composition attempt made the ad and every export; its input asked for them, its output lists them.
    const em = orm.em.fork();
    const attempts: Array<{ stage: string; n: string }> = await em.execute(`select stage, count(*) as n from stage_attempts where job_id = ? group by stage`, [id]);
    expect(Number(attempts.find((a) => a.stage === 'composition')?.n)).toBe(1);
    const requests: Array<{ payload: { data: { input: CompositionInput } } }> = await em.execute(`select payload from outbox where subject like ?`, [`%.stage.req.composition.${id}`]);
    expect(requests.map((r) => r.payload.data.input.exports)).toEqual([['gif', 'webm', 'mp4:16:9', 'mp4:1:1']]);
    const rows: Array<{ result: CompositionOutput }> = await em.execute('select result from jobs where id = ?', [id]);
    const result = rows[0].result;
    expect(result.exports!.map((e) => e.key)).toEqual(['gif', 'webm', '16:9']);

    // GIF: the whole ad inside 480x640, palette-based, a reasonable size (about 4 MB measured).
    const gif = await probeMedia(await download(done.results!.exports.gif, 'image/gif', 'ad.gif'));
    const gifVideo = gif.streams.find((s) => s.type === 'video');
    expect({ codec: gifVideo?.codec, w: gifVideo?.widthPx, h: gifVideo?.heightPx, audio: gif.streams.some((s) => s.type === 'audio') }).toEqual({ codec: 'gif', w: 360, h: 640, audio: false });
    expect(Math.abs(gif.durationSeconds - 15)).toBeLessThan(0.25);
    expect(result.exports![0].file_size_bytes).toBeLessThan(8e6);

    // WebM: VP9 and Opus at the ad's size and length.
    const webm = await probeMedia(await download(done.results!.exports.webm, 'video/webm', 'ad.webm'));
    const webmVideo = webm.streams.find((s) => s.type === 'video');
    expect({ codecs: webm.streams.map((s) => s.codec).sort(), w: webmVideo?.widthPx, h: webmVideo?.heightPx }).toEqual({ codecs: ['opus', 'vp9'], w: 1080, h: 1920 });
    expect(Math.abs(webm.durationSeconds - 15)).toBeLessThan(0.2);

    // 16:9: a re-composition at 1920x1080 that passes the project's verification and the delivery check.
    const wideFile = await download(done.results!.exports['16:9'], 'video/mp4', 'ad-16x9.mp4');
    expect((await verifyAd(wideFile, { durationSeconds: 15, widthPx: 1920, heightPx: 1080 })).problems).toEqual([]);
    if (CHECK_AD) {
      const r = spawnSync(CHECK_AD, [wideFile, '--duration', '15', '--aspect', '16:9', '--scenes', String(scenes)], { encoding: 'utf8' });
      expect(r.stdout.trim().split('\n').pop() === 'check-ad: PASS' ? 'check-ad: PASS' : `${wideFile}\n${r.stdout}`).toBe('check-ad: PASS');
    }
    // Its text was laid out again for 16:9, not cropped from the portrait ad: every card inside the 16:9 safe
    // zone, the scene lines set at its left edge (the landscape layout), one card per scene.
    const safe = safeAreaFor('16:9');
    const boxes = result.exports!.find((e) => e.key === '16:9')!.text_boxes!;
    expect(boxes).toHaveLength(scenes);
    for (const b of boxes) {
      expect({ inside: b.xPx >= safe.xPx && b.yPx >= safe.yPx && b.xPx + b.widthPx <= safe.xPx + safe.widthPx && b.yPx + b.heightPx <= safe.yPx + safe.heightPx, box: b }).toEqual({ inside: true, box: b });
    }
    expect(boxes.slice(0, -1).every((b) => b.xPx === safe.xPx)).toBe(true);

    // Range requests work on exports as on the ad; a skipped or unknown export is a 404 in the error shape.
    const range = await fetch(done.results!.exports['16:9'], { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toHaveLength(100);
    for (const key of ['1:1', 'avi']) {
      const res = await fetch(`${self}/exports/${key}`);
      expect(res.status).toBe(404);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe('NOT_FOUND');
    }
  }, 1_200_000);
});
