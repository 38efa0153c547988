import { Inject, Injectable } from '@nestjs/common';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { StageInputs, StageName, StageOutputs } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { throwIfAborted } from '../common/app-error';
import { MetricsService } from '../metrics/metrics.service';
import type { ProviderContext, ProviderResult } from '../providers/ports';
import { artifactUrisIn, computeStageCacheKey, replaceStrings } from './stage-cache-key';
import { StageCacheRepository } from './stage-cache.repository';
import type { StageHandler } from './stage-handler';

/** Expired entries deleted (rows and files) after each store. */
const PURGE_BATCH = 20;

/** What {@link StageCache.run} returns: the stage's result and whether it came from the cache (cost 0). */
export interface CachedRun<S extends StageName> {
  result: ProviderResult<StageOutputs[S]>;
  cached: boolean;
}

/**
 * The content-addressed stage cache (docs/design/cache.md). Around one provider call: the key is the hash of
 * what the handler says determines the output ({@link StageHandler.cacheKeyParts}) with input artifacts
 * replaced by their content hash; a live entry is restored into the job's work dir (its artifacts copied, so
 * job and cache directories can each be deleted without breaking the other) and reported at cost 0; a miss
 * runs the provider and stores the output with copies of its artifacts under `<ARTIFACT_DIR>/cache/<stage>/<key>/`.
 * The cache is an optimisation: a failure to read or write it is logged and the stage runs as without it.
 * Providers know nothing of it.
 */
@Injectable()
export class StageCache {
  private readonly root: string;

  constructor(
    private readonly repo: StageCacheRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.root = path.join(config.artifactDir, 'cache');
  }

  /** Whether lookups and stores happen (`STAGE_CACHE`). */
  get enabled(): boolean {
    return this.config.stageCache.enabled;
  }

  /**
   * Runs `handler` on `input`, or restores its cached output for identical inputs.
   * A retaken attempt holding a provider resume token skips the lookup: it resumes the work already paid for.
   * @throws whatever the handler throws; CancelledError when `ctx.signal` fires during a restore
   */
  async run<S extends StageName>(handler: StageHandler<S>, input: StageInputs[S], ctx: ProviderContext, log: Logger): Promise<CachedRun<S>> {
    const key = await this.keyFor(handler, input, log);
    if (key !== null && ctx.resumeToken === null) {
      const hit = await this.restore<S>(handler.stage, key, ctx, log);
      this.metrics.stageCacheLookups.inc({ stage: handler.stage, outcome: hit ? 'hit' : 'miss' });
      if (hit) return { result: hit, cached: true };
    }
    const result = await handler.run(input, ctx);
    if (key !== null && result.cacheable !== false) await this.store(handler.stage, key, result, ctx, log);
    return { result, cached: false };
  }

  private async keyFor<S extends StageName>(handler: StageHandler<S>, input: StageInputs[S], log: Logger): Promise<string | null> {
    if (!this.enabled || !handler.cacheKeyParts) return null;
    try {
      const parts = handler.cacheKeyParts(input);
      return parts ? await computeStageCacheKey(handler.stage, parts) : null;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'stage cache key not computed; running uncached');
      return null;
    }
  }

  private async restore<S extends StageName>(stage: S, key: string, ctx: ProviderContext, log: Logger): Promise<ProviderResult<StageOutputs[S]> | null> {
    const started = Date.now();
    const entry = await this.repo.takeLive(key).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'stage cache lookup failed; running uncached');
      return null;
    });
    if (!entry) return null;
    const copies = new Map<string, string>();
    const made: string[] = [];
    try {
      for (const uri of artifactUrisIn(entry.output)) {
        const dest = path.join(ctx.workDir, path.basename(fileURLToPath(uri)));
        const tmp = path.join(ctx.workDir, `.cache-${ctx.attemptId}-${path.basename(dest)}`);
        made.push(tmp);
        await copyFile(fileURLToPath(uri), tmp, fsConstants.COPYFILE_FICLONE);
        await rename(tmp, dest);
        copies.set(uri, pathToFileURL(dest).href);
        throwIfAborted(ctx.signal);
      }
    } catch (err) {
      await Promise.all(made.map((f) => rm(f, { force: true })));
      throwIfAborted(ctx.signal);
      // Artifacts gone (purged meanwhile, or deleted by hand): the entry is useless; recompute.
      log.warn({ cache_key: key, err: (err as Error).message }, 'stage cache entry unreadable; dropping it and running uncached');
      await this.repo.remove(key).catch(() => undefined);
      return null;
    }
    this.metrics.stageCacheSavedUsd.inc({ stage }, entry.costSavedUsd);
    log.info({ cache_key: key, cost_saved_usd: entry.costSavedUsd, hits: entry.hits }, 'stage output reused from the cache');
    return {
      output: replaceStrings(entry.output, copies) as StageOutputs[S],
      costUsd: 0,
      processingTimeSeconds: (Date.now() - started) / 1000,
      provider: entry.provider,
      attempts: 0,
      metadata: { cache_key: key },
    };
  }

  private async store(stage: StageName, key: string, result: ProviderResult<unknown>, ctx: ProviderContext, log: Logger): Promise<void> {
    const uris = artifactUrisIn(result.output);
    // One directory per writer, so two workers computing the same key at once never share files.
    const dir = uris.length > 0 ? path.join(this.root, stage, key, ctx.attemptId) : null;
    try {
      const copies = new Map<string, string>();
      const paths: string[] = [];
      if (dir) {
        await mkdir(dir, { recursive: true });
        const names = new Set<string>();
        for (const [i, uri] of uris.entries()) {
          let name = path.basename(fileURLToPath(uri));
          if (names.has(name)) name = `${i}-${name}`;
          names.add(name);
          const dest = path.join(dir, name);
          await copyFile(fileURLToPath(uri), dest, fsConstants.COPYFILE_FICLONE);
          copies.set(uri, pathToFileURL(dest).href);
          paths.push(dest);
        }
      }
      const { stored, replacedDirs } = await this.repo.insertFirst(
        {
          key,
          stage,
          provider: result.provider,
          output: replaceStrings(result.output, copies),
          artifactDir: dir,
          artifactPaths: paths,
          costSavedUsd: result.costUsd,
        },
        this.config.stageCache.ttlHours,
      );
      if (!stored && dir) await removeEntryDir(dir);
      const expired = await this.repo.purgeExpired(PURGE_BATCH);
      await Promise.all([...replacedDirs, ...expired].map(removeEntryDir));
      if (stored) log.debug({ cache_key: key }, 'stage output stored in the cache');
    } catch (err) {
      if (dir) await removeEntryDir(dir);
      log.warn({ cache_key: key, err: (err as Error).message }, 'stage output not stored in the cache');
    }
  }
}

/** Deletes an entry's directory and its key directory when that is left empty; never throws. */
async function removeEntryDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  await rmdir(path.dirname(dir)).catch(() => undefined); // fails while another writer's entry is there
}
