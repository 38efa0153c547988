import { loadImage } from '@napi-rs/canvas';
import { execFile } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { AppError } from '../common/app-error';
import { probeMedia } from '../media/ffprobe';
import { DEFAULT_BINARIES, type FfmpegBinaries } from '../media/ffmpeg.runner';

/**
 * Content checks of an uploaded asset (docs/design/artifacts.md, "Why uploads are checked by content"): the
 * file's own bytes decide what it is, never its name or declared type. Each check answers INVALID_INPUT with
 * a `reason` a client can branch on.
 */

/** Largest upload, bytes (seed figure: 50 MB, read as MiB). */
export const MAX_ASSET_BYTES = 50 * 1024 * 1024;
/** Largest image decoded, pixels (50 MP: a 48 MP phone photo fits; a 20 000 x 20 000 "bomb" does not). */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Longest image side, pixels. */
export const MAX_IMAGE_SIDE_PX = 16_384;
/** Longest video accepted, seconds. */
export const MAX_VIDEO_SECONDS = 3600;

/** The accepted kinds and what they become. */
export const ASSET_KINDS = {
  png: { type: 'image', mimeType: 'image/png', ext: 'png' },
  jpeg: { type: 'image', mimeType: 'image/jpeg', ext: 'jpg' },
  mp4: { type: 'video', mimeType: 'video/mp4', ext: 'mp4' },
  mov: { type: 'video', mimeType: 'video/quicktime', ext: 'mov' },
} as const;
export type AssetKind = keyof typeof ASSET_KINDS;

/** Why an upload was refused (`details.reason`). */
export type InvalidAssetReason =
  | 'no_file'
  | 'empty'
  | 'too_large'
  | 'unsupported_type'
  | 'truncated'
  | 'trailing_data'
  | 'corrupt'
  | 'too_many_pixels'
  | 'undecodable'
  | 'no_video_stream'
  | 'bad_duration';

/** An upload that is not an asset this service accepts: 400 INVALID_INPUT naming the `file` field and the reason. */
export class InvalidAssetError extends AppError {
  constructor(
    readonly reason: InvalidAssetReason,
    message: string,
    cause?: unknown,
  ) {
    super('INVALID_INPUT', `invalid upload: ${message}`, {
      cause,
      details: { fields: { file: [message] }, reason, accepted: 'jpg, png, mp4 or mov, at most 50 MB' },
    });
  }
}

/** What an accepted file is. Sizes in pixels, duration in seconds (videos only). */
export interface InspectedAsset {
  kind: AssetKind;
  type: 'image' | 'video';
  mimeType: string;
  ext: string;
  width: number;
  height: number;
  durationSeconds?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Top-level boxes an old QuickTime file may start with instead of `ftyp`. */
const QUICKTIME_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** The kind the first bytes announce (magic numbers), or null. Pure. `mp4` here also covers QuickTime until the brand is read. */
export function sniffKind(head: Buffer): AssetKind | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12) {
    const box = head.toString('latin1', 4, 8);
    if (box === 'ftyp') return head.toString('latin1', 8, 12) === 'qt  ' ? 'mov' : 'mp4';
    if (QUICKTIME_FIRST_BOXES.has(box)) return 'mov';
  }
  return null;
}

/**
 * Walks a PNG's chunks (PNG spec §5): IHDR first, every CRC right, at least one IDAT, IEND last and nothing
 * after it (a ZIP or script appended to a PNG is refused as `trailing_data`). Pure.
 * @returns the IHDR's width and height, pixels
 * @throws InvalidAssetError truncated, corrupt or trailing_data
 */
