import { Migration } from '@mikro-orm/migrations';

/**
 * Who may do what (docs/security.md): API keys (only a salted hash and a visible prefix are stored), the
 * owner of each job, spend per client and per user by UTC day, one alert row per client, day and level,
 * stored answers of idempotent creates, and rate-limit windows shared by every API process. Additive only:
 * existing jobs keep a null owner, which only the admin (or auth off) sees.
 */
export class Migration20261202030000_access extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table api_keys (
        id uuid primary key,
        prefix varchar(16) not null unique,
        salt varchar(64) not null,
        secret_hash varchar(128) not null,
        client_id varchar(100) not null,
        user_id varchar(100) null,
        role varchar(10) not null check (role in ('user', 'admin')),
        created_at timestamptz not null default now(),
        revoked_at timestamptz null
      )`);
    this.addSql('alter table jobs add column client_id varchar(100) null, add column user_id varchar(100) null');
    this.addSql('create index idx_jobs_client_created on jobs (client_id, created_at desc) where client_id is not null');
    this.addSql(`
      create table spend_daily (
        scope varchar(10) not null check (scope in ('client', 'user')),
        owner_id varchar(201) not null,
        day date not null,
        cost_usd numeric(14,6) not null default 0,
        primary key (scope, owner_id, day)
      )`);
    this.addSql(`
      create table budget_alerts (
        client_id varchar(100) not null,
        day date not null,
        level varchar(10) not null,
        spent_usd numeric(14,6) not null,
        created_at timestamptz not null default now(),
        primary key (client_id, day, level)
      )`);
    this.addSql(`
      create table idempotency_keys (
        owner varchar(201) not null,
        key varchar(255) not null,
        method varchar(10) not null,
        route varchar(200) not null,
        body_sha256 varchar(64) not null,
        status_code integer null,
        response_body jsonb null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (owner, key)
      )`);
    this.addSql('create index idx_idempotency_expires on idempotency_keys (expires_at)');
    this.addSql(`
      create unlogged table rate_limit_windows (
        key varchar(200) primary key,
        hits integer not null,
        window_ends_at timestamptz not null
      )`);
    this.addSql('create index idx_rate_limit_windows_end on rate_limit_windows (window_ends_at)');
  }
}
