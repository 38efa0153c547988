import { Migration } from '@mikro-orm/migrations';

/**
 * Publish order of the outbox by insertion sequence. `created_at` (clock_timestamp) can tie, or invert, for
 * the rows of one multi-row insert, so a job's `stage_completed` and `completed` events written by the same
 * transition could leave in the wrong order; a sequence cannot.
 */
export class Migration20261122030000_outbox_seq extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox add column seq bigserial');
    this.addSql('drop index if exists idx_outbox_unpublished');
    this.addSql('create index idx_outbox_unpublished on outbox (seq) where published_at is null');
  }
}
