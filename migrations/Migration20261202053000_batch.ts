import { Migration } from '@mikro-orm/migrations';

/**
 * Batches and variations of the v1 API (docs/api.md, "Batches and variations"): the jobs one call made share
 * a `batch_id` (null for a job made alone), and `variation_index` (0-based, 0 for a job made alone) seeds
 * each variation's pictures. `GET /api/v1/batches/{id}` reads a batch's jobs in variation order through the
 * partial index. Additive only: existing jobs keep a null batch and variation 0.
 */
export class Migration20261202053000_batch extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table jobs add column batch_id uuid null, add column variation_index smallint not null default 0');
    this.addSql('create index idx_jobs_batch on jobs (batch_id, variation_index, created_at) where batch_id is not null');
  }
}
