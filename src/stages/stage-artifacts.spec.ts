import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompositionOutput, ImageGenerationOutput, StoryboardInput, VideoGenerationInput, VideoGenerationOutput } from '@app/contracts';
import { loadConfig } from '../../config/app.config';
import { makeAdPlan } from '../../test/fixtures/plans';
import { LocalArtifactStore } from '../artifacts/local-artifact-store';
import { planStageOut, StageArtifacts, stageArtifactKey, stagedPath, storeUrisIn, keySafeName } from './stage-artifacts';
import { replaceStrings } from './stage-cache-key';

const WORK = '/data/artifacts/jobs/j1';
const CACHE = '/data/artifacts/cache';
const at = { jobId: 'j1', stage: 'composition' as const, attemptId: 'a9', roots: [WORK, CACHE] };
const file = (p: string): string => pathToFileURL(p).href;

describe('stage artifact keys and the URI walk', () => {
  it('should key a file by job, stage, attempt and a key-safe name', () => {
    expect(stageArtifactKey('j1', 'storyboard', 'a1', 'still-1.png')).toBe('jobs/j1/storyboard/a1/still-1.png');
    expect(keySafeName('.hidden file?.png')).toBe('_hidden_file_.png');
    expect(keySafeName('')).toBe('artifact');
  });

  it('should find the image of an image_generation output', () => {
    const out: ImageGenerationOutput = { image_uri: file(`${WORK}/reference.png`), seed: 7, width: 1080, height: 1080 };
    expect(planStageOut(out, { ...at, stage: 'image_generation' })).toEqual([
      { uri: out.image_uri, path: `${WORK}/reference.png`, key: 'jobs/j1/image_generation/a9/reference.png' },
    ]);
  });

  it('should find the video, thumbnail, previews and every export of a composition output, each once', () => {
    const out: CompositionOutput = {
      video_uri: file(`${WORK}/final.mp4`),
      thumbnail_uri: file(`${WORK}/thumbnail.jpg`),
      duration: 15,
      resolution: '1080x1080',
      file_size_bytes: 1000,
      scenes: 3,
      gif_uri: file(`${WORK}/preview.gif`),
      exports: [
        { format: 'gif', key: 'gif', uri: file(`${WORK}/preview.gif`), mime_type: 'image/gif', file_size_bytes: 10, duration: 6, width: 360, height: 360 },
        { format: 'mp4:16:9', key: '16:9', uri: file(`${WORK}/final-16x9.mp4`), mime_type: 'video/mp4', file_size_bytes: 10, duration: 15, width: 1920, height: 1080 },
      ],
    };
    const planned = planStageOut(out, at);
    expect(planned.map((f) => f.key)).toEqual([
      'jobs/j1/composition/a9/final.mp4',
      'jobs/j1/composition/a9/thumbnail.jpg',
      'jobs/j1/composition/a9/preview.gif',
      'jobs/j1/composition/a9/final-16x9.mp4',
    ]);
    // Rewritten, the output names only store URIs, the same gif twice.
    const rewritten = replaceStrings(out, new Map(planned.map((f) => [f.uri, `artifact://${f.key}`])));
    expect(JSON.stringify(rewritten)).not.toContain('file://');
    expect(storeUrisIn(rewritten)).toEqual(planned.map((f) => `artifact://${f.key}`));
    expect(rewritten.exports![0].uri).toBe(rewritten.gif_uri);
    expect(rewritten.duration).toBe(15);
  });

  it('should take a clip restored from the stage cache, and give two files of one name distinct keys', () => {
    const out = { a: file(`${CACHE}/video_generation/k/x/clip-1.mp4`), b: file(`${WORK}/clip-1.mp4`) };
    expect(planStageOut(out, { ...at, stage: 'video_generation' }).map((f) => f.key)).toEqual([
      'jobs/j1/video_generation/a9/clip-1.mp4',
      'jobs/j1/video_generation/a9/1-clip-1.mp4',
    ]);
  });

  it('should leave files outside the job, remote URLs and store URIs alone', () => {
    const out: VideoGenerationOutput = { clip_uri: 'file:///etc/passwd', duration: 5, resolution: '540x540' };
    expect(planStageOut(out, at)).toEqual([]);
    expect(planStageOut({ u: 'https://cdn.test/x.mp4', v: 'artifact://jobs/j1/x/a/y.mp4', w: file(`${WORK}/../j2/clip.mp4`) }, at)).toEqual([]);
  });

  it('should find the reference image and the still a clip input names, in storyboard and video inputs', () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1' });
    const ref = 'artifact://jobs/j1/image_generation/a1/reference.png';
    const still = 'artifact://jobs/j1/storyboard/a2/still-1.png';
    const sb: StoryboardInput = { scene: plan.scenes[0], scene_index: 0, scene_count: 3, plan, reference_image_uri: ref, aspect_ratio: '1:1', brand_guidelines: null, seed: 1, variant: 0, hd: false };
    const vg: VideoGenerationInput = { scene: plan.scenes[0], scene_index: 0, scene_count: 3, plan, reference_image_uri: ref, still_uri: still, clip_duration: 5, aspect_ratio: '1:1', brand_guidelines: null };
    expect(storeUrisIn(sb)).toEqual([ref]);
    expect(storeUrisIn(vg)).toEqual([ref, still]);
    const clips: VideoGenerationOutput[] = [{ clip_uri: 'artifact://jobs/j1/video_generation/a3/clip-1.mp4', duration: 5, resolution: '1080x1080' }, { clip_uri: 'artifact://jobs/j1/video_generation/a4/clip-2.mp4', duration: 5, resolution: '1080x1080' }];
    expect(storeUrisIn({ plan, clips, duration: 15 })).toEqual(clips.map((c) => c.clip_uri));
  });

  it('should materialize a key under staged/ without the job prefix', () => {
    expect(stagedPath(WORK, 'j1', 'jobs/j1/storyboard/a2/still-1.png')).toBe(`${WORK}/staged/storyboard/a2/still-1.png`);
    expect(stagedPath(WORK, 'j1', 'uploads/c1/x.png')).toBe(`${WORK}/staged/uploads/c1/x.png`);
  });
});

