import { fmt } from './clip.args';

/**
 * How a clip of another shape fills the ad's frame (docs/design/composition.md, "Clips of any shape"): never
 * stretched. `cover` scales until the frame is covered and crops the centre; `fit_blur` fits the whole clip
 * inside the frame over a blurred, cover-cropped copy of itself.
 */
export type ClipFit = 'cover' | 'fit_blur';

/**
 * Largest ratio between the clip's and the frame's aspect that is still cover-cropped: 1.4 keeps at least 71 %
 * of the clip's width or height (4:3 into 1:1, 16:9 into 4:3). Beyond it (16:9 into 9:16 would keep 32 %) the
 * clip is fitted over its blurred copy.
 */
export const MAX_COVER_ASPECT_RATIO = 1.4;

/** A clip's picture as probed: stored size (pixels), display rotation (degrees) and pixel aspect ratio. */
export interface ClipShape {
  widthPx: number;
  heightPx: number;
  rotationDegrees?: number;
  sampleAspectRatio?: number;
}

/**
 * Displayed width / height of a clip: the pixel aspect ratio applied, width and height swapped by a quarter turn
 * (ffmpeg rotates the decoded frames by the display matrix before the filtergraph). Pure.
 */
export function displayAspectOf(shape: ClipShape): number {
  const w = shape.widthPx * (shape.sampleAspectRatio ?? 1);
  const quarter = Math.abs(Math.round((shape.rotationDegrees ?? 0) / 90)) % 2 === 1;
  return quarter ? shape.heightPx / w : w / shape.heightPx;
}

/** The fit policy for a clip in a `widthPx × heightPx` frame ({@link MAX_COVER_ASPECT_RATIO}). Pure. */
export function clipFitFor(shape: ClipShape, widthPx: number, heightPx: number): ClipFit {
  const a = displayAspectOf(shape);
  const b = widthPx / heightPx;
  return Math.max(a / b, b / a) <= MAX_COVER_ASPECT_RATIO ? 'cover' : 'fit_blur';
}

/**
 * Filter chains that bring input `input` (a label such as `[2:v]`) to exactly `W × H` square pixels into
 * `[out]`, by the fit policy. `pre` runs first on the input (pixel aspect and timing fixes). The blurred
 * background is made at an eighth of the size (a box blur there costs a 64th of one at full size) and scaled up.
 * Pure.
 */
export function buildFitChains(input: string, fit: ClipFit, W: number, H: number, pre: string, id: string, out: string): string[] {
  if (fit === 'cover') return [`${input}${pre}scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}${out}`];
  const bw = 2 * Math.max(8, Math.round(W / 16));
  const bh = 2 * Math.max(8, Math.round(H / 16));
  return [
    `${input}${pre}format=yuv420p,split=2[bg${id}][fg${id}]`,
    `[bg${id}]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},boxblur=4:2,scale=${W}:${H},setsar=1[bgs${id}]`,
    `[fg${id}]scale=${W}:${H}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[fgs${id}]`,
    `[bgs${id}][fgs${id}]overlay=x=(W-w)/2:y=(H-h)/2${out}`,
  ];
}

/**
 * Filters run on a clip before it is fitted: square pixels (`scale=iw*sar:ih`) when the pixel aspect is not 1,
 * and a slow-down (`setpts`) when the clip is shorter than its slot, so a short clip plays slower instead of
 * ending early (docs/design/composition.md, "Short and long clips"). Empty or ending with a comma. Pure.
 *
 * @param sourceSeconds the clip's probed length, seconds (undefined: unknown, no slow-down)
 * @param slotSeconds the length the composition needs, seconds
 * @param frameSeconds one output frame, seconds: shortfalls under a frame are left to the frame clone
 */
export function buildClipPrefilters(shape: Pick<ClipShape, 'sampleAspectRatio'>, sourceSeconds: number | undefined, slotSeconds: number, frameSeconds: number): string {
  const parts: string[] = [];
  if (shape.sampleAspectRatio && Math.abs(shape.sampleAspectRatio - 1) > 1e-3) parts.push('scale=trunc(iw*sar/2)*2:ih,setsar=1');
  if (sourceSeconds !== undefined && sourceSeconds > 0 && sourceSeconds < slotSeconds - frameSeconds) {
    parts.push(`setpts=(PTS-STARTPTS)*${fmt(slotSeconds / sourceSeconds)}`);
  }
  return parts.map((p) => `${p},`).join('');
}