export function checkPngStructure(buf: Buffer): { width: number; height: number } {
  let pos = 8;
  let width = 0;
  let height = 0;
  let idat = false;
  let first = true;
  for (;;) {
    if (pos + 12 > buf.length) throw new InvalidAssetError('truncated', 'the PNG ends before its IEND chunk (truncated file)');
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (len > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) throw new InvalidAssetError('corrupt', `the PNG has a malformed chunk at byte ${pos}`);
    const end = pos + 12 + len;
    if (end > buf.length) throw new InvalidAssetError('truncated', `the PNG's ${type} chunk runs past the end of the file (truncated file)`);
    const crc = buf.readUInt32BE(pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== crc) throw new InvalidAssetError('corrupt', `the PNG's ${type} chunk fails its CRC check`);
    if (first) {
      if (type !== 'IHDR' || len !== 13) throw new InvalidAssetError('corrupt', 'the PNG does not start with an IHDR chunk');
      width = buf.readUInt32BE(pos + 8);
      height = buf.readUInt32BE(pos + 12);
      first = false;
    }
    if (type === 'IDAT') idat = true;
    pos = end;
    if (type === 'IEND') break;
  }
  if (!idat) throw new InvalidAssetError('corrupt', 'the PNG has no image data (IDAT)');
  if (pos !== buf.length) throw new InvalidAssetError('trailing_data', `${buf.length - pos} bytes follow the PNG's IEND chunk (a file hidden in an image is refused)`);
  return { width, height };
}

/**
 * Walks a JPEG's markers (ITU T.81 Annex B): segments with their lengths, entropy-coded scans up to the next
 * marker, a frame header (SOFn) before the first scan, and EOI. After EOI only padding (0x00/0xFF) or
 * further complete JPEG images (the MPF secondary images phones write) may follow; anything else, such as an
 * appended ZIP, is `trailing_data`. Pure.
 * @returns the frame's width and height, pixels
 * @throws InvalidAssetError truncated, corrupt or trailing_data
 */
export function checkJpegStructure(buf: Buffer): { width: number; height: number } {
  const first = walkJpeg(buf, 0);
  let pos = first.end;
  for (let extra = 0; pos < buf.length; extra++) {
    if (buf[pos] === 0x00 || buf[pos] === 0xff) {
      const rest = buf.subarray(pos);
      if (rest.every((b) => b === 0x00 || b === 0xff)) break;
    }
    if (extra >= 8 || buf[pos] !== 0xff || buf[pos + 1] !== 0xd8) {
      throw new InvalidAssetError('trailing_data', `${buf.length - pos} bytes that are not an image follow the JPEG's end marker (a file hidden in an image is refused)`);
    }
    try {
      pos = walkJpeg(buf, pos).end;
    } catch {
      throw new InvalidAssetError('trailing_data', `${buf.length - pos} bytes follow the JPEG's end marker and are not a complete image`);
    }
  }
  return { width: first.width, height: first.height };
}

/** One JPEG image from SOI at `start` to EOI. @returns its size and the offset just past EOI */
function walkJpeg(buf: Buffer, start: number): { width: number; height: number; end: number } {
  if (buf[start] !== 0xff || buf[start + 1] !== 0xd8) throw new InvalidAssetError('corrupt', 'the JPEG does not start with SOI');
  let pos = start + 2;
  let width = 0;
  let height = 0;
  let scans = 0;
  const truncated = () => new InvalidAssetError('truncated', 'the JPEG ends before its end-of-image marker (truncated file)');
  for (;;) {
    if (pos >= buf.length) throw truncated();
    if (buf[pos] !== 0xff) throw new InvalidAssetError('corrupt', `the JPEG has no marker where one is due (byte ${pos})`);
    while (pos < buf.length && buf[pos] === 0xff) pos++; // fill bytes
    if (pos >= buf.length) throw truncated();
    const marker = buf[pos++];
    if (marker === 0xd9) {
      if (scans === 0 || width === 0) throw new InvalidAssetError('corrupt', 'the JPEG has no frame or scan');
      return { width, height, end: pos };
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // standalone markers
    if (marker === 0x00 || marker === 0xd8) throw new InvalidAssetError('corrupt', `the JPEG has an unexpected marker 0x${marker.toString(16)}`);
    if (pos + 2 > buf.length) throw truncated();
    const len = buf.readUInt16BE(pos);
    if (len < 2) throw new InvalidAssetError('corrupt', 'the JPEG has a segment shorter than its header');
    if (pos + len > buf.length) throw truncated();
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (len < 8) throw new InvalidAssetError('corrupt', 'the JPEG frame header is too short');
      height = buf.readUInt16BE(pos + 3);
      width = buf.readUInt16BE(pos + 5);
    }
    pos += len;
    if (marker !== 0xda) continue;
    if (width === 0) throw new InvalidAssetError('corrupt', 'the JPEG scan comes before its frame header');
    scans++;
    // Entropy-coded data: runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
    for (;;) {
      const ff = buf.indexOf(0xff, pos);
      if (ff < 0 || ff + 1 >= buf.length) throw truncated();
      const next = buf[ff + 1];
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
        pos = ff + (next === 0xff ? 1 : 2);
        continue;
      }
      pos = ff;
      break;
    }
  }
}

