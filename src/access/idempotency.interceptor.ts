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

/**
 * `Idempotency-Key` for creating POSTs (Stripe's semantics and the IETF httpapi draft; docs/security.md):
 * the key is scoped to the principal (all anonymous callers share one scope with auth off); the first
 * answer (2xx) is stored in PostgreSQL (`idempotency_keys`) with the request's fingerprint (route + canonical
 * body) and replayed for the same key and fingerprint with `Idempotent-Replayed: true`; another fingerprint
 * is 422; a request still running with the key is 409; an error answer frees the key; keys expire after
 * `IDEMPOTENCY_TTL_HOURS` (24). Applied per route with `@Idempotent()`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private calls = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) return next.handle();
    return from(this.run(context, req, Array.isArray(raw) ? raw[0] : raw, next));
  }

  private async run(context: ExecutionContext, req: FastifyRequest & { principal?: Principal }, key: string, next: CallHandler): Promise<unknown> {
    if (!KEY_FORMAT.test(key)) {
      throw new AppError('INVALID_INPUT', 'Idempotency-Key must be 1-255 visible ASCII characters', { details: { fields: { 'Idempotency-Key': ['1-255 visible ASCII characters'] } } });
    }
    const owner = (req.principal && principalKey(req.principal)) ?? 'anonymous';
    const route = `${req.method} ${req.routeOptions?.url ?? req.url}`.slice(0, 200);
    const fingerprint = createHash('sha256').update(route).update('\n').update(canonicalJson(req.body)).digest('hex');
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
      [owner, key, req.method, route, fingerprint, this.config.access.idempotencyTtlHours, ABANDONED_AFTER_SECONDS],
    );
    if (claimed.length === 0) {
      const rows: Array<{ body_sha256: string; status_code: number | null; response_body: unknown }> = await conn.execute(
        'select body_sha256, status_code, response_body from idempotency_keys where owner = ? and key = ?',
        [owner, key],
      );
      const row = rows[0];
      if (!row || row.body_sha256 !== fingerprint) throw new IdempotencyKeyReusedError(key);
      if (row.status_code === null) throw new IdempotencyInFlightError(key);
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      reply.header('Idempotent-Replayed', 'true');
      return lastValueFrom(of(row.response_body));
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const status = this.reflector.get<number | undefined>('__httpCode__', context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
      await conn.execute('update idempotency_keys set status_code = ?, response_body = ? where owner = ? and key = ?', [
        status,
        JSON.stringify(body ?? null),
        owner,
        key,
      ]);
      return body;
    } catch (err) {
      await conn.execute('delete from idempotency_keys where owner = ? and key = ? and status_code is null', [owner, key]).catch(() => undefined);
      throw err;
    }
  }
}
