import { Migration } from '@mikro-orm/migrations';

/**
 * Initial schema. The `jobs` table keeps the seed's column names (seed 000, "Database Schema") so existing
 * dashboards and queries keep working; costs are numeric(12,6) rather than the seed's (10,2) because token
 * and per-second prices are fractions of a cent. The saga's bookkeeping (version, attempts, fan-in counters),
 * the transactional outbox, the consumers' inbox and the stage attempt leases live beside it
 * (design/saga.md, "Who guarantees what").
 */
export class Migration20261122000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table jobs (
        id uuid primary key,
        status varchar(20) not null,
        prompt text not null,
        duration integer not null,
        aspect_ratio varchar(10) not null,
        brand_guidelines jsonb,
        current_stage varchar(50),
        stages_completed text[] not null default '{}',
        progress_percentage integer not null default 0,
        parsed_data jsonb,
        reference_image_url text,
        clip_urls text[] not null default '{}',
        result jsonb,
        cost_prompt_parsing numeric(12,6) not null default 0,
        cost_image_generation numeric(12,6) not null default 0,
        cost_video_generation numeric(12,6) not null default 0,
        cost_composition numeric(12,6) not null default 0,
        cost_total numeric(12,6) not null default 0,
        error jsonb,
        scenes_total integer not null default 0,
        scenes_done integer not null default 0,
        scenes_dispatched integer not null default 0,
        clips jsonb not null default '[]',
        attempts jsonb not null default '{}',
        cancel_requested boolean not null default false,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        started_at timestamptz,
        last_progress_at timestamptz,
        completed_at timestamptz,
        failed_at timestamptz,
        cancelled_at timestamptz
      )`);
    this.addSql('create index idx_jobs_status on jobs (status)');
    this.addSql('create index idx_jobs_created_at on jobs (created_at desc)');
    this.addSql('create index idx_jobs_cost_total on jobs (cost_total)');

    this.addSql(`
      create table job_transitions (
        id bigserial primary key,
        job_id uuid not null references jobs (id),
        cause_event_id text not null,
        from_status varchar(20) not null,
        to_status varchar(20) not null,
        from_stage varchar(50),
        to_stage varchar(50),
        version integer not null,
        at timestamptz not null default now(),
        unique (job_id, version)
      )`);

    this.addSql(`
      create table stage_attempts (
        attempt_id uuid primary key,
        job_id uuid not null,
        stage varchar(32) not null,
        scene_index integer,
        status varchar(16) not null,
        deliveries integer not null default 0,
        provider varchar(32),
        resume_token text,
        lease_owner text,
        lease_until timestamptz,
        outcome jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index idx_stage_attempts_job on stage_attempts (job_id)');

    this.addSql(`
      create table outbox (
        id text primary key,
        subject text not null,
        payload jsonb not null,
        created_at timestamptz not null default clock_timestamp(),
        claimed_until timestamptz,
        published_at timestamptz,
        publish_attempts integer not null default 0
      )`);
    this.addSql('create index idx_outbox_unpublished on outbox (created_at) where published_at is null');

    this.addSql(`
      create table inbox (
        consumer varchar(64) not null,
        message_id text not null,
        processed_at timestamptz not null default now(),
        primary key (consumer, message_id)
      )`);
  }
}
