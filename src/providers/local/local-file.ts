import { fileURLToPath } from 'node:url';
import { AppError } from '../../common/app-error';

/**
 * Reads a `file://` URI (or a plain absolute path) as a path: the local providers read what the previous stage
 * wrote on this machine; other schemes are not local.
 * @throws AppError `code` (the calling stage's failure) for any other URI
 */
export function localPathOf(uri: string, code: 'IMAGE_GENERATION_FAILED' | 'VIDEO_GENERATION_FAILED' | 'COMPOSITION_FAILED'): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('/')) return uri;
  throw new AppError(code, `not a local file URI: ${uri}`);
}
