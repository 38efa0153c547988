import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ArtifactsConfig } from '../../config/artifacts.config';
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

/** Multipart part size, bytes: S3's minimum (5 MiB), so an upload holds at most `queueSize` parts in memory. */
const PART_SIZE_BYTES = 5 * 1024 * 1024;
/** Parts uploaded at once. */
const QUEUE_SIZE = 2;

/** The SDK error fields this adapter branches on. */
interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  message?: string;
}

/**
 * The `s3` adapter (docs/design/artifacts.md) for any S3-compatible store (AWS, MinIO, R2, s3rver): key `k`
 * is object `k` of `S3_BUCKET`. Writes go through `@aws-sdk/lib-storage`'s Upload (one PutObject for a
 * small body, multipart in 5 MiB parts otherwise), so a body is never held whole in memory and a reader sees
 * the object only once it is complete. Request and response checksums are computed only when an operation
 * requires them (`WHEN_REQUIRED`): stores other than AWS reject or ignore the SDK's default CRC32 trailers.
 * SDK failures become AppErrors: a missing bucket or refused credentials are SERVICE_UNAVAILABLE naming the
 * cause, a missing key {@link ArtifactNotFoundError}.
 */
export class S3ArtifactStore extends ArtifactStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;

  constructor(private readonly settings: ArtifactsConfig['s3']) {
    super();
    const config: S3ClientConfig = {
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.accessKeyId.isSet ? { credentials: { accessKeyId: settings.accessKeyId.reveal(), secretAccessKey: settings.secretAccessKey.reveal() } } : {}),
    };
    this.client = new S3Client(config);
  }

  /**
   * From a file the SHA-256 is computed first and recorded as object metadata (`x-amz-meta-sha256`), so
   * `head` reports it; from a stream it is computed while uploading and only returned (metadata is sent
   * before the body).
   * @throws AppError INVALID_INPUT for a bad key; SERVICE_UNAVAILABLE for a missing bucket, refused
   *   credentials or an unreachable store
   */
  async put(key: string, source: ArtifactSource, options: { contentType: string }): Promise<StoredArtifact> {
    assertArtifactKey(key);
    const knownSha = source instanceof Readable ? null : await sha256OfFile(source.path);
    const counter = new HashingCounter();
    const body = sourceStream(source).pipe(counter);
    const upload = new Upload({
      client: this.client,
      queueSize: QUEUE_SIZE,
      partSize: PART_SIZE_BYTES,
      leavePartsOnError: false,
      params: { Bucket: this.settings.bucket, Key: key, Body: body, ContentType: options.contentType, ...(knownSha ? { Metadata: { sha256: knownSha } } : {}) },
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      throw this.toAppError(err, key, 'write');
    }
    return { key, sizeBytes: counter.sizeBytes, sha256: counter.sha256 };
  }

  /** @throws ArtifactNotFoundError; AppError SERVICE_UNAVAILABLE as for `put` */
  async open(key: string, range?: ByteRange): Promise<OpenedArtifact> {
    assertArtifactKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      const stream = res.Body as Readable;
      const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
      const sizeBytes = total !== undefined ? Number(total) : (res.ContentLength ?? 0);
      const served = /^bytes (\d+)-(\d+)\//.exec(res.ContentRange ?? '');
      return {
        stream,
        sizeBytes,
        contentType: res.ContentType ?? 'application/octet-stream',
        range: range ? (served ? { start: Number(served[1]), end: Number(served[2]) } : { start: 0, end: sizeBytes - 1 }) : null,
      };
    } catch (err) {
      throw this.toAppError(err, key, 'read');
    }
  }

  async head(key: string): Promise<ArtifactStat | null> {
    assertArtifactKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { key, sizeBytes: res.ContentLength ?? 0, contentType: res.ContentType ?? 'application/octet-stream', sha256: res.Metadata?.sha256 ?? null };
    } catch (err) {
      const e = this.toAppError(err, key, 'read');
      if (e instanceof ArtifactNotFoundError) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertArtifactKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    } catch (err) {
      const e = this.toAppError(err, key, 'delete');
      if (!(e instanceof ArtifactNotFoundError)) throw e;
    }
  }

  /**
   * Lists the folder `prefix/` page by page (1000 keys) and deletes the objects one by one, eight at a time:
   * DeleteObjects needs a body checksum (Content-MD5 or CRC32) that S3-compatible stores accept unevenly,
   * and a job has tens of artifacts, not thousands.
   */
  async deletePrefix(prefix: string): Promise<void> {
    assertArtifactKey(prefix);
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
        for (let i = 0; i < keys.length; i += 8) {
          await Promise.all(keys.slice(i, i + 8).map((Key) => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key }))));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.toAppError(err, prefix, 'delete');
    }
  }

  /** A SigV4 presigned GET URL, valid `expiresInSeconds` (default `S3_PRESIGN_SECONDS`). Signing is local: no request is made. */
  override async presignGetUrl(key: string, expiresInSeconds = this.settings.presignSeconds): Promise<string> {
    assertArtifactKey(key);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  /** Closes the SDK's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private toAppError(err: unknown, key: string, op: 'read' | 'write' | 'delete'): AppError {
    if (err instanceof AppError) return err;
    const e = (err ?? {}) as SdkError;
    const name = e.name ?? e.code ?? 'Error';
    const status = e.$metadata?.httpStatusCode;
    const details = { key, store: 's3', bucket: this.settings.bucket, operation: op, sdk_error: name, ...(status ? { http_status: status } : {}) };
    if (name === 'NoSuchBucket') {
      return new AppError('SERVICE_UNAVAILABLE', `artifact store: bucket "${this.settings.bucket}" does not exist (S3_BUCKET at ${this.settings.endpoint ?? 'AWS'})`, { cause: err, details });
    }
    if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && op !== 'write')) return new ArtifactNotFoundError(key);
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'CredentialsProviderError', 'ExpiredToken'].includes(name) || status === 401 || status === 403) {
      return new AppError('SERVICE_UNAVAILABLE', `artifact store: the S3 store refused the credentials (${name}; check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`, { cause: err, details });
    }
    return new AppError('SERVICE_UNAVAILABLE', `artifact store: cannot ${op} ${key}: ${name}: ${String(e.message ?? '').slice(0, 300)}`, { cause: err, retryable: true, details });
  }
}

/** SHA-256 of a file, lowercase hex, read as a stream. */
async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
