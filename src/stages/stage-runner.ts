import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Subscription } from '@nats-io/transport-node';
import { mkdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import type { Logger } from 'pino';
import {
  EVENT_SCHEMA_VERSION,
  STAGE_FAILURE_CODE,
  STAGES,
  type ErrorCode,
  type StageCompleted,
  type StageFailed,
  type StageName,
  type StageRequested,
} from '@app/contracts';
import { APP_CONFIG, attemptWorkDir, type AppConfig } from '../../config/app.config';
import { AppError, CancelledError, throwIfAborted } from '../common/app-error';
import { crashPoint } from '../common/crash-points';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay } from '../messaging/outbox.relay';
import { runPullConsumer, type PulledMsg, type RunningConsumer, type Settlement } from '../messaging/pull-consumer';
import { MetricsService } from '../metrics/metrics.service';
import type { ProviderContext } from '../providers/ports';
import { STAGE_HANDLERS, type StageHandler } from './stage-handler';
import { ProgressReporter } from './progress-reporter';
import { StageCache } from './stage-cache';
import { StageArtifacts, type StagingScope } from './stage-artifacts';
import { StageAttemptsRepository } from './stage-attempts.repository';
import { decideClaim, decideFailure, type AbortReason } from './stage-decision';
import { roundUsd } from '../common/money';

/** Codes a failed stage may report as they are; anything else becomes the stage's own failure code. */
const PASS_THROUGH_CODES: ReadonlySet<ErrorCode> = new Set([
  'TIMEOUT',
  'RATE_LIMIT_EXCEEDED',
  'SERVICE_UNAVAILABLE',
  'COST_LIMIT_EXCEEDED',
  ...Object.values(STAGE_FAILURE_CODE),
] as ErrorCode[]);

/** Durable consumer name of a stage's workers. */
export function stageDurable(stage: StageName): string {
  return `stage_${stage}`;
}

/**
 * Maps a provider error to the stage failure a job reports (docs/providers.md, "Error codes"; details
 * `{service, attempts, last_error}` as in the failed job's `error`, docs/api.md "GET /api/v1/jobs/{job_id}").
 */
export function toStageFailure(stage: StageName, provider: string, err: unknown, attempts: number): StageFailed['data']['error'] {
  if (err instanceof AppError) {
    const code = PASS_THROUGH_CODES.has(err.code) ? err.code : (STAGE_FAILURE_CODE[stage] as ErrorCode);
    return {
      code,
      message: err.message,
      retryable: err.retryable,
      details: { service: provider, attempts, last_error: err.message, ...err.details },
    };
  }
  return {
    code: STAGE_FAILURE_CODE[stage] as ErrorCode,
    message: `${stage} failed: ${(err as Error)?.message ?? String(err)}`,
    retryable: false,
    details: { service: provider, attempts, last_error: (err as Error)?.message ?? String(err) },
  };
}

/**
 * The stages role: pulls stage requests, one durable per stage, and runs them through their handlers with
 * at-least-once semantics made safe by the `stage_attempts` table:
 * - a lease (renewed with `msg.working()` on every heartbeat) tells a redelivered copy whether a live worker
 *   holds the attempt; NATS acks are not trusted as a fence (nats-server #4786);
 * - the result is written with its outbox row in one transaction, so a crash after that commit re-announces
 *   the stored result instead of running (and paying) again;
 * - a job that ends (cancelled or failed) aborts its in-flight attempts through their AbortSignal.
 * Attempts are counted in the database, not by NATS max_deliver (2.9 keeps such messages occupying a slot).
 */
@Injectable()
export class StageRunner {
  private readonly handlers = new Map<StageName, StageHandler>();
  private consumers: RunningConsumer[] = [];
  private readonly inFlight = new Map<string, Set<AbortController>>();
  private subscriptions: Subscription[] = [];
  private readonly owner = `${os.hostname()}:${process.pid}`;
  private readonly progress: ProgressReporter;
  private readonly attempts: StageAttemptsRepository;

