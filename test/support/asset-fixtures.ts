import { createCanvas } from '@napi-rs/canvas';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** A logo-like PNG with transparency (a gold disc and text on nothing), `w`x`h` pixels. */
export function makePng(w = 160, h = 90): Buffer {
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#d4af37';
  ctx.beginPath();
  ctx.arc(w / 2, h / 2, Math.min(w, h) / 2.5, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#111';
  ctx.font = `${Math.round(h / 5)}px sans-serif`;
  ctx.fillText('ACME', w / 4, h / 2);
  return canvas.toBuffer('image/png');
}

/** A product-photo-like JPEG, `w`x`h` pixels. */
export function makeJpeg(w = 320, h = 240): Buffer {
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const g = ctx.createLinearGradient(0, 0, w, h);
  g.addColorStop(0, '#204060');
  g.addColorStop(1, '#e0c080');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#fff';
  ctx.fillRect(w / 4, h / 4, w / 2, h / 2);
  return canvas.toBuffer('image/jpeg', 90);
}

/** Runs ffmpeg with `args` writing to a temporary `.<ext>` file and returns its bytes. */
async function ffmpegToBuffer(args: string[], ext: string): Promise<Buffer> {
  const out = path.join(os.tmpdir(), `fixture-${randomUUID()}.${ext}`);
  await new Promise<void>((resolve, reject) =>
    execFile('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args, out], { timeout: 60_000 }, (err, _o, stderr) => (err ? reject(new Error(`ffmpeg: ${stderr || err.message}`)) : resolve())),
  );
  try {
    return await readFile(out);
  } finally {
    await rm(out, { force: true });
  }
}

/** A 1.5 s H.264 test pattern with AAC audio, 320x240 at 25 fps: MP4 (`+faststart`) or QuickTime. */
export function makeVideo(container: 'mp4' | 'mov' = 'mp4'): Promise<Buffer> {
  return ffmpegToBuffer(
    ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1.5', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', ...(container === 'mp4' ? ['-movflags', '+faststart'] : [])],
    container,
  );
}

/** An MP4 with only an audio stream (1 s of AAC). */
export function makeAudioOnlyMp4(): Promise<Buffer> {
  return ffmpegToBuffer(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'], 'mp4');
}

/** A valid one-entry ZIP archive (stored, no compression) holding `name` with `content`. */
export function makeZip(name = 'payload.txt', content = Buffer.from('not an image\n')): Buffer {
  const nameBuf = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  const localLen = local.length + nameBuf.length + content.length;
  const centralLen = central.length + nameBuf.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralLen, 12);
  end.writeUInt32LE(localLen, 16);
  return Buffer.concat([local, nameBuf, content, central, nameBuf, end]);
}

/**
 * Uploads `bytes` as `filename` to `POST /api/v2/upload-asset` (multipart, field `file`).
 * @param headers extra headers (a credential)
 */
export function uploadAsset(baseUrl: string, bytes: Buffer, filename: string, contentType = 'application/octet-stream', headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: contentType }), filename);
  return fetch(`${baseUrl}/api/v2/upload-asset`, { method: 'POST', body: form, headers });
}
