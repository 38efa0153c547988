import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AppError } from '../common/app-error';
import { ArtifactStore, HashingCounter, type ArtifactStat } from '../artifacts/artifact-store';
import { isStoreUri, jobArtifactPrefix, keyOfStoreUri, signedArtifactUrl, storeUri } from '../artifacts/artifact-uri';
import { replaceStrings } from './stage-cache-key';


/** A file name as one key segment: characters a key may not hold become `_`, a leading dot `_`, at most 200. Pure. */
export function keySafeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._=-]/g, '_').replace(/^\./, '_').slice(0, 200);
  return cleaned || 'artifact';
}

/**
 * Store key of a file a stage attempt made: `jobs/<job>/<stage>/<attempt>/<file name>`. One folder per
 * attempt, so a key is written once and never changes meaning: a regenerated still or a retried clip gets a
 * new key, and a stored result event always names the bytes it was written with. Pure.
 */
export function stageArtifactKey(jobId: string, stage: StageName, attemptId: string, fileName: string): string {
  return `${jobArtifactPrefix(jobId)}/${stage}/${keySafeName(attemptId)}/${keySafeName(fileName)}`;
}

/**
 * Every `artifact://` URI inside a stage input or output (objects and arrays walked: the reference image,
 * storyboard stills, clips, the composition's video, thumbnail, previews and exports), each once, in
 * first-seen order. Pure.
 */
export function storeUrisIn(value: unknown): string[] {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (isStoreUri(v)) seen.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(value);
  return [...seen];
}

/** One file of a stage output to put into the store. */
export interface StageOutFile {
  /** The `file://` URI as the output has it. */
  uri: string;
  /** Its absolute path. */
  path: string;
  /** The key it goes to. */
  key: string;
}

/**
 * The files of a stage output that belong in the store: every `file://` URI lying inside one of `roots`
 * (the job's work dir, the stage cache), each with its {@link stageArtifactKey}; two files with one name get
 * an index prefix. URIs outside the roots (someone else's files) and other schemes are left alone. Pure.
 */
export function planStageOut(output: unknown, at: { jobId: string; stage: StageName; attemptId: string; roots: string[] }): StageOutFile[] {
  const roots = at.roots.map((r) => path.resolve(r) + path.sep);
  const files: StageOutFile[] = [];
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith('file://')) {
      if (files.some((f) => f.uri === v)) return;
      let file: string;
      try {
        file = path.resolve(fileURLToPath(v));
      } catch {
        return;
      }
      if (!roots.some((r) => file.startsWith(r))) return;
      let name = keySafeName(path.basename(file));
      if (names.has(name)) name = keySafeName(`${files.length}-${name}`);
      names.add(name);
      files.push({ uri: v, path: file, key: stageArtifactKey(at.jobId, at.stage, at.attemptId, name) });
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(output);
  return files;
}

/**
 * Where an artifact is materialized in a job's work dir: `<workDir>/staged/<key>` with the job's own prefix
 * dropped (`jobs/<job>/storyboard/<attempt>/still-1.png` → `staged/storyboard/<attempt>/still-1.png`), so
 * two keys never share a file. Pure.
 */
export function stagedPath(workDir: string, jobId: string, key: string): string {
  const own = `${jobArtifactPrefix(jobId)}/`;
  const rest = key.startsWith(own) ? key.slice(own.length) : key;
  return path.join(workDir, 'staged', ...rest.split('/'));
}

