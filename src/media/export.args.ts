import type { ExtraExportFormat } from '@app/contracts';
import { exportAspectOf } from '@app/contracts';
import { fmt } from './clip.args';

/**
 * GIF export of a job (docs/design/composition.md, "Exports"): the whole ad inside 480×640 px (360×640 for
 * 9:16, 480×270 for 16:9, 480×480 for 1:1), 12 fps, a 64-colour palette: a 15 s 9:16 ad of moving stills
 * measured 10.6 MB at 480 px wide with 128 colours and 4.3 MB like this.
 */
export const GIF_EXPORT_MAX_WIDTH_PX = 480;
export const GIF_EXPORT_MAX_HEIGHT_PX = 640;
export const GIF_EXPORT_FPS = 12;
const GIF_EXPORT_COLOURS = 64;

/** File name of each export in the job's work directory (distinct from the ad's and the env-flag previews'). */
export function exportFileName(format: ExtraExportFormat): string {
  const aspect = exportAspectOf(format);
  if (aspect) return `export-${aspect.replace(':', 'x')}.mp4`;
  return format === 'gif' ? 'export.gif' : 'export.webm';
}

/** The GIF export's frame for an ad of `widthPx`×`heightPx`: inside 480×640, never larger than the ad, even. Pure. */
export function gifExportSize(widthPx: number, heightPx: number): { widthPx: number; heightPx: number } {
  const scale = Math.min(1, GIF_EXPORT_MAX_WIDTH_PX / widthPx, GIF_EXPORT_MAX_HEIGHT_PX / heightPx);
  const even = (x: number): number => Math.max(2, 2 * Math.round(x / 2));
  return { widthPx: even(widthPx * scale), heightPx: even(heightPx * scale) };
}

/**
 * Arguments of a job's GIF export: the whole ad (no sound: GIF has none) at {@link gifExportSize} and
 * {@link GIF_EXPORT_FPS} fps, palette-based in one run: `palettegen` builds the palette from the ad itself
 * (`stats_mode=diff` favours what moves), `paletteuse` maps onto it with Bayer dithering at scale 5 (the
 * lightest, which compresses best) and re-encodes only the changed rectangle of each frame. Pure.
 * @param durationSeconds the ad's duration, seconds
 * @param widthPx the ad's width, pixels
 * @param heightPx the ad's height, pixels
 */
export function buildGifExportArgs(videoPath: string, outputPath: string, durationSeconds: number, widthPx: number, heightPx: number): string[] {
  const size = gifExportSize(widthPx, heightPx);
  const graph =
    `[0:v]fps=${GIF_EXPORT_FPS},scale=${size.widthPx}:${size.heightPx}:flags=lanczos,split[a][b];` +
    `[a]palettegen=max_colors=${GIF_EXPORT_COLOURS}:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[g]`;
  return ['-loglevel', 'error', '-y', '-t', fmt(durationSeconds), '-i', videoPath, '-filter_complex', graph, '-map', '[g]', '-loop', '0', '-f', 'gif', outputPath];
}

/**
 * Relative work of each export against the ad's own render (1), for progress shares: a GIF and a WebM
 * transcode take about a fifth and a third of the render on 2 cores; another aspect is a whole render.
 * Pure.
 */
export function exportWeight(format: ExtraExportFormat): number {
  if (format === 'gif') return 0.2;
  if (format === 'webm') return 0.35;
  return 1;
}
