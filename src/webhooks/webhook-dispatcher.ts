import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EVENT_SCHEMA_VERSION, type JobEvent } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay, enqueueOutbox } from '../messaging/outbox.relay';
import { runPullConsumer, type RunningConsumer } from '../messaging/pull-consumer';
import { AllowList, checkTarget, TargetRefusedError, type Resolver } from './address-guard';
import { activeSecrets, afterAttempt, filterAccepts, toWebhookPayload, type EndpointSecret } from './webhook-policy';
import { sendWebhook, signatureHeader, type SendResult } from './webhook-sender';

/** Durable consumer of job events that fans them out into deliveries. */
export const WEBHOOK_FANOUT_DURABLE = 'webhook_fanout';
/** Fallback poll of due deliveries (retries written by any process), milliseconds. */
const IDLE_POLL_MS = 500;

interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: unknown;
  attempts: number;
}

interface TargetRow {
  id: string;
  url: string;
  enabled: boolean;
  secrets: EndpointSecret[];
  failing_since: Date | null;
}

/**
 * Delivers job events to webhooks (docs/events.md, "Webhooks"), in the orchestrator role, in two halves:
 * - **fan-out**: a durable JetStream consumer on every job event (`<p>.evt.job.>`, so new event types flow
 *   through without change) writes one `webhook_deliveries` row per matching endpoint (`unique (endpoint_id,
 *   event_id)`, so a redelivered event adds nothing) and acks after the commit;
 * - **dispatch**: a loop claims due rows with `FOR UPDATE SKIP LOCKED` and a lease (attempt timeout + 10 s),
 *   sends them, records the attempt and sets the next attempt time from the retry schedule.
 * Hours-long retries live in PostgreSQL rather than in NATS redeliveries; a process killed mid-attempt
 * leaves the row claimed until its lease ends, and then any dispatcher sends it again with the same
 * `webhook-id` (the event id): at least once.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: RunningConsumer;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly allow: AllowList;
  /** Replaced by tests that need a resolver they control (DNS rebinding). */
  resolver?: Resolver;

  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.allow = new AllowList(config.push.allowedHosts);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.includes('orchestrator')) return;
    const s = this.nats.subjects;
    await this.nats.ensureConsumer(s.eventStream, WEBHOOK_FANOUT_DURABLE, s.jobEventFilter, { ack_wait: 30e9 });
    // One slot: rows are written in stream order, which dispatch keeps per endpoint.
    this.consumer = runPullConsumer({
      js: this.nats.js,
      nc: this.nats.connection,
      stream: s.eventStream,
      durable: WEBHOOK_FANOUT_DURABLE,
      slots: 1,
      logger: this.logger,
      handler: async (msg) => {
        await this.fanOut(msg.json<JobEvent>());
        return { action: 'ack' };
      },
    });
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.consumer?.stop();
    await this.loop?.catch(() => undefined);
  }

  /** Asks the dispatch loop to look for due deliveries now. */
  kick(): void {
    this.wake?.();
  }

  /**
   * Writes the deliveries of one job event: registers a per-job webhook on `job.created` when asked for,
   * then one row per enabled endpoint whose filter takes the type. Idempotent.
   */
  async fanOut(event: JobEvent): Promise<number> {
    const em = this.orm.em.fork();
    const hook = event.type === 'job.created' ? (event as JobEvent<'created'>).data.webhook : undefined;
    // Most job events have no endpoint to go to: one read then, not a transaction's three round trips on
    // every event (docs/design/performance.md, "Orchestration"). The writes below are idempotent, so the
    // read needs no transaction around it, and serves the fan-out too; a job.created with its own webhook
    // reads inside, after registering it.
    const known = hook ? null : await this.endpointsFor(em, event);
    if (known && !known.some((x) => filterAccepts(x.event_types, event.type))) return 0;
    let created = 0;
    await em.transactional(async (tx) => {
      if (hook) {
        await tx.execute(
          `insert into webhook_endpoints (id, job_id, url, event_types) values (?, ?, ?, (select array_agg(x) from jsonb_array_elements_text(?::jsonb) x))
             on conflict (job_id) where job_id is not null do nothing`,
          [randomUUID(), event.job_id, hook.url, JSON.stringify(hook.event_types ?? [])],
        );
      }
      const endpoints = known ?? (await this.endpointsFor(tx, event));
      const payload = JSON.stringify(toWebhookPayload(event, this.config.publicBaseUrl));
      for (const e of endpoints.filter((x) => filterAccepts(x.event_types, event.type))) {
        const rows: unknown[] = await tx.execute(
          `insert into webhook_deliveries (endpoint_id, client_id, event_id, event_type, job_id, payload)
             values (?, ?, ?, ?, ?, ?::jsonb) on conflict (endpoint_id, event_id) do nothing returning id`,
          [e.id, e.client_id, event.event_id, event.type, event.job_id, payload],
        );
        created += rows.length;
      }
    });
    if (created > 0) this.kick();
    return created;
  }

  /** Enabled endpoints that may take the event: global ones and the job's own. */
  private async endpointsFor(em: EntityManager, event: JobEvent): Promise<Array<{ id: string; client_id: string | null; event_types: string[] | null }>> {
    return em.execute(`select id, client_id, event_types from webhook_endpoints where enabled and (job_id is null or job_id = ?)`, [event.job_id]);
  }

  /**
   * Claims and sends one batch of due deliveries.
   * @returns how many were attempted
   */
  async dispatchOnce(): Promise<number> {
    const em = this.orm.em.fork();
    const leaseSeconds = this.config.push.timeoutSeconds + 10;
    const claimed: ClaimedDelivery[] = await em.execute(
      `update webhook_deliveries set claimed_until = now() + make_interval(secs => ?), attempts = attempts + 1, updated_at = now()
         where id in (select id from webhook_deliveries
                       where status = 'pending' and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
                       order by next_attempt_at, id limit ? for update skip locked)
       returning id, endpoint_id, event_id, payload, attempts`,
      [leaseSeconds, this.config.push.concurrency * 4],
    );
    if (claimed.length === 0) return 0;
    claimed.sort((a, b) => Number(a.id) - Number(b.id));
    const targets: TargetRow[] = await em.execute(`select id, url, enabled, secrets, failing_since from webhook_endpoints where id in (?)`, [
      [...new Set(claimed.map((c) => c.endpoint_id))],
    ]);
    const byEndpoint = new Map<string, ClaimedDelivery[]>();
    for (const c of claimed) byEndpoint.set(c.endpoint_id, [...(byEndpoint.get(c.endpoint_id) ?? []), c]);
    // In order per endpoint, endpoints side by side (bounded by the claim size).
    await Promise.all(
      [...byEndpoint.entries()].map(async ([endpointId, list]) => {
        const target = targets.find((t) => t.id === endpointId);
        for (const d of list) await this.attempt(d, target).catch((err: Error) => this.logger.error({ delivery_id: d.id, err: err.message }, 'webhook attempt bookkeeping failed'));
      }),
    );
    return claimed.length;
  }

  private async attempt(d: ClaimedDelivery, target: TargetRow | undefined): Promise<void> {
    const em = this.orm.em.fork();
    if (!target || !target.enabled) {
      await em.execute(`update webhook_deliveries set status = 'failed', last_error = 'endpoint disabled', claimed_until = null, updated_at = now() where id = ?`, [d.id]);
      return;
    }
    const body = typeof d.payload === 'string' ? d.payload : JSON.stringify(d.payload);
    const startedAt = new Date();
    let result: SendResult;
    let address: string | null = null;
    let outcome: 'delivered' | 'failed' | 'refused';
    try {
      const checked = await checkTarget(target.url, { allowHttp: this.config.push.allowHttp, allow: this.allow, resolve: this.resolver });
      address = checked.address;
      const secrets = target.secrets?.length ? activeSecrets(target.secrets, startedAt) : this.config.push.signingSecret ? [this.config.push.signingSecret] : [];
      if (secrets.length === 0) throw new TargetRefusedError(target.url, 'no signing secret (set WEBHOOK_SIGNING_SECRET)');
      const timestamp = new Date();
      const headers = {
        'webhook-id': d.event_id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatureHeader(secrets, d.event_id, timestamp, body),
      };
      result = await sendWebhook(checked, headers, body, this.config.push.timeoutSeconds * 1000);
      outcome = result.status !== null && result.status >= 200 && result.status < 300 ? 'delivered' : 'failed';
    } catch (err) {
      if (!(err instanceof TargetRefusedError)) throw err;
      result = { status: null, excerpt: null, retryAfterSeconds: null, error: err.message, durationMs: Date.now() - startedAt.getTime() };
      outcome = 'refused';
    }
    const verdict = afterAttempt(result, d.attempts, this.config.push.retryScheduleSeconds, Math.random());
    let disabled: string | null = null;
    await em.transactional(async (tx) => {
      await tx.execute(
        `insert into webhook_attempts (delivery_id, attempt, started_at, duration_ms, outcome, response_status, response_excerpt, error, address)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [d.id, d.attempts, startedAt, result.durationMs, outcome, result.status, result.excerpt, result.error, address],
      );
      const lastError = result.error ?? (result.status !== null ? `HTTP ${result.status}` : null);
      if (verdict.kind === 'delivered') {
        await tx.execute(
          `update webhook_deliveries set status = 'delivered', delivered_at = now(), last_status_code = ?, last_error = null, claimed_until = null, updated_at = now() where id = ?`,
          [result.status, d.id],
        );
        await tx.execute(`update webhook_endpoints set failing_since = null where id = ? and failing_since is not null`, [target.id]);
        return;
      }
      if (verdict.kind === 'retry') {
        await tx.execute(
          `update webhook_deliveries set next_attempt_at = now() + make_interval(secs => ?), last_status_code = ?, last_error = ?, claimed_until = null, updated_at = now() where id = ?`,
          [verdict.delaySeconds, result.status, lastError, d.id],
        );
      } else {
        await tx.execute(`update webhook_deliveries set status = 'failed', last_status_code = ?, last_error = ?, claimed_until = null, updated_at = now() where id = ?`, [
          result.status,
          lastError,
          d.id,
        ]);
      }
      const rows: Array<{ failing_since: Date }> = await tx.execute(
        `update webhook_endpoints set failing_since = coalesce(failing_since, ?) where id = ? returning failing_since`,
        [startedAt, target.id],
      );
      const failingForSeconds = (Date.now() - new Date(rows[0]?.failing_since ?? startedAt).getTime()) / 1000;
      if (verdict.kind === 'gone') disabled = 'the endpoint answered 410 Gone';
      else if (failingForSeconds >= this.config.push.disableAfterSeconds) disabled = `failing since ${new Date(rows[0].failing_since).toISOString()}`;
      if (disabled) await this.disable(tx, target.id, disabled);
    });
    if (disabled) this.relay.kick();
    this.logger.info(
      { delivery_id: d.id, endpoint_id: target.id, event_id: d.event_id, attempt: d.attempts, status: result.status, outcome, next: verdict.kind, err: result.error ?? undefined },
      'webhook attempt',
    );
  }

  /** Disables an endpoint and announces it (`webhook.endpoint_disabled`) through the outbox. */
  private async disable(tx: EntityManager, endpointId: string, reason: string): Promise<void> {
    const rows: unknown[] = await tx.execute(
      `update webhook_endpoints set enabled = false, disabled_reason = ?, updated_at = now() where id = ? and enabled returning id`,
      [reason, endpointId],
    );
    if (rows.length === 0) return;
    const at = new Date();
    const id = `webhook.${endpointId}.disabled.${at.getTime()}`;
    enqueueOutbox(tx, id, this.nats.subjects.webhookEvent('endpoint_disabled', endpointId), {
      event_id: id,
      type: 'webhook.endpoint_disabled',
      schema_version: EVENT_SCHEMA_VERSION,
      occurred_at: at.toISOString(),
      data: { endpoint_id: endpointId, reason },
    });
    await tx.flush();
    this.logger.warn({ endpoint_id: endpointId, reason }, 'webhook endpoint disabled');
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await this.dispatchOnce();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'webhook dispatch pass failed, will retry');
      }
      if (n > 0) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, IDLE_POLL_MS);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