  constructor(
    orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly metrics: MetricsService,
    private readonly cache: StageCache,
    private readonly artifacts: StageArtifacts,
    @Inject(STAGE_HANDLERS) handlers: StageHandler[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    for (const h of handlers) {
      if (this.handlers.has(h.stage)) throw new Error(`two handlers for stage ${h.stage}`);
      this.handlers.set(h.stage, h);
    }
    this.progress = new ProgressReporter(nats, logger);
    this.attempts = new StageAttemptsRepository(orm, this.owner, config.stageLeaseSeconds);
    const missing = STAGES.filter((s) => !this.handlers.has(s));
    if (missing.length > 0) throw new Error(`no handler for stage(s): ${missing.join(', ')}`);
  }

  /** Provisions the stage durables, subscribes to job-ending events and starts pulling. */
  async start(): Promise<void> {
    const s = this.nats.subjects;
    for (const type of ['cancelled', 'failed'] as const) {
      const sub = this.nats.connection.subscribe(`${s.prefix}.evt.job.${type}.*`, {
        callback: (_err, msg) => {
          const jobId = msg.subject.split('.').pop() ?? '';
          this.abortJob(jobId, 'job-ended');
        },
      });
      this.subscriptions.push(sub);
    }
    for (const stage of STAGES) {
      await this.nats.ensureConsumer(s.workStream, stageDurable(stage), s.stageRequestFilter(stage), {
        ack_wait: this.config.stageLeaseSeconds * 1e9,
      });
      this.consumers.push(
        runPullConsumer({
          js: this.nats.js,
          nc: this.nats.connection,
          stream: s.workStream,
          durable: stageDurable(stage),
          slots: this.config.stageConcurrency[stage],
          logger: this.logger,
          handler: (msg) => this.handle(stage, msg),
        }),
      );
    }
  }

  /** Stops pulling, aborts in-flight attempts (their leases are released so another worker retakes them). */
  async stop(): Promise<void> {
    for (const id of [...this.inFlight.keys()]) this.abortJob(id, 'shutdown');
    await Promise.all(this.consumers.map((c) => c.stop()));
    this.consumers = [];
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions = [];
  }

  private abortJob(jobId: string, reason: AbortReason): void {
    for (const ac of this.inFlight.get(jobId) ?? []) ac.abort(reason);
  }

  private async handle(stage: StageName, msg: PulledMsg): Promise<Settlement> {
    const req = msg.json<StageRequested>();
    const { attempt_id: attemptId, scene_index: sceneIndex } = req.data;
    const jobId = req.job_id;
    const log = this.logger.child({ job_id: jobId, stage, attempt_id: attemptId, ...(sceneIndex !== null ? { scene_index: sceneIndex } : {}) });
    const handler = this.handlers.get(stage)!;

    const claim = await this.attempts.claimAttempt({ attemptId, jobId, stage, sceneIndex });
    const decision = decideClaim(claim, claim ? null : await this.attempts.leaseOf(attemptId), this.config.stageMaxDeliver);
    if (decision.kind === 'already-finished') return { action: 'ack' }; // its result is in the outbox
    if (decision.kind === 'wait') return { action: 'nak', delayMs: decision.delayMs }; // a live worker holds it
    const { deliveries, resumeToken, carriedCostUsd: carriedCost, carriedCalls } = claim!;
    if (decision.kind === 'give-up') {
      const err = new AppError(STAGE_FAILURE_CODE[stage] as ErrorCode, `${stage} was retaken ${deliveries - 1} times without finishing`, {
        details: { reason: 'worker lost repeatedly' },
      });
      await this.finish(req, 'failed', handler.providerName, {
        error: toStageFailure(stage, handler.providerName, err, carriedCalls),
        cost: carriedCost,
        seconds: 0,
        attempts: carriedCalls,
      });
      return { action: 'term' };
    }
    if (decision.redelivered) {
      this.metrics.stageRedeliveries.inc({ stage });
      log.warn({ deliveries }, 'stage request redelivered: retaking the attempt');
    }

    const ac = new AbortController();
    const set = this.inFlight.get(jobId) ?? new Set<AbortController>();
    set.add(ac);
    this.inFlight.set(jobId, set);
    const workDir = attemptWorkDir(this.config.artifactDir, jobId, stage, sceneIndex);
    await mkdir(workDir, { recursive: true });

    // One lease extension (an UPDATE and a `working()`) per third of the lease, whoever calls: the timer below
    // or the provider's own heartbeats (the sim providers' every 5 s). Spacing them by 2 s instead tripled the
    // statements of a long wait, which at 1 000 jobs in flight outnumbered the transitions
    // (docs/design/performance.md, "Orchestration"); a third of the lease still leaves two thirds of slack.
    const beatEveryMs = (this.config.stageLeaseSeconds * 1000) / 3;
    let lastBeat = 0;
    const heartbeat = (): void => {
      const now = Date.now();
      // The timer of `beatEveryMs` may fire a little early against a provider's beat: 10 % of slack.
      if (now - lastBeat < beatEveryMs * 0.9) return;
      lastBeat = now;
      crashPoint('stage.mid-work');
      try {
        msg.working();
      } catch {
        /* connection down: the lease in the database still fences the attempt */
      }
      void this.attempts
        .extendLease(attemptId)
        .then((held) => {
          if (!held) ac.abort('lease-lost');
        })
        .catch(() => undefined);
    };
    const beat = setInterval(heartbeat, beatEveryMs);
    const scope: StagingScope = { jobId, stage, attemptId, workDir, signal: ac.signal };
    let stagedKeys: ReadonlyMap<string, string> = new Map();
    const ctx: ProviderContext = {
      jobId,
      attemptId,
      signal: ac.signal,
      workDir,
      heartbeat,
      resumeToken,
      saveResumeToken: async (token: string) => {
        crashPoint('stage.after-submit-before-token');
        await this.attempts.saveResumeToken(attemptId, token);
      },
      reportProgress: this.progress.forAttempt(req, Date.now()),
      shareUrl: (uri: string) => this.artifacts.shareUrl(uri, stagedKeys, scope),
    };

    const started = Date.now();
    try {
      log.info({ provider: handler.providerName }, 'stage attempt started');
      // Handlers and the cache see `file://` paths in the work dir; the store is crossed only here
      // (docs/design/artifacts.md, "Stage artifacts").
      const staged = await this.artifacts.stageIn(req.data.input, scope);
      stagedKeys = staged.keys;
      // Identical inputs reuse a stored output at cost 0 (docs/design/cache.md).
      const { result, cached } = await this.cache.run(handler, staged.input, ctx, log);
      const output = await this.artifacts.stageOut(result.output, scope);
      // The job ended while this attempt put its files: the cancelled branch below removes them. (A shutdown
      // or a lost lease keeps the finished result: it is paid for.)
      if (ac.signal.reason === 'job-ended') throwIfAborted(ac.signal);
      const seconds = (Date.now() - started) / 1000;
      this.metrics.stageDuration.observe({ stage, provider: result.provider, outcome: cached ? 'cached' : 'completed' }, seconds);
      this.metrics.stageCost.inc({ stage, provider: result.provider }, result.costUsd);
      const stored = await this.finish(req, 'completed', result.provider, {
        output,
        cost: roundUsd(result.costUsd + carriedCost),
        seconds: result.processingTimeSeconds,
        attempts: (result.attempts ?? 1) + carriedCalls,
        cached,
      });
      log.info({ provider: result.provider, cost: result.costUsd, duration_seconds: seconds, stored, cached }, 'stage attempt completed');
      crashPoint('stage.after-commit-before-ack');
      return { action: 'ack' };
    } catch (err) {
      const seconds = (Date.now() - started) / 1000;
      const calls = ((err as { attempts?: number }).attempts ?? 1) + carriedCalls;
      const partialCost = roundUsd(((err as { costUsd?: number }).costUsd ?? 0) + carriedCost);
      const failure = toStageFailure(stage, handler.providerName, err, calls);
      const next = decideFailure(
        {
          abortReason: ac.signal.aborted ? (ac.signal.reason as AbortReason) : null,
          cancelled: err instanceof CancelledError,
          retryable: failure.retryable,
          deliveries,
        },
        this.config.stageTransientRetries,
        this.config.stageTransientRetryDelaySeconds,
      );
      switch (next.kind) {
        case 'hand-off':
          await this.attempts.releaseLease(attemptId).catch(() => undefined);
          return { action: 'nak', delayMs: next.delayMs };
        case 'cancelled':
          this.metrics.stageDuration.observe({ stage, provider: handler.providerName, outcome: 'cancelled' }, seconds);
          await this.attempts.markCancelled(attemptId);
          await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
          // What this attempt may have put after the API removed the job's artifacts.
          if (this.artifacts.throughStore) await this.artifacts.deleteJob(jobId).catch(() => undefined);
          log.info('stage attempt aborted: job ended');
          return { action: 'ack' };
        case 'lease-lost':
          log.warn('lease lost to another worker; dropping this attempt');
          return { action: 'ack' };
        case 'requeue':
          // The provider's own retries are spent: redeliver later, carrying what it billed.
          this.metrics.stageDuration.observe({ stage, provider: handler.providerName, outcome: 'failed' }, seconds);
          await this.attempts.requeueTransient(attemptId, partialCost, calls);
          log.warn({ code: failure.code, err: failure.message, calls, retry_in_ms: next.delayMs }, 'stage attempt failed transiently; re-queued');
          return { action: 'nak', delayMs: next.delayMs };
        case 'fail':
          break; // failed for good: recorded below
      }
      this.metrics.stageDuration.observe({ stage, provider: handler.providerName, outcome: 'failed' }, seconds);
      log.error({ code: failure.code, err: failure.message, attempts: calls }, 'stage attempt failed');
      await this.finish(req, 'failed', handler.providerName, { error: failure, cost: partialCost, seconds, attempts: calls });
      return { action: 'ack' };
    } finally {
      clearInterval(beat);
      set.delete(ac);
      if (set.size === 0) {
        this.inFlight.delete(jobId);
        this.progress.release(jobId);
      }
    }
  }

  /**
   * Stores the attempt's outcome and its result event in one transaction, fenced by the lease owner.
   * @returns false when another worker had already finished or retaken the attempt (nothing written)
   */
  private async finish(
    req: StageRequested,
    outcome: 'completed' | 'failed',
    provider: string,
    r: { output?: unknown; error?: StageFailed['data']['error']; cost: number; seconds: number; attempts: number; cached?: boolean },
  ): Promise<boolean> {
    const { stage, attempt_id: attemptId, scene_index: sceneIndex } = req.data;
    const id = `res.${attemptId}`;
    const base = {
      event_id: id,
      schema_version: EVENT_SCHEMA_VERSION as typeof EVENT_SCHEMA_VERSION,
      occurred_at: new Date().toISOString(),
      job_id: req.job_id,
    };
    const accounting = { cost_usd: r.cost, processing_time_seconds: r.seconds, provider, attempts: r.attempts };
    const event: StageCompleted | StageFailed =
      outcome === 'completed'
        ? {
            ...base,
            type: 'stage.completed',
            data: { ...accounting, stage, attempt_id: attemptId, scene_index: sceneIndex, output: r.output as never, ...(r.cached ? { cached: true } : {}) },
          }
        : { ...base, type: 'stage.failed', data: { ...accounting, stage, attempt_id: attemptId, scene_index: sceneIndex, error: r.error! } };
    const stored = await this.attempts.storeOutcome({
      attemptId,
      status: outcome === 'completed' ? 'succeeded' : 'failed',
      provider,
      event,
      outboxId: id,
      subject: this.nats.subjects.stageResult(outcome, stage, req.job_id),
    });
    if (stored) this.relay.kick();
    return stored;
  }
}

