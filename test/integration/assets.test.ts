import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MikroORM } from '@mikro-orm/postgresql';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { makeAudioOnlyMp4, makeJpeg, makePng, makeVideo, makeZip, uploadAsset } from '../support/asset-fixtures';
import { startTestS3, type TestS3 } from '../support/s3rver';
import { AssetsService } from '../../src/assets/assets.service';
import { startTestApp, type TestApp } from '../support/test-app';

interface AssetBody {
  assetId: string;
  url: string;
  type: 'image' | 'video';
  mimeType: string;
  width: number;
  height: number;
  durationSeconds?: number;
  sizeBytes: number;
  sha256: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: { reason?: string; fields?: Record<string, string[]> } };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir` (recursively), relative; [] when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

interface Fixtures {
  png: Buffer;
  jpeg: Buffer;
  mp4: Buffer;
  mov: Buffer;
  audioOnly: Buffer;
  zip: Buffer;
}

/**
 * The upload suite, run against whichever artifact store `start` configures: good files round-trip byte for
 * byte with the right metadata; bad ones are 400 with nothing stored anywhere and the server still serving.
 */
function uploadSuite(name: string, start: () => Promise<{ t: TestApp; storedObjects: () => Promise<string[]> }>, fixtures: () => Fixtures, full: boolean) {
  describe(name, () => {
    let t: TestApp;
    let storedObjects: () => Promise<string[]>;
    let orm: MikroORM;
    beforeAll(async () => {
      ({ t, storedObjects } = await start());
      orm = t.app.get(MikroORM);
    });
    afterAll(async () => {
      await t?.close();
    });

    const assetRows = async (): Promise<number> => Number((await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from assets'))[0].n);

    const expectRoundTrip = async (bytes: Buffer, filename: string, expected: Partial<AssetBody>): Promise<AssetBody> => {
      const res = await uploadAsset(t.baseUrl, bytes, filename, 'application/octet-stream');
      const body = (await res.json()) as AssetBody;
      expect(res.status).toBe(201);
      expect(body).toMatchObject({ ...expected, sizeBytes: bytes.length, sha256: sha(bytes) });
      expect(body.assetId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.url).toBe(`${t.baseUrl}/api/v2/assets/${body.assetId}/data`);

      const meta = await fetch(`${t.baseUrl}/api/v2/assets/${body.assetId}`);
      expect(meta.status).toBe(200);
      expect(await meta.json()).toEqual(body);

      const data = await fetch(body.url);
      expect(data.status).toBe(200);
      expect(data.headers.get('content-type')).toBe(expected.mimeType);
      expect(data.headers.get('accept-ranges')).toBe('bytes');
      expect(Buffer.from(await data.arrayBuffer()).equals(bytes)).toBe(true);

      const part = await fetch(body.url, { headers: { range: 'bytes=10-99' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 10-99/${bytes.length}`);
      expect(part.headers.get('content-type')).toBe(expected.mimeType);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 100))).toBe(true);
      const tail = await fetch(body.url, { headers: { range: 'bytes=-16' } });
      expect(tail.status).toBe(206);
      expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 16))).toBe(true);
      return body;
    };

    it('should accept a PNG with transparency and read it back byte for byte, whole and in ranges', async () => {
      await expectRoundTrip(fixtures().png, 'logo.png', { type: 'image', mimeType: 'image/png', width: 160, height: 90 });
    });

    it('should accept a JPEG whatever its name says, typed by its content', async () => {
      const body = await expectRoundTrip(fixtures().jpeg, 'product.bin', { type: 'image', mimeType: 'image/jpeg', width: 320, height: 240 });
      expect(body.durationSeconds).toBeUndefined();
      expect(await storedObjects()).toContain(`uploads/_anonymous/${body.assetId}.jpg`);
    });

    it('should accept an MP4 with its size and duration', async () => {
      const body = await expectRoundTrip(fixtures().mp4, 'footage.mp4', { type: 'video', mimeType: 'video/mp4', width: 320, height: 240 });
      expect(body.durationSeconds).toBeGreaterThan(1.3);
      expect(body.durationSeconds).toBeLessThan(1.7);
    });

    if (full) {
      it('should accept a QuickTime MOV as video/quicktime', async () => {
        await expectRoundTrip(fixtures().mov, 'clip.mov', { type: 'video', mimeType: 'video/quicktime', width: 320, height: 240 });
      });

      it('should answer an unsatisfiable range with 416 and Content-Range bytes */size, and an unknown asset with 404', async () => {
        const up = (await (await uploadAsset(t.baseUrl, fixtures().png, 'logo.png')).json()) as AssetBody;
        const res = await fetch(up.url, { headers: { range: `bytes=${up.sizeBytes}-` } });
        expect(res.status).toBe(416);
        expect(res.headers.get('content-range')).toBe(`bytes */${up.sizeBytes}`);
        expect(((await res.json()) as ErrorBody).error.code).toBe('RANGE_NOT_SATISFIABLE');
        for (const url of [`${t.baseUrl}/api/v2/assets/00000000-0000-4000-8000-000000000000`, `${t.baseUrl}/api/v2/assets/not-a-uuid/data`]) {
          const missing = await fetch(url);
          expect(missing.status).toBe(404);
          expect(((await missing.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
        }
      });
    }

    const bad: Array<{ name: string; full?: boolean; file: () => Promise<Buffer> | Buffer; filename: string; type?: string; reasons: string[] }> = [
      { name: 'a ZIP named .png', file: () => fixtures().zip, filename: 'logo.png', type: 'image/png', reasons: ['unsupported_type'] },
      { name: 'a truncated JPEG', file: () => fixtures().jpeg.subarray(0, Math.floor(fixtures().jpeg.length * 0.6)), filename: 'photo.jpg', type: 'image/jpeg', reasons: ['truncated'] },
      { name: 'an 80 MB file', full: true, file: () => Buffer.concat([fixtures().png, randomBytes(80 * 1024 * 1024)]), filename: 'huge.png', type: 'image/png', reasons: ['too_large'] },
      { name: 'an MP4 without a video stream (audio only)', full: true, file: () => fixtures().audioOnly, filename: 'song.mp4', type: 'video/mp4', reasons: ['no_video_stream'] },
      { name: 'a polyglot: a PNG with a ZIP appended', full: true, file: () => Buffer.concat([fixtures().png, fixtures().zip]), filename: 'logo.png', type: 'image/png', reasons: ['trailing_data'] },
      { name: 'a JPEG with a ZIP appended', full: true, file: () => Buffer.concat([fixtures().jpeg, fixtures().zip]), filename: 'photo.jpg', type: 'image/jpeg', reasons: ['trailing_data'] },
      { name: 'a text file named .jpg', full: true, file: () => Buffer.from('hello, I am a text file\n'.repeat(20)), filename: 'notes.jpg', type: 'image/jpeg', reasons: ['unsupported_type'] },
      { name: 'a truncated MP4', full: true, file: () => fixtures().mp4.subarray(0, Math.floor(fixtures().mp4.length * 0.7)), filename: 'cut.mp4', type: 'video/mp4', reasons: ['truncated'] },
      { name: 'an MP4 with a ZIP appended', full: true, file: () => Buffer.concat([fixtures().mp4, fixtures().zip]), filename: 'clip.mp4', type: 'video/mp4', reasons: ['trailing_data'] },
      { name: 'a PNG with a corrupted byte (CRC fails)', full: true, file: () => { const b = Buffer.from(fixtures().png); b[40] ^= 0xff; return b; }, filename: 'logo.png', type: 'image/png', reasons: ['corrupt'] },
      { name: 'an empty file', full: true, file: () => Buffer.alloc(0), filename: 'empty.png', reasons: ['empty'] },
    ];
    for (const c of bad.filter((b) => full || !b.full)) {
      it(`should refuse ${c.name} with 400 INVALID_INPUT, store nothing, and keep serving`, async () => {
        const rowsBefore = await assetRows();
        const objectsBefore = await storedObjects();
        const res = await uploadAsset(t.baseUrl, await c.file(), c.filename, c.type);
        expect(res.status).toBe(400);
        const body = (await res.json()) as ErrorBody;
        expect(body.error.code).toBe('INVALID_INPUT');
        expect(c.reasons).toContain(body.error.details.reason);
        expect(body.error.details.fields?.file?.[0]).toEqual(expect.any(String));
        expect(await assetRows()).toBe(rowsBefore);
        expect(await storedObjects()).toEqual(objectsBefore);
        expect(await filesUnder(path.join(t.config.artifactDir, 'uploads-tmp'))).toEqual([]);
        const health = await fetch(`${t.baseUrl}/health`);
        expect(health.status).toBe(200);
      });
    }

    if (full) {
      it('should stop reading a chunked upload (no Content-Length) once it passes 50 MB', async () => {
        const rowsBefore = await assetRows();
        const png = fixtures().png;
        let sent = 0;
        const chunk = randomBytes(1024 * 1024);
        const boundary = '----assets-test-boundary';
        const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
        // 200 MB offered, only as fast as the server reads it.
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(head);
            c.enqueue(png);
          },
          pull(c) {
            if (sent >= 200 * 1024 * 1024) {
              c.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
              c.close();
              return;
            }
            sent += chunk.length;
            c.enqueue(chunk);
          },
        });
        const res = await fetch(`${t.baseUrl}/api/v2/upload-asset`, {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
          duplex: 'half',
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as ErrorBody).error.details.reason).toBe('too_large');
        // Stopped well before the end of what was offered.
        expect(sent).toBeLessThan(120 * 1024 * 1024);
        expect(await assetRows()).toBe(rowsBefore);
        expect(await filesUnder(path.join(t.config.artifactDir, 'uploads-tmp'))).toEqual([]);
        expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
      });

      it('should sweep temporary upload files a dead process left behind, and only those', async () => {
        const dir = path.join(t.config.artifactDir, 'uploads-tmp');
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, 'left-by-a-crash'), 'partial upload');
        await writeFile(path.join(dir, 'in-flight'), 'partial upload');
        const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
        await utimes(path.join(dir, 'left-by-a-crash'), twoHoursAgo, twoHoursAgo);
        expect(await t.app.get(AssetsService).sweepTemporaryFiles()).toBe(1);
        expect(await filesUnder(dir)).toEqual(['in-flight']);
        expect(await t.app.get(AssetsService).sweepTemporaryFiles(Date.now() + 2 * 3600 * 1000)).toBe(1);
        expect(await filesUnder(dir)).toEqual([]);
      });

      it('should replay an upload sent again with its Idempotency-Key, and refuse another file with that key (422), storing nothing new', async () => {
        const key = `upload-${Date.now()}`;
        const first = await uploadAsset(t.baseUrl, fixtures().png, 'logo.png', 'image/png', { 'idempotency-key': key });
        expect(first.status).toBe(201);
        const body = (await first.json()) as AssetBody;
        const rows = await assetRows();
        const again = await uploadAsset(t.baseUrl, fixtures().png, 'logo-again.png', 'image/png', { 'idempotency-key': key });
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(await again.json()).toEqual(body);
        const other = await uploadAsset(t.baseUrl, fixtures().jpeg, 'product.jpg', 'image/jpeg', { 'idempotency-key': key });
        expect(other.status).toBe(422);
        expect(((await other.json()) as ErrorBody).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(await assetRows()).toBe(rows);
        // A refused file frees its key: the key then belongs to the next good upload.
        const badKey = `bad-${key}`;
        expect((await uploadAsset(t.baseUrl, Buffer.from('PK\x03\x04 not an image'), 'x.png', 'image/png', { 'idempotency-key': badKey })).status).toBe(400);
        expect((await uploadAsset(t.baseUrl, fixtures().jpeg, 'product.jpg', 'image/jpeg', { 'idempotency-key': badKey })).status).toBe(201);
      });

      it('should refuse a request that is not multipart, or has no file part, with 400', async () => {
        const json = await fetch(`${t.baseUrl}/api/v2/upload-asset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(json.status).toBe(400);
        expect(((await json.json()) as ErrorBody).error.details.reason).toBe('no_file');
        const form = new FormData();
        form.append('note', 'no file here');
        const noFile = await fetch(`${t.baseUrl}/api/v2/upload-asset`, { method: 'POST', body: form });
        expect(noFile.status).toBe(400);
        expect(((await noFile.json()) as ErrorBody).error.details.reason).toBe('no_file');
      });

      it('should let a v2 job name an uploaded asset, and refuse unknown asset ids naming assets.N.id', async () => {
        const logo = (await (await uploadAsset(t.baseUrl, fixtures().png, 'logo.png')).json()) as AssetBody;
        const base = { creativePrompt: 'A 15 second TikTok ad for a neighbourhood coffee roaster with warm morning light', duration: 15, platform: 'tiktok' };
        const ok = await fetch(`${t.baseUrl}/api/v2/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...base, assets: [{ id: logo.assetId, role: 'logo' }] }),
        });
        expect(ok.status).toBe(201);
        const badRes = await fetch(`${t.baseUrl}/api/v2/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...base, assets: [{ id: logo.assetId }, { id: 'asset-logo-1' }, { id: '00000000-0000-4000-8000-000000000000' }] }),
        });
        expect(badRes.status).toBe(400);
        const err = (await badRes.json()) as ErrorBody;
        expect(err.error.code).toBe('INVALID_INPUT');
        expect(Object.keys(err.error.details.fields ?? {}).sort()).toEqual(['assets.1.id', 'assets.2.id']);
      });
    }
  });
}

describe('asset upload', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    const [mp4, mov, audioOnly] = await Promise.all([makeVideo('mp4'), makeVideo('mov'), makeAudioOnlyMp4()]);
    fx = { png: makePng(), jpeg: makeJpeg(), mp4, mov, audioOnly, zip: makeZip() };
  });

  uploadSuite(
    'on the local artifact store',
    async () => {
      const t = await startTestApp({ ROLES: 'api' });
      return { t, storedObjects: () => filesUnder(t.config.artifacts.localRoot).then((f) => f.filter((n) => !path.basename(n).startsWith('.')).sort()) };
    },
    () => fx,
    true,
  );

  describe('on the s3 artifact store (s3rver)', () => {
    let s3: TestS3;
    let client: S3Client;
    beforeAll(async () => {
      s3 = await startTestS3('assets-test');
      client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    });
    afterAll(async () => {
      client?.destroy();
      await s3?.close();
    });
    uploadSuite(
      'upload suite',
      async () => {
        const t = await startTestApp({ ROLES: 'api', ...s3.env });
        const storedObjects = async () => {
          const res = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
          return (res.Contents ?? []).map((o) => o.Key!).sort();
        };
        // Nothing is written to the local store when the store is s3.
        return { t, storedObjects: async () => [...(await storedObjects()), ...(await filesUnder(t.config.artifacts.localRoot)).map((f) => `local:${f}`)] };
      },
      () => fx,
      false,
    );
  });

  describe('with AUTH_MODE=on', () => {
    const ADMIN_KEY = 'admin-key-for-asset-tests-0123456789';
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ROLES: 'api', AUTH_MODE: 'on', ADMIN_API_KEY: ADMIN_KEY, RATE_LIMITS: 'on', RATE_LIMIT_UPLOAD: '3/min' });
    });
    afterAll(async () => {
      await t?.close();
    });
    const key = async (clientId: string, userId: string, role: 'user' | 'admin' = 'user'): Promise<string> => {
      const res = await fetch(`${t.baseUrl}/api/v1/admin/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
        body: JSON.stringify({ clientId, userId, role }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { key: string }).key;
    };

    it("should keep an asset to its client: another client's reads are 404, an admin's 200, and its id is refused in their jobs", async () => {
      const [acme, globex, admin] = [await key('acme', 'alice'), await key('globex', 'bob'), await key('ops', 'root', 'admin')];
      expect((await uploadAsset(t.baseUrl, fx.png, 'logo.png')).status).toBe(401);
      const res = await uploadAsset(t.baseUrl, fx.png, 'logo.png', 'image/png', { 'x-api-key': acme });
      expect(res.status).toBe(201);
      const asset = (await res.json()) as AssetBody;
      const orm: MikroORM = t.app.get(MikroORM);
      const rows: Array<{ client_id: string; user_id: string; storage_key: string }> = await orm.em.fork().execute('select client_id, user_id, storage_key from assets where id = ?', [asset.assetId]);
      expect(rows[0]).toEqual({ client_id: 'acme', user_id: 'alice', storage_key: `uploads/acme/${asset.assetId}.png` });

      for (const url of [`${t.baseUrl}/api/v2/assets/${asset.assetId}`, asset.url]) {
        expect((await fetch(url, { headers: { 'x-api-key': acme } })).status).toBe(200);
        const other = await fetch(url, { headers: { 'x-api-key': globex } });
        expect(other.status).toBe(404);
        expect(((await other.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
        expect((await fetch(url, { headers: { 'x-api-key': admin } })).status).toBe(200);
      }
      const adminBytes = await fetch(asset.url, { headers: { 'x-api-key': admin } });
      expect(Buffer.from(await adminBytes.arrayBuffer()).equals(fx.png)).toBe(true);

      const job = (apiKey: string) =>
        fetch(`${t.baseUrl}/api/v2/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ creativePrompt: 'A 15 second TikTok ad for a neighbourhood coffee roaster with warm morning light', duration: 15, platform: 'tiktok', assets: [{ id: asset.assetId, role: 'logo' }] }),
        });
      const theirs = await job(globex);
      expect(theirs.status).toBe(400);
      expect(Object.keys(((await theirs.json()) as ErrorBody).error.details.fields ?? {})).toEqual(['assets.0.id']);
      expect((await job(acme)).status).toBe(201);
    });

    it('should rate-limit uploads per principal in the upload class (429 with Retry-After)', async () => {
      const k = await key('limited', 'carol');
      const statuses: number[] = [];
      let last: Response | null = null;
      for (let i = 0; i < 4; i++) {
        last = await uploadAsset(t.baseUrl, fx.jpeg, 'p.jpg', 'image/jpeg', { 'x-api-key': k });
        statuses.push(last.status);
        if (i < 3) await last.arrayBuffer();
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await last!.json()) as ErrorBody).error.code).toBe('RATE_LIMIT_EXCEEDED');
    });
  });
});
