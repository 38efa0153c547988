import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { CompositionOutput } from '@app/contracts';
import { verifyAd } from '../../src/media/ffprobe';
import { safeAreaFor } from '../../src/media/safe-area';
import { uploadAsset } from '../support/asset-fixtures';
import { colourIn, frameAt, LOGO_RGB, logoPng, productJpeg } from '../support/brand-fixtures';
import { CHECK_AD } from '../support/check-ad';
import { startTestS3, type TestS3 } from '../support/s3rver';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { downloadArtifact, getV2Job, postJson, readJson, type V2JobBody } from '../support/v2-client';

/** check-ad's verdict line, or the whole report when it fails (so a failure says which check and by how much). */
function checkAd(file: string, aspect: string, scenes: number): string {
  if (!CHECK_AD) return 'check-ad: PASS';
  const r = spawnSync(CHECK_AD, [file, '--duration', '15', '--aspect', aspect, '--scenes', String(scenes)], { encoding: 'utf8' });
  const verdict = r.stdout.trim().split('\n').pop();
  return verdict === 'check-ad: PASS' ? verdict : `${file}\n${r.stdout}`;
}

/**
 * The whole v2 product on an S3 artifact store (a real S3 implementation, s3rver, started here; docs/design/
 * artifacts.md): an uploaded logo PNG and product JPEG, a storyboard approved and rendered as 2 variations with
 * gif, webm and 16:9 exports. Every URL the job lists is fetchable, both variations pass the delivery check
 * with the logo's pixels in their last scene, the 16:9 export passes it for 16:9 with its text inside the
 * 16:9 safe zone, and no job file was left on the API's disk: the stage outputs live in the bucket.
 */
describe('v2 job with assets, variations and exports on the s3 store', () => {
  let s3: TestS3;
  let t: TestApp;
  let orm: MikroORM;
  let dir: string;

  beforeAll(async () => {
    s3 = await startTestS3('v2-full');
    t = await startTestApp({ ...s3.env, MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
    orm = t.app.get(MikroORM);
    dir = await mkdtemp(path.join(os.tmpdir(), 'v2-s3-'));
  });

  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
  const download = async (url: string, name: string): Promise<string> => (await downloadArtifact(url, name, { dir })).file;

  it('should complete with every URL fetchable, both variations and the 16:9 export passing the delivery check, and the logo in each last scene', async () => {
    const upload = async (bytes: Buffer, name: string, type: string): Promise<string> => {
      const res = await uploadAsset(t.baseUrl, bytes, name, type);
      expect(res.status).toBe(201);
      return (await readJson<{ assetId: string }>(res)).assetId;
    };
    const logo = await upload(logoPng(), 'logo.png', 'image/png');
    const product = await upload(productJpeg(), 'product.jpg', 'image/jpeg');

    const created = await postJson(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a pink running sneaker, bold and energetic',
      duration: 15,
      platform: 'tiktok',
      numberOfVariations: 2,
      exportFormats: ['mp4', 'gif', 'webm', 'mp4:16:9'],
      assets: [{ id: logo, role: 'logo' }, { id: product, role: 'product' }],
    });
    expect(created.status).toBe(201);
    const { job_id: id } = await readJson<{ job_id: string }>(created);

    const board = await pollUntil(() => get(id), (b) => b.status === 'storyboard_complete' || b.status === 'failed', 180_000, 500);
    expect(board.error).toBeNull();
    const scenes = board.storyboard.length;
    for (const s of board.storyboard) await download(s.imageUrl, `still-${s.sceneNumber}.png`);

    expect((await postJson(`${t.baseUrl}/api/v2/jobs/${id}/render`, { maxCostUsd: 1 })).status).toBe(200);
    const done = await pollUntil(() => get(id), (x) => ['completed', 'partially_completed', 'failed', 'cancelled'].includes(x.status), 900_000, 1000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    const results = done.results!;
    expect(Object.keys(results.exports).sort()).toEqual(['16:9', 'gif', 'webm']);
    expect(results.exportFailures).toEqual([]);
    expect(results.variations.map((v) => v.status)).toEqual(['completed', 'completed']);

    // Every URL the job lists answers 200.
    await download(results.videoUrl, 'ad.mp4');
    await download(results.thumbnailUrl, 'thumb.jpg');
    for (const [key, url] of Object.entries(results.exports)) await download(url, `export-${key.replace(':', 'x')}`);

    // Both variations pass the delivery check, and their last scene (the closing card stays last in every cut)
    // shows the logo's cyan inside the safe zone.
    const safe = safeAreaFor('9:16');
    for (const v of results.variations) {
      await download(v.thumbnailUrl!, `v${v.index}.jpg`);
      const file = await download(v.videoUrl!, `v${v.index}.mp4`);
      expect((await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).problems).toEqual([]);
      expect(checkAd(file, '9:16', scenes)).toBe('check-ad: PASS');
      const closing = await frameAt(file, 14, dir);
      const seen = colourIn(closing, LOGO_RGB, safe);
      expect({ variation: v.index, logoPixels: seen.count > 2000 }).toEqual({ variation: v.index, logoPixels: true });
    }

    // The 16:9 export: a re-composition that passes the delivery check for 16:9, its text inside that safe zone.
    const wide = path.join(dir, 'export-16x9');
    expect((await verifyAd(wide, { durationSeconds: 15, widthPx: 1920, heightPx: 1080 })).problems).toEqual([]);
    expect(checkAd(wide, '16:9', scenes)).toBe('check-ad: PASS');
    const rows: Array<{ result: CompositionOutput }> = await orm.em.fork().execute('select result from jobs where id = ?', [id]);
    const wideSafe = safeAreaFor('16:9');
    const boxes = rows[0].result.exports!.find((e) => e.key === '16:9')!.text_boxes!;
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) {
      const inside = b.xPx >= wideSafe.xPx && b.yPx >= wideSafe.yPx && b.xPx + b.widthPx <= wideSafe.xPx + wideSafe.widthPx && b.yPx + b.heightPx <= wideSafe.yPx + wideSafe.heightPx;
      expect({ inside, box: b }).toEqual({ inside: true, box: b });
    }

    // The stage outputs live in the bucket: the stored results point at the store, never at a local file.
    const [row] = await orm.em.fork().execute<Array<{ doc: string }>>('select (result::text || coalesce(cuts::text, \'\') || stills::text || coalesce(reference_image_url, \'\')) as doc from jobs where id = ?', [id]);
    expect(row.doc).not.toContain('file://');
    expect(row.doc).toContain('artifact://');
  }, 1_200_000);
});
