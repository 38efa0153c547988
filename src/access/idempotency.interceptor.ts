import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, of, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AppError } from '../common/app-error';
import { IdempotencyInFlightError, IdempotencyKeyReusedError } from './access.errors';
import { principalKey, type Principal } from './principal';

/** A key still "in flight" this long after its request started belongs to a process that died: it is taken over. */
const ABANDONED_AFTER_SECONDS = 120;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. Pure. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What {@link IdempotencyStore.begin} found for a key. */
export type IdempotencyClaim = { kind: 'claimed' } | { kind: 'replay'; statusCode: number; body: unknown };

/** The key's owner scope: the principal, or one shared scope for anonymous callers (auth off). Pure. */
export function idempotencyOwner(principal: Principal | undefined): string {
  return (principal && principalKey(principal)) ?? 'anonymous';
}

/**
 * The `Idempotency-Key` header's value, checked (1–255 visible ASCII characters), or null when absent.
 * @throws AppError INVALID_INPUT naming the header when malformed
 */
export function idempotencyKeyOf(req: FastifyRequest): string | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!KEY_FORMAT.test(key)) {
    throw new AppError('INVALID_INPUT', 'Idempotency-Key must be 1-255 visible ASCII characters', { details: { fields: { 'Idempotency-Key': ['1-255 visible ASCII characters'] } } });
  }
  return key;
}

/** Fingerprint of a request: its route and a digest of what it sends (canonical JSON, or a file's SHA-256). Pure. */
export function requestFingerprint(route: string, content: string): string {
  return createHash('sha256').update(route).update('\n').update(content).digest('hex');
}

/**
 * Table `idempotency_keys` with Stripe's semantics and the IETF httpapi draft's (docs/security.md, "Idempotent
 * creates"): a key is claimed for one fingerprint; the first 2xx answer is stored and replayed for the same
 * fingerprint; another fingerprint is 422; a request still running with the key is 409; an error frees the
 * key; keys expire after `IDEMPOTENCY_TTL_HOURS` (24). Used by {@link IdempotencyInterceptor} for JSON bodies
 * and by routes whose body is only known once read (the upload fingerprints the file's SHA-256).
 */
@Injectable()
export class IdempotencyStore {
  private calls = 0;

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Claims `key` for `fingerprint`, or finds the stored answer to replay.
   * @throws IdempotencyKeyReusedError (422) for another fingerprint; IdempotencyInFlightError (409) while the first request runs
   */
  async begin(owner: string, key: string, method: string, route: string, fingerprint: string): Promise<IdempotencyClaim> {
    const conn = this.orm.em.getConnection();
    if (++this.calls % 200 === 0) void conn.execute('delete from idempotency_keys where expires_at < now()').catch(() => undefined);
    const claimed: unknown[] = await conn.execute(
      `insert into idempotency_keys (owner, key, method, route, body_sha256, expires_at)
       values (?, ?, ?, ?, ?, now() + make_interval(hours => ?))
       on conflict (owner, key) do update set
         route = excluded.route, method = excluded.method, body_sha256 = excluded.body_sha256, status_code = null,
         response_body = null, created_at = now(), expires_at = excluded.expires_at
       where idempotency_keys.expires_at < now()
          or (idempotency_keys.status_code is null and idempotency_keys.body_sha256 = excluded.body_sha256
              and idempotency_keys.created_at < now() - make_interval(secs => ?))
       returning key`,
      [owner, key, method, route, fingerprint, this.config.access.idempotencyTtlHours, ABANDONED_AFTER_SECONDS],
    );
    if (claimed.length > 0) return { kind: 'claimed' };
    const rows: Array<{ body_sha256: string; status_code: number | null; response_body: unknown }> = await conn.execute(
      'select body_sha256, status_code, response_body from idempotency_keys where owner = ? and key = ?',
      [owner, key],
    );
    const row = rows[0];
    if (!row || row.body_sha256 !== fingerprint) throw new IdempotencyKeyReusedError(key);
    if (row.status_code === null) throw new IdempotencyInFlightError(key);
    return { kind: 'replay', statusCode: row.status_code, body: row.response_body };
  }

  /** Stores the answer of a claimed key for replay. */
  async complete(owner: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.orm.em
      .getConnection()
      .execute('update idempotency_keys set status_code = ?, response_body = ? where owner = ? and key = ?', [statusCode, JSON.stringify(body ?? null), owner, key]);
  }

  /** Frees a claimed key whose request failed, so it can be retried. */
  async release(owner: string, key: string): Promise<void> {
    await this.orm.em
      .getConnection()
      .execute('delete from idempotency_keys where owner = ? and key = ? and status_code is null', [owner, key])
      .catch(() => undefined);
  }
}

/**
 * `Idempotency-Key` for creating POSTs with JSON bodies ({@link IdempotencyStore}): the fingerprint is the route
 * and the canonical body; a replay carries `Idempotent-Replayed: true`. Applied per route with `@Idempotent()`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    if (req.headers['idempotency-key'] === undefined) return next.handle();
    return from(this.run(context, req, next));
  }

  private async run(context: ExecutionContext, req: FastifyRequest & { principal?: Principal }, next: CallHandler): Promise<unknown> {
    const key = idempotencyKeyOf(req)!;
    const owner = idempotencyOwner(req.principal);
    const route = `${req.method} ${req.routeOptions?.url ?? req.url}`.slice(0, 200);
    const claim = await this.store.begin(owner, key, req.method, route, requestFingerprint(route, canonicalJson(req.body)));
    if (claim.kind === 'replay') {
      context.switchToHttp().getResponse<FastifyReply>().header('Idempotent-Replayed', 'true');
      return lastValueFrom(of(claim.body));
    }
    try {
      const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const status = this.reflector.get<number | undefined>('__httpCode__', context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
      await this.store.complete(owner, key, status, body);
      return body;
    } catch (err) {
      await this.store.release(owner, key);
      throw err;
    }
  }
}
