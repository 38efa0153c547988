import type { Motion } from '@app/contracts';

/** Output frame rate of every clip and ad, frames per second (docs/design/composition.md, "Delivery settings": 30 fps). */
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

/** The still's region one frame shows: top-left corner (continuous pixels of the still) and zoom (≥ 1). */
export interface CameraWindow {
  leftPx: number;
  topPx: number;
  /** The window is the still's size divided by this. */
  zoom: number;
}

/**
 * Where the camera of `path` looks in frame `index` of `frames`, over a `widthPx × heightPx` still. Progress is
 * eased: 80 % linear plus 20 % smoothstep, so the camera never stops (a stop would read as a freeze) yet
 * starts and ends gently. Positions are continuous: the renderer samples between pixels, which is what makes
 * the move smooth where ffmpeg's `zoompan` jitters by whole pixels (docs/design/composition.md, "Camera moves"). Pure.
 */
export function cameraWindowAt(path: CameraPath, index: number, frames: number, widthPx: number, heightPx: number): CameraWindow {
  const p = Math.min(1, Math.max(0, index / Math.max(1, frames - 1)));
  const e = 0.8 * p + 0.2 * p * p * (3 - 2 * p);
  const lerp = (a: number, b: number): number => a + (b - a) * e;
  const zoom = lerp(path.zoomFrom, path.zoomTo);
  const cx = widthPx * (0.5 + lerp(path.dxFrom, path.dxTo));
  const cy = heightPx * (0.5 + lerp(path.dyFrom, path.dyTo));
  return { leftPx: cx - widthPx / zoom / 2, topPx: cy - heightPx / zoom / 2, zoom };
}

/** What {@link buildClipArgs} needs. */
export interface ClipSpec {
  /** Frame size of the raw yuv420p frames piped to ffmpeg's standard input, pixels. */
  widthPx: number;
  heightPx: number;
  /** Number of frames that will arrive (at {@link OUTPUT_FPS}). */
  frames: number;
  outputPath: string;
  /** x264 settings: intermediates are cheap to encode but visually lossless (the compositor re-encodes). */
  preset?: string;
  crf?: number;
}

/** Frames a clip of `seconds` has at 30 fps (rounded up so a clip never falls short). */
export function frameCount(seconds: number): number {
  return Math.max(1, Math.ceil(seconds * OUTPUT_FPS - 1e-6));
}

/**
 * ffmpeg arguments (after the runner's own flags) that encode a clip from raw BT.709 limited-range yuv420p
 * frames arriving on standard input (the Ken Burns renderer's output), tagged BT.709. Pure.
 */
export function buildClipArgs(spec: ClipSpec): string[] {
  return [
    '-loglevel', 'error',
    '-y',
    '-f', 'rawvideo',
    '-pix_fmt', 'yuv420p',
    '-video_size', `${spec.widthPx}x${spec.heightPx}`,
    '-framerate', String(OUTPUT_FPS),
    '-i', 'pipe:0',
    '-frames:v', String(spec.frames),
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
