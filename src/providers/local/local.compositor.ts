import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompositionInput, CompositionOutput, ExtraExportFormat } from '@app/contracts';
import { OUTPUT_SIZE_PX, resolutionOf } from '@app/contracts';
import { AppError, throwIfAborted } from '../../common/app-error';
import { buildCompositionArgs, buildCompositionGraph, type CompositionSpec } from '../../media/composition.args';
import { exportWeight } from '../../media/export.args';
import { FfmpegRunner } from '../../media/ffmpeg.runner';
import { verifyAd } from '../../media/ffprobe';
import { normalisationGainDb, parseEbur128Summary } from '../../media/loudness';
import { buildMusicBedArgs, DEFAULT_LOUDNESS_TARGET, isSilentMusic } from '../../media/music-bed';
import { planTimeline, XFADE_TRANSITION } from '../../media/timeline';
import { Compositor, type ProviderContext, type ProviderResult } from '../ports';
import { brandLookFor } from './design/brand-look';
import { localPathOf } from './local-file';
import { loadBrandLogo, renderCards } from './render/card-overlays';
import { probeClip } from './render/clip-probe';
import { AD_FADE_SECONDS, scaledSize, thumbnailTime } from './render/composition-layout';
import { CompositionExporter } from './render/exports';

/** Encoder settings and limits of {@link LocalCompositor}. */
export interface LocalCompositorOptions {
  /** composition.md, "Delivery settings that worked": veryfast, crf 20–23. */
  preset: string;
  crf: number;
  /** Overall ffmpeg timeout, milliseconds: max(this, 8 × the ad's duration). */
  minTimeoutMs: number;
  /** No-progress limit, milliseconds. */
  stallTimeoutMs: number;
  /** Keep the temp dir (filtergraph, text cards, music bed) for debugging instead of deleting it. */
  keepIntermediates: boolean;
  /** Also write `preview.gif` (≤ 6 s excerpt, 360 px wide, palette-based). Default false; the app passes config `EXPORT_GIF`. */
  exportGif: boolean;
  /** Also write `final.webm` (VP9 realtime, Opus). Default false; the app passes config `EXPORT_WEBM`. */
  exportWebm: boolean;
  /**
   * Output frame size as a fraction of the aspect's delivery size (1 = OUTPUT_SIZE_PX), text sizes and the safe
   * area scaled with it. Below 1 only for previews and for tests that render many plans cheaply.
   */
  frameScale: number;
  /** Limit of each of a job's requested exports' ffmpeg runs, milliseconds (config `EXPORT_TIMEOUT_SECONDS`). */
  exportTimeoutMs: number;
  /** Test hook (config `EXPORT_FAULT_FORMATS`): these exports run with a 1 ms limit, so they fail and are skipped. */
  exportFaultFormats: readonly ExtraExportFormat[];
}

const DEFAULTS: LocalCompositorOptions = {
  exportGif: false,
  exportWebm: false,
  frameScale: 1,
  exportTimeoutMs: 60_000,
  exportFaultFormats: [],
  preset: 'veryfast',
  crf: 21,
  minTimeoutMs: 180_000,
  stallTimeoutMs: 30_000,
  keepIntermediates: false,
};

export const FINAL_VIDEO_FILE = 'final.mp4';
/**
 * Shares of the composition's wall time reported as progress: the music pass and text cards before the
 * render, the render itself (by ffmpeg's output time); verification and exports take the rest (README,
 * "Measured figures": the render is about 95 % of a composition).
 */
const COMPOSE_PREPARE_FRACTION = 0.04;
const COMPOSE_RENDER_FRACTION = 0.94;
export const THUMBNAIL_FILE = 'thumbnail.jpg';

/**
 * Offline compositor: one ffmpeg run over one filtergraph (composition.md) that normalises the clips, joins
 * them with the plan's transitions, grades, overlays each scene's text card (rendered with canvas in brand
 * colours inside the platform's safe area), fades in and out, and mixes a locally synthesized music bed
 * normalised to −14 LUFS (true peak ≤ −1.5 dBTP) by a gain from a first measuring pass. The output is verified with ffprobe before it
 * is renamed to `<workDir>/final.mp4`; the same run writes a JPEG thumbnail mid-way through the first scene's text.
 * Cost 0 USD.
 */
export class LocalCompositor extends Compositor {
  readonly name = 'local';
  private readonly options: LocalCompositorOptions;

