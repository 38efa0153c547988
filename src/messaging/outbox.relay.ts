import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { crashPoint } from '../common/crash-points';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from './jetstream.service';
import { OutboxRepository } from './outbox.repository';
import { MetricsService } from '../metrics/metrics.service';

/** Claim length: a relay that dies mid-batch leaves rows that another relay retakes after this. */
const CLAIM_SECONDS = 15;
const BATCH = 100;
/** Fallback poll when no commit kicked the relay (for rows written by other processes). */
const IDLE_POLL_MS = 250;

export { enqueueOutbox } from './outbox.repository';


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
  /** The table this relay publishes; also used by the reaper to re-drive lost requests. */
  readonly outbox: OutboxRepository;

  constructor(
    orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.outbox = new OutboxRepository(orm);
  }

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
    // Commit order: per job, transitions are serialised by the row lock, so seq order is causal.
    const rows = await this.outbox.claimBatch(BATCH, CLAIM_SECONDS);
    if (rows.length === 0) return 0;
    const published: string[] = [];
    try {
      // Pipelined: every publish of the batch is sent before the first PubAck returns, in seq order on the one
      // connection, so the stream stores them in that order; one round trip per batch instead of one per row
      // (docs/design/performance.md, "Orchestration"). Only acked rows are marked; the rest are released below
      // and retaken, and JetStream's duplicate window drops a re-publish of a row that was stored after all.
      // A failed publish in mid-batch lets the rows after it be stored first: job events carry their
      // `version` to order by (docs/events.md), as they must anyway with several relays sharing the table.
      const acks = await Promise.allSettled(rows.map((row) => this.nats.publish(row.subject, row.payload, row.id)));
      let firstError: Error | undefined;
      let transition = false;
      acks.forEach((a, i) => {
        if (a.status === 'rejected') {
          firstError ??= a.reason instanceof Error ? a.reason : new Error(String(a.reason));
          return;
        }
        published.push(rows[i].id);
        // Not on progress ticks: see the saga consumer's crash point (docs/design/saga.md, "Crash testing").
        if ((rows[i].payload as { type?: string }).type !== 'job.progress') transition = true;
      });
      if (transition) crashPoint('relay.after-publish-before-mark');
      if (firstError !== undefined) throw firstError;
    } finally {
      if (published.length > 0) {
        await this.outbox.markPublished(published);
        this.metrics.outboxPublished.inc(published.length);
      }
      if (published.length < rows.length) {
        await this.outbox.releaseClaims(rows.filter((r) => !published.includes(r.id)).map((r) => r.id)).catch(() => undefined);
      }
    }
    return published.length;
  }

  /** Rows committed but not yet published (for tests, metrics and the crash-test invariants). */
  async pendingCount(): Promise<number> {
    return this.outbox.pendingCount();
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
    await this.outbox.deletePublishedBefore1Day();
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
