import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdPlan, AspectRatio, CompositionInput, CompositionOutput, ExportArtifact, ExportFailure, ExtraExportFormat, SceneRole } from '@app/contracts';
import { EXPORT_MIME_TYPES, exportAspectOf, exportKeyOf, OUTPUT_SIZE_PX, resolutionOf } from '@app/contracts';
import { AppError, throwIfAborted } from '../../common/app-error';
import { fmt } from '../../media/clip.args';
import { contrastRatio, withLightness, type Rgb } from '../../media/color';
import {
  buildCompositionArgs,
  buildCompositionGraph,
  buildGifArgs,
  buildWebmArgs,
  type CompositionSpec,
  type CompositionText,
} from '../../media/composition.args';
import { buildGifExportArgs, exportFileName, exportWeight, gifExportSize } from '../../media/export.args';
import { FfmpegRunner } from '../../media/ffmpeg.runner';
import { probeMedia, verifyAd, type MediaProbe } from '../../media/ffprobe';
import type { ClipShape } from '../../media/clip-fit';
import { normalisationGainDb, parseEbur128Summary } from '../../media/loudness';
import { buildMusicBedArgs, DEFAULT_LOUDNESS_TARGET, isSilentMusic } from '../../media/music-bed';
import { ctaLogoBox, watermarkBox } from '../../media/logo-layout';
import { safeAreaFor, type BoxPx } from '../../media/safe-area';
import { renderCtaCard, renderTextCard, type CtaCardStyle, type TextCardStyle } from '../../media/text-card.renderer';
import { planTimeline, round3, XFADE_TRANSITION, type SceneSlot } from '../../media/timeline';
import { Compositor, type ProviderContext, type ProviderResult } from '../ports';
import { brandLookFor, readableOn, type BrandLook } from './design/brand-look';
import { attemptExport } from './export-attempts';
import { localPathOf } from './local-clip.generator';

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
  /** Also write `preview.gif` (≤ 6 s excerpt, 360 px wide, palette-based). Default: env `EXPORT_GIF`, else false. */
  exportGif: boolean;
  /** Also write `final.webm` (VP9 realtime, Opus). Default: env `EXPORT_WEBM`, else false. */
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

const DEFAULTS: Omit<LocalCompositorOptions, 'exportGif' | 'exportWebm'> = {
  frameScale: 1,
  exportTimeoutMs: 60_000,
  exportFaultFormats: [],
  preset: 'veryfast',
  crf: 21,
  minTimeoutMs: 180_000,
  stallTimeoutMs: 30_000,
  keepIntermediates: false,
};

