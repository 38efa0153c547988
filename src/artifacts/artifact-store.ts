import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../common/app-error';

/** What a `put` stored: the key, its size in bytes and the SHA-256 of its bytes (lowercase hex). */
export interface StoredArtifact {
  key: string;
  sizeBytes: number;
  sha256: string;
}

/** What `head` knows about a stored artifact. `sha256` is null when the store did not record it. */
export interface ArtifactStat {
  key: string;
  sizeBytes: number;
  contentType: string;
  sha256: string | null;
}

/** An inclusive byte range `[start, end]` of an artifact (HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** An artifact opened for reading: its bytes (the whole file or the range asked for) and what they are. */
export interface OpenedArtifact {
  stream: Readable;
  /** Size of the whole artifact, bytes (not of the range). */
  sizeBytes: number;
  contentType: string;
  /** The range the stream carries, or null for the whole artifact. */
  range: ByteRange | null;
}

/** Where `put` reads the bytes from: a readable stream, or a file on this machine's disk. */
export type ArtifactSource = Readable | { path: string };

/**
 * The artifact store port (docs/design/artifacts.md): the one place that knows where artifact bytes live.
 * Keys are `/`-separated relative paths (`uploads/<client>/<asset>.png`), checked by {@link assertArtifactKey}
 * in every adapter. Injected by this abstract class as the Nest token; the adapter is chosen by
 * `ARTIFACT_STORE` (src/artifacts/artifacts.module.ts).
 */
export abstract class ArtifactStore {
  /** `local` or `s3`, for logs and health. */
  abstract readonly kind: 'local' | 's3';

  /**
   * Stores `source` under `key`, replacing any artifact there; readers never see a partial artifact.
   * @returns the key, size (bytes) and SHA-256 of what was stored
   * @throws AppError INVALID_INPUT for a bad key; SERVICE_UNAVAILABLE when the store cannot be written
   */
  abstract put(key: string, source: ArtifactSource, options: { contentType: string }): Promise<StoredArtifact>;

  /**
   * Opens `key` for reading, the whole artifact or the inclusive byte `range` (already checked against the
   * size by the caller with {@link head}; an out-of-bounds range is clamped to the artifact's end).
   * @throws ArtifactNotFoundError when nothing is stored under `key`
   */
  abstract open(key: string, range?: ByteRange): Promise<OpenedArtifact>;

  /** Size, content type and hash of `key`, or null when nothing is stored there. */
  abstract head(key: string): Promise<ArtifactStat | null>;

  /** Removes `key`; removing a missing artifact is not an error. */
  abstract delete(key: string): Promise<void>;

  /**
   * Removes every artifact whose key starts with the folder `prefix/` (a job's artifacts on cancel,
   * docs/design/artifacts.md "Stage artifacts"); nothing stored there is not an error.
   * @throws AppError INVALID_INPUT for a bad prefix (same rules as a key); SERVICE_UNAVAILABLE when the store fails
   */
  abstract deletePrefix(prefix: string): Promise<void>;

  /**
   * A URL anyone can GET `key` at for `expiresInSeconds`, or null when this store has none (`local`: its
   * bytes are served by the app, which checks ownership first).
   */
  presignGetUrl(_key: string, _expiresInSeconds?: number): Promise<string | null> {
    return Promise.resolve(null);
  }
}

/** Nothing is stored under the key (a 404 when it reaches HTTP). */
export class ArtifactNotFoundError extends AppError {
  constructor(key: string) {
    super('NOT_FOUND', `artifact ${key} not found`, { details: { key } });
  }
}

/** One key segment: letters, digits, `.`, `_`, `-`, `=`; never `.`/`..`, never a leading dot (reserved for the store's own files). */
const KEY_SEGMENT = /^[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,199}$/;

/**
 * Checks an artifact key: 1-1024 characters of `/`-separated {@link KEY_SEGMENT}s, so no key can name a
 * parent directory, an absolute path, a hidden file or an S3 key that a file system could not mirror.
 * @returns the key unchanged
 * @throws AppError INVALID_INPUT naming the key
 */
export function assertArtifactKey(key: string): string {
  const ok = typeof key === 'string' && key.length > 0 && key.length <= 1024 && key.split('/').every((s) => KEY_SEGMENT.test(s));
  if (!ok) throw new AppError('INVALID_INPUT', `invalid artifact key "${String(key).slice(0, 200)}"`, { details: { fields: { key: ['relative path of letters, digits, . _ - = segments; no .., no leading dot'] } } });
  return key;
}

/** The bytes of an {@link ArtifactSource} as a stream (a file stream also has `path`: streams are checked first). */
export function sourceStream(source: ArtifactSource): Readable {
  return source instanceof Readable ? source : createReadStream(source.path);
}

/**
 * A pass-through stream that counts and hashes what flows through it (SHA-256), so a store can report both
 * without reading the bytes twice.
 */
export class HashingCounter extends Transform {
  readonly #hash = createHash('sha256');
  sizeBytes = 0;
  #digest: string | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.sizeBytes += chunk.length;
    done(null, chunk);
  }

  /** The SHA-256 of everything that passed, lowercase hex; call once the stream has ended. */
  get sha256(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}