/**
 * Walks an ISO-BMFF (MP4 / QuickTime) file's top-level boxes through `fh` (headers only, a few reads): every
 * box has a printable four-character type, the boxes tile the file exactly (a box past the end is
 * `truncated`; bytes after the last box, an appended archive for one, are `trailing_data`), and a `moov` box
 * exists.
 * @returns `mov` for the QuickTime brand or layout, else `mp4`
 * @throws InvalidAssetError truncated, trailing_data or corrupt
 */
export async function checkIsoBmffStructure(file: string): Promise<'mp4' | 'mov'> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const hdr = Buffer.alloc(16);
    let pos = 0;
    let moov = false;
    let kind: 'mp4' | 'mov' = 'mp4';
    for (let n = 0; pos < size; n++) {
      if (n > 10_000) throw new InvalidAssetError('corrupt', 'the video has more than 10 000 top-level boxes');
      const { bytesRead } = await fh.read(hdr, 0, 16, pos);
      if (bytesRead < 8) throw new InvalidAssetError(n === 0 ? 'truncated' : 'trailing_data', `${size - pos} stray bytes at the end of the video`);
      let boxSize = hdr.readUInt32BE(0);
      const type = hdr.toString('latin1', 4, 8);
      if (!/^[\x20-\x7e]{4}$/.test(type)) throw new InvalidAssetError(n === 0 ? 'corrupt' : 'trailing_data', `bytes at offset ${pos} are not a video box (data appended to a video is refused)`);
      let headerLen = 8;
      if (boxSize === 1) {
        if (bytesRead < 16) throw new InvalidAssetError('truncated', 'the video ends inside a box header (truncated file)');
        boxSize = Number(hdr.readBigUInt64BE(8));
        headerLen = 16;
      } else if (boxSize === 0) boxSize = size - pos; // "to the end of the file"
      if (boxSize < headerLen) throw new InvalidAssetError('corrupt', `the video's ${type} box has an impossible size`);
      if (n === 0) {
        if (type === 'ftyp') kind = hdr.toString('latin1', 8, 12) === 'qt  ' ? 'mov' : 'mp4';
        else if (QUICKTIME_FIRST_BOXES.has(type)) kind = 'mov';
        else throw new InvalidAssetError('unsupported_type', 'the file is not an MP4 or QuickTime video');
      }
      if (type === 'moov') moov = true;
      if (pos + boxSize > size) throw new InvalidAssetError('truncated', `the video's ${type} box runs past the end of the file (truncated file)`);
      pos += boxSize;
    }
    if (!moov) throw new InvalidAssetError('truncated', 'the video has no moov box (truncated or still being written)');
    return kind;
  } finally {
    await fh.close();
  }
}

/**
 * Inspects an uploaded file by content: magic bytes pick the kind, then images have their structure walked
 * and are decoded (@napi-rs/canvas) within the pixel limits, and videos have their boxes walked, are probed
 * by ffprobe (a video stream, a duration) and have their first frame decoded by ffmpeg.
 * @param file a complete temporary file of `sizeBytes` bytes (at most {@link MAX_ASSET_BYTES})
 * @throws InvalidAssetError naming the reason; nothing else (ffmpeg failures are the file's fault here)
 */
