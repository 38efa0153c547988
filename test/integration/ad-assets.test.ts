import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import pino from 'pino';
import { MikroORM } from '@mikro-orm/postgresql';
import { ASSET_MENTIONS, type AdPlan, type CompositionInput, type ImageGenerationInput, type VideoGenerationInput } from '@app/contracts';
import { loadProvidersConfig } from '../../config/providers.config';
import { LocalArtifactStore } from '../../src/artifacts/local-artifact-store';
import { materializeAsset, withAssetFiles } from '../../src/assets/asset-files';
import { createArtifactStore } from '../../src/artifacts/artifacts.module';
import type { ArtifactStore } from '../../src/artifacts/artifact-store';
import { S3ArtifactStore } from '../../src/artifacts/s3-artifact-store';
import { AppError } from '../../src/common/app-error';
import { loadConfig } from '../../config/app.config';
import { watermarkBox } from '../../src/media/logo-layout';
import { verifyAd } from '../../src/media/ffprobe';
import { safeAreaFor } from '../../src/media/safe-area';
import { MetricsService } from '../../src/metrics/metrics.service';
import type { ProviderContext } from '../../src/providers/ports';
import { ReplicateImageGenerator } from '../../src/providers/replicate/replicate-image.generator';
import { ReplicateClient } from '../../src/providers/replicate/replicate.client';
import { ProviderResilience } from '../../src/providers/resilience';
import { FakeReplicateServer } from '../fakes/fake-replicate.server';
import { makeAdPlan } from '../fixtures/plans';
import { uploadAsset } from '../support/asset-fixtures';
import { startTestS3, type TestS3 } from '../support/s3rver';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { CHECK_AD } from '../support/check-ad';
import { getV2Job, postJson, readJson, type V2JobBody } from '../support/v2-client';
import { colourIn, footageMp4, frameAt, LOGO_RGB, FOOTAGE_RGB, logoPng, PRODUCT_RGB, productJpeg, rgbaOf } from '../support/brand-fixtures';

/**
 * The brand's own assets in a v2 ad, end to end on the local providers, the real PostgreSQL, NATS and ffmpeg
 * (docs/api.md, "Assets in the ad"): a transparent logo PNG, a product JPEG and an mp4 are uploaded, named
 * without roles (inferred: logo, product, footage) and the logo asked as a watermark; the 15 s job's plan
 * mentions them, the reference design and the stills show the product photo's colours, scene 2's still and
 * clip are the footage, the logo is drawn above the closing card and in the corner of every scene, and the ad passes
 * verification and check-ad.
 */
