import type { ColorGrade } from '@app/contracts';
import { fmt, OUTPUT_FPS } from './clip.args';
import { buildClipPrefilters, buildFitChains, clipFitFor, type ClipShape } from './clip-fit';
import { GRADE_LUMA_PIVOT, GRADE_PRESETS } from './grade';
import { buildGainFilter } from './loudness';

/** One scene's clip in the composition: its file and the length it must have (scene + outgoing overlap), seconds. */
export interface CompositionClip {
  path: string;
  seconds: number;
  /** The clip's pixels already carry the spec's grade (VideoGenerationOutput.color_grade): do not grade it again. */
  graded?: boolean;
  /** The clip's probed picture shape: picks cover-crop or fit-over-blur (clip-fit.ts). Absent: cover. */
  shape?: ClipShape;
  /** The clip's probed length, seconds: a clip shorter than `seconds` is slowed to fit. Absent: not slowed. */
  sourceSeconds?: number;
}

/** Transition between clip k and k+1: an xfade transition name and its length, seconds (0 for a cut). */
export interface CompositionTransition {
  xfade: string;
  seconds: number;
}

/** A text card (RGBA PNG cropped to its box) shown over the ad. Pixels from the top-left; seconds. */
export interface CompositionText {
  path: string;
  xPx: number;
  yPx: number;
  startSeconds: number;
  endSeconds: number;
  /** Fade-in and fade-out length, seconds. */
  fadeSeconds: number;
  /**
   * Slide-up entrance: the card rises this many pixels into place (ease-out, over {@link SLIDE_UP_SECONDS})
   * while it fades in. 0 or absent: a plain fade. The caller keeps `yPx + slideUpPx` inside the safe area.
   */
  slideUpPx?: number;
}

/** Length of a text card's slide-up entrance, seconds (a quick ease-out reads as motion, not as a scene change). */
export const SLIDE_UP_SECONDS = 0.5;

/**
 * Overlay `y` of a card: fixed, or for a slide-up an expression evaluated per frame (overlay's default
 * `eval=frame`) that eases from `yPx + slideUpPx` to `yPx` in {@link SLIDE_UP_SECONDS} with a cubic ease-out.
 * Quoted so its commas survive the filtergraph parser. Pure.
 */
export function buildOverlayY(t: Pick<CompositionText, 'yPx' | 'startSeconds' | 'slideUpPx'>): string {
  if (!t.slideUpPx) return String(t.yPx);
  return `'${t.yPx}+${t.slideUpPx}*pow(1-clip((t-${fmt(t.startSeconds)})/${fmt(SLIDE_UP_SECONDS)},0,1),3)'`;
}

/** Everything {@link buildCompositionGraph} and {@link buildCompositionArgs} need. */
export interface CompositionSpec {
  widthPx: number;
  heightPx: number;
  /** Requested ad duration, seconds; the output lasts exactly this long. */
  durationSeconds: number;
  clips: CompositionClip[];
  /** `clips.length - 1` transitions. */
  transitions: CompositionTransition[];
  texts: CompositionText[];
  /** Music bed WAV (already faded and at its mix level); null for a silent ad (a silent AAC track, no gain). */
  musicPath: string | null;
  /** Gain that normalises the bed, dB, from its measured loudness (loudness.ts). */
  musicGainDb: number;
  grade: ColorGrade;
  /** Fade from and to black at both ends, seconds (docs/design/composition.md, "Delivery settings": 0.3 s). */
  fadeSeconds: number;
  /** Path of the filtergraph script file passed with `-filter_complex_script`. */
  graphPath: string;
  outputPath: string;
  /** x264 preset and CRF (docs/design/composition.md, "Delivery settings": veryfast, CRF 21). */
  preset: string;
  crf: number;
  /**
   * Also write this frame of the finished picture as a JPEG thumbnail, from the same run (a second output fed
   * by a one-frame branch of the graph): no second decode of the ad afterwards.
   */
  thumbnail?: { atSeconds: number; path: string };
}

/**
 * A grade ({@link GRADE_PRESETS}) as one `lutyuv` (a per-plane lookup table: the cheapest filter there is).
 * Null for `neutral`. Pure.
 */
export function buildGradeFilter(grade: ColorGrade): string | null {
  if (grade === 'neutral') return null;
  const p = GRADE_PRESETS[grade];
  const chroma = (shift: number): string => `'clip((val-128)*${fmt(p.saturation)}+${128 + shift},16,240)'`;
  return `lutyuv=y='clip((val-${GRADE_LUMA_PIVOT})*${fmt(p.contrast)}+${GRADE_LUMA_PIVOT},16,235)':u=${chroma(p.du)}:v=${chroma(p.dv)}`;
}