  constructor(
    private readonly runner: FfmpegRunner = new FfmpegRunner(),
    options: Partial<LocalCompositorOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * @returns file URIs of the ad and thumbnail (and of `preview.gif` / `final.webm` when those exports are on), probed duration (seconds), `"WxH"`, size in bytes, scene count
   * @throws CancelledError on ctx.signal; AppError `TIMEOUT` (retryable) on ffmpeg overrun or stall;
   *   AppError `COMPOSITION_FAILED` when inputs are inconsistent, ffmpeg fails or the output fails verification
   */
  async compose(input: CompositionInput, ctx: ProviderContext): Promise<ProviderResult<CompositionOutput>> {
    const started = Date.now();
    throwIfAborted(ctx.signal);
    const { plan } = input;
    if (input.clips.length !== plan.scenes.length) {
      throw new AppError('COMPOSITION_FAILED', `got ${input.clips.length} clips for ${plan.scenes.length} scenes`);
    }
    const scale = this.options.frameScale;
    const { widthPx, heightPx } = scaledSize(OUTPUT_SIZE_PX[input.aspect_ratio], scale);
    const slots = planTimeline(plan);
    const clipPaths = input.clips.map((c) => localPathOf(c.clip_uri, 'COMPOSITION_FAILED'));
    const look = brandLookFor(plan, input.brand_guidelines);
    const sources = await Promise.all(clipPaths.map((p, i) => probeClip(p, i + 1, input.clips[i].clip_uri)));
    const tmpDir = await mkdtemp(join(ctx.workDir, `.compose-${ctx.attemptId}-`));
    const heartbeat = (): void => ctx.heartbeat();
    // A job's requested exports run after the ad, in this attempt; the ad's render keeps its share of the
    // progress by work (1 for the ad against exportWeight of each export). Without exports the share is 1.
    const extras = input.exports ?? [];
    const exportWeights = extras.map(exportWeight);
    const adShare = 1 / (1 + exportWeights.reduce((a, b) => a + b, 0));
    try {
      const bedPath = join(tmpDir, 'music.wav');
      // A user who asked for no music gets a silent track: no bed, no loudness target (docs/design/composition.md).
      const silent = isSilentMusic(plan.audio);
      // The music pass (ffmpeg, one core) and the text cards (canvas, the other core) run side by side.
      const [music, cards] = await Promise.all([
        silent
          ? Promise.resolve(null)
          : this.runner.run(
              buildMusicBedArgs({ durationSeconds: input.duration, tempoBpm: plan.audio.tempo_bpm, mood: plan.audio.mood, volume: plan.audio.music_volume }, bedPath),
              { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000, signal: ctx.signal, onProgress: heartbeat, label: 'music bed' },
            ),
        loadBrandLogo(input, ctx).then((logo) => renderCards(plan, slots, input.aspect_ratio, input.duration, look, tmpDir, scale, logo)),
      ]);
      const texts = cards.map((c) => c.text);
      const loudness = music ? parseEbur128Summary(music.stderrTail) : null;
      // A bed that ran but measured nothing is too quiet to hear (a volume near 0): the ad is silent too.
      if (music && !loudness && !/Summary:/.test(music.stderrTail)) {
        throw new AppError('COMPOSITION_FAILED', 'music bed loudness measurement missing', { details: { stderr: music.stderrTail } });
      }
      throwIfAborted(ctx.signal);

      const graphPath = join(tmpDir, 'graph.txt');
      const tmpOut = join(tmpDir, 'out.mp4');
      const thumbnail = { atSeconds: thumbnailTime(texts, slots), path: join(tmpDir, 'thumb.jpg') };
      const spec: CompositionSpec = {
        widthPx,
        heightPx,
        durationSeconds: input.duration,
        clips: slots.map((s, i) => ({
          path: clipPaths[i],
          seconds: s.clipSeconds,
          graded: input.clips[i].color_grade === plan.visual_direction.color_grade,
          shape: sources[i].shape,
          sourceSeconds: sources[i].seconds,
        })),
        transitions: slots.slice(0, -1).map((s, k) => ({ xfade: XFADE_TRANSITION[plan.scenes[k].transition], seconds: s.transitionOutSeconds })),
        texts,
        musicPath: loudness ? bedPath : null,
        musicGainDb: loudness ? normalisationGainDb(loudness, DEFAULT_LOUDNESS_TARGET) : 0,
        grade: plan.visual_direction.color_grade,
        fadeSeconds: AD_FADE_SECONDS,
        graphPath,
        outputPath: tmpOut,
        preset: this.options.preset,
        crf: this.options.crf,
        thumbnail,
      };
      await writeFile(graphPath, buildCompositionGraph(spec));
      ctx.reportProgress?.(adShare * COMPOSE_PREPARE_FRACTION);
      const render = await this.runner.run(buildCompositionArgs(spec), {
        errorCode: 'COMPOSITION_FAILED',
        timeoutMs: Math.max(this.options.minTimeoutMs, input.duration * 8000),
        stallTimeoutMs: this.options.stallTimeoutMs,
        signal: ctx.signal,
        onProgress: (outTimeSeconds) => {
          heartbeat();
          ctx.reportProgress?.(adShare * (COMPOSE_PREPARE_FRACTION + (COMPOSE_RENDER_FRACTION * outTimeSeconds) / input.duration));
        },
        label: 'composition',
      });

      const { problems, probe } = await verifyAd(tmpOut, { durationSeconds: input.duration, widthPx, heightPx, durationToleranceSeconds: 0.1 });
      if (!(await stat(thumbnail.path).catch(() => null))?.size) problems.push('the render wrote no thumbnail');
      if (problems.length > 0) {
        throw new AppError('COMPOSITION_FAILED', `composed ad failed verification: ${problems.join('; ')}`, { details: { problems } });
      }
      const videoPath = join(ctx.workDir, FINAL_VIDEO_FILE);
      const thumbPath = join(ctx.workDir, THUMBNAIL_FILE);
      await rename(tmpOut, videoPath);
      await rename(thumbnail.path, thumbPath);
      // The exports read the finished ad.
      const exporter = new CompositionExporter(this.runner, this.options);
      const [gifUri, webmUri] = await Promise.all([
        this.options.exportGif ? exporter.exportGif(videoPath, texts, input.duration, widthPx, tmpDir, ctx) : Promise.resolve(undefined),
        this.options.exportWebm ? exporter.exportWebm(videoPath, input.duration, tmpDir, ctx) : Promise.resolve(undefined),
      ]);
      const exported =
        extras.length > 0
          ? await exporter.makeExports(extras, exportWeights, adShare * (COMPOSE_PREPARE_FRACTION + COMPOSE_RENDER_FRACTION), {
              ctx,
              videoPath,
              tmpDir,
              durationSeconds: input.duration,
              widthPx,
              heightPx,
              spec,
              plan,
              slots,
              look,
              scale,
              logo: cards.logo ?? null,
            })
          : null;
      const { size } = await stat(videoPath);
      return {
        output: {
          video_uri: pathToFileURL(videoPath).href,
          thumbnail_uri: pathToFileURL(thumbPath).href,
          duration: probe.durationSeconds,
          resolution: scale === 1 ? resolutionOf(input.aspect_ratio) : `${widthPx}x${heightPx}`,
          file_size_bytes: size,
          scenes: plan.scenes.length,
          ...(gifUri ? { gif_uri: gifUri } : {}),
          ...(webmUri ? { webm_uri: webmUri } : {}),
          ...(exported ? { exports: exported.made, export_failures: exported.failed } : {}),
        },
        // A composition with a skipped export is delivered but not reused: the next job tries the export again.
        ...(exported && exported.failed.length > 0 ? { cacheable: false } : {}),
        costUsd: 0,
        processingTimeSeconds: (Date.now() - started) / 1000,
        provider: this.name,
        attempts: 1,
        metadata: {
          renderSeconds: render.wallSeconds,
          musicSeconds: music?.wallSeconds ?? 0,
          measuredLufs: loudness?.integratedLufs ?? null,
          measuredTruePeakDbtp: loudness?.truePeakDbtp ?? null,
          silent: !loudness,
          textBoxes: cards.filter((c) => !c.logo).map((c) => c.box),
          ...(cards.logo ? { logoAssetId: cards.logo.assetId, logoBoxes: cards.filter((c) => c.logo).map((c) => c.box) } : {}),
          ...(exported ? { exportTries: exported.tries } : {}),
        },
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('COMPOSITION_FAILED', `composition failed: ${(err as Error).message}`, { cause: err });
    } finally {
      if (!this.options.keepIntermediates) await rm(tmpDir, { recursive: true, force: true });
    }
  }
}