describe('StageArtifacts on the local store', () => {
  let dir: string;
  let store: LocalArtifactStore;
  let artifacts: StageArtifacts;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stage-artifacts-'));
    const config = loadConfig({ ARTIFACT_DIR: dir, ARTIFACT_URL_SECRET: 's'.repeat(40), PUBLIC_BASE_URL: 'http://app.test' });
    // As with `s3`: outputs go through the store (a directory here, so the test needs nothing running).
    config.artifacts.stageThroughStore = true;
    store = new LocalArtifactStore(path.join(dir, 'store'));
    artifacts = new StageArtifacts(store, config);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const scope = (workDir: string, attemptId: string, stage: 'image_generation' | 'video_generation' = 'video_generation') => ({ jobId: 'j1', stage, attemptId, workDir });

  it('should put an output into the store, then materialize it on a machine without the file', async () => {
    const workA = path.join(dir, 'a', 'jobs', 'j1');
    await mkdir(workA, { recursive: true });
    await writeFile(path.join(workA, 'reference.png'), 'png bytes');
    const out = await artifacts.stageOut({ image_uri: file(path.join(workA, 'reference.png')), seed: 1, width: 2, height: 2 }, scope(workA, 'a1', 'image_generation'));
    expect(out.image_uri).toBe('artifact://jobs/j1/image_generation/a1/reference.png');
    expect((await store.head('jobs/j1/image_generation/a1/reference.png'))?.sizeBytes).toBe(9);

    // Another machine's work dir: downloaded into staged/, the input rewritten to it.
    const workB = path.join(dir, 'b', 'jobs', 'j1');
    await mkdir(workB, { recursive: true });
    const { input, keys } = await artifacts.stageIn({ reference_image_uri: out.image_uri, n: 3 }, scope(workB, 'a2'));
    const staged = path.join(workB, 'staged', 'image_generation', 'a1', 'reference.png');
    expect(input).toEqual({ reference_image_uri: file(staged), n: 3 });
    expect(await readFile(staged, 'utf8')).toBe('png bytes');
    expect(keys.get(file(staged))).toBe('jobs/j1/image_generation/a1/reference.png');
    const signed = new URL(await artifacts.shareUrl(file(staged), keys, scope(workB, 'a2')));
    expect(`${signed.origin}${signed.pathname}`).toBe('http://app.test/api/v1/artifacts');
    expect(signed.searchParams.get('key')).toBe('jobs/j1/image_generation/a1/reference.png');
  });

  it('should reuse an identical file already in the work dir and download over a different one', async () => {
    const work = path.join(dir, 'w', 'jobs', 'j1');
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'clip-1.mp4'), 'clip one');
    const out = await artifacts.stageOut({ clip_uri: file(path.join(work, 'clip-1.mp4')) }, scope(work, 'a1'));
    const same = await artifacts.stageIn(out, scope(work, 'a2'));
    expect(same.input.clip_uri).toBe(file(path.join(work, 'clip-1.mp4')));
    expect(await stat(path.join(work, 'staged')).catch(() => null)).toBeNull();

    await writeFile(path.join(work, 'clip-1.mp4'), 'clip two, regenerated'); // same name, other bytes
    const other = await artifacts.stageIn(out, scope(work, 'a3'));
    expect(other.input.clip_uri).toBe(file(path.join(work, 'staged', 'video_generation', 'a1', 'clip-1.mp4')));
    expect(await readFile(path.join(work, 'staged', 'video_generation', 'a1', 'clip-1.mp4'), 'utf8')).toBe('clip one');
  });

  it('should fail a stage whose input artifact is gone, and remove a job\'s artifacts by prefix', async () => {
    const work = path.join(dir, 'w', 'jobs', 'j1');
    await mkdir(work, { recursive: true });
    await expect(artifacts.stageIn({ u: 'artifact://jobs/j1/video_generation/a1/none.mp4' }, scope(work, 'a2'))).rejects.toThrow(/not in the store/);
    await writeFile(path.join(work, 'x.mp4'), 'x');
    await artifacts.stageOut({ u: file(path.join(work, 'x.mp4')) }, scope(work, 'a1'));
    await store.put('jobs/j2/video_generation/a1/y.mp4', { path: path.join(work, 'x.mp4') }, { contentType: 'video/mp4' });
    await artifacts.deleteJob('j1');
    expect(await store.head('jobs/j1/video_generation/a1/x.mp4')).toBeNull();
    expect(await store.head('jobs/j2/video_generation/a1/y.mp4')).not.toBeNull();
  });

  it('should keep outputs as file paths when outputs do not go through the store, and put a shared input on demand', async () => {
    const config = loadConfig({ ARTIFACT_DIR: dir, PUBLIC_BASE_URL: 'http://app.test' });
    const local = new StageArtifacts(store, config);
    expect(local.throughStore).toBe(false);
    const work = path.join(dir, 'jobs', 'j1');
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'still-1.png'), 'still');
    const out = { image_uri: file(path.join(work, 'still-1.png')) };
    expect(await local.stageOut(out, scope(work, 'a1'))).toEqual(out);
    const url = new URL(await local.shareUrl(out.image_uri, new Map(), scope(work, 'a2')));
    expect(url.searchParams.get('key')).toBe('jobs/j1/video_generation/a2/in-still-1.png');
    expect((await store.head('jobs/j1/video_generation/a2/in-still-1.png'))?.sizeBytes).toBe(5);
    expect(await local.shareUrl('https://cdn.test/x.png', new Map(), scope(work, 'a2'))).toBe('https://cdn.test/x.png');
    expect(await local.shareUrl('file:///etc/hosts', new Map(), scope(work, 'a2'))).toBe('file:///etc/hosts');
  });
});
