import { Migration } from '@mikro-orm/migrations';

/**
 * Push instead of poll (docs/events.md):
 * - `jobs.estimated_completion_at`: the completion estimate progress ticks refine (written by the saga only);
 * - webhook endpoints (registered ones, and the per-job ones asked for on create, `job_id` set), their
 *   deliveries (one row per endpoint and event: the durable retry schedule, polled with SKIP LOCKED) and every
 *   attempt; `client_id` columns are the owner once API clients exist (null until then);
 * - the metrics endpoint's per-hour rollups of job figures and stage durations (kept by triggers), so `GET /api/v1/metrics` stays
 *   under 100 ms with 100 000 jobs (`npm run bench:metrics`).
 */
export class Migration20261202040000_push extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table jobs add column estimated_completion_at timestamptz');

    this.addSql(`
      create table webhook_endpoints (
        id uuid primary key,
        client_id text,
        job_id uuid,
        url text not null,
        description text,
        event_types text[],
        secrets jsonb not null default '[]',
        enabled boolean not null default true,
        disabled_reason text,
        failing_since timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create unique index idx_webhook_endpoints_job on webhook_endpoints (job_id) where job_id is not null');
    this.addSql('create index idx_webhook_endpoints_registered on webhook_endpoints (created_at) where job_id is null');

    this.addSql(`
      create table webhook_deliveries (
        id bigserial primary key,
        endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
        client_id text,
        event_id text not null,
        event_type text not null,
        job_id uuid,
        payload jsonb not null,
        status varchar(16) not null default 'pending',
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        claimed_until timestamptz,
        last_status_code integer,
        last_error text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        delivered_at timestamptz,
        unique (endpoint_id, event_id)
      )`);
    this.addSql(`create index idx_webhook_deliveries_due on webhook_deliveries (next_attempt_at, id) where status = 'pending'`);
    this.addSql('create index idx_webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id desc)');

    this.addSql(`
      create table webhook_attempts (
        id bigserial primary key,
        delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
        attempt integer not null,
        started_at timestamptz not null default now(),
        duration_ms integer not null,
        outcome varchar(16) not null,
        response_status integer,
        response_excerpt text,
        error text,
        address text
      )`);
    this.addSql('create index idx_webhook_attempts_delivery on webhook_attempts (delivery_id, id)');

    // Metrics: an index-only scan over the window for the job figures, and the failed jobs by code.
    this.addSql('create index idx_jobs_metrics on jobs (created_at) include (status, cost_total, completed_at)');
    this.addSql(`create index idx_jobs_failed_code on jobs (created_at, (error->>'code')) where status = 'failed'`);

    // Job figures per creation hour, kept by triggers on jobs (an aggregated statement trigger on insert, a
    // row trigger on the updates that change a figure: status to or from completed/failed, cost, completion
    // time; progress ticks touch none of them). The endpoint reads whole hours here and the two partial
    // hours at the window's edges from the jobs themselves, so its figures stay exact.
    this.addSql(`
      create table job_rollup_hourly (
        hour timestamptz primary key,
        total bigint not null default 0,
        completed bigint not null default 0,
        failed bigint not null default 0,
        cost_usd numeric(18,6) not null default 0,
        completed_seconds double precision not null default 0
      )`);
    this.addSql(`
      create table job_failures_hourly (
        hour timestamptz not null,
        code text not null,
        n bigint not null,
        primary key (hour, code)
      )`);
    this.addSql(`
      create function job_rollup_insert() returns trigger language plpgsql as $$
      begin
        insert into job_rollup_hourly (hour, total, completed, failed, cost_usd, completed_seconds)
          select date_trunc('hour', n.created_at), count(*), count(*) filter (where n.status = 'completed'),
                 count(*) filter (where n.status = 'failed'), coalesce(sum(n.cost_total), 0),
                 coalesce(sum(extract(epoch from (n.completed_at - n.created_at))) filter (where n.status = 'completed'), 0)
            from new_rows n group by 1
          on conflict (hour) do update set total = job_rollup_hourly.total + excluded.total,
            completed = job_rollup_hourly.completed + excluded.completed, failed = job_rollup_hourly.failed + excluded.failed,
            cost_usd = job_rollup_hourly.cost_usd + excluded.cost_usd,
            completed_seconds = job_rollup_hourly.completed_seconds + excluded.completed_seconds;
        insert into job_failures_hourly (hour, code, n)
          select date_trunc('hour', n.created_at), coalesce(n.error->>'code', 'UNKNOWN'), count(*) from new_rows n where n.status = 'failed' group by 1, 2
          on conflict (hour, code) do update set n = job_failures_hourly.n + excluded.n;
        return null;
      end $$`);
    this.addSql(`
      create function job_rollup_update() returns trigger language plpgsql as $$
      declare
        h timestamptz := date_trunc('hour', new.created_at);
        d_completed integer := (new.status = 'completed')::integer - (old.status = 'completed')::integer;
        d_failed integer := (new.status = 'failed')::integer - (old.status = 'failed')::integer;
        d_seconds double precision :=
          case when new.status = 'completed' then coalesce(extract(epoch from (new.completed_at - new.created_at)), 0) else 0 end
          - case when old.status = 'completed' then coalesce(extract(epoch from (old.completed_at - old.created_at)), 0) else 0 end;
      begin
        insert into job_rollup_hourly (hour, completed, failed, cost_usd, completed_seconds)
          values (h, d_completed, d_failed, new.cost_total - old.cost_total, d_seconds)
          on conflict (hour) do update set completed = job_rollup_hourly.completed + excluded.completed,
            failed = job_rollup_hourly.failed + excluded.failed, cost_usd = job_rollup_hourly.cost_usd + excluded.cost_usd,
            completed_seconds = job_rollup_hourly.completed_seconds + excluded.completed_seconds;
        if old.status = 'failed' then
          update job_failures_hourly set n = n - 1 where hour = h and code = coalesce(old.error->>'code', 'UNKNOWN');
        end if;
        if new.status = 'failed' then
          insert into job_failures_hourly (hour, code, n) values (h, coalesce(new.error->>'code', 'UNKNOWN'), 1)
            on conflict (hour, code) do update set n = job_failures_hourly.n + 1;
        end if;
        return null;
      end $$`);
    this.addSql(`
      create trigger jobs_rollup_insert after insert on jobs
        referencing new table as new_rows for each statement execute function job_rollup_insert()`);
    this.addSql(`
      create trigger jobs_rollup_update after update on jobs for each row
        when (old.status is distinct from new.status or old.cost_total is distinct from new.cost_total
              or old.completed_at is distinct from new.completed_at or old.error is distinct from new.error)
        execute function job_rollup_update()`);

    // Stage durations per hour in log buckets (ratio 2^(1/8), about 4.4 % wide), kept by a statement-level
    // trigger as attempts succeed: percentiles over a month read a few thousand rows, not every attempt.
    this.addSql(`
      create table stage_duration_rollup (
        hour timestamptz not null,
        stage varchar(32) not null,
        bucket integer not null,
        n bigint not null,
        primary key (hour, stage, bucket)
      )`);
    // The same per UTC day, for the whole days of long windows (a month reads about 30 × 4 × 15 rows).
    this.addSql(`
      create table stage_duration_daily (
        day timestamptz not null,
        stage varchar(32) not null,
        bucket integer not null,
        n bigint not null,
        primary key (day, stage, bucket)
      )`);
    this.addSql(`
      create function stage_duration_bucket(d interval) returns integer language sql immutable as
        $$ select floor(8 * log(2, greatest(1, extract(epoch from d) * 1000)::numeric))::integer $$`);
    this.addSql(`
      create function stage_duration_rollup_insert() returns trigger language plpgsql as $$
      begin
        insert into stage_duration_rollup (hour, stage, bucket, n)
          select date_trunc('hour', n.updated_at), n.stage, stage_duration_bucket(n.updated_at - n.created_at), count(*)
            from new_rows n where n.status = 'succeeded' group by 1, 2, 3
          on conflict (hour, stage, bucket) do update set n = stage_duration_rollup.n + excluded.n;
        insert into stage_duration_daily (day, stage, bucket, n)
          select date_trunc('day', n.updated_at, 'UTC'), n.stage, stage_duration_bucket(n.updated_at - n.created_at), count(*)
            from new_rows n where n.status = 'succeeded' group by 1, 2, 3
          on conflict (day, stage, bucket) do update set n = stage_duration_daily.n + excluded.n;
        return null;
      end $$`);
    this.addSql(`
      create function stage_duration_rollup_update() returns trigger language plpgsql as $$
      begin
        insert into stage_duration_rollup (hour, stage, bucket, n)
          select date_trunc('hour', n.updated_at), n.stage, stage_duration_bucket(n.updated_at - n.created_at), count(*)
            from new_rows n join old_rows o on o.attempt_id = n.attempt_id
           where n.status = 'succeeded' and o.status <> 'succeeded' group by 1, 2, 3
          on conflict (hour, stage, bucket) do update set n = stage_duration_rollup.n + excluded.n;
        insert into stage_duration_daily (day, stage, bucket, n)
          select date_trunc('day', n.updated_at, 'UTC'), n.stage, stage_duration_bucket(n.updated_at - n.created_at), count(*)
            from new_rows n join old_rows o on o.attempt_id = n.attempt_id
           where n.status = 'succeeded' and o.status <> 'succeeded' group by 1, 2, 3
          on conflict (day, stage, bucket) do update set n = stage_duration_daily.n + excluded.n;
        return null;
      end $$`);
    this.addSql(`
      create trigger stage_attempts_rollup_insert after insert on stage_attempts
        referencing new table as new_rows for each statement execute function stage_duration_rollup_insert()`);
    this.addSql(`
      create trigger stage_attempts_rollup_update after update on stage_attempts
        referencing old table as old_rows new table as new_rows for each statement execute function stage_duration_rollup_update()`);
  }
}
