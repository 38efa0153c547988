import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUTPUT_SIZE_PX, type AspectRatio } from '@app/contracts';

/**
 * Real media the fake servers serve, made once per process with ffmpeg: PNG stills, H.264 clips (30 fps,
 * yuv420p) and finished ads that pass the project's delivery check (H.264 + AAC 48 kHz stereo, faststart).
 */
const dir = path.join(os.tmpdir(), `ads-fake-media-${process.pid}`);
const cache = new Map<string, Promise<string>>();

function ffmpeg(args: string[], timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', ...args], { timeout: timeoutMs }, (err, _out, stderr) =>
      err ? reject(new Error(`ffmpeg failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

function once(key: string, make: (file: string) => Promise<void>, ext: string): Promise<string> {
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${key}${ext}`);
      await make(file);
      return file;
    })();
    cache.set(key, p);
  }
  return p;
}

/** A PNG still (ffmpeg testsrc2 pattern), `widthPx`×`heightPx`. */
export function fakePng(widthPx: number, heightPx: number): Promise<string> {
  return once(`img-${widthPx}x${heightPx}`, (f) => ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${widthPx}x${heightPx}`, '-frames:v', '1', f]), '.png');
}

/** An H.264 clip without audio, 30 fps, `seconds` long (rounded up to 0.5 s so few variants exist). */
export function fakeClip(widthPx: number, heightPx: number, seconds: number): Promise<string> {
  const s = Math.ceil(seconds * 2) / 2;
  return once(`clip-${widthPx}x${heightPx}-${s}`, (f) =>
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${widthPx}x${heightPx}:rate=30`, '-t', String(s), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', f]),
  '.mp4');
}

/** A deliverable ad at the aspect's 1080p size, `seconds` long, with its JPEG thumbnail next to it. */
export async function fakeAd(aspect: AspectRatio, seconds: number): Promise<{ video: string; thumbnail: string }> {
  const { widthPx: w, heightPx: h } = OUTPUT_SIZE_PX[aspect];
  const key = `ad-${w}x${h}-${seconds}`;
  const video = await once(key, (f) =>
    ffmpeg([
      '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=30`,
      // A 440 Hz tone at amplitude 0.22 measures -14 LUFS (true peak about -13 dBTP): the fake team service
      // delivers an ad that passes the independent delivery check (docs/design/composition.md, "Checking a
      // result") like a real composition service's would.
      '-f', 'lavfi', '-i', 'aevalsrc=0.22*sin(2*PI*440*t)|0.22*sin(2*PI*440*t):s=48000',
      '-t', String(seconds), '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-r', '30',
      '-c:a', 'aac', '-ac', '2', '-ar', '48000', '-movflags', '+faststart', f,
    ]),
  '.mp4');
  const thumbnail = await once(`${key}-thumb`, (f) => ffmpeg(['-ss', '1', '-i', video, '-frames:v', '1', f]), '.jpg');
  return { video, thumbnail };
}

/** Width and height of a PNG from its IHDR chunk (bytes 16-23), or null. */
export function pngSize(buf: Buffer): { widthPx: number; heightPx: number } | null {
  if (buf.length < 24 || buf.toString('latin1', 1, 4) !== 'PNG') return null;
  return { widthPx: buf.readUInt32BE(16), heightPx: buf.readUInt32BE(20) };
}

/**
 * Clip shapes real providers return (docs/design/composition.md, "Clips of any shape"), each made once with
 * ffmpeg, short and small where the property allows: frame rates, variable frame rate, sizes and aspects from
 * 512×512 to 4K, with and without audio, rotation metadata, anamorphic pixels, H.264 / HEVC / VP9 in
 * MP4 / MOV / WebM, 10-bit, and clips shorter or longer than their scene.
 */
