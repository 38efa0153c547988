import { mkdtemp, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdPlan, ExportArtifact, ExportFailure, ExtraExportFormat } from '@app/contracts';
import { EXPORT_MIME_TYPES, exportAspectOf, exportKeyOf, OUTPUT_SIZE_PX } from '@app/contracts';
import { AppError } from '../../../common/app-error';
import { buildCompositionArgs, buildCompositionGraph, buildGifArgs, buildWebmArgs, type CompositionSpec, type CompositionText } from '../../../media/composition.args';
import { buildGifExportArgs, exportFileName, gifExportSize } from '../../../media/export.args';
import type { FfmpegRunner } from '../../../media/ffmpeg.runner';
import { probeMedia, verifyAd } from '../../../media/ffprobe';
import type { SceneSlot } from '../../../media/timeline';
import type { ProviderContext } from '../../ports';
import type { BrandLook } from '../design/brand-look';
import { renderCards, type BrandLogo } from './card-overlays';
import { gifExcerpt, scaledSize } from './composition-layout';
import { attemptExport } from './export-attempts';

/** GIF preview: width (pixels) and frame rate (docs/design/composition.md, "Exports"). */
const GIF_WIDTH_PX = 360;
const GIF_FPS = 12;
export const GIF_FILE = 'preview.gif';
export const WEBM_FILE = 'final.webm';

/** The limits the exports run under: the compositor's options of the same names (milliseconds). */
export interface ExportLimits {
  minTimeoutMs: number;
  stallTimeoutMs: number;
  exportTimeoutMs: number;
  exportFaultFormats: readonly ExtraExportFormat[];
}

/** What every export of one composition shares: the finished ad, its render's spec and layout inputs. */
export interface ExportJob {
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

/**
 * The exports of one composition, each an ffmpeg run after the ad: a job's requested formats (GIF, WebM,
 * other aspects; docs/design/composition.md, "Exports") and the `preview.gif` / `final.webm` the compositor's
 * options switch on. Each verifies its file with ffprobe before renaming it into the job's directory.
 */
export class CompositionExporter {
  constructor(
    private readonly runner: FfmpegRunner,
    private readonly limits: ExportLimits,
  ) {}

  /**
   * Makes a job's requested exports one after another (each its own ffmpeg run, so each gets the whole
   * machine and its own limit), each tried twice and skipped when both tries fail (docs/design/composition.md,
   * "Exports"). Progress runs from `fromFraction` to 1, each export's share by its weight.
   * @returns the exports made, those skipped with their last error, and the tries per format
   * @throws CancelledError on ctx.signal (never listed as a failure)
   */
  async makeExports(
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
      timeoutMs: this.limits.exportFaultFormats.includes(format) ? 1 : this.limits.exportTimeoutMs,
      stallTimeoutMs: this.limits.stallTimeoutMs,
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
      const cards = await renderCards(job.plan, job.slots, aspect, durationSeconds, job.look, dir, job.scale, job.logo);
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
  async exportGif(videoPath: string, texts: CompositionText[], durationSeconds: number, widthPx: number, dir: string, ctx: ProviderContext): Promise<string> {
    const { startSeconds: start, seconds } = gifExcerpt(texts, durationSeconds);
    const tmp = join(dir, GIF_FILE);
    await this.runner.run(
      buildGifArgs({ videoPath, outputPath: tmp, startSeconds: start, durationSeconds: seconds, widthPx: Math.min(GIF_WIDTH_PX, widthPx), fps: GIF_FPS }),
      { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000, stallTimeoutMs: this.limits.stallTimeoutMs, signal: ctx.signal, label: 'gif export' },
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
  async exportWebm(videoPath: string, durationSeconds: number, dir: string, ctx: ProviderContext): Promise<string> {
    const tmp = join(dir, WEBM_FILE);
    await this.runner.run(buildWebmArgs(videoPath, tmp), {
      errorCode: 'COMPOSITION_FAILED',
      timeoutMs: Math.max(this.limits.minTimeoutMs, durationSeconds * 8000),
      stallTimeoutMs: this.limits.stallTimeoutMs,
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