describe('brand assets in a v2 ad on local providers', () => {
  let t: TestApp;
  let orm: MikroORM;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp({ MAX_PARALLEL_VIDEO_GENERATIONS: '2' });
    orm = t.app.get(MikroORM);
    dir = await mkdtemp(path.join(os.tmpdir(), 'ad-assets-'));
  });

  afterAll(async () => {
    await t?.close();
  });

  const json = readJson;
  const post = postJson;
  const get = (id: string): Promise<V2JobBody> => getV2Job<V2JobBody>(t.baseUrl, id);
  const upload = async (bytes: Buffer, name: string, type: string): Promise<{ assetId: string; sha256: string }> => {
    const res = await uploadAsset(t.baseUrl, bytes, name, type);
    expect(res.status).toBe(201);
    return json(res);
  };

  it('should refuse roles that do not fit the asset and a watermark without a logo, naming the fields', async () => {
    const product = await upload(productJpeg(), 'product.jpg', 'image/jpeg');
    const res = await post(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a pink sneaker, bold and energetic',
      duration: 15,
      platform: 'tiktok',
      brandGuidelines: { logoWatermark: true },
      assets: [{ id: product.assetId, role: 'footage' }, { id: product.assetId, sceneNumber: 2 }, { id: product.assetId, role: 'banner' }],
    });
    expect(res.status).toBe(400);
    const body = await json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>(res);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.details.fields).sort()).toEqual(['assets.2.role']);
    const res2 = await post(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a pink sneaker, bold and energetic',
      duration: 15,
      platform: 'tiktok',
      brandGuidelines: { logoWatermark: true },
      assets: [{ id: product.assetId, role: 'footage' }, { id: product.assetId, sceneNumber: 2 }],
    });
    const body2 = await json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>(res2);
    expect(Object.keys(body2.error.details.fields).sort()).toEqual(['assets.0.role', 'assets.1.sceneNumber', 'brandGuidelines.logoWatermark']);
  });

  it('should put the logo, the product photo and the footage into the ad', async () => {
    const logo = await upload(logoPng(), 'logo.png', 'image/png');
    const product = await upload(productJpeg(), 'product.jpg', 'image/jpeg');
    const footage = await upload(await footageMp4(dir), 'clip.mp4', 'video/mp4');
    const created = await post(`${t.baseUrl}/api/v2/generate`, {
      creativePrompt: 'A 15 second TikTok ad for a pink running sneaker, bold and energetic',
      duration: 15,
      platform: 'tiktok',
      brandGuidelines: { primaryColor: '#1E2A78', logoWatermark: true },
      assets: [{ id: logo.assetId }, { id: product.assetId }, { id: footage.assetId, sceneNumber: 2 }],
    });
    expect(created.status).toBe(201);
    const { job_id: id } = await json<{ job_id: string }>(created);

    // Roles inferred at generate time and stored with the job, with what the stages read the bytes by.
    const em = orm.em.fork();
    const [row] = await em.execute<Array<{ options: { assets: Array<{ id: string; role: string; roleInferred: boolean; sha256: string; storageKey: string }>; logoWatermark: boolean } }>>('select options from jobs where id = ?', [id]);
    expect(row.options.assets.map((a) => [a.id, a.role, a.roleInferred])).toEqual([[logo.assetId, 'logo', true], [product.assetId, 'product', true], [footage.assetId, 'footage', true]]);
    expect(row.options.assets.map((a) => a.sha256)).toEqual([logo.sha256, product.sha256, footage.sha256]);
    expect(row.options.logoWatermark).toBe(true);

    const board = await pollUntil(() => get(id), (b) => b.status === 'storyboard_complete' || b.status === 'failed', 180_000, 500);
    expect(board.error).toBeNull();
    const scenes = board.storyboard.length;
    expect(scenes).toBeGreaterThanOrEqual(3);

    // The plan's visual prompts mention the assets.
    const [planRow] = await em.execute<Array<{ plan: AdPlan; reference_image_url: string }>>('select parsed_data as plan, reference_image_url from jobs where id = ?', [id]);
    expect(planRow.plan.scenes[scenes - 1].visual_prompt).toContain(ASSET_MENTIONS.logo);
    expect(planRow.plan.scenes[1].visual_prompt).toContain(ASSET_MENTIONS.footage);
    expect(planRow.plan.scenes[0].visual_prompt).toContain(ASSET_MENTIONS.product);

    // The reference design composites the product photo, and the stills (derived from it) show it.
    const reference = await rgbaOf(await readFile(fileURLToPath(planRow.reference_image_url)));
    const whole = (f: { width: number; height: number }) => ({ xPx: 0, yPx: 0, widthPx: f.width, heightPx: f.height });
    expect(colourIn(reference, PRODUCT_RGB, whole(reference)).share).toBeGreaterThan(0.08);
    const still = await rgbaOf(Buffer.from(await (await fetch(board.storyboard[0].imageUrl)).arrayBuffer()));
    expect(colourIn(still, PRODUCT_RGB, whole(still)).share).toBeGreaterThan(0.03);
    // The footage scene's still is a frame of the footage, so the storyboard shows what will play.
    const footageStill = await rgbaOf(Buffer.from(await (await fetch(board.storyboard[1].imageUrl)).arrayBuffer()));
    expect(colourIn(footageStill, FOOTAGE_RGB, { xPx: 340, yPx: 700, widthPx: 400, heightPx: 300 }).share).toBeGreaterThan(0.95);

    expect((await post(`${t.baseUrl}/api/v2/jobs/${id}/render`, { maxCostUsd: 1 })).status).toBe(200);
    const done = await pollUntil(() => get(id), (x) => ['completed', 'failed', 'cancelled'].includes(x.status), 600_000, 1000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.cost.total).toBe(0);

    // Stage inputs carry the asset's store key and sha256 (so the cache key changes with the bytes).
    const requests = await em.execute<Array<{ subject: string; payload: { data: { scene_index: number | null; input: CompositionInput & VideoGenerationInput & ImageGenerationInput } } }>>(
      `select subject, payload from outbox where subject like ? or subject like ? or subject like ?`,
      [`%.stage.req.composition.${id}`, `%.stage.req.video_generation.${id}.%`, `%.stage.req.image_generation.${id}`],
    );
    const composition = requests.find((r) => r.subject.includes('.composition.'))!.payload.data.input;
    expect(composition.logo).toMatchObject({ asset_id: logo.assetId, sha256: logo.sha256, type: 'image', mime_type: 'image/png' });
    expect(composition.logo_watermark).toBe(true);
    expect(requests.find((r) => r.subject.includes('.image_generation.'))!.payload.data.input.product_image).toMatchObject({ asset_id: product.assetId, sha256: product.sha256 });
    const footageScenes = requests.filter((r) => r.subject.includes('.video_generation.') && r.payload.data.input.footage).map((r) => r.payload.data.scene_index);
    expect(footageScenes).toEqual([1]);

    // The ad passes the project's verification and the delivery check.
    const video = path.join(dir, 'ad.mp4');
    await writeFile(video, Buffer.from(await (await fetch(done.results!.videoUrl)).arrayBuffer()));
    expect((await verifyAd(video, { durationSeconds: 15, widthPx: 1080, heightPx: 1920 })).problems).toEqual([]);
    if (CHECK_AD) {
      const r = spawnSync(CHECK_AD, [video, '--duration', '15', '--aspect', '9:16', '--scenes', String(scenes)], { encoding: 'utf8' });
      expect(r.stdout.trim().split('\n').pop() === 'check-ad: PASS' ? 'check-ad: PASS' : `${video}\n${r.stdout}`).toBe('check-ad: PASS');
    }

    const safe = safeAreaFor('9:16');
    // Scene 2 plays the footage: its middle is the footage's green (ungraded, the brand's own colours).
    const s2 = board.storyboard[1];
    const mid = await frameAt(video, s2.timestamp + s2.duration / 2, dir);
    expect(colourIn(mid, FOOTAGE_RGB, { xPx: 340, yPx: 700, widthPx: 400, heightPx: 300 }).share).toBeGreaterThan(0.95);
    // Scene 1's middle is not green (generated from the reference design), so the green came from the footage.
    const s1 = board.storyboard[0];
    const first = await frameAt(video, s1.timestamp + s1.duration / 2, dir);
    expect(colourIn(first, FOOTAGE_RGB, { xPx: 340, yPx: 700, widthPx: 400, heightPx: 300 }).share).toBeLessThan(0.2);

    // The watermark sits in the top-right corner of the safe zone on every scene.
    const mark = watermarkBox({ widthPx: 400, heightPx: 160 }, safe);
    const markInner = { xPx: mark.xPx + Math.round(mark.widthPx * 0.2), yPx: mark.yPx + Math.round(mark.heightPx * 0.3), widthPx: Math.round(mark.widthPx * 0.6), heightPx: Math.round(mark.heightPx * 0.4) };
    for (const f of [first, mid]) expect(colourIn(f, LOGO_RGB, markInner).share).toBeGreaterThan(0.9);

    // The last scene shows the logo above the closing card: a cyan bar of the logo's shape, centred in the
    // safe zone, inside it, below the watermark.
    const last = board.storyboard[scenes - 1];
    const closing = await frameAt(video, last.timestamp + last.duration - 1, dir);
    const below = { xPx: safe.xPx, yPx: mark.yPx + mark.heightPx + 4, widthPx: safe.widthPx, heightPx: safe.yPx + safe.heightPx - (mark.yPx + mark.heightPx + 4) };
    const seen = colourIn(closing, LOGO_RGB, below);
    expect(seen.bounds).not.toBeNull();
    const b = seen.bounds!;
    const [w, h] = [b.x1 - b.x0 + 1, b.y1 - b.y0 + 1];
    expect(Math.abs(w / h - 3)).toBeLessThan(0.3);
    expect(seen.count).toBeGreaterThan(0.85 * w * h);
    expect(Math.abs((b.x0 + b.x1) / 2 - (safe.xPx + safe.widthPx / 2))).toBeLessThan(6);
    expect(w).toBeGreaterThan(100);
  });
});

