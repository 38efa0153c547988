import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { ArtifactStore } from '../../src/artifacts/artifact-store';
import { signedArtifactUrl } from '../../src/artifacts/artifact-uri';
import { verifyAd } from '../../src/media/ffprobe';
import { FakeTeamServices } from '../fakes/fake-team-services.server';
import { startTestS3, type TestS3 } from '../support/s3rver';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';

const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
const SECRET = 'stage-artifacts-test-secret-0123456789abcdef';

/** Every file under `dir`, relative, recursively (empty when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/**
 * Stage work on other machines (docs/design/artifacts.md, "Stage artifacts"): this process runs the API and
 * the orchestrator with `ARTIFACT_STORE=s3` against a real S3 implementation (s3rver) and no stages; the
 * stages run in separate worker processes (`dist/src/main.js`, `ROLES=stages`), each with its own
 * `ARTIFACT_DIR`, sharing only PostgreSQL, NATS and the bucket. Worker A plans, draws the reference design
 * and the stills, then hangs on its (stuck) video service and is stopped; worker B, a second machine that
 * never saw A's files, takes over the clips and the composition from the store. Clips come from the fake
 * team services over the HTTP contract, so the test also sees what a remote service receives. Needs the
 * build (`npm run build`).
 */
describe('stage artifacts on the s3 store, stages in other processes', () => {
  let s3: TestS3;
  let t: TestApp;
  const workers: ChildProcess[] = [];
  let root: string;
  const team = new FakeTeamServices();
  /** A video service that never answers: holds worker A at the clips. */
  const stuck = new FakeTeamServices();
  /** Keys in the bucket under `prefix`, through the S3 API. */
  const keysUnder = async (prefix: string): Promise<string[]> => {
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY } });
    try {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => o.Key!);
    } finally {
      client.destroy();
    }
  };
  /** Starts a stages-only worker with its own ARTIFACT_DIR (`<root>/<name>`), logging to `<root>/<name>.log`. */
  const startWorker = (name: string, videoGenUrl: string): ChildProcess => {
    const log = createWriteStream(path.join(root, `${name}.log`));
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        ...s3.env,
        ROLES: 'stages',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: t.config.databaseUrl,
        NATS_PREFIX: t.config.natsPrefix,
        ARTIFACT_DIR: path.join(root, name),
        PUBLIC_BASE_URL: t.baseUrl,
        ARTIFACT_URL_SECRET: SECRET,
        VIDEO_PROVIDER: 'http',
        VIDEO_GEN_URL: videoGenUrl,
        MAX_PARALLEL_VIDEO_GENERATIONS: '2',
        STAGE_LEASE_SECONDS: '6',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    workers.push(child);
    return child;
  };
  const stop = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it)');
    s3 = await startTestS3();
    await Promise.all([team.start(), stuck.start()]);
    stuck.script('video', ...Array<'hang'>(50).fill('hang'));
    t = await startTestApp({ ...s3.env, ROLES: 'api,orchestrator', ARTIFACT_URL_SECRET: SECRET });
    root = await mkdtemp(path.join(os.tmpdir(), 'ads-workers-'));
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await stop(w);
    await t?.close();
    await Promise.all([team.close(), stuck.close()]);
    await s3?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('should complete a v1 job whose stages run on two workers that share only the store, serve the MP4 from the store and keep file:// out of every event', async () => {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Square ad for a cozy neighborhood coffee shop pumpkin spice latte', duration: 15, aspect_ratio: '1:1' }),
    });
    expect(created.status).toBe(201);
    const { job_id: jobId } = (await created.json()) as { job_id: string };

    // Machine A: everything up to the clips, then stuck on its video service, then gone.
    const a = startWorker('a', stuck.url);
    await pollUntil(async () => stuck.callsOf('video').length, (n) => n >= 1, 180_000, 100);
    if (a.exitCode !== null) throw new Error(`worker a exited: ${await readFile(path.join(root, 'a.log'), 'utf8')}`);
    await stop(a);
    // Machine B: the rest, from the store.
    startWorker('b', team.url);
    const job = await pollUntil(
      async () => (await (await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}`)).json()) as { status: string; error: unknown; result: { video_url: string; thumbnail_url: string } | null },
      (b) => ['completed', 'failed', 'cancelled'].includes(b.status),
      300_000,
      500,
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');

    // The ad, fetched through the API (which streams it from the bucket), is deliverable.
    const video = await fetch(job.result!.video_url);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await video.arrayBuffer());
    const file = path.join(root, 'fetched.mp4');
    await writeFile(file, bytes);
    const { problems } = await verifyAd(file, { durationSeconds: 15, widthPx: 1080, heightPx: 1080 });
    expect(problems).toEqual([]);
    const part = await fetch(job.result!.video_url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    // ARTIFACT_REDIRECT=on (read per request): a 302 to a presigned URL of the bucket, same bytes.
    t.config.artifacts.redirect = true;
    try {
      const redirected = await fetch(job.result!.video_url, { redirect: 'manual' });
      expect(redirected.status).toBe(302);
      const location = redirected.headers.get('location')!;
      expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/jobs/${jobId}/composition/`)).toBe(true);
      expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      t.config.artifacts.redirect = false;
    }
    const thumb = await fetch(job.result!.thumbnail_url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');

    // Every stored result event names its artifacts by store key; none carries a path of the worker's disk.
    const pg = new Client({ connectionString: t.config.databaseUrl });
    await pg.connect();
    let videoKey = '';
    try {
      const events = (await pg.query(`select payload from outbox where id like 'res.%' and payload->>'job_id' = $1`, [jobId])).rows.map((r: { payload: unknown }) => JSON.stringify(r.payload));
      expect(events.length).toBeGreaterThanOrEqual(1 + 1 + 3 + 3 + 1); // plan, reference, ≥3 stills, ≥3 clips, composition
      for (const e of events) expect(e).not.toContain('file://');
      expect(events.filter((e) => e.includes(`artifact://jobs/${jobId}/`)).length).toBe(events.length - 1); // all but the plan
      const row = (await pg.query('select result, clips, stills from jobs where id = $1', [jobId])).rows[0] as Record<string, unknown>;
      expect(JSON.stringify(row)).not.toContain('file://');
      const videoUri = (row.result as { video_uri: string }).video_uri;
      expect(videoUri).toMatch(new RegExp(`^artifact://jobs/${jobId}/composition/[^/]+/final\\.mp4$`));
      videoKey = videoUri.slice('artifact://'.length);
    } finally {
      await pg.end();
    }

    // The bytes live in the bucket; the API process wrote no job file of its own. A made the reference
    // design; B, which never had A's disk, downloaded it (and the stills) into its staged/ folder.
    const stored = await keysUnder(`jobs/${jobId}/`);
    expect(stored).toContain(videoKey);
    expect(stored.some((k) => /\/image_generation\/[^/]+\/reference\.png$/.test(k))).toBe(true);
    expect(await filesUnder(path.join(t.config.artifactDir, 'jobs', jobId))).toEqual([]);
    const onA = await filesUnder(path.join(root, 'a', 'jobs', jobId));
    const onB = await filesUnder(path.join(root, 'b', 'jobs', jobId));
    expect(onA).toContain('reference.png');
    expect(onA.some((f) => f.endsWith('.mp4'))).toBe(false);
    expect(onB.filter((f) => f.startsWith(`staged${path.sep}image_generation${path.sep}`) && f.endsWith('reference.png'))).toHaveLength(1);
    expect(onB.filter((f) => f.startsWith(`staged${path.sep}storyboard${path.sep}`)).length).toBeGreaterThanOrEqual(3);
    expect(onB).toContain('final.mp4');

    // Both video services got http(s) URLs they can fetch, never a file:// path.
    const calls = [...stuck.callsOf('video'), ...team.callsOf('video')];
    expect(team.callsOf('video').length).toBeGreaterThanOrEqual(3);
    for (const c of calls) {
      const body = c.body as { reference_image_url: string; still_url?: string };
      expect(JSON.stringify(body)).not.toContain('file://');
      expect(body.reference_image_url).toMatch(/^https?:\/\//);
    }
    const still = (team.callsOf('video')[0].body as { reference_image_url: string }).reference_image_url;
    const fetched = await fetch(still);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  }, 360_000);

  it('should serve an artifact on the signed route only with a valid, unexpired signature', async () => {
    const key = 'jobs/signed-route-test/storyboard/a1/still-1.png';
    await t.app.get(ArtifactStore).put(key, Readable.from([Buffer.from('fake png')]), { contentType: 'image/png' });
    const good = await fetch(signedArtifactUrl(t.baseUrl, SECRET, key, 60));
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toBe('image/png');
    expect(await good.text()).toBe('fake png');
    const expired = await fetch(signedArtifactUrl(t.baseUrl, SECRET, key, 60, Math.floor(Date.now() / 1000) - 120));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string; details: { reason: string } } }).error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'expired' } });
    const forged = await fetch(signedArtifactUrl(t.baseUrl, 'another-secret-of-sufficient-length-000000', key, 60));
    expect(forged.status).toBe(403);
    const missing = await fetch(signedArtifactUrl(t.baseUrl, SECRET, 'jobs/signed-route-test/none.png', 60));
    expect(missing.status).toBe(404);
  });

  it('should remove a cancelled job\'s artifacts from the bucket', async () => {
    const created = await fetch(`${t.baseUrl}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Square ad for a bakery opening a second shop downtown', duration: 15, aspect_ratio: '1:1' }),
    });
    const { job_id: jobId } = (await created.json()) as { job_id: string };
    const inBucket = (): Promise<string[]> => keysUnder(`jobs/${jobId}/`);
    await pollUntil(inBucket, (files) => files.length > 0, 180_000, 250);
    const cancelled = await fetch(`${t.baseUrl}/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    // A stage finishing meanwhile may still put; the worker removes what it put once it sees the cancel.
    await pollUntil(inBucket, (files) => files.length === 0, 60_000, 500);
  }, 300_000);
});
