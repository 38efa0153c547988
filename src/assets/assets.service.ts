import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { idempotencyKeyOf, idempotencyOwner, IdempotencyStore, requestFingerprint } from '../access/idempotency.interceptor';
import { canSee, ownerOf } from '../access/ownership';
import { ANONYMOUS, type Principal } from '../access/principal';
import { ArtifactStore, HashingCounter, type OpenedArtifact } from '../artifacts/artifact-store';
import { AppError } from '../common/app-error';
import { ROOT_LOGGER } from '../common/logger';
import { InvalidAssetError, MAX_ASSET_BYTES, inspectAsset } from './asset-inspector';
import { findVisibleAssets, insertAsset, isAssetId, type AssetRecord } from './assets.repository';

/** The answer of `POST /api/v2/upload-asset` and `GET /api/v2/assets/{assetId}` (docs/api.md, "Assets"). */
export interface AssetResponse {
  assetId: string;
  /** Where the bytes are served (this app, with ownership checked on every read). */
  url: string;
  type: 'image' | 'video';
  mimeType: string;
  /** Pixels. */
  width: number;
  height: number;
  /** Seconds; videos only. */
  durationSeconds?: number;
  sizeBytes: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
  createdAt: string;
}

/** The asset id is unknown, or another client's (404 either way: docs/security.md, "Ownership"). */
export class AssetNotFoundError extends AppError {
  constructor(assetId: string) {
    super('NOT_FOUND', `asset ${assetId} not found`, { details: { asset_id: assetId } });
  }
}

/** The upload route as idempotency keys record it. */
const UPLOAD_ROUTE = 'POST /api/v2/upload-asset';

/** A temporary upload file older than this was left by a process that died mid-upload, ms. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/** Form fields besides the file that an upload may carry (ignored: the file's content decides everything). */
const MAX_FORM_OVERHEAD_BYTES = 64 * 1024;

/** A store key segment for a client id: as is when key-safe, else a hash (ids are free text in JWT claims). Pure. */
export function clientKeySegment(clientId: string | null): string {
  if (clientId === null) return '_anonymous';
  if (/^[A-Za-z0-9_-]{1,100}$/.test(clientId)) return clientId;
  return `c-${createHash('sha256').update(clientId).digest('hex').slice(0, 24)}`;
}

/**
 * Asset upload and reads (docs/api.md, "Assets"; docs/design/artifacts.md). An upload streams to a temporary
 * file under `<ARTIFACT_DIR>/uploads-tmp` while it is counted and hashed (never held whole in memory), is
 * checked by content ({@link inspectAsset}), and only then goes to the artifact store under
 * `uploads/<client>/<assetId>.<ext>` and into table `assets`. Whatever fails, the temporary file is removed
 * and nothing stays in the store.
 */
@Injectable()
export class AssetsService implements OnApplicationBootstrap {
  constructor(
    private readonly orm: MikroORM,
    private readonly store: ArtifactStore,
    private readonly idempotency: IdempotencyStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const removed = await this.sweepTemporaryFiles();
    if (removed > 0) this.logger.info({ removed }, 'removed temporary upload files left by an earlier process');
  }