/**
 * The whole ad as one filtergraph (docs/design/composition.md, "One filtergraph, one encode"). Inputs: clips 0..n-1, then
 * the music bed (n), then one PNG per text card (n+1...).
 * - each clip is normalised (`scale,crop,fps=30,format=yuv420p,setsar=1`: xfade needs identical size, rate,
 *   time base and pixel format) and made exactly as long as needed, in whole frames: `tpad` clones the last
 *   frame of a short clip, `trim` cuts a long one;
 * - each clip is split into head (the incoming transition), body and tail (the outgoing one); `xfade` runs on
 *   the 0.5 s tail/head pairs only and `concat` joins body, transition, body... A plain xfade chain costs
 *   about 3 s more CPU on a 30 s 1080×1920 ad on this machine, because xfade keeps the next clip's decoder
 *   busy long before its transition; the output is the same (transition k starts at D_0 + … + D_k);
 * - each clip not already graded by its provider is graded in its own chain (so a provider may grade its
 *   stills once instead of the compositor grading every frame), before the text so brand colours stay exact;
 * - each card is decoded once, repeated with `loop`, placed on the timeline with `setpts`, faded through its
 *   alpha, and overlaid only between its times;
 * - 0.3 s fades from and to black, then the audio: the bed with the gain its measurement called for;
 * - with a thumbnail, a one-frame branch of the finished picture (`split`, `trim`) feeds the JPEG output.
 * Pure.
 */
export function buildCompositionGraph(spec: CompositionSpec): string {
  const { widthPx: W, heightPx: H } = spec;
  const n = spec.clips.length;
  const frames = (seconds: number): number => Math.round(seconds * OUTPUT_FPS);
  const lines: string[] = [];
  const segments: string[] = [];
  const grade = buildGradeFilter(spec.grade);
  spec.clips.forEach((clip, i) => {
    const total = frames(clip.seconds);
    const head = i > 0 ? frames(spec.transitions[i - 1].seconds) : 0;
    const tail = i < n - 1 ? frames(spec.transitions[i].seconds) : 0;
    const parts = [head > 0 ? 'h' : '', 'b', tail > 0 ? 't' : ''].filter(Boolean);
    const pre = buildClipPrefilters(clip.shape ?? {}, clip.sourceSeconds, clip.seconds, 1 / OUTPUT_FPS);
    const fit = clip.shape ? clipFitFor(clip.shape, W, H) : 'cover';
    // Cover without prefilters is one chain (the common case: provider clips at the ad's size).
    const fitted = buildFitChains(`[${i}:v]`, fit, W, H, pre, String(i), fit === 'cover' ? '' : `[f${i}]`);
    if (fit !== 'cover') lines.push(...fitted);
    const normalise =
      `${fit === 'cover' ? fitted[0] : `[f${i}]`}${fit === 'cover' ? ',' : ''}fps=${OUTPUT_FPS},format=yuv420p,setsar=1,` +
      (grade && !clip.graded ? `${grade},` : '') +
      `tpad=stop_mode=clone:stop_duration=${fmt(clip.seconds)},trim=end_frame=${total},setpts=PTS-STARTPTS`;
    if (parts.length === 1) {
      lines.push(`${normalise}[b${i}]`);
    } else {
      lines.push(`${normalise},split=${parts.length}${parts.map((p) => `[${p}${i}s]`).join('')}`);
      if (head > 0) lines.push(`[h${i}s]trim=end_frame=${head}[h${i}]`);
      lines.push(`[b${i}s]trim=start_frame=${head}:end_frame=${total - tail},setpts=PTS-STARTPTS[b${i}]`);
      if (tail > 0) lines.push(`[t${i}s]trim=start_frame=${total - tail},setpts=PTS-STARTPTS[t${i}]`);
    }
    segments.push(`[b${i}]`);
    if (tail > 0) {
      segments.push(`[x${i}]`);
    }
  });
  spec.transitions.forEach((t, k) => {
    if (frames(t.seconds) <= 0) return;
    lines.push(`[t${k}][h${k + 1}]xfade=transition=${t.xfade}:duration=${fmt(t.seconds)}:offset=0[x${k}]`);
  });
  lines.push(`${segments.join('')}concat=n=${segments.length}:v=1:a=0[joined]`);
  let last = 'joined';
  spec.texts.forEach((t, i) => {
    const count = Math.max(1, Math.round((t.endSeconds - t.startSeconds) * OUTPUT_FPS));
    const a = fmt(t.startSeconds);
    const b = fmt(t.endSeconds);
    const f = fmt(t.fadeSeconds);
    lines.push(
      `[${n + 1 + i}:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=loop=${count - 1}:size=1:start=0,` +
        `setpts=N/${OUTPUT_FPS}/TB+${a}/TB,fade=t=in:st=${a}:d=${f}:alpha=1,fade=t=out:st=${fmt(t.endSeconds - t.fadeSeconds)}:d=${f}:alpha=1[c${i}]`,
    );
    lines.push(`[${last}][c${i}]overlay=x=${t.xPx}:y=${buildOverlayY(t)}:eof_action=pass:enable='between(t,${a},${b})'[o${i}]`);
    last = `o${i}`;
  });
  const d = fmt(spec.durationSeconds);
  const fd = fmt(spec.fadeSeconds);
  const finish = `[${last}]fade=t=in:st=0:d=${fd},fade=t=out:st=${fmt(spec.durationSeconds - spec.fadeSeconds)}:d=${fd},format=yuv420p`;
  if (spec.thumbnail) {
    const n = Math.round(spec.thumbnail.atSeconds * OUTPUT_FPS);
    lines.push(`${finish},split=2[vout][vthumb]`);
    lines.push(`[vthumb]trim=start_frame=${n}:end_frame=${n + 1},setpts=PTS-STARTPTS[thumb]`);
  } else {
    lines.push(`${finish}[vout]`);
  }
  lines.push(
    spec.musicPath === null
      ? `[${n}:a]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,atrim=duration=${d}[aout]`
      : `[${n}:a]${buildGainFilter(spec.musicGainDb)},apad,atrim=duration=${d}[aout]`,
  );
  return lines.join(';\n') + '\n';
}

