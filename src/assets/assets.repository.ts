import type { MikroORM } from '@mikro-orm/postgresql';
import { seesAll, type Principal } from '../access/principal';

/** One row of table `assets` (docs/api.md, "Assets"). Sizes in pixels and bytes, duration in seconds. */
export interface AssetRecord {
  id: string;
  clientId: string | null;
  userId: string | null;
  storageKey: string;
  type: 'image' | 'video';
  mimeType: string;
  width: number;
  height: number;
  durationSeconds: number | null;
  sizeBytes: number;
  sha256: string;
  originalFilename: string | null;
  createdAt: Date;
}

interface AssetRow {
  id: string;
  client_id: string | null;
  user_id: string | null;
  storage_key: string;
  type: 'image' | 'video';
  mime_type: string;
  width: number;
  height: number;
  duration_seconds: number | null;
  size_bytes: string | number;
  sha256: string;
  original_filename: string | null;
  created_at: Date | string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` has the shape of an asset id (a UUID), so a lookup can skip PostgreSQL's cast error. Pure. */
export function isAssetId(id: string): boolean {
  return UUID.test(id);
}

function fromRow(r: AssetRow): AssetRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    storageKey: r.storage_key,
    type: r.type,
    mimeType: r.mime_type,
    width: r.width,
    height: r.height,
    durationSeconds: r.duration_seconds,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    originalFilename: r.original_filename,
    // The ORM's UTC setting has the driver return timestamps as text.
    createdAt: new Date(r.created_at),
  };
}

/** Inserts an asset row. */
export async function insertAsset(orm: MikroORM, a: AssetRecord): Promise<void> {
  await orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into assets (id, client_id, user_id, storage_key, type, mime_type, width, height, duration_seconds, size_bytes, sha256, original_filename, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.id, a.clientId, a.userId, a.storageKey, a.type, a.mimeType, a.width, a.height, a.durationSeconds, a.sizeBytes, a.sha256, a.originalFilename, a.createdAt],
    );
}

/**
 * The assets among `ids` that `viewer` may see (docs/security.md, "Ownership": own client's, or all for
 * admins and auth off). Ids that are not UUIDs, missing ones and other clients' are simply absent.
 */
export async function findVisibleAssets(orm: MikroORM, ids: readonly string[], viewer: Principal): Promise<Map<string, AssetRecord>> {
  const wanted = [...new Set(ids.filter(isAssetId).map((id) => id.toLowerCase()))];
  const out = new Map<string, AssetRecord>();
  if (wanted.length === 0) return out;
  const conn = orm.em.fork().getConnection();
  const rows: AssetRow[] = seesAll(viewer)
    ? await conn.execute('select * from assets where id in (?)', [wanted])
    : await conn.execute('select * from assets where id in (?) and client_id = ?', [wanted, viewer.clientId ?? '']);
  for (const r of rows) out.set(r.id, fromRow(r));
  return out;
}
