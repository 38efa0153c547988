import { Migration } from '@mikro-orm/migrations';

/**
 * The storyboard review (docs/api.md, "v2"): the storyboard stage's cost column and stills, the approval gate
 * (approved, when the job started waiting), refines, the slot queue order, the saga's fence of applied
 * attempts, the API version and the v2 request's extra options. `approved` defaults to true: v1 (and
 * every job already in the table) approves up front; the v2 API writes false. `status` gets a check constraint listing the statuses of `@app/contracts`
 * (job-status.ts) as they are at this migration.
 */
export class Migration20261202010000_storyboard extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table jobs
        add column cost_storyboard numeric(12,6) not null default 0,
        add column api_version smallint not null default 1,
        add column options jsonb,
        add column stills jsonb not null default '[]',
        add column still_variants jsonb not null default '[]',
        add column stills_dispatched jsonb not null default '[]',
        add column settled jsonb not null default '{}',
        add column approved boolean not null default true,
        add column approved_at timestamptz,
        add column refine_count integer not null default 0,
        add column queued_at timestamptz,
        add column awaiting_approval_since timestamptz`);
    this.addSql(`
      alter table jobs add constraint jobs_status_check
        check (status in ('queued', 'processing', 'storyboard_complete', 'completed', 'failed', 'cancelled', 'partially_completed'))`);
    this.addSql(`create index idx_jobs_awaiting_approval on jobs (awaiting_approval_since) where status = 'storyboard_complete'`);
  }
}
