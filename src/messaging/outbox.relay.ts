import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { crashPoint } from '../common/crash-points';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from './jetstream.service';
import { OutboxMessage } from './outbox.entity';
import { MetricsService } from '../metrics/metrics.service';

/** Claim length: a relay that dies mid-batch leaves rows that another relay retakes after this. */
const CLAIM_SECONDS = 15;
const BATCH = 100;
/** Fallback poll when no commit kicked the relay (for rows written by other processes). */
const IDLE_POLL_MS = 250;

/**
 * Writes outbox rows inside the caller's transaction (design/saga.md, "Transactional outbox").
 * @param em the transactional EntityManager of the state change
 * @param id deterministic id; becomes the `Nats-Msg-Id`
 */
export function enqueueOutbox(em: EntityManager, id: string, subject: string, payload: unknown): void {
  em.persist(new OutboxMessage(id, subject, payload));
}

/**
 * Publishes committed outbox rows to JetStream. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a short
 * claim lease, published outside any transaction with `Nats-Msg-Id = id`, then marked published; several
 * relays (one per process) share the work, and a crash anywhere leads to a re-publish that JetStream's
 * duplicate window and the consumers' inboxes drop. No event is lost between a commit and its publish.
 */
@Injectable()
export class OutboxRelay {
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private lastCleanup = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts the background loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks the loop to look now (called after a commit that wrote outbox rows). */
  kick(): void {
    this.wake?.();
  }

  /**
   * Publishes one batch.
   * @returns the number of rows published
   */
  async drainOnce(): Promise<number> {
    const em = this.orm.em.fork();
    const rows: Array<{ id: string; subject: string; payload: unknown; seq: string }> = await em.execute(
      `update outbox set claimed_until = now() + interval '${CLAIM_SECONDS} seconds', publish_attempts = publish_attempts + 1
         where id in (select id from outbox
                       where published_at is null and (claimed_until is null or claimed_until < now())
                       order by seq limit ${BATCH} for update skip locked)
       returning id, subject, payload, seq`,
    );
    if (rows.length === 0) return 0;
    // Publish in commit order: per job, transitions are serialised by the row lock, so seq order is causal.
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const published: string[] = [];
    try {
      for (const row of rows) {
        const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
        await this.nats.publish(row.subject, payload, row.id);
        // Not on progress ticks: see the saga consumer's crash point (docs/design/saga.md, "Crash testing").
        if ((payload as { type?: string }).type !== 'job.progress') crashPoint('relay.after-publish-before-mark');
        published.push(row.id);
      }
    } finally {
      if (published.length > 0) {
        await em.execute(`update outbox set published_at = now(), claimed_until = null where id in (?)`, [published]);
        this.metrics.outboxPublished.inc(published.length);
      }
      const failed = rows.length - published.length;
      if (failed > 0) {
        // Release what we could not publish so the next pass (ours or another relay's) retakes it at once.
        const rest = rows.filter((r) => !published.includes(r.id)).map((r) => r.id);
        await em.execute(`update outbox set claimed_until = null where id in (?)`, [rest]).catch(() => undefined);
      }
    }
    return published.length;
  }

  /** Rows committed but not yet published (for tests, metrics and the crash-test invariants). */
  async pendingCount(): Promise<number> {
    const res: Array<{ n: string }> = await this.orm.em.fork().execute('select count(*) as n from outbox where published_at is null');
    return Number(res[0]?.n ?? 0);
  }

  private async run(): Promise<void> {
    let backoffMs = IDLE_POLL_MS;
    while (this.running) {
      try {
        const n = await this.drainOnce();
        backoffMs = IDLE_POLL_MS;
        if (n > 0) continue;
        await this.cleanup();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'outbox relay: publish pass failed, will retry');
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoffMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Deletes rows published more than a day ago, at most once a minute. */
  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.orm.em.fork().execute(`delete from outbox where published_at < now() - interval '1 day'`);
  }

  /** Stops the loop after one last pass, so rows committed during shutdown still go out when NATS is up. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.drainOnce().catch(() => undefined);
  }
}
