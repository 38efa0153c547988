import { Migration } from '@mikro-orm/migrations';

/**
 * The content-addressed stage cache (docs/design/cache.md): one row per stage output, keyed by the SHA-256
 * of everything that determines it, with the directory of its artifact copies, the cost a hit saves, the hit
 * count and the expiry (index for the purge of expired entries). `jobs.cache_hits` records which of a job's
 * stages and scenes came from it, by attempt key (`prompt_parsing`, `video_generation.2`).
 */
export class Migration20261202015000_stage_cache extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table stage_cache (
        key varchar(64) primary key,
        stage varchar(32) not null,
        provider varchar(32) not null,
        output jsonb not null,
        artifact_dir text,
        artifact_paths text[] not null default '{}',
        cost_saved_usd numeric(12,6) not null default 0,
        hits integer not null default 0,
        created_at timestamptz not null default now(),
        last_hit_at timestamptz,
        expires_at timestamptz not null
      )`);
    this.addSql('create index idx_stage_cache_expires_at on stage_cache (expires_at)');
    this.addSql(`alter table jobs add column cache_hits jsonb not null default '{}'`);
  }
}
