import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdir } from 'node:fs/promises';
import { OUTPUT_SIZE_PX, type StageAsset, type StoryboardInput, type StoryboardOutput, type VideoGenerationInput, type VideoGenerationOutput } from '@app/contracts';
import { AppError } from '../../common/app-error';
import { buildFootageClipArgs, buildFootageStillArgs } from '../../media/footage.args';
import type { FfmpegRunner } from '../../media/ffmpeg.runner';
import { probeMedia } from '../../media/ffprobe';
import type { ProviderContext, ProviderResult } from '../../providers/ports';

/** Encoder settings of a footage clip: the local clip generator's (composition.md, "Delivery settings that worked"). */
const FOOTAGE_PRESET = 'veryfast';
const FOOTAGE_CRF = 20;

/**
 * One scene's clip made from the client's footage instead of a clip model (docs/design/composition.md, "Brand
 * assets"): the asset's bytes are read through the artifact store (`ctx.assetFile`), trimmed to the clip's
 * length and fitted to the output frame into `<workDir>/clip-<n>.mp4`, then probed. The clip is reported as
 * already in the plan's grade: the brand's footage keeps its own colours. Cost 0 USD.
 * @throws AppError `VIDEO_GENERATION_FAILED` when the footage cannot be read or has no picture; `TIMEOUT` on an ffmpeg stall; CancelledError
 */
export async function footageClip(input: VideoGenerationInput & { footage: NonNullable<VideoGenerationInput['footage']> }, ctx: ProviderContext, runner: FfmpegRunner): Promise<ProviderResult<VideoGenerationOutput>> {
  const started = Date.now();
  const { source, probe, video } = await readFootage(input.footage, ctx, 'VIDEO_GENERATION_FAILED');
  const n = input.scene_index + 1;
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
  const tmpPath = join(ctx.workDir, `.clip-${n}-${ctx.attemptId}.mp4`);
  const clipPath = join(ctx.workDir, `clip-${n}.mp4`);
  try {
    const run = await runner.run(
      buildFootageClipArgs({
        inputPath: source,
        outputPath: tmpPath,
        shape: { widthPx: video.widthPx, heightPx: video.heightPx, rotationDegrees: video.rotationDegrees, sampleAspectRatio: video.sampleAspectRatio },
        sourceSeconds: video.durationSeconds ?? (probe.durationSeconds > 0 ? probe.durationSeconds : undefined),
        clipSeconds: input.clip_duration,
        widthPx,
        heightPx,
        preset: FOOTAGE_PRESET,
        crf: FOOTAGE_CRF,
      }),
      {
        errorCode: 'VIDEO_GENERATION_FAILED',
        timeoutMs: Math.max(60_000, input.clip_duration * 10_000),
        signal: ctx.signal,
        onProgress: (t) => {
          ctx.heartbeat();
          ctx.reportProgress?.(Math.min(1, t / input.clip_duration));
        },
        label: `footage clip ${n}`,
      },
    );
    const out = await probeMedia(tmpPath);
    if (!((await stat(tmpPath)).size > 0) || Math.abs(out.durationSeconds - input.clip_duration) > 0.1) {
      throw new AppError('VIDEO_GENERATION_FAILED', `footage clip ${n} lasts ${out.durationSeconds} s, expected ${input.clip_duration} s`);
    }
    await rename(tmpPath, clipPath);
    return {
      output: { clip_uri: pathToFileURL(clipPath).href, duration: out.durationSeconds, resolution: `${widthPx}x${heightPx}`, color_grade: input.plan.visual_direction.color_grade },
      costUsd: 0,
      processingTimeSeconds: (Date.now() - started) / 1000,
      provider: 'footage',
      attempts: 1,
      metadata: { asset_id: input.footage.asset_id, source_seconds: video.durationSeconds ?? probe.durationSeconds, render_seconds: run.wallSeconds },
    };
  } finally {
    await rm(tmpPath, { force: true });
  }
}

/**
 * The footage's local copy (read through the artifact store) and its probed picture.
 * @throws AppError `code` when there is no store, the bytes are not media or have no picture
 */
async function readFootage(asset: StageAsset, ctx: ProviderContext, code: 'VIDEO_GENERATION_FAILED' | 'IMAGE_GENERATION_FAILED') {
  if (!ctx.assetFile) throw new AppError(code, 'this worker cannot read job assets (no artifact store)');
  const source = await ctx.assetFile(asset);
  const probe = await probeMedia(source).catch((err: unknown) => {
    throw new AppError(code, `footage ${asset.asset_id} is not readable media`, { cause: err, details: { asset_id: asset.asset_id } });
  });
  const video = probe.streams.find((st) => st.type === 'video' && st.widthPx && st.heightPx);
  if (!video?.widthPx || !video.heightPx) throw new AppError(code, `footage ${asset.asset_id} has no picture`, { details: { asset_id: asset.asset_id } });
  return { source, probe, video: { ...video, widthPx: video.widthPx, heightPx: video.heightPx } };
}

/**
 * The storyboard still of a scene that plays footage (docs/design/composition.md, "Brand assets"): a frame a
 * quarter into the footage (at most 1 s in, past any fade from black), fitted to the output frame as its clip
 * will be, as `<workDir>/storyboard/scene-<n>-v<variant>.png`. Cost 0 USD.
 * @throws AppError `IMAGE_GENERATION_FAILED` when the footage cannot be read; CancelledError
 */
export async function footageStill(input: StoryboardInput & { footage: StageAsset }, ctx: ProviderContext, runner: FfmpegRunner): Promise<ProviderResult<StoryboardOutput>> {
  const started = Date.now();
  const { source, probe, video } = await readFootage(input.footage, ctx, 'IMAGE_GENERATION_FAILED');
  const seconds = video.durationSeconds ?? probe.durationSeconds;
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
  const dir = join(ctx.workDir, 'storyboard');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `scene-${input.scene_index + 1}-v${input.variant}.png`);
  const tmp = join(dir, `.scene-${input.scene_index + 1}-${ctx.attemptId}.png`);
  try {
    await runner.run(
      buildFootageStillArgs({
        inputPath: source,
        outputPath: tmp,
        shape: { widthPx: video.widthPx, heightPx: video.heightPx, rotationDegrees: video.rotationDegrees, sampleAspectRatio: video.sampleAspectRatio },
        widthPx,
        heightPx,
        atSeconds: Math.min(1, Math.max(0, seconds * 0.25)),
      }),
      { errorCode: 'IMAGE_GENERATION_FAILED', timeoutMs: 60_000, signal: ctx.signal, onProgress: () => ctx.heartbeat(), label: `footage still ${input.scene_index + 1}` },
    );
    if (!((await stat(tmp).catch(() => null))?.size)) throw new AppError('IMAGE_GENERATION_FAILED', `footage ${input.footage.asset_id} gave no frame`);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return {
    output: { image_uri: pathToFileURL(path).href, seed: input.seed, width: widthPx, height: heightPx },
    costUsd: 0,
    processingTimeSeconds: (Date.now() - started) / 1000,
    provider: 'footage',
    attempts: 1,
    metadata: { asset_id: input.footage.asset_id },
  };
}
