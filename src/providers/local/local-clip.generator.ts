import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadImage } from '@napi-rs/canvas';
import type { VideoGenerationInput, VideoGenerationOutput } from '@app/contracts';
import { OUTPUT_SIZE_PX, resolutionOf } from '@app/contracts';
import { AppError, throwIfAborted } from '../../common/app-error';
import { buildClipArgs, cameraPathFor, frameCount, OUTPUT_FPS } from '../../media/clip.args';
import { FfmpegRunner } from '../../media/ffmpeg.runner';
import { kenBurnsFrames } from '../../media/ken-burns.renderer';
import { ClipGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { localPathOf } from './local-file';
import { clipStill, gradedStill } from './render/clip.renderer';

/** Encoder settings and limits of {@link LocalClipGenerator}. */
export interface LocalClipOptions {
  /** x264 preset of the intermediate clip. Default ultrafast: CAVLC without deblocking decodes 3.5× faster than
   *  superfast crf 14 (0.65 s against 2.3 s per 8 s clip), and decoding is on the compositor's critical path;
   *  it is also most of a clip's cost now that the camera move renders in about 2 ms a frame. */
  preset: string;
  /** x264 CRF of the intermediate (default 17: visually lossless on these stills; the final encode is the real loss). */
  crf: number;
  /** ffmpeg timeout per clip, milliseconds (default 120 000). */
  timeoutMs: number;
}

const DEFAULTS: LocalClipOptions = { preset: 'ultrafast', crf: 17, timeoutMs: 120_000 };

/**
 * Offline clip generator: animates the scene's approved storyboard still (`input.still_uri`, made by the
 * storyboard stage; without one, as for requests older than that stage, the same still is derived here from
 * the reference, {@link clipStill}) with a smooth sub-pixel Ken Burns camera per `scene.motion`
 * (docs/design/composition.md, "Camera moves"), for
 * `input.clip_duration` seconds at 30 fps. The frames are rendered by {@link kenBurnsFrames} (WebAssembly,
 * BT.709 yuv420p straight from the canvas's pixels: no intermediate still file) and piped to x264 as they
 * are made. The plan's colour grade is applied to the still (and declared in `color_grade`), so the compositor
 * skips grading these clips. Writes `<workDir>/clip-<n>.mp4`. Cost 0 USD.
 */
export class LocalClipGenerator extends ClipGenerator {
  readonly name = 'local';
  private readonly options: LocalClipOptions;

  constructor(
    private readonly runner: FfmpegRunner = new FfmpegRunner(),
    options: Partial<LocalClipOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * @returns `file://` URI of the clip, its duration (seconds, a whole number of frames) and `"WxH"`
   * @throws CancelledError on ctx.signal; AppError `TIMEOUT` (retryable) when ffmpeg stalls or overruns;
   *   AppError `VIDEO_GENERATION_FAILED` otherwise
   */
  async generate(input: VideoGenerationInput, ctx: ProviderContext): Promise<ProviderResult<VideoGenerationOutput>> {
    const started = Date.now();
    throwIfAborted(ctx.signal);
    const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
    const sourcePath = localPathOf(input.still_uri ?? input.reference_image_uri, 'VIDEO_GENERATION_FAILED');
    const n = input.scene.scene_number;
    const tmpPath = join(ctx.workDir, `.clip-${n}-${ctx.attemptId}.mp4`);
    const clipPath = join(ctx.workDir, `clip-${n}.mp4`);
    try {
      const source = await loadImage(sourcePath).catch((err: unknown) => {
        throw new AppError('VIDEO_GENERATION_FAILED', `cannot read ${input.still_uri ? 'storyboard still' : 'reference image'} ${sourcePath}: ${(err as Error).message}`, { cause: err });
      });
      const { still, tone } = clipStill(source, input);
      const grade = input.plan.visual_direction.color_grade;
      const stillYuv = gradedStill(still, widthPx, heightPx, grade);
      throwIfAborted(ctx.signal);
      const frames = frameCount(input.clip_duration);
      await this.runner.run(buildClipArgs({ widthPx, heightPx, frames, outputPath: tmpPath, preset: this.options.preset, crf: this.options.crf }), {
        errorCode: 'VIDEO_GENERATION_FAILED',
        timeoutMs: this.options.timeoutMs,
        signal: ctx.signal,
        onProgress: (outTimeSeconds) => {
          ctx.heartbeat();
          ctx.reportProgress?.(outTimeSeconds / input.clip_duration);
        },
        label: `clip ${n}`,
        input: kenBurnsFrames(stillYuv, cameraPathFor(input.scene.motion), frames),
      });
      await rename(tmpPath, clipPath);
      return {
        output: {
          clip_uri: pathToFileURL(clipPath).href,
          duration: frames / OUTPUT_FPS,
          resolution: resolutionOf(input.aspect_ratio),
          color_grade: grade,
        },
        costUsd: 0,
        processingTimeSeconds: (Date.now() - started) / 1000,
        provider: this.name,
        attempts: 1,
        metadata: { tone, motion: input.scene.motion },
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('VIDEO_GENERATION_FAILED', `local clip ${n} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      await rm(tmpPath, { force: true });
    }
  }
}
