import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { AppError } from '../common/app-error';
import { DEFAULT_BINARIES, type FfmpegBinaries } from './ffmpeg.runner';

/** One stream as {@link probeMedia} reports it. Sizes in pixels, rates in Hz / frames per second. */
export interface ProbedStream {
  index: number;
  type: 'video' | 'audio' | 'other';
  codec: string;
  profile?: string;
  pixFmt?: string;
  widthPx?: number;
  heightPx?: number;
  /** Average frame rate, frames per second. */
  fps?: number;
  sampleRateHz?: number;
  channels?: number;
  /** Stream duration, seconds, when the container states it. */
  durationSeconds?: number;
  colorSpace?: string;
  /** Display rotation, degrees counter-clockwise as ffprobe reports it (display matrix or `rotate` tag); absent when 0. */
  rotationDegrees?: number;
  /** Sample (pixel) aspect ratio, width / height of one pixel; absent when square or unstated. */
  sampleAspectRatio?: number;
}

/** What {@link probeMedia} returns. */
export interface MediaProbe {
  /** Container duration, seconds. */
  durationSeconds: number;
  sizeBytes: number;
  formatName: string;
  streams: ProbedStream[];
  /** True when the `moov` atom precedes `mdat` (MP4 `+faststart`); false for other layouts and containers. */
  faststart: boolean;
}

/** Expected properties of a delivered ad (docs/design/composition.md, "Delivery settings" and "Checking a result"). */
export interface AdExpectations {
  /** Requested duration, seconds. */
  durationSeconds: number;
  widthPx: number;
  heightPx: number;
  /** Default 30. */
  fps?: number;
  /** Allowed duration error, seconds; default 0.5 (the checker's tolerance). */
  durationToleranceSeconds?: number;
}

interface FfprobeJson {
  format?: { duration?: string; size?: string; format_name?: string };
  streams?: Array<Record<string, unknown>>;
}

/**
 * Probes a media file with ffprobe and reads its top-level MP4 atoms.
 *
 * @throws AppError `INTERNAL_ERROR` when ffprobe cannot read the file
 */