export const CLIP_FIXTURES = {
  'h264-24fps-1080x1920': { ext: '.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=1080x1920:rate=24', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'h264-25fps-audio-1280x720': {
    ext: '.mp4',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25,hue=h=90', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=44100', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
  },
  'h264-60fps-mov-1080x1080': { ext: '.mov', args: ['-f', 'lavfi', '-i', 'testsrc2=size=1080x1080:rate=60,hue=h=180', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'h264-vfr-720x1280': {
    ext: '.mp4',
    // Drops two of every three frames in the second half: frame intervals of 1/30 s and 1/10 s.
    args: ['-f', 'lavfi', '-i', "testsrc2=size=720x1280:rate=30,hue=h=270,select='lt(n\\,60)+not(mod(n\\,3))'", '-t', '4', '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  },
  'h264-rotated-1280x720-as-portrait': {
    ext: '.mp4',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30,hue=h=45', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-metadata:s:v:0', 'rotate=90'],
  },
  'h264-short-1.5s-1080x1920': { ext: '.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=1080x1920:rate=30,hue=h=135', '-t', '1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'hevc-10bit-1280x720': {
    ext: '.mp4',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30,hue=h=200', '-t', '2', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'],
  },
  'vp9-opus-webm-512x512': {
    ext: '.webm',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=512x512:rate=30,hue=h=300', '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000', '-t', '4', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-c:a', 'libopus', '-shortest'],
  },
  'h264-4k-3840x2160': { ext: '.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=30,hue=h=20', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'h264-long-12s-640x360': { ext: '.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30,hue=h=60', '-t', '12', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'h264-ultrawide-2560x1080': { ext: '.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=2560x1080:rate=30,hue=h=240', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] },
  'h264-4x3-pcm-mov-640x480': {
    ext: '.mov',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30,hue=h=320', '-f', 'lavfi', '-i', 'sine=frequency=400:sample_rate=48000', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-shortest'],
  },
  'h264-anamorphic-720x576-sar16x11': {
    ext: '.mp4',
    args: ['-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25,hue=h=160,setsar=16/11', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  },
} as const satisfies Record<string, { ext: string; args: readonly string[] }>;

export type ClipFixture = keyof typeof CLIP_FIXTURES;

/** The clip fixture `kind`, made on first use. */
export function fixtureClip(kind: ClipFixture): Promise<string> {
  const { ext, args } = CLIP_FIXTURES[kind];
  // HEVC and 4K encodes are slow on a loaded 2-core machine: a longer limit than the small fakes'.
  return once(`fixture-${kind}`, (f) => ffmpeg([...args, f], 600_000), ext);
}

/** Still images real image models return: PNG with alpha, WebP, and a JPEG whose EXIF says "rotate 90° clockwise". */
export type ImageFixture = 'png-alpha' | 'webp' | 'jpeg-exif-rotated';

/** The image fixture `kind`, made on first use (the JPEG gets its EXIF orientation tag spliced in after SOI). */
export function fixtureImage(kind: ImageFixture): Promise<string> {
  switch (kind) {
    case 'png-alpha':
      // A pattern with a transparent border and a half-transparent middle band.
      return once(kind, (f) => ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1024x1024,format=rgba,geq=r=r(X\\,Y):g=g(X\\,Y):b=b(X\\,Y):a=if(lt(X\\,100)+gt(X\\,924)\\,0\\,if(between(Y\\,400\\,600)\\,128\\,255))', '-frames:v', '1', f]), '.png');
    case 'webp':
      return once(kind, (f) => ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=768x1344,hue=h=100', '-frames:v', '1', '-c:v', 'libwebp', f]), '.webp');
    case 'jpeg-exif-rotated':
      return once(kind, async (f) => {
        const plain = `${f}.plain.jpg`;
        await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1344x768,hue=h=210', '-frames:v', '1', plain]);
        await writeFile(f, withExifOrientation(await readFile(plain), 6));
      }, '.jpg');
  }
}

/** A JPEG with an APP1 Exif segment holding only the Orientation tag (0x0112), big-endian TIFF. Pure. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}
