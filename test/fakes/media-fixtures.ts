import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUTPUT_SIZE_PX, type AspectRatio } from '@app/contracts';

/**
 * Real media the fake servers serve, made once per process with ffmpeg: PNG stills, H.264 clips (30 fps,
 * yuv420p) and finished ads that pass the project's delivery check (H.264 + AAC 48 kHz stereo, faststart).
 */
const dir = path.join(os.tmpdir(), `ads-fake-media-${process.pid}`);
const cache = new Map<string, Promise<string>>();

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', ...args], { timeout: 120_000 }, (err, _out, stderr) =>
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
      // delivers an ad that passes ../shared/tools/check-ad like a real composition service's would.
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
