import { createCanvas, loadImage } from '@napi-rs/canvas';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * Brand assets with colours nothing else in a local ad is drawn in, and the pixel checks that find them in
 * frames of a finished ad (docs/design/composition.md, "Brand assets").
 */

const run = promisify(execFile);

export type Rgb = [number, number, number];
/** Distinctive colours nothing else in a local ad is drawn in: the logo cyan, the product pink, the footage green. */
export const LOGO_RGB: Rgb = [0, 229, 255];
export const PRODUCT_RGB: Rgb = [255, 48, 192];
export const FOOTAGE_RGB: Rgb = [32, 224, 32];
export const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
/** Per-channel tolerance after H.264 4:2:0 and JPEG round trips. */
export const near = (d: Uint8ClampedArray, i: number, c: Rgb, tol = 48): boolean => Math.abs(d[i] - c[0]) <= tol && Math.abs(d[i + 1] - c[1]) <= tol && Math.abs(d[i + 2] - c[2]) <= tol;

/** The logo: a cyan rounded bar on a transparent 400x160 canvas (a wordmark's shape: inferred as a logo). */
export function logoPng(): Buffer {
  const c = createCanvas(400, 160);
  const ctx = c.getContext('2d');
  ctx.fillStyle = hex(LOGO_RGB);
  ctx.beginPath();
  ctx.roundRect(20, 20, 360, 120, 12);
  ctx.fill();
  return c.toBuffer('image/png');
}

/** The product photo: an opaque pink JPEG with a white band (inferred as a product: no transparency). */
export function productJpeg(): Buffer {
  const c = createCanvas(480, 480);
  const ctx = c.getContext('2d');
  ctx.fillStyle = hex(PRODUCT_RGB);
  ctx.fillRect(0, 0, 480, 480);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 200, 480, 40);
  return c.toBuffer('image/jpeg', 92);
}

/**
 * The footage: 3 s of green at 640x360 with a tone (shorter than its scene and of another shape: slowed and
 * fitted), with moving grain so it is footage and not a frozen picture to the delivery check.
 */
export async function footageMp4(dir: string): Promise<Buffer> {
  const out = path.join(dir, 'footage.mp4');
  await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex(FOOTAGE_RGB).slice(1)}:size=640x360:rate=25:duration=3,noise=alls=16:allf=t`, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', out]);
  return readFile(out);
}

/** RGBA of the frame of `video` at `seconds`, full range RGB. */
export async function frameAt(video: string, seconds: number, dir: string): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const png = path.join(dir, `frame-${seconds}.png`);
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-ss', String(seconds), '-i', video, '-frames:v', '1', '-vf', 'scale=out_range=pc:in_color_matrix=bt709,format=rgb24', png]);
  return rgbaOf(await readFile(png));
}

export async function rgbaOf(bytes: Buffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const img = await loadImage(bytes);
  const ctx = createCanvas(img.width, img.height).getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { data: ctx.getImageData(0, 0, img.width, img.height).data, width: img.width, height: img.height };
}

/** Pixels of `c` in the box, and their bounding box. */
export function colourIn(f: { data: Uint8ClampedArray; width: number }, c: Rgb, box: { xPx: number; yPx: number; widthPx: number; heightPx: number }) {
  let count = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = box.yPx; y < box.yPx + box.heightPx; y++) {
    for (let x = box.xPx; x < box.xPx + box.widthPx; x++) {
      if (!near(f.data, (y * f.width + x) * 4, c)) continue;
      count++;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return { count, share: count / (box.widthPx * box.heightPx), bounds: count ? { x0, y0, x1, y1 } : null };
}