/**
 * The product photo as the Replicate image model's image input (docs/providers.md, "Product image"), against the
 * fake Replicate server that speaks the real API, the asset read through a real local artifact store.
 */
describe('product image on Replicate', () => {
  let replicate: FakeReplicateServer;
  let root: string;

  beforeAll(async () => {
    replicate = new FakeReplicateServer();
    await replicate.start();
    root = await mkdtemp(path.join(os.tmpdir(), 'ad-assets-replicate-'));
  });

  afterAll(async () => {
    await replicate?.close();
  });

  async function generate(model: string) {
    const { config: c, problems } = loadProvidersConfig({
      IMAGE_PROVIDER: 'replicate',
      REPLICATE_API_TOKEN: replicate.token,
      REPLICATE_BASE_URL: `${replicate.url}/v1`,
      REPLICATE_IMAGE_MODEL: model,
      REPLICATE_PRICES_JSON: JSON.stringify({ [model]: { unit: 'image', usd: 0.04 } }),
      REPLICATE_POLL_INITIAL_MS: '10',
      REPLICATE_POLL_MAX_MS: '20',
    });
    expect(problems).toEqual([]);
    const resilience = new ProviderResilience(c.resilience, pino({ level: 'silent' }), new MetricsService());
    const generator = new ReplicateImageGenerator(new ReplicateClient(c.replicate), c.replicate, c.prices.replicate, resilience);
    const store = new LocalArtifactStore(path.join(root, 'store'));
    const bytes = productJpeg();
    const stored = await store.put('uploads/client-a/product.jpg', Readable.from([bytes]), { contentType: 'image/jpeg' });
    const workDir = await mkdtemp(path.join(root, 'job-'));
    const ctx: ProviderContext = { jobId: 'job-1', attemptId: 'a1', signal: new AbortController().signal, workDir, heartbeat: () => undefined, resumeToken: null, saveResumeToken: async () => undefined };
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
    const input: ImageGenerationInput = {
      plan,
      aspect_ratio: '9:16',
      brand_guidelines: null,
      product_image: { asset_id: 'p1', role: 'product', key: stored.key, type: 'image', mime_type: 'image/jpeg', size_bytes: stored.sizeBytes, sha256: stored.sha256, width: 480, height: 480 },
    };
    const before = new Set(replicate.predictions.keys());
    const result = await generator.generate(input, withAssetFiles(ctx, store, 'IMAGE_GENERATION_FAILED'));
    const sent = [...replicate.predictions.values()].filter((p) => !before.has(p.id));
    return { result, sent, bytes };
  }

  it('should send the product photo as flux-kontext-pro input_image, read through the store', async () => {
    const { result, sent, bytes } = await generate('black-forest-labs/flux-kontext-pro');
    expect(sent).toHaveLength(1);
    expect(sent[0].input.input_image).toBe(`data:image/jpeg;base64,${bytes.toString('base64')}`);
    expect(String(sent[0].input.prompt)).toContain('product photo');
    expect(result.metadata).toMatchObject({ product_image: 'input_image' });
    expect(result.costUsd).toBe(0.04);
  });

  it('should send no image to flux-schnell, which has no image input, and say so', async () => {
    const { result, sent } = await generate('black-forest-labs/flux-schnell');
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0].input).sort()).toEqual(['aspect_ratio', 'num_outputs', 'output_format', 'prompt', 'seed']);
    expect(result.metadata?.product_image).toMatch(/not supported/);
  });
});

