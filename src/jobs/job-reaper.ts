import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { GENERATING_STATUSES, sqlStatusList } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { OutboxRelay } from '../messaging/outbox.relay';
import { DUPLICATE_WINDOW_MS } from '../messaging/jetstream.service';
import { JobSagaHandler } from './job-saga.handler';
import { stageRequestMessageId } from './job-saga';

/**
 * Watches for stuck work (docs/design/saga.md, "Stuck work"), in the orchestrator role:
 * - a generating (processing) job without progress for JOB_STALL_TIMEOUT_SECONDS fails with TIMEOUT; a job
 *   waiting for approval is not stalled (it holds nothing), but expires to cancelled after APPROVAL_TTL_HOURS;
 * - a processing job quiet for longer than the JetStream duplicate window plus a lease gets its current
 *   stage requests re-published from the outbox (same ids), because NATS 2.9 may lose recently acked or
 *   stored messages on an OS crash and PostgreSQL must be able to re-drive (docs/design/saga.md, "NATS 2.9.10
 *   behaviours the code relies on"). An attempt that a worker still holds (running, lease live at `now`:
 *   heartbeats extend it) is not re-published, since its request was delivered; should a copy reach a holder
 *   anyway, the lease fences it.
 * Time is passed in, so tests drive it without sleeping.
 */
@Injectable()
export class JobReaper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    private readonly saga: JobSagaHandler,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts the periodic sweep (every 10 s). */
  start(intervalMs = 10_000): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.sweep(new Date())
        .then(() => undefined)
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'reaper sweep failed'))
        .finally(() => (this.running = undefined));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * One sweep at time `now`.
   * @returns ids of jobs timed out and of stage requests re-driven
   */
  async sweep(now: Date): Promise<{ timedOut: string[]; redriven: string[]; expired: string[] }> {
    const em = this.orm.em.fork();
    const generating = sqlStatusList(GENERATING_STATUSES);
    const stallBefore = new Date(now.getTime() - this.config.jobStallTimeoutSeconds * 1000);
    const stuck: Array<{ id: string; current_stage: string | null }> = await em.execute(
      `select id, current_stage from jobs where status in ${generating} and coalesce(last_progress_at, created_at) < ?`,
      [stallBefore],
    );
    const timedOut: string[] = [];
    for (const job of stuck) {
      const d = await this.saga.command(job.id, {
        type: 'job.timeout',
        event_id: `timeout.${job.id}`,
        message: `no progress in ${job.current_stage ?? 'the pipeline'} for ${this.config.jobStallTimeoutSeconds} s`,
      });
      if (d.kind === 'applied') timedOut.push(job.id);
    }

    const quietBefore = new Date(now.getTime() - DUPLICATE_WINDOW_MS + 2 * this.config.stageLeaseSeconds * 1000);
    const quiet: Array<{ id: string; attempts: Record<string, string>; clips: unknown[]; stills: unknown[]; cuts: { outcomes: unknown[] } | null; current_stage: string | null }> = await em.execute(
      `select id, attempts, clips, stills, cuts, current_stage from jobs where status in ${generating} and coalesce(last_progress_at, created_at) < ?`,
      [quietBefore],
    );
    const pending: string[] = [];
    for (const job of quiet) {
      for (const [key, attemptId] of Object.entries(job.attempts)) {
        const [stage, scene] = key.split('.');
        if (stage !== job.current_stage) continue;
        const done = stage === 'storyboard' ? job.stills : stage === 'composition' ? (job.cuts?.outcomes ?? []) : job.clips;
        if (scene !== undefined && done[Number(scene)]) continue;
        pending.push(attemptId);
      }
    }
    const held = await this.liveLeases(em, pending, now);
    const redriven: string[] = [];
    for (const attemptId of pending) {
      if (held.has(attemptId)) continue;
      const id = stageRequestMessageId(attemptId);
      if (await this.relay.outbox.redrive(id, quietBefore)) redriven.push(id);
    }
    if (redriven.length > 0) {
      this.logger.warn({ requests: redriven }, 're-driving stage requests of quiet jobs');
      this.relay.kick();
    }
    const expired = await this.expireUnapproved(em, now);
    await this.saga.startQueued();
    return { timedOut, redriven, expired };
  }

  /**
   * The attempts among `attemptIds` that a worker still holds at `now`: running, with a lease that its
   * heartbeats keep extending. A clip of a hosted model can wait minutes without job progress; its request
   * was not lost, and re-publishing it would only have the holder answer "a live worker holds it" and nak
   * (docs/design/performance.md, "Fourth pass": re-drives of live leases).
   */
  private async liveLeases(em: ReturnType<MikroORM['em']['fork']>, attemptIds: string[], now: Date): Promise<Set<string>> {
    if (attemptIds.length === 0) return new Set();
    const rows: Array<{ attempt_id: string }> = await em.execute(
      `select attempt_id from stage_attempts where attempt_id in (?) and status = 'running' and lease_until > ?`,
      [attemptIds, now],
    );
    return new Set(rows.map((r) => r.attempt_id));
  }

  /** Cancels storyboards left unapproved past APPROVAL_TTL_HOURS (cost kept). @returns their job ids */
  private async expireUnapproved(em: ReturnType<MikroORM['em']['fork']>, now: Date): Promise<string[]> {
    const ttlHours = this.config.approvalTtlHours;
    const waitingBefore = new Date(now.getTime() - ttlHours * 3600 * 1000);
    const waiting: Array<{ id: string }> = await em.execute(
      `select id from jobs where status = 'storyboard_complete' and awaiting_approval_since < ?`,
      [waitingBefore],
    );
    const expired: string[] = [];
    for (const job of waiting) {
      const d = await this.saga.command(job.id, {
        type: 'job.expire',
        event_id: `expire.${job.id}`,
        message: `the storyboard was not approved within ${ttlHours} h (APPROVAL_TTL_HOURS)`,
      });
      if (d.kind === 'applied') expired.push(job.id);
    }
    return expired;
  }
}

