import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ApiKeyNotFoundError } from './access.errors';
import type { AccessRole, Principal } from './principal';

/** What `POST /api/v1/admin/api-keys` answers; `key` is shown this once and never stored. */
export interface CreatedApiKey {
  keyId: string;
  key: string;
  prefix: string;
  clientId: string;
  userId: string | null;
  role: AccessRole;
  createdAt: string;
}

/** Visible part of every key: `avo_<8 hex>_` (the 8 hex digits identify the key for support). */
const KEY_FORMAT = /^avo_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 of salt and secret, hex. Pure. */
export function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\n').update(secret).digest('hex');
}

/** Constant-time comparison of two strings (hashed first, so lengths never leak either). Pure. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * API keys in PostgreSQL (table `api_keys`): a key is `avo_<prefix>_<secret>`; only the prefix, a random
 * salt and SHA-256(salt, secret) are stored. The secret is 256 random bits, so a fast salted hash is as
 * strong as a slow one would be for a password, and costs microseconds per request (docs/security.md).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates a key for a client (and optionally a user inside it).
   * @returns the key in clear, once
   */
  async create(input: { clientId: string; userId?: string | null; role: AccessRole }): Promise<CreatedApiKey> {
    const id = randomUUID();
    const prefix = randomBytes(4).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('hex');
    const createdAt = new Date();
    await this.orm.em
      .fork()
      .getConnection()
      .execute(
        'insert into api_keys (id, prefix, salt, secret_hash, client_id, user_id, role, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
        [id, prefix, salt, hashSecret(salt, secret), input.clientId, input.userId ?? null, input.role, createdAt],
      );
    return {
      keyId: id,
      key: `avo_${prefix}_${secret}`,
      prefix: `avo_${prefix}`,
      clientId: input.clientId,
      userId: input.userId ?? null,
      role: input.role,
      createdAt: createdAt.toISOString(),
    };
  }

  /**
   * Revokes a key at once (the next request with it is 401).
   * @throws ApiKeyNotFoundError when no such key exists
   */
  async revoke(keyId: string): Promise<{ keyId: string; revokedAt: string }> {
    const rows: Array<{ revoked_at: Date }> = await this.orm.em
      .fork()
      .getConnection()
      .execute('update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ? returning revoked_at', [keyId]);
    if (rows.length === 0) throw new ApiKeyNotFoundError(keyId);
    return { keyId, revokedAt: new Date(rows[0].revoked_at).toISOString() };
  }

  /**
   * Resolves a presented key to its principal: the bootstrap `ADMIN_API_KEY`, or a live stored key.
   * @returns null when the key is unknown, revoked or malformed
   */
  async authenticate(presented: string): Promise<Principal | null> {
    const admin = this.config.access.adminApiKey;
    if (admin.isSet && constantTimeEqual(presented, admin.reveal())) {
      return { via: 'admin_key', clientId: 'admin', userId: 'admin', roles: ['admin', 'user'] };
    }
    const m = KEY_FORMAT.exec(presented);
    if (!m) return null;
    const rows: Array<{ id: string; salt: string; secret_hash: string; client_id: string; user_id: string | null; role: AccessRole }> = await this.orm.em
      .fork()
      .getConnection()
      .execute('select id, salt, secret_hash, client_id, user_id, role from api_keys where prefix = ? and revoked_at is null', [m[1]]);
    const row = rows[0];
    if (!row) return null;
    const expected = Buffer.from(row.secret_hash, 'hex');
    const actual = Buffer.from(hashSecret(row.salt, m[2]), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    return { via: 'api_key', clientId: row.client_id, userId: row.user_id, roles: row.role === 'admin' ? ['admin', 'user'] : ['user'], keyId: row.id };
  }
}
