import { Migration } from '@mikro-orm/migrations';

/**
 * Cost and provider calls carried across the redeliveries of one stage attempt: a transient failure that the
 * stage runner re-queues (above the per-call retries) has already billed its calls, and the final result
 * event must count them (issue #3: failures keep partial cost; issue #4: each stage's cost recorded once).
 */
export class Migration20261122020000_stage_attempt_carry extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table stage_attempts add column carried_cost_usd numeric(12,6) not null default 0');
    this.addSql('alter table stage_attempts add column carried_calls integer not null default 0');
  }
}