/** Content type of an artifact by its file name (what the stages write). Pure. */
export function contentTypeOf(fileName: string): string {
  const ext = path.extname(fileName).toLowerCase();
  return (
    { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.json': 'application/json' }[ext] ??
    'application/octet-stream'
  );
}

/** Where one stage attempt runs: what the staging layer needs of it. */
export interface StagingScope {
  jobId: string;
  stage: StageName;
  attemptId: string;
  workDir: string;
  signal?: AbortSignal;
}

/**
 * The staging layer between the store and the stage handlers (docs/design/artifacts.md, "Stage artifacts").
 * Handlers and the stage cache keep working on `file://` paths in the job's work dir; this class moves
 * bytes across that boundary:
 * - {@link stageIn}: every `artifact://` URI of a stage input is materialized into the work dir (reused when
 *   an identical file, by size and SHA-256, is already there) and rewritten to its `file://` path;
 * - {@link stageOut}: with `stageThroughStore` (the `s3` store), every file of a stage output inside the
 *   work dir or the cache is put into the store under {@link stageArtifactKey} and rewritten to
 *   `artifact://<key>`, so the saga, the next stages and the API only see store URIs;
 * - {@link shareUrl}: an http(s) URL for a remote team service (presigned, or the app's signed route).
 */
@Injectable()
export class StageArtifacts {
  private readonly cacheRoot: string;

  constructor(
    private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cacheRoot = path.join(config.artifactDir, 'cache');
  }

  /** Whether stage outputs go into the store (`s3`); with `local` outputs keep their `file://` paths. */
  get throughStore(): boolean {
    return this.config.artifacts.stageThroughStore;
  }

  /**
   * Materializes the input's store artifacts. Always runs (an input may name store artifacts even with the
   * `local` store: an uploaded asset, a job started under `s3`); a no-op for an input without any.
   * @returns the input with `artifact://` URIs replaced by `file://` ones, and the reverse map (file → key)
   * @throws ArtifactNotFoundError when a named artifact is gone; AppError SERVICE_UNAVAILABLE (retryable)
   *   when the store fails or a download does not match what the store reported
   */
  async stageIn<T>(input: T, scope: StagingScope): Promise<{ input: T; keys: Map<string, string> }> {
    const uris = storeUrisIn(input);
    const keys = new Map<string, string>();
    if (uris.length === 0) return { input, keys };
    const files = new Map<string, string>();
    for (const uri of uris) {
      const key = keyOfStoreUri(uri);
      const file = await this.materialize(key, scope);
      const fileUri = pathToFileURL(file).href;
      files.set(uri, fileUri);
      keys.set(fileUri, key);
    }
    return { input: replaceStrings(input, files), keys };
  }

  /**
   * Puts the output's files into the store and rewrites them to `artifact://` (only with `stageThroughStore`;
   * otherwise the output is returned as it is).
   * @throws AppError SERVICE_UNAVAILABLE (retryable) when the store cannot be written
   */
  async stageOut<T>(output: T, scope: StagingScope): Promise<T> {
    if (!this.throughStore) return output;
    const files = planStageOut(output, { ...scope, roots: [scope.workDir, this.cacheRoot] });
    const uris = new Map<string, string>();
    for (const f of files) {
      await this.store.put(f.key, { path: f.path }, { contentType: contentTypeOf(f.path) });
      uris.set(f.uri, storeUri(f.key));
    }
    return replaceStrings(output, uris);
  }

  /**
   * An http(s) URL a remote team service can GET for `uri`: for a `file://` artifact of the job, the
   * presigned URL of its store key (putting it into the store first when it is not there yet: a file of
   * the `local` store's deployments), else the app's signed artifact route; valid `ARTIFACT_URL_SECONDS`.
   * Other URIs (already http(s), or files outside the job) come back unchanged.
   * @param keys the map {@link stageIn} returned (file URI → store key)
   */
  async shareUrl(uri: string, keys: ReadonlyMap<string, string>, scope: StagingScope): Promise<string> {
    const a = this.config.artifacts;
    let key = isStoreUri(uri) ? keyOfStoreUri(uri) : keys.get(uri);
    if (!key && uri.startsWith('file://')) {
      const file = path.resolve(fileURLToPath(uri));
      const inside = [scope.workDir, this.cacheRoot].some((r) => file.startsWith(path.resolve(r) + path.sep));
      if (!inside) return uri;
      key = stageArtifactKey(scope.jobId, scope.stage, scope.attemptId, `in-${path.basename(file)}`);
      await this.store.put(key, { path: file }, { contentType: contentTypeOf(file) });
    }
    if (!key) return uri;
    return (await this.store.presignGetUrl(key, a.urlSeconds)) ?? signedArtifactUrl(this.config.publicBaseUrl, a.urlSecret.reveal(), key, a.urlSeconds);
  }

  /** Removes every store artifact of a job (cancel); failures are the caller's to log. */
  deleteJob(jobId: string): Promise<void> {
    return this.store.deletePrefix(jobArtifactPrefix(jobId));
  }

  private async materialize(key: string, scope: StagingScope): Promise<string> {
    const info = await this.store.head(key);
    if (!info) throw new AppError('SERVICE_UNAVAILABLE', `artifact ${key} of the stage input is not in the store`, { retryable: false, details: { key } });
    const target = stagedPath(scope.workDir, scope.jobId, key);
    // The file this machine made (same name in the work dir), or an earlier download of the key.
    for (const candidate of [path.join(scope.workDir, path.basename(key)), target]) {
      if (await sameBytes(candidate, info)) return candidate;
    }
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.dl-${scope.attemptId}-${path.basename(target)}`);
    try {
      const opened = await this.store.open(key);
      const counter = new HashingCounter();
      await pipeline(opened.stream, counter, createWriteStream(tmp), { signal: scope.signal });
      const { sizeBytes: size, sha256: sha } = counter;
      if (size !== info.sizeBytes || (info.sha256 && sha !== info.sha256)) {
        throw new AppError('SERVICE_UNAVAILABLE', `artifact ${key} downloaded ${size} bytes (sha256 ${sha.slice(0, 12)}) but the store reported ${info.sizeBytes}`, { retryable: true, details: { key } });
      }
      await rename(tmp, target);
      return target;
    } finally {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}

/** Whether `file` holds exactly the artifact `info` describes (size, then SHA-256; no hash known: not proven). */
async function sameBytes(file: string, info: ArtifactStat): Promise<boolean> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile() || st.size !== info.sizeBytes || !info.sha256) return false;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex') === info.sha256;
}