export async function probeMedia(path: string, binaries: FfmpegBinaries = DEFAULT_BINARIES): Promise<MediaProbe> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      binaries.ffprobePath,
      ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path],
      { timeout: 20_000, maxBuffer: 8 * 1024 * 1024 },
      (err, out, stderr) => {
        if (err) reject(new AppError('INTERNAL_ERROR', `ffprobe failed on ${path}: ${String(stderr).trim() || err.message}`, { cause: err }));
        else resolve(out);
      },
    );
  });
  const json = JSON.parse(stdout) as FfprobeJson;
  const atoms = await readTopLevelAtoms(path);
  const moov = atoms.indexOf('moov');
  const mdat = atoms.indexOf('mdat');
  return {
    durationSeconds: num(json.format?.duration) ?? 0,
    sizeBytes: num(json.format?.size) ?? 0,
    formatName: json.format?.format_name ?? '',
    streams: (json.streams ?? []).map(toStream),
    faststart: moov >= 0 && mdat >= 0 && moov < mdat,
  };
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `"30000/1001"` to 29.97; undefined for `0/0`. */
export function parseRate(rate: unknown): number | undefined {
  if (typeof rate !== 'string') return undefined;
  const [a, b] = rate.split('/').map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

function toStream(s: Record<string, unknown>): ProbedStream {
  const type = s.codec_type === 'video' || s.codec_type === 'audio' ? s.codec_type : 'other';
  const stream: ProbedStream = { index: Number(s.index), type, codec: typeof s.codec_name === 'string' ? s.codec_name : '' };
  if (typeof s.profile === 'string') stream.profile = s.profile;
  if (typeof s.pix_fmt === 'string') stream.pixFmt = s.pix_fmt;
  if (typeof s.color_space === 'string') stream.colorSpace = s.color_space;
  const width = num(s.width);
  if (width !== undefined) stream.widthPx = width;
  const height = num(s.height);
  if (height !== undefined) stream.heightPx = height;
  const fps = type === 'video' ? parseRate(s.avg_frame_rate) : undefined;
  if (fps !== undefined) stream.fps = fps;
  const rate = num(s.sample_rate);
  if (rate !== undefined) stream.sampleRateHz = rate;
  const channels = num(s.channels);
  if (channels !== undefined) stream.channels = channels;
  const duration = num(s.duration);
  if (duration !== undefined) stream.durationSeconds = duration;
  const rotation = rotationOf(s);
  if (rotation) stream.rotationDegrees = rotation;
  const sar = typeof s.sample_aspect_ratio === 'string' ? parseRate(s.sample_aspect_ratio.replace(':', '/')) : undefined;
  if (sar && Math.abs(sar - 1) > 1e-3) stream.sampleAspectRatio = sar;
  return stream;
}

/** Rotation of a stream from its display-matrix side data, else its legacy `rotate` tag; 0 when none. */
function rotationOf(s: Record<string, unknown>): number {
  const side = Array.isArray(s.side_data_list) ? (s.side_data_list as Array<Record<string, unknown>>) : [];
  const matrix = side.find((d) => typeof d.rotation === 'number' || typeof d.rotation === 'string');
  const fromMatrix = matrix ? num(matrix.rotation) : undefined;
  if (fromMatrix !== undefined) return fromMatrix;
  const tags = (s.tags ?? {}) as Record<string, unknown>;
  return num(tags.rotate) ?? 0;
}

/** Top-level ISO-BMFF box types in file order (at most `limit`), as check-ad reads them. */
export async function readTopLevelAtoms(path: string, limit = 32): Promise<string[]> {
  const out: string[] = [];
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    let pos = 0;
    const hdr = Buffer.alloc(16);
    while (out.length < limit && pos + 8 <= fileSize) {
      const { bytesRead } = await fh.read(hdr, 0, 16, pos);
      if (bytesRead < 8) break;
      let size = hdr.readUInt32BE(0);
      const type = hdr.toString('latin1', 4, 8);
      let headerLen = 8;
      if (size === 1) {
        if (bytesRead < 16) break;
        size = Number(hdr.readBigUInt64BE(8));
        headerLen = 16;
      }
      out.push(type);
      if (size === 0 || size < headerLen) break;
      pos += size;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/**
 * The project's own delivery check on a probe (pure): H.264 yuv420p at the exact size and frame rate,
 * AAC 48 kHz stereo, audio as long as video (±0.15 s), faststart, and duration within tolerance.
 * The independent delivery check the tests use minus its loudness, black, freeze, scene and size checks
 * (docs/design/composition.md, "Checking a result").
 *
 * @returns human-readable problems; empty when the file meets the expectations
 */
export function checkAdProbe(probe: MediaProbe, expected: AdExpectations): string[] {
  const problems: string[] = [];
  const fps = expected.fps ?? 30;
  const tolerance = expected.durationToleranceSeconds ?? 0.5;
  const video = probe.streams.find((s) => s.type === 'video');
  const audio = probe.streams.find((s) => s.type === 'audio');
  if (!video) problems.push('no video stream');
  else {
    if (video.codec !== 'h264') problems.push(`video codec is ${video.codec}, expected h264`);
    if (video.pixFmt !== 'yuv420p') problems.push(`pixel format is ${video.pixFmt ?? 'unknown'}, expected yuv420p`);
    if (video.widthPx !== expected.widthPx || video.heightPx !== expected.heightPx) {
      problems.push(`size is ${video.widthPx ?? '?'}x${video.heightPx ?? '?'}, expected ${expected.widthPx}x${expected.heightPx}`);
    }
    if (video.fps === undefined || Math.abs(video.fps - fps) >= 0.01) problems.push(`frame rate is ${video.fps ?? 'unknown'}, expected ${fps}`);
  }
  if (!audio) problems.push('no audio stream');
  else {
    if (audio.codec !== 'aac') problems.push(`audio codec is ${audio.codec}, expected aac`);
    if (audio.sampleRateHz !== 48000) problems.push(`sample rate is ${audio.sampleRateHz ?? 'unknown'}, expected 48000`);
    if (audio.channels !== 2) problems.push(`audio has ${audio.channels ?? 'unknown'} channels, expected 2`);
  }
  if (video?.durationSeconds !== undefined && audio?.durationSeconds !== undefined) {
    if (Math.abs(video.durationSeconds - audio.durationSeconds) > 0.15) {
      problems.push(`video lasts ${video.durationSeconds} s but audio ${audio.durationSeconds} s`);
    }
  }
  if (!probe.faststart) problems.push('moov atom does not precede mdat (no faststart)');
  if (Math.abs(probe.durationSeconds - expected.durationSeconds) > tolerance) {
    problems.push(`duration is ${probe.durationSeconds} s, expected ${expected.durationSeconds} ± ${tolerance} s`);
  }
  return problems;
}

/**
 * Probes `path` and checks it with {@link checkAdProbe}. The compositor runs this on every output before
 * returning it; integration tests use it too.
 *
 * @returns problems (empty when the ad is deliverable) and the probe
 */
export async function verifyAd(
  path: string,
  expected: AdExpectations,
  binaries: FfmpegBinaries = DEFAULT_BINARIES,
): Promise<{ problems: string[]; probe: MediaProbe }> {
  const probe = await probeMedia(path, binaries);
  return { problems: checkAdProbe(probe, expected), probe };
}
