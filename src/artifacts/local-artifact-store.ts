import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../common/app-error';
import {
  ArtifactNotFoundError,
  ArtifactStore,
  HashingCounter,
  assertArtifactKey,
  sourceStream,
  type ArtifactSource,
  type ArtifactStat,
  type ByteRange,
  type OpenedArtifact,
  type StoredArtifact,
} from './artifact-store';

/** What the sidecar file next to each artifact records. */
interface Sidecar {
  contentType: string;
  sha256: string;
}

/**
 * The `local` adapter (docs/design/artifacts.md): key `a/b/c.png` is the file `<root>/a/b/c.png`, and
 * `<root>/a/b/.c.png.meta.json` records its content type and hash. Writes go to a hidden temporary file in
 * the same directory and are renamed into place (atomic on one file system), so a reader sees the old
 * artifact or the new one, never half of one. Keys are checked by {@link assertArtifactKey} and the
 * resolved path must stay inside the root.
 */
export class LocalArtifactStore extends ArtifactStore {
  readonly kind = 'local' as const;

  /** @param root absolute directory of the store (`<ARTIFACT_DIR>/store`) */
  constructor(readonly root: string) {
    super();
  }

  /** @throws AppError INVALID_INPUT for a bad key; SERVICE_UNAVAILABLE when the disk write fails */
  async put(key: string, source: ArtifactSource, options: { contentType: string }): Promise<StoredArtifact> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.tmp-${randomUUID()}`);
    const counter = new HashingCounter();
    try {
      await mkdir(dir, { recursive: true });
      await pipeline(sourceStream(source), counter, createWriteStream(tmp, { flags: 'wx' }));
      const sidecar: Sidecar = { contentType: options.contentType, sha256: counter.sha256 };
      const metaTmp = `${tmp}.meta`;
      await writeFile(metaTmp, JSON.stringify(sidecar), { flag: 'wx' });
      await rename(metaTmp, this.sidecarOf(file));
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      await rm(`${tmp}.meta`, { force: true }).catch(() => undefined);
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', `artifact store: cannot write ${key}: ${(err as Error).message}`, { cause: err, details: { key, store: 'local' } });
    }
    return { key, sizeBytes: counter.sizeBytes, sha256: counter.sha256 };
  }

  /** @throws ArtifactNotFoundError */
  async open(key: string, range?: ByteRange): Promise<OpenedArtifact> {
    const info = await this.head(key);
    if (!info) throw new ArtifactNotFoundError(key);
    const clamped = range ? { start: range.start, end: Math.min(range.end, info.sizeBytes - 1) } : null;
    const stream = createReadStream(this.pathOf(key), clamped ?? {});
    return { stream, sizeBytes: info.sizeBytes, contentType: info.contentType, range: clamped };
  }

  async head(key: string): Promise<ArtifactStat | null> {
    const file = this.pathOf(key);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return null;
    const sidecar = await readFile(this.sidecarOf(file), 'utf8')
      .then((raw) => JSON.parse(raw) as Sidecar)
      .catch(() => null);
    return { key, sizeBytes: st.size, contentType: sidecar?.contentType ?? 'application/octet-stream', sha256: sidecar?.sha256 ?? null };
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    await rm(this.sidecarOf(file), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }

  /** Absolute path of `key`, refused when it would leave the root. */
  private pathOf(key: string): string {
    assertArtifactKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    // Belt and braces: the key rules already exclude `..` and absolute paths.
    if (!file.startsWith(path.resolve(this.root) + path.sep)) throw new AppError('INVALID_INPUT', `invalid artifact key "${key.slice(0, 200)}"`, { details: { fields: { key: ['outside the store'] } } });
    return file;
  }

  private sidecarOf(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.meta.json`);
  }
}
