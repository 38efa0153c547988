import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StageName } from '@app/contracts';
import { probeMedia } from '../media/ffprobe';
import { ProviderError } from './provider.errors';

/**
 * Checks of files the remote providers return, once they are in the artifact store: an output that ffprobe
 * cannot read, or that has no picture, is the provider's `invalid_output` (permanent), never a retry.
 */

/** Width, height (pixels) and duration (seconds; 0 for stills) of a downloaded image or clip. */
export interface ProbedOutput {
  widthPx: number;
  heightPx: number;
  durationSeconds: number;
}

/**
 * Probes a downloaded file with the media layer's ffprobe helper.
 * @throws ProviderError `invalid_output` when it is not a readable image or video
 */
export async function probeOutput(path: string, stage: StageName, service: string): Promise<ProbedOutput> {
  try {
    const probe = await probeMedia(path);
    const video = probe.streams.find((s) => s.type === 'video');
    if (!video?.widthPx || !video.heightPx) throw new Error('no picture stream');
    return { widthPx: video.widthPx, heightPx: video.heightPx, durationSeconds: video.durationSeconds ?? probe.durationSeconds };
  } catch (err) {
    throw new ProviderError('invalid_output', stage, `${service} returned a file ffprobe cannot read: ${(err as Error).message.slice(0, 200)}`, { cause: err });
  }
}

/** File extension of an output URL (`.png`, `.mp4`), or `fallback`. Pure. */
export function extensionOf(url: string, fallback: string): string {
  try {
    const ext = extname(new URL(url).pathname).toLowerCase();
    return /^\.[a-z0-9]{2,5}$/.test(ext) ? ext : fallback;
  } catch {
    return fallback;
  }
}

const MIME: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/**
 * A `data:` URI of a local image (`file://` URI or absolute path), for APIs that take an image input
 * inline (https://replicate.com/docs/topics/predictions/input-files). Remote URLs pass through.
 */
export async function imageInputOf(uri: string): Promise<string> {
  if (/^https?:\/\//i.test(uri) || uri.startsWith('data:')) return uri;
  const path = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  const mime = MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
  return `data:${mime};base64,${(await readFile(path)).toString('base64')}`;
}

/** `file://` URI of an absolute path. */
export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}
