import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';

/** One stored stage output (table `stage_cache`). Costs USD. */
export interface StageCacheEntry {
  key: string;
  stage: string;
  provider: string;
  /** The stage output, its artifact URIs pointing at the copies under {@link artifactDir}. */
  output: unknown;
  /** Directory of this entry's artifact copies (`<ARTIFACT_DIR>/cache/<stage>/<key>/<attempt>`), null when it has none. */
  artifactDir: string | null;
  artifactPaths: string[];
  /** What computing the output cost, i.e. what each hit saves. */
  costSavedUsd: number;
  hits: number;
}

interface Row {
  key: string;
  stage: string;
  provider: string;
  output: unknown;
  artifact_dir: string | null;
  artifact_paths: string[];
  cost_saved_usd: string;
  hits: number;
}

const toEntry = (r: Row): StageCacheEntry => ({
  key: r.key,
  stage: r.stage,
  provider: r.provider,
  output: typeof r.output === 'string' ? JSON.parse(r.output) : r.output,
  artifactDir: r.artifact_dir,
  artifactPaths: r.artifact_paths ?? [],
  costSavedUsd: Number(r.cost_saved_usd),
  hits: Number(r.hits),
});

/**
 * SQL of the `stage_cache` table, each method one short statement on its own forked EntityManager (the
 * runner calls it from message handlers). Expiry is compared with the database clock.
 */
@Injectable()
export class StageCacheRepository {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Counts a hit on the live (unexpired) entry of `key` and returns it.
   * @returns null when there is no live entry
   */
  async takeLive(key: string): Promise<StageCacheEntry | null> {
    const rows: Row[] = await this.orm.em.fork().execute(
      `update stage_cache set hits = hits + 1, last_hit_at = now()
         where key = ? and expires_at > now()
       returning key, stage, provider, output, artifact_dir, artifact_paths, cost_saved_usd, hits`,
      [key],
    );
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /**
   * Stores an entry unless a live one holds its key (first writer wins; an expired one is replaced).
   * @param ttlHours lifetime from now
   * @returns whether this entry was stored, and the artifact directories of the expired entry it replaced
   */
  async insertFirst(entry: Omit<StageCacheEntry, 'hits'>, ttlHours: number): Promise<{ stored: boolean; replacedDirs: string[] }> {
    const em = this.orm.em.fork();
    const replaced: Array<{ artifact_dir: string | null }> = await em.execute(
      `delete from stage_cache where key = ? and expires_at <= now() returning artifact_dir`,
      [entry.key],
    );
    const rows: unknown[] = await em.execute(
      `insert into stage_cache (key, stage, provider, output, artifact_dir, artifact_paths, cost_saved_usd, expires_at)
         values (?, ?, ?, ?::jsonb, ?, ?::text[], ?, now() + make_interval(secs => ?))
       on conflict (key) do nothing
       returning key`,
      [
        entry.key,
        entry.stage,
        entry.provider,
        JSON.stringify(entry.output),
        entry.artifactDir,
        toPgArray(entry.artifactPaths),
        entry.costSavedUsd,
        ttlHours * 3600,
      ],
    );
    return { stored: rows.length > 0, replacedDirs: replaced.map((r) => r.artifact_dir).filter((d): d is string => !!d) };
  }

  /** Removes the entry of `key` (its artifacts went missing). */
  async remove(key: string): Promise<void> {
    await this.orm.em.fork().execute(`delete from stage_cache where key = ?`, [key]);
  }

  /**
   * Deletes up to `limit` expired entries.
   * @returns their artifact directories, for the caller to delete
   */
  async purgeExpired(limit: number): Promise<string[]> {
    const rows: Array<{ artifact_dir: string | null }> = await this.orm.em.fork().execute(
      `delete from stage_cache where key in (select key from stage_cache where expires_at <= now() order by expires_at limit ?)
       returning artifact_dir`,
      [limit],
    );
    return rows.map((r) => r.artifact_dir).filter((d): d is string => !!d);
  }
}

/** A text[] literal (`{"a","b"}`), quoting every element. */
function toPgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