/**
 * Reads a boolean environment flag: `true`/`1`/`yes` or `false`/`0`/`no` (any case); unset or blank is
 * `false`. Pure.
 *
 * @throws Error naming the variable on any other value, so a typo does not silently disable an export
 */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return false;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name}=${env[name]}: expected true or false`);
}

/** GIF preview: excerpt length (seconds), width (pixels) and frame rate (composition.md, "Exports"). */
const GIF_MAX_SECONDS = 6;
const GIF_WIDTH_PX = 360;
const GIF_FPS = 12;
export const GIF_FILE = 'preview.gif';
export const WEBM_FILE = 'final.webm';

/** Fade from / to black at the ad's ends, seconds (docs/design/composition.md, "Delivery settings"). */
export const AD_FADE_SECONDS = 0.3;
/** Text card fade, seconds: gentle, so the card never reads as a scene change. */
const TEXT_FADE_SECONDS = 0.4;
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
    this.options = {
      ...DEFAULTS,
      exportGif: envFlag(process.env, 'EXPORT_GIF'),
      exportWebm: envFlag(process.env, 'EXPORT_WEBM'),
      ...options,
    };
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
        this.loadLogo(input, ctx).then((logo) => this.renderTexts(plan, slots, input.aspect_ratio, input.duration, look, tmpDir, scale, logo)),
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
      const [gifUri, webmUri] = await Promise.all([
        this.options.exportGif ? this.exportGif(videoPath, texts, input.duration, widthPx, tmpDir, ctx) : Promise.resolve(undefined),
        this.options.exportWebm ? this.exportWebm(videoPath, input.duration, tmpDir, ctx) : Promise.resolve(undefined),
      ]);
      const exported =
        extras.length > 0
          ? await this.makeExports(extras, exportWeights, adShare * (COMPOSE_PREPARE_FRACTION + COMPOSE_RENDER_FRACTION), {
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

  /**
   * Renders one card per scene, timed inside its scene: the scene's line for every scene but the last, and the
   * closing call-to-action card (product name, offer, CTA button) for the last. Cards sit at the bottom of the
   * safe area, raised by the slide-up distance so a sliding card never leaves it. Returns each card with its
   * final box (output pixels) for callers that check the layout.
   */
  private async renderTexts(
    plan: AdPlan,
    slots: SceneSlot[],
    aspect: AspectRatio,
    durationSeconds: number,
    look: BrandLook,
    dir: string,
    scale = 1,
    logo: BrandLogo | null = null,
  ): Promise<RenderedCards> {
    const safe = scaleBox(safeAreaFor(aspect), scale);
    const landscape = aspect === '16:9';
    const maxWidth = landscape ? Math.round(safe.widthPx * 0.58) : safe.widthPx;
    const ctaWidth = landscape ? Math.round(safe.widthPx * 0.62) : safe.widthPx;
    const slideUpPx = slideUpDistancePx(safe);
    const windows = textWindows(plan, slots, durationSeconds);
    const last = plan.scenes.length - 1;
    const cards: RenderedCards = await Promise.all(
      plan.scenes.map(async (scene, i) => {
        const path = join(dir, `text-${i + 1}.png`);
        const card =
          i === last
            ? await renderCtaCard({ productName: plan.product.name, offer: plan.product.offer, callToAction: plan.call_to_action }, ctaWidth, scaleCtaStyle(ctaCardStyle(look), scale), path)
            : await renderTextCard(scene.on_screen_text, maxWidth, scaleTextStyle(textCardStyle(look, i === 0), scale), path);
        const centred = safe.xPx + Math.round((safe.widthPx - card.widthPx) / 4) * 2;
        const x = landscape && i !== last ? safe.xPx : centred;
        const y = safe.yPx + safe.heightPx - card.heightPx - slideUpPx;
        const motion = textMotionFor(scene.role, look, i === last);
        const { start, end } = windows[i];
        return {
          text: { path: card.path, xPx: x, yPx: y, startSeconds: start, endSeconds: end, fadeSeconds: TEXT_FADE_SECONDS, slideUpPx: motion === 'slide_up' ? slideUpPx : 0 },
          box: { xPx: x, yPx: y, widthPx: card.widthPx, heightPx: card.heightPx + (motion === 'slide_up' ? slideUpPx : 0), startSeconds: start, endSeconds: end },
        };
      }),
    );
    // Logos come after the cards, so the first card still decides the thumbnail and the GIF excerpt.
    if (logo) cards.push(...(await logoOverlays(logo, safe, cards[last], durationSeconds, dir, TEXT_FADE_SECONDS)));
    cards.logo = logo;
    return cards;
  }

  /** The job's logo read through the artifact store and decoded, or null without one. @throws AppError COMPOSITION_FAILED */
  private async loadLogo(input: CompositionInput, ctx: ProviderContext): Promise<BrandLogo | null> {
    if (!input.logo) return null;
    if (!ctx.assetFile) throw new AppError('COMPOSITION_FAILED', 'this worker cannot read job assets (no artifact store)');
    const path = await ctx.assetFile(input.logo);
    try {
      return { image: await loadImage(await readFile(path)), watermark: input.logo_watermark === true, assetId: input.logo.asset_id };
    } catch (err) {
      throw new AppError('COMPOSITION_FAILED', `logo ${input.logo.asset_id} cannot be decoded`, { cause: err, details: { asset_id: input.logo.asset_id } });
    }
  }

  /**
   * Makes a job's requested exports one after another (each its own ffmpeg run, so each gets the whole
   * machine and its own limit), each tried twice and skipped when both tries fail (docs/design/composition.md,
   * "Exports"). Progress runs from `fromFraction` to 1, each export's share by its weight.
   * @returns the exports made, those skipped with their last error, and the tries per format
   * @throws CancelledError on ctx.signal (never listed as a failure)
   */
  private async makeExports(
    formats: readonly ExtraExportFormat[],
    weights: readonly number[],
    fromFraction: number,
    job: ExportJob,
  ): Promise<{ made: ExportArtifact[]; failed: ExportFailure[]; tries: Record<string, number> }> {
    const made: ExportArtifact[] = [];
    const failed: ExportFailure[] = [];
    const tries: Record<string, number> = {};
    const total = weights.reduce((a, b) => a + b, 0);
    let done = 0;
    for (const [i, format] of formats.entries()) {
      const from = fromFraction + ((1 - fromFraction) * done) / total;
      const share = ((1 - fromFraction) * weights[i]) / total;
      const outcome = await attemptExport(format, (n) => this.makeExport(format, n, job, (f) => job.ctx.reportProgress?.(from + share * f)), job.ctx.signal);
      tries[format] = outcome.tries;
      if (outcome.ok) made.push(outcome.value);
      else failed.push(outcome.failure);
      done += weights[i];
      job.ctx.reportProgress?.(fromFraction + ((1 - fromFraction) * done) / total);
    }
    return { made, failed, tries };
  }

  /**
   * One try of one export, verified with ffprobe before it is renamed into the job's directory: the GIF and
   * the WebM transcode the finished ad; another aspect re-composes the same clips (fitted to that frame,
   * docs/design/composition.md "Clips of any shape") with the text cards laid out again in that aspect's
   * safe zone, the same music bed and grade, in one render.
   * @throws AppError `TIMEOUT` past the export limit; `COMPOSITION_FAILED` when ffmpeg fails or the file fails verification
   */
  private async makeExport(format: ExtraExportFormat, tryNumber: number, job: ExportJob, onFraction: (fraction: number) => void): Promise<ExportArtifact> {
    const { ctx, durationSeconds } = job;
    const name = exportFileName(format);
    const tmp = join(job.tmpDir, `try${tryNumber}-${name}`);
    const run = {
      errorCode: 'COMPOSITION_FAILED' as const,
      timeoutMs: this.options.exportFaultFormats.includes(format) ? 1 : this.options.exportTimeoutMs,
      stallTimeoutMs: this.options.stallTimeoutMs,
      signal: ctx.signal,
      onProgress: (outTimeSeconds: number) => {
        ctx.heartbeat();
        onFraction(Math.min(1, outTimeSeconds / durationSeconds));
      },
      label: `${format} export`,
    };
    const aspect = exportAspectOf(format);
    let expected = { widthPx: job.widthPx, heightPx: job.heightPx };
    let textBoxes: ExportArtifact['text_boxes'];
    if (format === 'gif') {
      expected = gifExportSize(job.widthPx, job.heightPx);
      await this.runner.run(buildGifExportArgs(job.videoPath, tmp, durationSeconds, job.widthPx, job.heightPx), run);
    } else if (format === 'webm') {
      await this.runner.run(buildWebmArgs(job.videoPath, tmp), run);
    } else if (aspect) {
      expected = scaledSize(OUTPUT_SIZE_PX[aspect], job.scale);
      const dir = await mkdtemp(join(job.tmpDir, `aspect-${aspect.replace(':', 'x')}-`));
      const cards = await this.renderTexts(job.plan, job.slots, aspect, durationSeconds, job.look, dir, job.scale, job.logo);
      const { thumbnail: _ownThumbnail, ...base } = job.spec;
      const spec: CompositionSpec = { ...base, ...expected, texts: cards.map((c) => c.text), graphPath: join(dir, 'graph.txt'), outputPath: tmp };
      await writeFile(spec.graphPath, buildCompositionGraph(spec));
      await this.runner.run(buildCompositionArgs(spec), run);
      textBoxes = cards.filter((c) => !c.logo).map((c) => c.box);
    }
    const probe = await probeMedia(tmp);
    const video = probe.streams.find((st) => st.type === 'video');
    const codecs = probe.streams.map((st) => st.codec).sort().join(',');
    const problems: string[] = [];
    if (aspect) {
      problems.push(...(await verifyAd(tmp, { durationSeconds, ...expected, durationToleranceSeconds: 0.1 })).problems);
    } else {
      const want = format === 'gif' ? 'gif' : 'opus,vp9';
      if (codecs !== want) problems.push(`codecs ${codecs}, expected ${want}`);
      if (video?.widthPx !== expected.widthPx || video.heightPx !== expected.heightPx) {
        problems.push(`frame ${video?.widthPx}x${video?.heightPx}, expected ${expected.widthPx}x${expected.heightPx}`);
      }
      if (Math.abs(probe.durationSeconds - durationSeconds) > 0.25) problems.push(`duration ${probe.durationSeconds} s, expected ${durationSeconds} s`);
    }
    if (problems.length > 0) {
      throw new AppError('COMPOSITION_FAILED', `${format} export failed verification: ${problems.join('; ')}`, { details: { problems } });
    }
    const out = join(ctx.workDir, name);
    await rename(tmp, out);
    const key = exportKeyOf(format);
    return {
      format,
      key,
      uri: pathToFileURL(out).href,
      mime_type: EXPORT_MIME_TYPES[key],
      file_size_bytes: (await stat(out)).size,
      duration: probe.durationSeconds,
      width: expected.widthPx,
      height: expected.heightPx,
      ...(textBoxes ? { text_boxes: textBoxes } : {}),
    };
  }

  /** Writes `preview.gif`: the opening excerpt from the hook's entrance (never the black fade-in), ≤ 6 s. */
  private async exportGif(videoPath: string, texts: CompositionText[], durationSeconds: number, widthPx: number, dir: string, ctx: ProviderContext): Promise<string> {
    const start = texts[0]?.startSeconds ?? AD_FADE_SECONDS;
    const seconds = Math.min(GIF_MAX_SECONDS, durationSeconds - AD_FADE_SECONDS - start);
    const tmp = join(dir, GIF_FILE);
    await this.runner.run(
      buildGifArgs({ videoPath, outputPath: tmp, startSeconds: start, durationSeconds: seconds, widthPx: Math.min(GIF_WIDTH_PX, widthPx), fps: GIF_FPS }),
      { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000, stallTimeoutMs: this.options.stallTimeoutMs, signal: ctx.signal, label: 'gif export' },
    );
    const probe = await probeMedia(tmp);
    const video = probe.streams.find((st) => st.type === 'video');
    if (video?.codec !== 'gif' || video.widthPx !== Math.min(GIF_WIDTH_PX, widthPx)) {
      throw new AppError('COMPOSITION_FAILED', `GIF export failed verification: ${JSON.stringify(video ?? null)}`);
    }
    const out = join(ctx.workDir, GIF_FILE);
    await rename(tmp, out);
    return pathToFileURL(out).href;
  }

  /** Writes `final.webm` (VP9 realtime + Opus) from the finished MP4 and verifies its streams and duration. */
  private async exportWebm(videoPath: string, durationSeconds: number, dir: string, ctx: ProviderContext): Promise<string> {
    const tmp = join(dir, WEBM_FILE);
    await this.runner.run(buildWebmArgs(videoPath, tmp), {
      errorCode: 'COMPOSITION_FAILED',
      timeoutMs: Math.max(this.options.minTimeoutMs, durationSeconds * 8000),
      stallTimeoutMs: this.options.stallTimeoutMs,
      signal: ctx.signal,
      onProgress: () => ctx.heartbeat(),
      label: 'webm export',
    });
    const probe = await probeMedia(tmp);
    const codecs = probe.streams.map((st) => st.codec).sort().join(',');
    if (codecs !== 'opus,vp9' || Math.abs(probe.durationSeconds - durationSeconds) > 0.2) {
      throw new AppError('COMPOSITION_FAILED', `WebM export failed verification: codecs ${codecs}, ${probe.durationSeconds} s`);
    }
    const out = join(ctx.workDir, WEBM_FILE);
    await rename(tmp, out);
    return pathToFileURL(out).href;
  }
}

/** What every export of one composition shares: the finished ad, its render's spec and layout inputs. */
interface ExportJob {
  ctx: ProviderContext;
  /** The finished ad (`final.mp4`). */
  videoPath: string;
  /** The attempt's temp directory (removed after the attempt). */
  tmpDir: string;
  durationSeconds: number;
  widthPx: number;
  heightPx: number;
  /** The ad's render, re-used for other aspects with another frame size and text. */
  spec: CompositionSpec;
  plan: AdPlan;
  slots: SceneSlot[];
  look: BrandLook;
  scale: number;
  logo: BrandLogo | null;
}

/** The job's decoded logo and whether it is also a watermark (docs/design/composition.md, "Brand assets"). */
interface BrandLogo {
  image: Image;
  watermark: boolean;
  assetId: string;
}

/** Each overlay (text cards, then logos) with its box in output pixels and seconds; `logo` as used. */
type RenderedCards = Array<{ text: CompositionText; box: BoxPx & { startSeconds: number; endSeconds: number }; logo?: true }> & { logo?: BrandLogo | null };

/**
 * The logo overlays of one layout: the logo above the closing card during the card's window (box by
 * `ctaLogoBox`), and with the watermark on, a small copy in the safe area's top-right corner for the whole ad
 * (`watermarkBox`). Each is the logo scaled into its box with its alpha kept, written as a PNG into `dir`.
 */
async function logoOverlays(
  logo: BrandLogo,
  safe: BoxPx,
  closing: RenderedCards[number],
  durationSeconds: number,
  dir: string,
  fadeSeconds: number,
): Promise<RenderedCards> {
  const size = { widthPx: logo.image.width, heightPx: logo.image.height };
  const out: RenderedCards = [];
  const place = async (box: BoxPx, name: string, start: number, end: number): Promise<void> => {
    const canvas = createCanvas(box.widthPx, box.heightPx);
    const c = canvas.getContext('2d');
    c.imageSmoothingQuality = 'high';
    c.drawImage(logo.image, 0, 0, box.widthPx, box.heightPx);
    const path = join(dir, name);
    await writeFile(path, await canvas.encode('png'));
    out.push({ text: { path, xPx: box.xPx, yPx: box.yPx, startSeconds: start, endSeconds: end, fadeSeconds }, box: { ...box, startSeconds: start, endSeconds: end }, logo: true });
  };
  const cta = ctaLogoBox(size, safe, closing.box.yPx);
  if (cta) await place(cta, 'logo-cta.png', closing.box.startSeconds, closing.box.endSeconds);
  if (logo.watermark) await place(watermarkBox(size, safe), 'logo-watermark.png', 0, durationSeconds);
  return out;
}

const even = (x: number): number => Math.max(2, 2 * Math.round(x / 2));

/** A frame size times `scale`, in even pixels. Pure. */
export function scaledSize(size: { widthPx: number; heightPx: number }, scale: number): { widthPx: number; heightPx: number } {
  return scale === 1 ? size : { widthPx: even(size.widthPx * scale), heightPx: even(size.heightPx * scale) };
}

function scaleBox(box: BoxPx, scale: number): BoxPx {
  if (scale === 1) return box;
  return { xPx: even(box.xPx * scale), yPx: even(box.yPx * scale), widthPx: even(box.widthPx * scale), heightPx: even(box.heightPx * scale) };
}

function scaleTextStyle(style: TextCardStyle, scale: number): TextCardStyle {
  if (scale === 1) return style;
  const px = (x: number): number => Math.max(6, Math.round(x * scale));
  return { ...style, maxFontPx: px(style.maxFontPx), minFontPx: Math.min(px(style.minFontPx), px(style.maxFontPx)), letterSpacingPx: Math.round(style.letterSpacingPx * scale) };
}

function scaleCtaStyle(style: CtaCardStyle, scale: number): CtaCardStyle {
  if (scale === 1) return style;
  const px = (x: number): number => Math.max(6, Math.round(x * scale));
  return { ...style, maxNamePx: px(style.maxNamePx), minNamePx: Math.min(px(style.minNamePx), px(style.maxNamePx)), letterSpacingPx: Math.round(style.letterSpacingPx * scale) };
}

/** What the compositor needs of a clip: its picture's shape and its length (seconds; undefined when unstated). */
interface ClipSource {
  shape: ClipShape;
  seconds: number | undefined;
}

/**
 * Probes one clip before the render, so a file that is not a video fails with a clear reason instead of an
 * ffmpeg error mid-render, and so the graph can fit, rotate and slow it (docs/design/composition.md).
 * @throws AppError `COMPOSITION_FAILED` with `details.reason` `INVALID_MEDIA` (unreadable, or no picture)
 */
async function probeClip(path: string, sceneNumber: number, uri: string): Promise<ClipSource> {
  let probe: MediaProbe;
  try {
    probe = await probeMedia(path);
  } catch (err) {
    throw new AppError('COMPOSITION_FAILED', `the clip of scene ${sceneNumber} is not a media file ffprobe can read`, {
      details: { reason: 'INVALID_MEDIA', scene_number: sceneNumber, clip_uri: uri, last_error: (err as Error).message.slice(-300) },
      cause: err,
    });
  }
  const video = probe.streams.find((st) => st.type === 'video' && st.widthPx && st.heightPx);
  if (!video?.widthPx || !video.heightPx) {
    throw new AppError('COMPOSITION_FAILED', `the clip of scene ${sceneNumber} has no picture`, {
      details: { reason: 'INVALID_MEDIA', scene_number: sceneNumber, clip_uri: uri, format: probe.formatName, streams: probe.streams.map((st) => st.codec) },
    });
  }
  const seconds = video.durationSeconds ?? (probe.durationSeconds > 0 ? probe.durationSeconds : undefined);
  return {
    shape: { widthPx: video.widthPx, heightPx: video.heightPx, rotationDegrees: video.rotationDegrees, sampleAspectRatio: video.sampleAspectRatio },
    seconds,
  };
}

/** Distance a slide-up card travels, pixels: 3 % of the safe area's height, even (chroma rows come in pairs). Pure. */
export function slideUpDistancePx(safe: BoxPx): number {
  return 2 * Math.round((safe.heightPx * 0.03) / 2);
}

/** How a card enters. */
export type TextMotion = 'fade' | 'slide_up';

const SLIDING_ROLES: ReadonlySet<SceneRole> = new Set<SceneRole>(['attention', 'problem', 'before', 'solution', 'after', 'action', 'cta']);

/**
 * A card's entrance by role and tone (pure): the closing CTA card always rises into place; calm looks (luxury,
 * warm) fade every other card, since motion reads as urgency; other looks slide the hook and the payoff roles
 * up and fade the explanatory middle.
 */
export function textMotionFor(role: SceneRole, look: Pick<BrandLook, 'kind'>, closing: boolean): TextMotion {
  if (closing) return 'slide_up';
  if (look.kind === 'luxury' || look.kind === 'warm') return 'fade';
  return SLIDING_ROLES.has(role) ? 'slide_up' : 'fade';
}

/**
 * When each scene's text shows (pure): from just after the incoming transition (the first scene's after the
 * fade-in) to the start of the outgoing one (the last scene's to the fade-out), narrowed to the plan's
 * text_overlays times when those leave at least 1.5 s.
 */
export function textWindows(plan: Pick<AdPlan, 'scenes' | 'text_overlays'>, slots: SceneSlot[], durationSeconds: number): Array<{ start: number; end: number }> {
  return slots.map((slot, i) => {
    const start = round3(slot.clearFromSeconds + (i === 0 ? AD_FADE_SECONDS + 0.05 : 0.2));
    const end = round3(i === slots.length - 1 ? durationSeconds - AD_FADE_SECONDS : slot.clearToSeconds);
    const overlay = plan.text_overlays.find((o) => o.scene_number === plan.scenes[i].scene_number);
    if (overlay) {
      // The hook always enters right after the fade-in (docs/design/composition.md, "Delivery settings": on screen within the first 2 s).
      const s = i === 0 ? start : Math.max(start, overlay.start_time);
      const e = Math.min(end, overlay.end_time);
      if (e - s >= 1.5) return { start: round3(s), end: round3(e) };
    }
    return { start, end };
  });
}

/** Mid-point of the first card's fully visible time: never black, never mid-fade (seconds). */
function thumbnailTime(texts: CompositionText[], slots: SceneSlot[]): number {
  const t = texts[0];
  if (!t) return round3((slots[0].clearFromSeconds + slots[0].clearToSeconds) / 2);
  return Number(fmt((t.startSeconds + t.fadeSeconds + t.endSeconds - t.fadeSeconds) / 2));
}

/** Card look: a translucent deep-tone plate, text in the brand primary when it reads (WCAG 4.5), else a light tint. */
export function textCardStyle(look: BrandLook, hook: boolean): TextCardStyle {
  const plate: Rgb = withLightness(look.tones.deep, 0.09, 0, 0.6);
  const white = { r: 255, g: 255, b: 255 };
  // Luxury and warm looks set text in the brand colour (gold on near-black reads as the brand); bolder looks
  // read faster in near-white, with the brand colour in the rule above the text.
  const brandText = look.kind === 'luxury' || look.kind === 'warm';
  const textColor = readableOn(plate, brandText ? [look.primary, look.tones.light, white] : [look.tones.light, white]);
  const accent = readableOn(plate, [look.primary, look.accent, look.tones.light].filter((c) => c !== textColor));
  return {
    font: look.textFont,
    textColor,
    plateColor: plate,
    plateAlpha: 0.7,
    accentColor: accent,
    maxFontPx: hook ? 82 : 66,
    minFontPx: 34,
    maxLines: 3,
    uppercase: look.uppercase && hook,
    letterSpacingPx: Math.round((hook ? 82 : 66) * look.trackingEm * 0.5),
  };
}

/**
 * Closing card look (pure): the hook card's plate and text colours, the name in the display face, the offer in
 * the accent (or brand colour) that reads on the plate, and a button filled with the brand primary unless it
 * would vanish into the plate (contrast < 1.8), with a label colour that reads on the button.
 */
export function ctaCardStyle(look: BrandLook): CtaCardStyle {
  const base = textCardStyle(look, true);
  const white = { r: 255, g: 255, b: 255 };
  const black = { r: 0, g: 0, b: 0 };
  const buttonColor = contrastRatio(look.primary, base.plateColor) >= 1.8 ? look.primary : look.tones.light;
  return {
    nameFont: look.displayFont,
    buttonFont: 'sansBold',
    textColor: base.textColor,
    plateColor: base.plateColor,
    plateAlpha: 0.8,
    accentColor: base.accentColor,
    offerColor: readableOn(base.plateColor, [look.accent, look.primary, look.tones.light, white]),
    buttonColor,
    buttonTextColor: readableOn(buttonColor, [white, look.tones.deep, black]),
    maxNamePx: 92,
    minNamePx: 40,
    uppercase: look.uppercase,
    letterSpacingPx: Math.round(92 * look.trackingEm * 0.5),
  };
}