/**
 * A stage worker reads an asset by its store key into its own work dir (docs/design/composition.md, "Brand
 * assets"), on the local store and on a real S3 implementation (s3rver) standing in for a store shared by
 * machines: the bytes arrive whole, a second read reuses the copy, and bytes that do not match the recorded
 * sha256 or a key with nothing stored fail the stage permanently.
 */
describe('asset bytes through the artifact store', () => {
  let s3: TestS3;
  let root: string;
  const stores: ArtifactStore[] = [];

  beforeAll(async () => {
    s3 = await startTestS3('asset-bucket');
    root = await mkdtemp(path.join(os.tmpdir(), 'ad-assets-store-'));
  });

  afterAll(async () => {
    for (const st of stores) if (st instanceof S3ArtifactStore) st.destroy();
    await s3?.close();
  });

  const storeOf = (kind: 'local' | 's3'): ArtifactStore => {
    const store = kind === 's3' ? createArtifactStore(loadConfig({ ...process.env, ...s3.env })) : new LocalArtifactStore(path.join(root, 'store'));
    stores.push(store);
    return store;
  };

  it.each(['local', 's3'] as const)('%s: should copy the asset into the work dir, check its hash and reuse the copy', async (kind) => {
    const store = storeOf(kind);
    const bytes = logoPng();
    const stored = await store.put(`uploads/c/${kind}-logo.png`, Readable.from([bytes]), { contentType: 'image/png' });
    const asset = { asset_id: 'l1', role: 'logo' as const, key: stored.key, type: 'image' as const, mime_type: 'image/png', size_bytes: stored.sizeBytes, sha256: stored.sha256, width: 400, height: 160 };
    const workDir = await mkdtemp(path.join(root, `${kind}-job-`));
    const file = await materializeAsset(store, asset, workDir, 'COMPOSITION_FAILED');
    expect(path.relative(workDir, file)).toBe(`assets/${stored.sha256}.png`);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect(await materializeAsset(store, asset, workDir, 'COMPOSITION_FAILED')).toBe(file);

    const otherDir = await mkdtemp(path.join(root, `${kind}-job-`));
    const tampered = await materializeAsset(store, { ...asset, sha256: '0'.repeat(64) }, otherDir, 'COMPOSITION_FAILED').catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(AppError);
    expect({ code: (tampered as AppError).code, retryable: (tampered as AppError).retryable }).toEqual({ code: 'COMPOSITION_FAILED', retryable: false });
    const missing = await materializeAsset(store, { ...asset, key: `uploads/c/${kind}-gone.png`, sha256: '1'.repeat(64) }, otherDir, 'VIDEO_GENERATION_FAILED').catch((e: unknown) => e);
    expect({ code: (missing as AppError).code, retryable: (missing as AppError).retryable }).toEqual({ code: 'VIDEO_GENERATION_FAILED', retryable: false });
    // Neither failure leaves a file a later read could take for the asset.
    expect(await readdir(path.join(otherDir, 'assets'))).toEqual([]);
  });
});