export async function inspectAsset(file: string, sizeBytes: number, binaries: FfmpegBinaries = DEFAULT_BINARIES): Promise<InspectedAsset> {
  if (sizeBytes === 0) throw new InvalidAssetError('empty', 'the file is empty');
  const fh = await open(file, 'r');
  const head = Buffer.alloc(16);
  try {
    await fh.read(head, 0, 16, 0);
  } finally {
    await fh.close();
  }
  const sniffed = sniffKind(head);
  if (!sniffed) throw new InvalidAssetError('unsupported_type', 'the content is not a JPEG, PNG, MP4 or MOV file (whatever its name says)');
  return sniffed === 'png' || sniffed === 'jpeg' ? inspectImage(file, sniffed) : inspectVideo(file, binaries);
}

async function inspectImage(file: string, kind: 'png' | 'jpeg'): Promise<InspectedAsset> {
  // Images are held whole to decode them (the decoder needs them whole anyway); at most MAX_ASSET_BYTES.
  const buf = await readFile(file);
  const { width, height } = kind === 'png' ? checkPngStructure(buf) : checkJpegStructure(buf);
  if (width < 1 || height < 1) throw new InvalidAssetError('corrupt', `the image claims a size of ${width}x${height}`);
  if (width > MAX_IMAGE_SIDE_PX || height > MAX_IMAGE_SIDE_PX || width * height > MAX_IMAGE_PIXELS) {
    throw new InvalidAssetError('too_many_pixels', `the image is ${width}x${height}; at most ${MAX_IMAGE_SIDE_PX} pixels a side and ${MAX_IMAGE_PIXELS / 1e6} MP`);
  }
  const image = await loadImage(buf).catch((err: unknown) => {
    throw new InvalidAssetError('undecodable', `the image cannot be decoded (${String((err as Error)?.message ?? err).slice(0, 120)})`, err);
  });
  if (image.width !== width || image.height !== height) {
    throw new InvalidAssetError('undecodable', `the image decodes to ${image.width}x${image.height}, not the ${width}x${height} its header states`);
  }
  const info = ASSET_KINDS[kind];
  return { kind, type: info.type, mimeType: info.mimeType, ext: info.ext, width, height };
}

async function inspectVideo(file: string, binaries: FfmpegBinaries): Promise<InspectedAsset> {
  const kind = await checkIsoBmffStructure(file);
  const probe = await probeMedia(file, binaries).catch((err: unknown) => {
    throw new InvalidAssetError('undecodable', 'ffprobe cannot read the video', err);
  });
  if (!/\b(mov|mp4)\b/.test(probe.formatName)) throw new InvalidAssetError('unsupported_type', `the container is ${probe.formatName || 'unknown'}, not MP4 or MOV`);
  const video = probe.streams.find((s) => s.type === 'video' && !['mjpeg', 'png', 'bmp'].includes(s.codec));
  if (!video?.widthPx || !video.heightPx) throw new InvalidAssetError('no_video_stream', 'the file has no video stream (audio only?)');
  const duration = video.durationSeconds ?? probe.durationSeconds;
  if (!Number.isFinite(duration) || duration <= 0 || duration > MAX_VIDEO_SECONDS) {
    throw new InvalidAssetError('bad_duration', `the video's duration (${duration} s) is not between 0 and ${MAX_VIDEO_SECONDS} s`);
  }
  await decodeFirstFrame(file, binaries);
  const info = ASSET_KINDS[kind];
  return { kind, type: info.type, mimeType: info.mimeType, ext: info.ext, width: video.widthPx, height: video.heightPx, durationSeconds: Math.round(duration * 1000) / 1000 };
}

/** Decodes the first video frame with ffmpeg (`-xerror`: any decoding error fails). @throws InvalidAssetError undecodable */
function decodeFirstFrame(file: string, binaries: FfmpegBinaries): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      binaries.ffmpegPath,
      ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-map', '0:v:0', '-frames:v', '1', '-f', 'null', '-'],
      { timeout: 20_000, maxBuffer: 1024 * 1024 },
      (err, _out, stderr) => {
        if (err || String(stderr).trim()) reject(new InvalidAssetError('undecodable', `the video's first frame cannot be decoded (${String(stderr).trim().slice(0, 160) || err?.message})`, err));
        else resolve();
      },
    );
  });
}
