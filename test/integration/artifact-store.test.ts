import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../config/app.config';
import { ArtifactNotFoundError, type ArtifactStore } from '../../src/artifacts/artifact-store';
import { createArtifactStore } from '../../src/artifacts/artifacts.module';
import { LocalArtifactStore } from '../../src/artifacts/local-artifact-store';
import { S3ArtifactStore } from '../../src/artifacts/s3-artifact-store';
import { AppError } from '../../src/common/app-error';
import { startTestS3, type TestS3 } from '../support/s3rver';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Streams `bytes` in 64 KiB chunks, like a request body would arrive. */
function chunked(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
  })());
}

/**
 * The one contract every adapter of the artifact store port keeps (docs/design/artifacts.md), run against
 * the `local` adapter on disk and the `s3` adapter on a real S3 implementation (s3rver) this file starts.
 */
function contract(name: string, make: () => { store: ArtifactStore; scratch: string }) {
  describe(`${name} adapter`, () => {
    let store: ArtifactStore;
    let scratch: string;
    beforeAll(() => ({ store, scratch } = make()));

    it('should store a file and a stream, report size and SHA-256, and read them back byte for byte', async () => {
      const bytes = randomBytes(300_000);
      const file = path.join(scratch, 'in.bin');
      await writeFile(file, bytes);
      const fromFile = await store.put('contract/from-file.bin', { path: file }, { contentType: 'image/png' });
      expect(fromFile).toEqual({ key: 'contract/from-file.bin', sizeBytes: bytes.length, sha256: sha(bytes) });
      const head = await store.head('contract/from-file.bin');
      expect(head).toEqual({ key: 'contract/from-file.bin', sizeBytes: bytes.length, contentType: 'image/png', sha256: sha(bytes) });
      const opened = await store.open('contract/from-file.bin');
      expect(opened.range).toBeNull();
      expect(opened.sizeBytes).toBe(bytes.length);
      expect(opened.contentType).toBe('image/png');
      expect((await readAll(opened.stream)).equals(bytes)).toBe(true);

      const other = randomBytes(70_000);
      const fromStream = await store.put('contract/from-stream.bin', chunked(other), { contentType: 'video/mp4' });
      expect(fromStream).toEqual({ key: 'contract/from-stream.bin', sizeBytes: other.length, sha256: sha(other) });
      expect((await readAll((await store.open('contract/from-stream.bin')).stream)).equals(other)).toBe(true);
      expect((await store.head('contract/from-stream.bin'))?.contentType).toBe('video/mp4');
    });

    it('should stream a body larger than one multipart part (12 MiB) without a partial object being visible', async () => {
      const big = randomBytes(12 * 1024 * 1024 + 123);
      const put = store.put('contract/big.bin', chunked(big), { contentType: 'video/mp4' });
      // While the upload runs, the key is either absent or (never) a prefix of the body.
      const during = await store.head('contract/big.bin');
      const done = await put;
      expect(during === null || during.sizeBytes === big.length).toBe(true);
      expect(done.sizeBytes).toBe(big.length);
      expect(done.sha256).toBe(sha(big));
      expect((await readAll((await store.open('contract/big.bin')).stream)).equals(big)).toBe(true);
    });

    it('should serve an inclusive byte range, clamped to the end', async () => {
      const bytes = randomBytes(10_000);
      await store.put('contract/range.bin', Readable.from([bytes]), { contentType: 'video/quicktime' });
      const mid = await store.open('contract/range.bin', { start: 100, end: 199 });
      expect(mid.range).toEqual({ start: 100, end: 199 });
      expect(mid.sizeBytes).toBe(10_000);
      expect((await readAll(mid.stream)).equals(bytes.subarray(100, 200))).toBe(true);
      const tail = await store.open('contract/range.bin', { start: 9_990, end: 20_000 });
      expect(tail.range).toEqual({ start: 9_990, end: 9_999 });
      expect((await readAll(tail.stream)).equals(bytes.subarray(9_990))).toBe(true);
    });

    it('should replace an artifact on a second put, delete it, and answer missing keys as missing', async () => {
      await store.put('contract/replace.bin', Readable.from([Buffer.from('first')]), { contentType: 'text/plain' });
      await store.put('contract/replace.bin', Readable.from([Buffer.from('second!')]), { contentType: 'text/plain' });
      expect((await readAll((await store.open('contract/replace.bin')).stream)).toString()).toBe('second!');
      await store.delete('contract/replace.bin');
      expect(await store.head('contract/replace.bin')).toBeNull();
      await expect(store.open('contract/replace.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.delete('contract/replace.bin')).resolves.toBeUndefined();
    });

    it('should refuse keys that could escape the store, before touching it', async () => {
      for (const key of ['../escape.bin', 'a/../../b', '/etc/passwd', 'a//b', '.hidden', 'a/.meta', '', 'a\\b', 'a b', 'x'.repeat(1100)]) {
        await expect(store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        await expect(store.head(key)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      }
    });
  });
}

describe('artifact store port', () => {
  let s3: TestS3;
  let localRoot: string;
  let scratch: string;
  const made: ArtifactStore[] = [];

  beforeAll(async () => {
    s3 = await startTestS3('contract-bucket');
    localRoot = await mkdtemp(path.join(os.tmpdir(), 'artifact-local-'));
    scratch = await mkdtemp(path.join(os.tmpdir(), 'artifact-scratch-'));
  });
  afterAll(async () => {
    for (const s of made) if (s instanceof S3ArtifactStore) s.destroy();
    await s3?.close();
    await rm(localRoot, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  const s3Store = (env: Record<string, string> = {}) => {
    const store = createArtifactStore(loadConfig({ ...process.env, ...s3.env, ...env }));
    made.push(store);
    return store;
  };

  contract('local', () => ({ store: new LocalArtifactStore(localRoot), scratch }));
  contract('s3', () => ({ store: s3Store(), scratch }));

  it('local: should leave no temporary file behind, and keep its sidecars hidden from keys', async () => {
    const store = new LocalArtifactStore(localRoot);
    await store.put('tidy/a.png', Readable.from([Buffer.from('png')]), { contentType: 'image/png' });
    // A stream that fails half way: the put fails and nothing is left.
    let reads = 0;
    const failing = new Readable({
      read() {
        if (reads++ === 0) this.push(Buffer.from('half'));
        else this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put('tidy/b.png', failing, { contentType: 'image/png' })).rejects.toBeInstanceOf(AppError);
    expect((await readdir(path.join(localRoot, 'tidy'))).sort()).toEqual(['.a.png.meta.json', 'a.png']);
    expect(await store.head('tidy/b.png')).toBeNull();
  });

  it('s3: should answer a missing bucket with a clear SERVICE_UNAVAILABLE naming the bucket', async () => {
    const store = s3Store({ S3_BUCKET: 'no-such-bucket' });
    const err = await store.put('x/y.bin', Readable.from([Buffer.from('data')]), { contentType: 'text/plain' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { bucket: 'no-such-bucket', sdk_error: 'NoSuchBucket' } });
    expect((err as AppError).message).toContain('bucket "no-such-bucket" does not exist');
    await expect(store.open('x/y.bin')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('s3: should answer an unknown access key with a clear SERVICE_UNAVAILABLE about credentials', async () => {
    const store = s3Store({ AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'whatever' });
    const err = await store.put('x/y.bin', Readable.from([Buffer.from('data')]), { contentType: 'text/plain' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { sdk_error: 'InvalidAccessKeyId' } });
    expect((err as AppError).message).toContain('credentials');
  });

  it('s3: should presign a GET URL that serves the object without credentials, and local should have none', async () => {
    const store = s3Store({ S3_PRESIGN_SECONDS: '60' });
    const bytes = randomBytes(5000);
    await store.put('presigned/a.bin', Readable.from([bytes]), { contentType: 'image/jpeg' });
    const url = await store.presignGetUrl('presigned/a.bin');
    expect(url).toMatch(/X-Amz-Expires=60/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await new LocalArtifactStore(localRoot).presignGetUrl('presigned/a.bin')).toBeNull();
  });
});
