import { buildClipPrefilters, buildFitChains, clipFitFor, type ClipShape } from './clip-fit';
import { fmt, OUTPUT_FPS } from './clip.args';

/** What {@link buildFootageClipArgs} needs. Pixels and seconds. */
export interface FootageClipSpec {
  inputPath: string;
  outputPath: string;
  shape: ClipShape;
  /** The footage's probed length, seconds (undefined: unknown). */
  sourceSeconds: number | undefined;
  /** Length of the scene's clip, seconds (the scene plus the overlap its outgoing transition consumes). */
  clipSeconds: number;
  widthPx: number;
  heightPx: number;
  preset: string;
  crf: number;
}

/**
 * ffmpeg arguments that turn a client's footage into one scene's clip (docs/design/composition.md, "Brand
 * assets"): the first `clipSeconds` of it, fitted to the output frame by the clip-fit policy (cover-cropped, or
 * fitted over its blurred copy when the shapes differ too much), slowed down when shorter than the scene and
 * then held on its last frame for any remainder, 30 fps H.264 yuv420p with BT.709 tags and no audio (the ad's
 * music is the soundtrack). Pure.
 */
export function buildFootageClipArgs(spec: FootageClipSpec): string[] {
  const { widthPx: W, heightPx: H } = spec;
  const fit = clipFitFor(spec.shape, W, H);
  const pre = buildClipPrefilters(spec.shape, spec.sourceSeconds, spec.clipSeconds, 1 / OUTPUT_FPS);
  const d = fmt(spec.clipSeconds);
  const graph = [
    ...buildFitChains('[0:v]', fit, W, H, pre, 'f', '[fit]'),
    `[fit]fps=${OUTPUT_FPS},tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS,format=yuv420p[out]`,
  ].join(';');
  return [
    '-loglevel', 'warning',
    '-y',
    '-i', spec.inputPath,
    '-filter_complex', graph,
    '-map', '[out]',
    '-an',
    '-c:v', 'libx264',
    '-preset', spec.preset,
    '-crf', String(spec.crf),
    '-pix_fmt', 'yuv420p',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-movflags', '+faststart',
    spec.outputPath,
  ];
}

/**
 * ffmpeg arguments that take one frame of the footage at `atSeconds`, fitted to the output frame like its clip
 * (the scene's storyboard still), as an RGB PNG. Pure.
 */
export function buildFootageStillArgs(spec: Pick<FootageClipSpec, 'inputPath' | 'outputPath' | 'shape' | 'widthPx' | 'heightPx'> & { atSeconds: number }): string[] {
  const { widthPx: W, heightPx: H } = spec;
  const pre = buildClipPrefilters(spec.shape, undefined, 0, 1 / OUTPUT_FPS);
  const graph = [...buildFitChains('[0:v]', clipFitFor(spec.shape, W, H), W, H, pre, 's', '[fit]'), '[fit]format=rgb24[out]'].join(';');
  return ['-loglevel', 'warning', '-y', '-ss', fmt(spec.atSeconds), '-i', spec.inputPath, '-filter_complex', graph, '-map', '[out]', '-frames:v', '1', spec.outputPath];
}
