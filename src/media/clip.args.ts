import type { Motion } from '@app/contracts';

/** Output frame rate of every clip and ad, frames per second (issue #2: 30 fps). */
export const OUTPUT_FPS = 30;

/** Camera path of a Ken Burns move: zoom factor and window centre offset (fractions of the frame) at start and end. */
export interface CameraPath {
  zoomFrom: number;
  zoomTo: number;
  /** Window centre offset from the frame centre, as a fraction of width / height, at start and end. */
  dxFrom: number;
  dxTo: number;
  dyFrom: number;
  dyTo: number;
}

/** Zoom used by pans so the window has room to travel; travel is 90 % of that room. */
const PAN_ZOOM = 1.12;
const PAN_TRAVEL = ((1 - 1 / PAN_ZOOM) / 2) * 0.9;
/** Zoom range of zoom moves: 1.0 to 1.15 (a 15 % push reads as motion without blurring the still much). */
const ZOOM_MAX = 1.15;

/**
 * The camera path of each motion. `pan_left` means the camera pans left, so the window travels from the right
 * edge to the left one. Pure.
 */
export function cameraPathFor(motion: Motion): CameraPath {
  const flat = { dxFrom: 0, dxTo: 0, dyFrom: 0, dyTo: 0 };
  switch (motion) {
    case 'zoom_in':
      return { zoomFrom: 1, zoomTo: ZOOM_MAX, ...flat };
    case 'zoom_out':
      return { zoomFrom: ZOOM_MAX, zoomTo: 1, ...flat };
    case 'pan_left':
      return { zoomFrom: PAN_ZOOM, zoomTo: PAN_ZOOM, ...flat, dxFrom: PAN_TRAVEL, dxTo: -PAN_TRAVEL };
    case 'pan_right':
      return { zoomFrom: PAN_ZOOM, zoomTo: PAN_ZOOM, ...flat, dxFrom: -PAN_TRAVEL, dxTo: PAN_TRAVEL };
    case 'pan_up':
      return { zoomFrom: PAN_ZOOM, zoomTo: PAN_ZOOM, ...flat, dyFrom: PAN_TRAVEL, dyTo: -PAN_TRAVEL };
    case 'pan_down':
      return { zoomFrom: PAN_ZOOM, zoomTo: PAN_ZOOM, ...flat, dyFrom: -PAN_TRAVEL, dyTo: PAN_TRAVEL };
  }
}

/** Trims a number for an ffmpeg expression: at most 6 decimals, no trailing zeros. */
export function fmt(x: number): string {
  const s = x.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * `perspective` filter (sense=source, eval=frame) that moves a window over the still along `path` during
 * `frames` frames. Sub-pixel sampling makes the motion smooth where `zoompan` jitters (composition.md,
 * "Ken Burns"). Progress is eased: 80 % linear plus 20 % smoothstep, so the camera never stops (a stop would
 * read as a freeze) yet starts and ends gently. Pure.
 */
export function buildKenBurnsFilter(path: CameraPath, frames: number): string {
  const p = `(on/${Math.max(1, frames - 1)})`;
  const e = `(0.8*${p}+0.2*${p}*${p}*(3-2*${p}))`;
  const lerp = (a: number, b: number): string => (a === b ? fmt(a) : `(${fmt(a)}+${fmt(b - a)}*${e})`);
  const z = lerp(path.zoomFrom, path.zoomTo);
  const cx = `(W*(0.5+${lerp(path.dxFrom, path.dxTo)}))`;
  const cy = `(H*(0.5+${lerp(path.dyFrom, path.dyTo)}))`;
  const left = `${cx}-W/${z}/2`;
  const right = `${cx}+W/${z}/2`;
  const top = `${cy}-H/${z}/2`;
  const bottom = `${cy}+H/${z}/2`;
  return (
    `perspective=x0='${left}':y0='${top}':x1='${right}':y1='${top}':` +
    `x2='${left}':y2='${bottom}':x3='${right}':y3='${bottom}':sense=source:eval=frame`
  );
}

/** What {@link buildClipArgs} needs. */
export interface ClipSpec {
  /** Still image (PNG/JPEG) at exactly the output size. */
  stillPath: string;
  outputPath: string;
  /** Clip length, seconds. */
  durationSeconds: number;
  motion: Motion;
  /** x264 settings: intermediates are cheap to encode but visually lossless (the compositor re-encodes). */
  preset?: string;
  crf?: number;
}

/** Frames a clip of `seconds` has at 30 fps (rounded up so a clip never falls short). */
export function frameCount(seconds: number): number {
  return Math.max(1, Math.ceil(seconds * OUTPUT_FPS - 1e-6));
}

/**
 * ffmpeg arguments (after the runner's own flags) that turn one still into a Ken Burns clip.
 * The still is decoded once and repeated with `loop` (never `-loop 1` on a large PNG, which decodes it every
 * frame: composition.md); RGB is converted with the BT.709 matrix and the output tagged BT.709. Pure.
 */
export function buildClipArgs(spec: ClipSpec): string[] {
  const frames = frameCount(spec.durationSeconds);
  const graph =
    `[0:v]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,` +
    `loop=loop=${frames - 1}:size=1:start=0,setpts=N/${OUTPUT_FPS}/TB,` +
    `${buildKenBurnsFilter(cameraPathFor(spec.motion), frames)},setsar=1[v]`;
  return [
    '-loglevel', 'error',
    '-y',
    '-i', spec.stillPath,
    '-filter_complex', graph,
    '-map', '[v]',
    '-frames:v', String(frames),
    '-r', String(OUTPUT_FPS),
    '-c:v', 'libx264',
    '-preset', spec.preset ?? 'ultrafast',
    '-crf', String(spec.crf ?? 17),
    '-pix_fmt', 'yuv420p',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-movflags', '+faststart',
    '-an',
    spec.outputPath,
  ];
}
