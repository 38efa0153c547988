import { Migration } from '@mikro-orm/migrations';

/**
 * Uploaded assets (docs/api.md, "Assets"; docs/design/artifacts.md): one row per accepted upload, its bytes
 * in the artifact store under `storage_key`. `client_id`/`user_id` are the uploading principal's (null with
 * auth off, then visible to everyone); lookups filter by `client_id` for ownership, and a client's assets
 * are listed newest first.
 */
export class Migration20261202050000_assets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table assets (
        id uuid primary key,
        client_id text,
        user_id text,
        storage_key text not null unique,
        type varchar(8) not null check (type in ('image', 'video')),
        mime_type varchar(40) not null,
        width integer not null check (width > 0),
        height integer not null check (height > 0),
        duration_seconds double precision check (duration_seconds is null or duration_seconds > 0),
        size_bytes bigint not null check (size_bytes > 0),
        sha256 char(64) not null,
        original_filename text,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index idx_assets_client on assets (client_id, created_at desc)');
  }
}
