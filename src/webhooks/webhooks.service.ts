import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AppError } from '../common/app-error';
import { AllowList, blockedReason } from './address-guard';
import type { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { WebhookDispatcher } from './webhook-dispatcher';
import type { EndpointSecret } from './webhook-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long earlier secrets stay valid after a rotation by default, seconds (a day, as Svix does). */
const DEFAULT_PREVIOUS_SECRET_TTL_SECONDS = 24 * 3600;

/** `GET /api/v1/webhooks/{id}` body. Secrets are shown by their first characters only. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  event_types: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  secrets: Array<{ prefix: string; created_at: string; expires_at: string | null }>;
  created_at: string;
  updated_at: string;
}

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  secrets: EndpointSecret[];
  created_at: Date;
  updated_at: Date;
}

/** A new `whsec_` secret: 24 random bytes, base64 (the Standard Webhooks format). */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Registered webhook endpoints (docs/events.md, "Registered endpoints"): create, read, update (filter,
 * enable, secret rotation), delete; deliveries list, resend and recover. Rows with `job_id` set are the
 * per-job webhooks and are not listed here. `client_id` stays null until API clients exist.
 */
@Injectable()
export class WebhooksService {
  private readonly allow: AllowList;

  constructor(
    private readonly orm: MikroORM,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.allow = new AllowList(config.push.allowedHosts);
  }

  /**
   * Checks what can be checked without resolving: the scheme, and a literal private address. Names are
   * resolved and checked before every attempt (address-guard.ts).
   * @throws AppError INVALID_INPUT naming the field
   */
  validateUrl(url: string, field = 'url'): void {
    const u = new URL(url);
    if (u.protocol !== 'https:' && !this.config.push.allowHttp) {
      throw new AppError('INVALID_INPUT', `${field} must use https (WEBHOOK_ALLOW_HTTP is off)`, { details: { fields: { [field]: ['https required'] } } });
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const why = isIP(host) ? blockedReason(host) : null;
    if (why && !this.allow.addressAllowed(host) && !this.allow.hostAllowed(host)) {
      throw new AppError('INVALID_INPUT', `${field} points at a ${why} address`, { details: { fields: { [field]: [`${why} addresses are refused`] } } });
    }
  }

  /** @returns the endpoint and its secret (shown once) */
  async create(dto: CreateWebhookDto): Promise<WebhookEndpointView & { secret: string }> {
    this.validateUrl(dto.url);
    const id = randomUUID();
    const secret = dto.secret ?? newSecret();
    const secrets: EndpointSecret[] = [{ secret, created_at: new Date().toISOString(), expires_at: null }];
    await this.orm.em.fork().execute(
      `insert into webhook_endpoints (id, url, description, event_types, secrets, enabled) values (?, ?, ?, (select array_agg(x) from jsonb_array_elements_text(?::jsonb) x), ?::jsonb, ?)`,
      [id, dto.url, dto.description ?? null, JSON.stringify(dto.event_types ?? []), JSON.stringify(secrets), dto.enabled ?? true],
    );
    return { ...(await this.get(id)), secret };
  }

  async list(): Promise<{ webhooks: WebhookEndpointView[] }> {
    const rows: EndpointRow[] = await this.orm.em.fork().execute(`select * from webhook_endpoints where job_id is null order by created_at desc limit 500`);
    return { webhooks: rows.map(toView) };
  }

  /** @throws AppError NOT_FOUND, INVALID_INPUT for a malformed id */
  async get(id: string): Promise<WebhookEndpointView> {
    return toView(await this.find(id));
  }

  /** @returns the endpoint, plus `secret` when it was rotated (shown once) */
  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookEndpointView & { secret?: string }> {
    const row = await this.find(id);
    if (dto.url !== undefined) this.validateUrl(dto.url);
    let secrets = row.secrets;
    let secret: string | undefined;
    if (dto.rotate_secret) {
      const now = new Date();
      const ttl = dto.previous_secret_ttl_seconds ?? DEFAULT_PREVIOUS_SECRET_TTL_SECONDS;
      const expires = new Date(now.getTime() + ttl * 1000).toISOString();
      secret = newSecret();
      secrets = [
        { secret, created_at: now.toISOString(), expires_at: null },
        ...secrets
          .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now.getTime())
          .map((s) => ({ ...s, expires_at: s.expires_at && s.expires_at < expires ? s.expires_at : expires })),
      ];
    }
    const enabling = dto.enabled === true && !row.enabled;
    await this.orm.em.fork().execute(
      `update webhook_endpoints set url = ?, description = ?, event_types = (select array_agg(x) from jsonb_array_elements_text(?::jsonb) x), enabled = ?, secrets = ?::jsonb,
         disabled_reason = case when ? then null else disabled_reason end,
         failing_since = case when ? then null else failing_since end, updated_at = now()
       where id = ?`,
      [
        dto.url ?? row.url,
        dto.description ?? row.description,
        JSON.stringify((dto.event_types !== undefined ? dto.event_types : row.event_types) ?? []),
        dto.enabled ?? row.enabled,
        JSON.stringify(secrets),
        enabling,
        enabling,
        id,
      ],
    );
    return { ...(await this.get(id)), ...(secret ? { secret } : {}) };
  }

  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.orm.em.fork().execute('delete from webhook_endpoints where id = ?', [id]);
  }

  /** Newest deliveries first, each with its attempts. */
  async deliveries(id: string, q: { status?: string; limit?: number }): Promise<{ deliveries: unknown[] }> {
    await this.find(id);
    const em = this.orm.em.fork();
    const rows: Array<Record<string, unknown> & { id: string }> = await em.execute(
      `select id, event_id, event_type, job_id, status, attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at
         from webhook_deliveries where endpoint_id = ? and (?::text is null or status = ?) order by id desc limit ?`,
      [id, q.status ?? null, q.status ?? null, q.limit ?? 50],
    );
    const attempts: Array<Record<string, unknown> & { delivery_id: string }> =
      rows.length === 0
        ? []
        : await em.execute(
            `select delivery_id, attempt, started_at, duration_ms, outcome, response_status, response_excerpt, error, address
               from webhook_attempts where delivery_id in (?) order by id`,
            [rows.map((r) => r.id)],
          );
    return {
      deliveries: rows.map((r) => ({
        id: String(r.id),
        event_id: r.event_id,
        event_type: r.event_type,
        job_id: r.job_id,
        status: r.status,
        attempts: r.attempts,
        next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
        last_status_code: r.last_status_code,
        last_error: r.last_error,
        created_at: iso(r.created_at),
        delivered_at: iso(r.delivered_at),
        attempt_log: attempts
          .filter((a) => String(a.delivery_id) === String(r.id))
          .map(({ delivery_id: _d, started_at: startedAt, ...a }) => ({ ...a, started_at: iso(startedAt) })),
      })),
    };
  }

  /**
   * Sends a delivery again now, with the same `webhook-id` and a fresh retry schedule.
   * @throws AppError NOT_FOUND when the delivery is not this endpoint's
   */
  async resend(id: string, deliveryId: string): Promise<{ delivery_id: string; status: 'pending' }> {
    await this.find(id);
    if (!/^\d+$/.test(deliveryId)) throw new AppError('NOT_FOUND', `delivery ${deliveryId} not found`, { details: { delivery_id: deliveryId } });
    const rows: unknown[] = await this.orm.em.fork().execute(
      `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(), claimed_until = null, updated_at = now()
         where id = ? and endpoint_id = ? returning id`,
      [deliveryId, id],
    );
    if (rows.length === 0) throw new AppError('NOT_FOUND', `delivery ${deliveryId} not found`, { details: { delivery_id: deliveryId } });
    this.dispatcher.kick();
    return { delivery_id: deliveryId, status: 'pending' };
  }

  /** Re-queues every failed delivery of events since `since` (after an outage on the receiver's side). */
  async recover(id: string, since: string): Promise<{ requeued: number }> {
    await this.find(id);
    const rows: unknown[] = await this.orm.em.fork().execute(
      `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(), claimed_until = null, updated_at = now()
         where endpoint_id = ? and status = 'failed' and created_at >= ? returning id`,
      [id, new Date(since)],
    );
    this.dispatcher.kick();
    return { requeued: rows.length };
  }

  private async find(id: string): Promise<EndpointRow> {
    if (!UUID.test(id)) throw new AppError('INVALID_INPUT', 'webhook id must be a UUID', { details: { id } });
    const rows: EndpointRow[] = await this.orm.em.fork().execute('select * from webhook_endpoints where id = ? and job_id is null', [id]);
    if (!rows[0]) throw new AppError('NOT_FOUND', `webhook ${id} not found`, { details: { id } });
    return rows[0];
  }
}

function iso(v: unknown): string | null {
  return v ? new Date(v as string).toISOString() : null;
}

function toView(r: EndpointRow): WebhookEndpointView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    event_types: r.event_types,
    enabled: r.enabled,
    disabled_reason: r.disabled_reason,
    failing_since: iso(r.failing_since),
    secrets: (r.secrets ?? []).map((s) => ({ prefix: `${s.secret.slice(0, 10)}…`, created_at: s.created_at, expires_at: s.expires_at })),
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}
