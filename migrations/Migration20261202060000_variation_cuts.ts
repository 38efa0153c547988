import { Migration } from '@mikro-orm/migrations';

/**
 * Variations of a v2 job (docs/api.md, "Variations"): `cuts` records each cut's composition outcome (output
 * or error, cost) of a job with `numberOfVariations` above 1. Null for every other job. Additive only; the
 * status check already allows `partially_completed`.
 */
export class Migration20261202060000_variation_cuts extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table jobs add column cuts jsonb null');
  }
}
