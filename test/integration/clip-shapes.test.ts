import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clipSecondsFor, OUTPUT_SIZE_PX, type AdPlan, type AspectRatio, type VideoGenerationOutput } from '@app/contracts';
import { AppError } from '../../src/common/app-error';
import { verifyAd } from '../../src/media/ffprobe';
import { LocalClipGenerator } from '../../src/providers/local/local-clip.generator';
import { LocalCompositor } from '../../src/providers/local/local.compositor';
import { fixtureClip, fixtureImage, type ClipFixture, type ImageFixture } from '../fakes/media-fixtures';
import { makeAdPlan } from '../fixtures/plans';
import { testContext } from '../support/compose-plan';
import { CHECK_AD } from '../support/check-ad';

/**
 * Clips and images of every shape providers return (docs/design/composition.md, "Clips of any shape") compose
 * through the local compositor into ads that pass the project's verification and, when present, the
 * independent delivery check (docs/design/composition.md, "Checking a result");
 * a file that is not media fails the stage with a clear reason; a silent plan gets a silent AAC track.
 */

/** check-ad's failed checks (empty when it passes, or when the workspace has no check-ad). */
function checkAd(file: string, durationSeconds: number, aspect: AspectRatio): string[] {
  if (!CHECK_AD) return [];
  const r = spawnSync(CHECK_AD, [file, '--duration', String(durationSeconds), '--aspect', aspect], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return r.status === 0 ? [] : last.replace(/^check-ad: FAIL\s*/, '').split(/\s+/).filter(Boolean);
}

const clipOf = (file: string): VideoGenerationOutput => ({ clip_uri: pathToFileURL(file).href, duration: 0, resolution: 'any' });

async function compose(plan: AdPlan, clips: VideoGenerationOutput[], aspect: AspectRatio): Promise<{ file: string; problems: string[]; checkAdFailures: string[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clip-shapes-'));
  // The render's own limit (3 min) is for a service; six helpers share this test machine's two cores.
  const { output } = await new LocalCompositor(undefined, { exportGif: false, exportWebm: false, minTimeoutMs: 900_000 }).compose(
    { plan, clips, duration: 15, aspect_ratio: aspect, brand_guidelines: null },
    testContext(dir),
  );
  const file = fileURLToPath(output.video_uri);
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspect];
  const { problems } = await verifyAd(file, { durationSeconds: 15, widthPx, heightPx });
  return { file, problems, checkAdFailures: checkAd(file, 15, aspect) };
}

describe('clips and images of any shape', () => {
  const cases: Array<[AspectRatio, ClipFixture[]]> = [
    ['9:16', ['h264-24fps-1080x1920', 'h264-25fps-audio-1280x720', 'h264-vfr-720x1280', 'h264-rotated-1280x720-as-portrait', 'h264-short-1.5s-1080x1920']],
    ['16:9', ['hevc-10bit-1280x720', 'vp9-opus-webm-512x512', 'h264-4k-3840x2160', 'h264-long-12s-640x360', 'h264-ultrawide-2560x1080']],
    ['1:1', ['h264-60fps-mov-1080x1080', 'h264-4x3-pcm-mov-640x480', 'h264-anamorphic-720x576-sar16x11']],
  ];

  it.each(cases)('should compose a %s ad from clips %j that passes verification and check-ad', async (aspect, kinds) => {
    const files: string[] = [];
    for (const k of kinds) files.push(await fixtureClip(k));
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: aspect, scenes: kinds.length });
    const result = await compose(plan, files.map(clipOf), aspect);
    expect(result.problems).toEqual([]);
    expect(result.checkAdFailures).toEqual([]);
  }, 1_200_000);

  it('should make clips from PNG-with-alpha, WebP and EXIF-rotated JPEG references and compose them', async () => {
    const kinds: ImageFixture[] = ['png-alpha', 'webp', 'jpeg-exif-rotated'];
    const aspect: AspectRatio = '9:16';
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: aspect, scenes: 3 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'image-shapes-'));
    const generator = new LocalClipGenerator();
    const clips: VideoGenerationOutput[] = [];
    for (const [i, kind] of kinds.entries()) {
      const image = await fixtureImage(kind);
      const { output } = await generator.generate(
        {
          scene: plan.scenes[i],
          scene_index: i,
          scene_count: plan.scenes.length,
          plan,
          reference_image_uri: pathToFileURL(image).href,
          clip_duration: clipSecondsFor(plan, i),
          aspect_ratio: aspect,
          brand_guidelines: null,
        },
        testContext(dir),
      );
      clips.push(output);
    }
    const result = await compose(plan, clips, aspect);
    expect(result.problems).toEqual([]);
    expect(result.checkAdFailures).toEqual([]);
  }, 600_000);

  it('should fail composition with INVALID_MEDIA naming the scene when a clip is not media or has no picture', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'not-media-'));
    const html = path.join(dir, 'clip.mp4');
    await writeFile(html, '<html><body>502 Bad Gateway</body></html>');
    const good = await fixtureClip('h264-24fps-1080x1920');
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16', scenes: 3 });
    const compositor = new LocalCompositor(undefined, { exportGif: false, exportWebm: false });
    const input = (clips: string[]): Parameters<LocalCompositor['compose']>[0] => ({ plan, clips: clips.map(clipOf), duration: 15, aspect_ratio: '9:16', brand_guidelines: null });

    const err = await compositor.compose(input([good, html, good]), testContext(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'COMPOSITION_FAILED', retryable: false, details: { reason: 'INVALID_MEDIA', scene_number: 2 } });

    const wav = await fixtureClip('h264-25fps-audio-1280x720').then(() => path.join(dir, 'tone.wav'));
    spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=d=1', wav]);
    const noPicture = await compositor.compose(input([good, good, wav]), testContext(dir)).catch((e: unknown) => e);
    expect(noPicture).toMatchObject({ code: 'COMPOSITION_FAILED', details: { reason: 'INVALID_MEDIA', scene_number: 3 } });
    expect((noPicture as Error).message).toContain('no picture');
  }, 120_000);

  it('should give a plan with music_volume 0 a silent AAC track that passes every check but the loudness target', async () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1', scenes: 3 });
    plan.audio.music_volume = 0;
    const clip = await fixtureClip('h264-60fps-mov-1080x1080');
    const result = await compose(plan, [clip, clip, clip].map(clipOf), '1:1');
    expect(result.problems).toEqual([]);
    // Silence measures -70 LUFS: the −14 LUFS target is for ads with sound.
    expect(result.checkAdFailures.filter((c) => c !== 'loudness')).toEqual([]);
  }, 600_000);
});
