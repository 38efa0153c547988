import { Migration } from '@mikro-orm/migrations';

/**
 * The hourly job rollup's update trigger skips the upsert when the row it would add is all zeros (a status
 * change between two unfinished statuses, such as `queued` → `processing`, with the cost unchanged). Same
 * figures: the insert trigger has already made the hour's row. It removes a lock cycle: a transition that
 * finishes a job holds the hour's rollup row and then asks for the saga's start lock, while the transaction
 * holding that lock started queued jobs and, through this trigger, waited on the same rollup row; PostgreSQL
 * broke the cycle with `deadlock detected` and the saga event was retried 1–10 s later
 * (docs/design/performance.md, "Orchestration", third pass). It also keeps most saga transactions off the
 * one hot row per hour.
 */
export class Migration20261203070000_rollup_zero_delta extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function job_rollup_update() returns trigger language plpgsql as $$
      declare
        h timestamptz := date_trunc('hour', new.created_at);
        d_completed integer := (new.status = 'completed')::integer - (old.status = 'completed')::integer;
        d_failed integer := (new.status = 'failed')::integer - (old.status = 'failed')::integer;
        d_cost numeric := coalesce(new.cost_total, 0) - coalesce(old.cost_total, 0);
        d_seconds double precision :=
          case when new.status = 'completed' then coalesce(extract(epoch from (new.completed_at - new.created_at)), 0) else 0 end
          - case when old.status = 'completed' then coalesce(extract(epoch from (old.completed_at - old.created_at)), 0) else 0 end;
      begin
        if d_completed <> 0 or d_failed <> 0 or d_cost <> 0 or d_seconds <> 0 then
          insert into job_rollup_hourly (hour, completed, failed, cost_usd, completed_seconds)
            values (h, d_completed, d_failed, d_cost, d_seconds)
            on conflict (hour) do update set completed = job_rollup_hourly.completed + excluded.completed,
              failed = job_rollup_hourly.failed + excluded.failed, cost_usd = job_rollup_hourly.cost_usd + excluded.cost_usd,
              completed_seconds = job_rollup_hourly.completed_seconds + excluded.completed_seconds;
        end if;
        if old.status = 'failed' then
          update job_failures_hourly set n = n - 1 where hour = h and code = coalesce(old.error->>'code', 'UNKNOWN');
        end if;
        if new.status = 'failed' then
          insert into job_failures_hourly (hour, code, n) values (h, coalesce(new.error->>'code', 'UNKNOWN'), 1)
            on conflict (hour, code) do update set n = job_failures_hourly.n + 1;
        end if;
        return null;
      end $$`);
  }
}