/**
 * ffmpeg arguments (after the runner's own flags) of the single composition run. Delivery settings from
 * docs/design/composition.md, "Delivery settings": H.264 High yuv420p, `-g 60`, BT.709 tags, AAC 192 kb/s 48 kHz stereo, `+faststart`. Pure.
 */
export function buildCompositionArgs(spec: CompositionSpec): string[] {
  return [
    '-loglevel', 'warning',
    '-y',
    ...spec.clips.flatMap((c) => ['-i', c.path]),
    // A silent ad still carries an AAC track (players and platforms expect one): digital silence from anullsrc.
    ...(spec.musicPath === null ? ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'] : ['-i', spec.musicPath]),
    ...spec.texts.flatMap((t) => ['-i', t.path]),
    '-filter_complex_script', spec.graphPath,
    '-map', '[vout]',
    '-map', '[aout]',
    '-c:v', 'libx264',
    '-preset', spec.preset,
    '-crf', String(spec.crf),
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    '-r', String(OUTPUT_FPS),
    '-g', String(2 * OUTPUT_FPS),
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-t', fmt(spec.durationSeconds),
    '-movflags', '+faststart',
    '-f', 'mp4',
    spec.outputPath,
    ...(spec.thumbnail ? ['-map', '[thumb]', '-frames:v', '1', '-q:v', '3', '-update', '1', spec.thumbnail.path] : []),
  ];
}

/** Where and how long the GIF preview excerpt is, and its size. Seconds; pixels. */
export interface GifSpec {
  videoPath: string;
  outputPath: string;
  startSeconds: number;
  durationSeconds: number;
  /** Output width; height follows the aspect ratio (even). docs/design/composition.md, "Exports": 360 px. */
  widthPx: number;
  /** GIF frame rate: 12 fps keeps a 6 s excerpt near 2 MB. */
  fps: number;
}

/**
 * Arguments of the GIF preview: a short excerpt at 360 px, palette-based in one run (`palettegen` builds a
 * 128-colour palette from the excerpt itself, `paletteuse` maps onto it with light Bayer dithering, which
 * compresses far better than error diffusion). docs/design/composition.md, "Exports": a ≤ 6 s excerpt at 360 px takes 2 s, about 2 MB.
 * Pure.
 */
export function buildGifArgs(spec: GifSpec): string[] {
  const graph =
    `[0:v]fps=${spec.fps},scale=${spec.widthPx}:-2:flags=lanczos,split[a][b];` +
    `[a]palettegen=max_colors=128:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle[g]`;
  return [
    '-loglevel', 'error',
    '-y',
    '-ss', fmt(spec.startSeconds),
    '-t', fmt(spec.durationSeconds),
    '-i', spec.videoPath,
    '-filter_complex', graph,
    '-map', '[g]',
    '-loop', '0',
    '-f', 'gif',
    spec.outputPath,
  ];
}

/**
 * Arguments of the WebM export: VP9 in realtime mode at `-cpu-used 8` (docs/design/composition.md, "Exports": 11 s for a 30 s
 * 1080×1920 ad; `good` takes 70 s), constrained quality (crf 33 with a 4 Mb/s cap keeps 15 s far under 50 MB),
 * row multithreading, BT.709 tags, and Opus 128 kb/s 48 kHz stereo (WebM carries Opus, not AAC). Pure.
 */
export function buildWebmArgs(videoPath: string, outputPath: string): string[] {
  return [
    '-loglevel', 'warning',
    '-y',
    '-i', videoPath,
    '-map', '0:v:0',
    '-map', '0:a:0',
    '-c:v', 'libvpx-vp9',
    '-deadline', 'realtime',
    '-cpu-used', '8',
    '-row-mt', '1',
    '-crf', '33',
    '-b:v', '4M',
    '-pix_fmt', 'yuv420p',
    '-g', String(2 * OUTPUT_FPS),
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-c:a', 'libopus', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-f', 'webm',
    outputPath,
  ];
}