  /**
   * Removes temporary upload files older than an hour (a process killed mid-upload leaves its file behind;
   * a live upload is far younger, as a request must arrive within HTTP_REQUEST_TIMEOUT_MS).
   * @returns how many files were removed
   */
  async sweepTemporaryFiles(now = Date.now()): Promise<number> {
    const dir = path.join(this.config.artifactDir, 'uploads-tmp');
    const names = await readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      const st = await stat(file).catch(() => null);
      if (st?.isFile() && now - st.mtimeMs > STALE_UPLOAD_MS) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /**
   * Accepts one multipart file (field name free) from `req`. With an `Idempotency-Key`, the same file sent again
   * with the key gets the first answer (`replayed`), another file 422.
   * @throws InvalidAssetError (400 INVALID_INPUT with `details.reason`) for anything that is not a jpg, png,
   *   mp4 or mov of at most {@link MAX_ASSET_BYTES}; AppError SERVICE_UNAVAILABLE when the store fails;
   *   IdempotencyKeyReusedError (422) / IdempotencyInFlightError (409)
   */
  async upload(req: FastifyRequest, owner: Principal = ANONYMOUS): Promise<{ asset: AssetResponse; replayed: boolean }> {
    if (!req.isMultipart()) throw new InvalidAssetError('no_file', 'send the file as multipart/form-data');
    const idempotencyKey = idempotencyKeyOf(req);
    const declared = Number(req.headers['content-length']);
    // A declared body past the limit is refused before a byte of it is read.
    if (Number.isFinite(declared) && declared > MAX_ASSET_BYTES + MAX_FORM_OVERHEAD_BYTES) throw tooLarge();

    let part: MultipartFile | undefined;
    try {
      part = await req.file({ limits: { fileSize: MAX_ASSET_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12, headerPairs: 50 }, throwFileSizeLimit: false });
    } catch (err) {
      throw new InvalidAssetError('no_file', `the multipart body cannot be read (${(err as Error).message})`, err);
    }
    if (!part) throw new InvalidAssetError('no_file', 'the multipart body has no file part');

    const tmpDir = path.join(this.config.artifactDir, 'uploads-tmp');
    const tmp = path.join(tmpDir, randomUUID());
    let storedKey: string | null = null;
    let claimed: { owner: string; key: string } | null = null;
    try {
      await mkdir(tmpDir, { recursive: true });
      const counter = new HashingCounter();
      const abort = new AbortController();
      // Past the limit busboy stops handing bytes over; stop at once rather than at the end of the body.
      part.file.once('limit', () => abort.abort(tooLarge()));
      try {
        await pipeline(part.file, counter, createWriteStream(tmp), { signal: abort.signal });
      } catch (err) {
        if (abort.signal.aborted) throw abort.signal.reason;
        throw new InvalidAssetError('truncated', 'the upload ended before the file was complete', err);
      }
      if (part.file.truncated || counter.sizeBytes > MAX_ASSET_BYTES) throw tooLarge();
      if (idempotencyKey !== null) {
        // Fingerprinted by the file's bytes, known only now: the same file again replays the first answer,
        // another file with the key is 422 (docs/security.md, "Idempotent creates").
        const scope = idempotencyOwner(owner);
        const claim = await this.idempotency.begin(scope, idempotencyKey, 'POST', UPLOAD_ROUTE, requestFingerprint(UPLOAD_ROUTE, counter.sha256));
        if (claim.kind === 'replay') return { asset: claim.body as AssetResponse, replayed: true };
        claimed = { owner: scope, key: idempotencyKey };
      }

      const inspected = await inspectAsset(tmp, counter.sizeBytes);
      const id = randomUUID();
      const key = `uploads/${clientKeySegment(owner.via === 'anonymous' ? null : owner.clientId)}/${id}.${inspected.ext}`;
      const stored = await this.store.put(key, { path: tmp }, { contentType: inspected.mimeType });
      storedKey = key;
      if (stored.sha256 !== counter.sha256 || stored.sizeBytes !== counter.sizeBytes) {
        throw new AppError('SERVICE_UNAVAILABLE', 'artifact store: the stored asset differs from the upload', { details: { key } });
      }
      const record: AssetRecord = {
        id,
        ...ownerOf(owner),
        storageKey: key,
        type: inspected.type,
        mimeType: inspected.mimeType,
        width: inspected.width,
        height: inspected.height,
        durationSeconds: inspected.durationSeconds ?? null,
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        originalFilename: sanitizeFilename(part.filename),
        createdAt: new Date(),
      };
      await insertAsset(this.orm, record);
      storedKey = null;
      const asset = this.toResponse(record);
      if (claimed) await this.idempotency.complete(claimed.owner, claimed.key, 201, asset);
      claimed = null;
      return { asset, replayed: false };
    } finally {
      if (claimed) await this.idempotency.release(claimed.owner, claimed.key);
      await rm(tmp, { force: true }).catch(() => undefined);
      if (storedKey) {
        await this.store.delete(storedKey).catch((err: unknown) => this.logger.warn({ err, key: storedKey }, 'could not remove an asset whose upload failed'));
      }
    }
  }

  /** @throws AssetNotFoundError when missing or another client's */
  async get(assetId: string, viewer: Principal = ANONYMOUS): Promise<AssetResponse> {
    return this.toResponse(await this.find(assetId, viewer));
  }

  /**
   * The bytes of an asset already looked up with {@link find}, whole or the inclusive `range`.
   * @throws AssetNotFoundError when its bytes are gone from the store
   */
  async open(asset: AssetRecord, range?: { start: number; end: number }): Promise<OpenedArtifact> {
    return this.store.open(asset.storageKey, range).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'NOT_FOUND') throw new AssetNotFoundError(asset.id);
      throw err;
    });
  }

  /** The record, when `viewer` may see it. @throws AssetNotFoundError when missing, malformed or another client's */
  async find(assetId: string, viewer: Principal): Promise<AssetRecord> {
    if (!isAssetId(assetId)) throw new AssetNotFoundError(assetId.slice(0, 100));
    const asset = (await findVisibleAssets(this.orm, [assetId], viewer)).get(assetId.toLowerCase());
    if (!asset || !canSee(viewer, asset.clientId)) throw new AssetNotFoundError(assetId);
    return asset;
  }

  private toResponse(a: AssetRecord): AssetResponse {
    return {
      assetId: a.id,
      url: `${this.config.publicBaseUrl}/api/v2/assets/${a.id}/data`,
      type: a.type,
      mimeType: a.mimeType,
      width: a.width,
      height: a.height,
      ...(a.durationSeconds !== null ? { durationSeconds: a.durationSeconds } : {}),
      sizeBytes: a.sizeBytes,
      sha256: a.sha256,
      createdAt: a.createdAt.toISOString(),
    };
  }
}

function tooLarge(): InvalidAssetError {
  return new InvalidAssetError('too_large', `the file is larger than ${MAX_ASSET_BYTES / (1024 * 1024)} MB`);
}

/** The client's file name, kept for display only: base name, printable, at most 200 characters; null when none. Pure. */
function sanitizeFilename(name: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[\uD800-\uDFFF]/g, '').trim().slice(0, 200);
  return base || null;
}
