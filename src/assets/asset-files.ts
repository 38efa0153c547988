import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ErrorCode, StageAsset } from '@app/contracts';
import { ArtifactNotFoundError, type ArtifactStore } from '../artifacts/artifact-store';
import { AppError } from '../common/app-error';
import type { ProviderContext } from '../providers/ports';

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'video/mp4': '.mp4', 'video/quicktime': '.mov' };

/**
 * Copies an asset's bytes from the artifact store into `<workDir>/assets/<sha256>.<ext>` and returns that path
 * (docs/design/artifacts.md): a stage worker never guesses a path the API process wrote, so this works when the
 * store is `s3` and the worker is another machine. The bytes are hashed on the way and must match the asset's
 * SHA-256; a file already there with the asset's size is reused (stages of one job share the work dir).
 * @throws AppError `errorCode` (permanent) when the asset is missing from the store or its bytes changed; the
 *   store's own (retryable) error when it cannot be read
 */
export async function materializeAsset(store: ArtifactStore, asset: StageAsset, workDir: string, errorCode: ErrorCode, signal?: AbortSignal): Promise<string> {
  const dir = join(workDir, 'assets');
  const path = join(dir, `${asset.sha256}${EXTENSIONS[asset.mime_type] ?? ''}`);
  if ((await stat(path).catch(() => null))?.size === asset.size_bytes) return path;
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${randomUUID()}.part`);
  const hash = createHash('sha256');
  try {
    const opened = await store.open(asset.key).catch((err: unknown) => {
      // A store that is down stays retryable (its own error); an asset that is gone will not come back.
      if (!(err instanceof ArtifactNotFoundError)) throw err;
      throw new AppError(errorCode, `asset ${asset.asset_id} (${asset.role}) cannot be read from the artifact store: ${(err as Error).message}`, { cause: err, details: { asset_id: asset.asset_id, key: asset.key } });
    });
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(opened.stream, hasher, createWriteStream(tmp), ...(signal ? [{ signal }] : []));
    const got = hash.digest('hex');
    if (got !== asset.sha256) {
      throw new AppError(errorCode, `asset ${asset.asset_id} in the store does not match its recorded sha256`, { details: { asset_id: asset.asset_id, expected: asset.sha256, got } });
    }
    await rename(tmp, path);
    return path;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * `ctx` with {@link ProviderContext.assetFile} bound to `store` (stage handlers add it before calling their
 * provider, so providers read assets without knowing where the store is).
 */
export function withAssetFiles(ctx: ProviderContext, store: ArtifactStore, errorCode: ErrorCode): ProviderContext {
  return { ...ctx, assetFile: (asset) => materializeAsset(store, asset, ctx.workDir, errorCode, ctx.signal) };
}
