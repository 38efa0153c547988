import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { GENERATING_STATUSES, isGeneratingStatus, sqlStatusList, type SagaInbound, type StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { BudgetService } from '../access/budget.service';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay } from '../messaging/outbox.relay';
import { MetricsService } from '../metrics/metrics.service';
import { CostEstimator } from './cost-estimator';
import { v2Links } from './links';
import type { Job } from './job.entity';
import { JobRows, type TransitionRow } from './job-rows';
import { decide, totalCost, type Decision, type JobState, type SagaCommand, type SagaContext } from './job-saga';

/** Advisory lock key serialising job starts across processes (MAX_CONCURRENT_JOBS holds globally). */
const START_LOCK_KEY = 724_300_1;

/**
 * Runs the saga: one short transaction per inbound event or command that records the message in the inbox
 * (duplicates become no-ops), locks the job row, applies the pure {@link decide}, writes the new state, a
 * transition row and the outbox rows, then commits (docs/design/saga.md, "Exactly-once effect on job state").
 * The only writer of job state.
 */
@Injectable()
export class JobSagaHandler {
  /** The job row's targeted SQL (one statement to lock, one to write). */
  private readonly rows: JobRows;

  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly metrics: MetricsService,
    private readonly costs: CostEstimator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly budget: BudgetService,
  ) {
    this.rows = new JobRows(orm);
  }

  /**
   * Applies one event from the streams. Safe to call again with the same event (inbox dedup).
   * @param consumer the consuming durable's name: the inbox key's scope
   */
  async handleEvent(consumer: string, event: SagaInbound): Promise<Decision> {
    if (event.type === 'job.created') {
      // A new job starts when a slot is free; otherwise it waits in `queued` and starts in creation order.
      return this.transact(event.job_id, { consumer, id: event.event_id }, null, event.type);
    }
    return this.transact(event.job_id, { consumer, id: event.event_id }, event, event.type);
  }

  /**
   * Applies a command from the API or the reaper.
   * @returns the decision; `rejected` with CONFLICT when cancelling a finished job, `ignored` when unknown
   */
  async command(jobId: string, command: SagaCommand): Promise<Decision> {
    return this.transact(jobId, null, command, command.type);
  }

  /** Starts queued jobs while slots are free (called at startup and by the reaper too). */
  async startQueued(): Promise<number> {
    const em = this.orm.em.fork();
    let started = 0;
    await em.transactional(async (tx) => {
      started = await this.promoteQueued(tx);
    });
    if (started > 0) this.relay.kick();
    return started;
  }

  private async transact(
    jobId: string,
    inbox: { consumer: string; id: string } | null,
    input: SagaInbound | SagaCommand | null,
    type: string,
  ): Promise<Decision> {
    const em = this.orm.em.fork();
    let decision: Decision = { kind: 'ignored', reason: 'not processed' };
    let promoted = 0;
    let finished: { status: string; createdAt: Date } | null = null;
    const endTimer = this.metrics.sagaTransaction.startTimer({ type });
    await em.transactional(async (tx) => {
      if (input === null) {
        if (inbox) {
          const rows: unknown[] = await tx.execute(
            'insert into inbox (consumer, message_id) values (?, ?) on conflict do nothing returning message_id',
            [inbox.consumer, inbox.id],
          );
          if (rows.length === 0) {
            decision = { kind: 'ignored', reason: 'duplicate' };
            return;
          }
        }
        promoted = await this.promoteQueued(tx);
        decision = { kind: 'ignored', reason: promoted > 0 ? 'started queued jobs' : 'queued' };
        return;
      }
      // Inbox and row lock in one statement, the writes in another: the unit of work is not used for the job
      // row here, so its JSON columns are neither hydrated into a managed entity nor diffed at flush.
      const locked = await this.rows.lock(tx, jobId, inbox);
      if (locked.kind === 'duplicate') {
        decision = { kind: 'ignored', reason: 'duplicate' };
        return;
      }
      if (locked.kind === 'unknown') {
        decision = { kind: 'ignored', reason: `unknown job ${jobId}` };
        return;
      }
      const job = locked.job;
      const before = job.status;
      const costBefore = Number(job.costTotal);
      decision = await this.applyLocked(tx, job, input);
      // Client and user totals move in the same transaction as the job's cost (docs/security.md, "Budgets").
      await this.budget.recordJobSpend(tx, job, Number(job.costTotal) - costBefore);
      if (decision.kind === 'applied' && decision.terminal) finished = { status: decision.next.status, createdAt: job.createdAt };
      // A slot freed (finished, or waiting for approval) or a job asked for one (render, refine): fill slots in order.
      if (decision.kind === 'applied' && ((isGeneratingStatus(before) && !isGeneratingStatus(decision.next.status)) || decision.next.status === 'queued')) {
        promoted = await this.promoteQueued(tx);
      }
    });
    endTimer();
    return this.afterCommit(jobId, type, decision, promoted, finished);
  }

  private afterCommit(
    jobId: string,
    type: string,
    decision: Decision,
    promoted: number,
    finished: { status: string; createdAt: Date } | null,
  ): Decision {
    this.metrics.sagaEvents.inc({ type, result: decision.kind === 'ignored' ? (decision.reason === 'duplicate' ? 'duplicate' : 'ignored') : decision.kind });
    if (decision.kind === 'applied' || promoted > 0) this.relay.kick();
    if (decision.kind === 'applied') {
      const log = this.logger.child({ job_id: jobId, stage: decision.next.currentStage ?? undefined });
      log.info({ status: decision.next.status, version: decision.next.version, cause: type, cost_total: totalCost(decision.next.costs) }, 'job state changed');
      const spent = totalCost(decision.next.costs);
      if (spent > this.config.costWarningUsd) log.warn({ cost_total: spent, warn_at: this.config.costWarningUsd }, 'job cost past the warning threshold');
    } else if (decision.kind === 'ignored' && decision.reason !== 'duplicate') {
      this.logger.debug({ job_id: jobId, cause: type, reason: decision.reason }, 'saga ignored input');
    }
    if (finished) {
      this.metrics.jobsFinished.inc({ status: finished.status });
      this.metrics.jobDuration.observe({ status: finished.status }, (Date.now() - finished.createdAt.getTime()) / 1000);
    }
    return decision;
  }

  /** Runs `decide` on a job row locked by {@link JobRows.lock} and writes its effects at once, in one statement. */
  private async applyLocked(tx: EntityManager, job: Job, input: SagaInbound | SagaCommand): Promise<Decision> {
    const before = toState(job);
    const decision = decide(before, input, this.context());
    if (decision.kind !== 'applied') return decision;
    const next = decision.next;
    const snapshot = { ...job };
    const now = new Date();
    writeState(job, next, now);
    job.version = next.version;
    await this.rows.write(
      tx,
      snapshot,
      job,
      { ...transitionOf(input, before, next), at: now },
      decision.messages.map((m) => ({ id: m.id, subject: m.subject, payload: m.payload })),
    );
    return decision;
  }

  /**
   * Starts the oldest queued jobs while fewer than MAX_CONCURRENT_JOBS are processing. Serialised across
   * processes by a transaction-scoped advisory lock so two orchestrators never both take the last slot.
   * @returns how many jobs were started
   */
  private async promoteQueued(tx: EntityManager): Promise<number> {
    await tx.execute('select pg_advisory_xact_lock(?)', [START_LOCK_KEY]);
    const running: Array<{ n: string }> = await tx.execute(`select count(*) as n from jobs where status in ${sqlStatusList(GENERATING_STATUSES)}`);
    const free = this.config.maxConcurrentJobs - Number(running[0]?.n ?? 0);
    if (free <= 0) return 0;
    // In the order jobs asked for a slot: creation for new jobs, render or refine for resumed ones. Targeted
    // SQL as for every other transition, not the unit of work: one statement per started job instead of a
    // hydrated entity and a flush of three (docs/design/performance.md, "Fifth pass").
    const queued = await this.rows.lockQueued(tx, free);
    let started = 0;
    for (const job of queued) {
      // A resumed job (after render or refine) starts again: its cause id names the version, so each start is its own.
      const eventId = job.startedAt ? `start.${job.id}.v${job.version}` : `start.${job.id}`;
      const d = await this.applyLocked(tx, job, { type: 'job.start', event_id: eventId });
      if (d.kind === 'applied') started += 1;
    }
    return started;
  }

  private context(): SagaContext {
    const now = new Date();
    return {
      subjects: this.nats.subjects,
      now,
      newId: randomUUID,
      maxParallelClips: this.config.maxParallelVideoGenerations,
      maxCostUsd: this.config.maxCostPerVideoUsd,
      estimateStageCostUsd: (stage, state) => this.costs.estimate(stage, state),
      stageDeadlineMs: (stage: StageName) => now.getTime() + stageBudgetSeconds(this.config.providers.resilience.timeoutSeconds[stage]) * 1000,
      resultUrls: (jobId, apiVersion) => (apiVersion === 2 ? v2Links(this.config.publicBaseUrl, jobId) : resultUrls(this.config.publicBaseUrl, jobId)),
      storyboardImageUrl: (jobId, sceneNumber) => v2Links(this.config.publicBaseUrl, jobId).storyboardImageUrl(sceneNumber),
      variationUrls: (jobId, index) => v2Links(this.config.publicBaseUrl, jobId).variation(index),
    };
  }
}

/** Public URLs of a v1 job's finished files (served by JobsController; v2 links: links.ts). */
export function resultUrls(baseUrl: string, jobId: string): { videoUrl: string; thumbnailUrl: string } {
  return {
    videoUrl: `${baseUrl}/api/v1/jobs/${jobId}/video`,
    thumbnailUrl: `${baseUrl}/api/v1/jobs/${jobId}/thumbnail`,
  };
}

/** A stage request's budget, seconds: ten times the configured per-call timeout, to cover retries and queueing. */
function stageBudgetSeconds(callTimeoutSeconds: number): number {
  return callTimeoutSeconds * 10;
}

/** Maps a `jobs` row to the saga's plain state. */
export function toState(job: Job): JobState {
  return {
    id: job.id,
    status: job.status,
    apiVersion: job.apiVersion === 2 ? 2 : 1,
    options: job.options,
    ...(job.variationIndex > 0 ? { variation: job.variationIndex } : {}),
    request: {
      prompt: job.prompt,
      duration: job.duration,
      aspect_ratio: job.aspectRatio,
      ...(job.brandGuidelines ? { brand_guidelines: job.brandGuidelines } : {}),
    },
    currentStage: job.currentStage,
    stagesCompleted: job.stagesCompleted as StageName[],
    progressPercentage: job.progressPercentage,
    plan: job.parsedData,
    referenceImageUri: job.referenceImageUrl,
    stills: job.stills ?? [],
    stillVariants: job.stillVariants ?? [],
    stillsDispatched: job.stillsDispatched ?? [],
    clips: job.clips,
    scenesTotal: job.scenesTotal,
    scenesDone: job.scenesDone,
    scenesDispatched: job.scenesDispatched,
    attempts: job.attempts,
    settled: job.settled ?? {},
    approved: job.approved,
    refineCount: job.refineCount,
    queuedAt: job.queuedAt?.toISOString() ?? null,
    awaitingApprovalSince: job.awaitingApprovalSince?.toISOString() ?? null,
    costs: {
      prompt_parsing: Number(job.costPromptParsing),
      image_generation: Number(job.costImageGeneration),
      storyboard: Number(job.costStoryboard),
      video_generation: Number(job.costVideoGeneration),
      composition: Number(job.costComposition),
    },
    result: job.result,
    cuts: job.cuts ?? null,
    error: job.error,
    version: job.version,
    estimatedCompletionAt: job.estimatedCompletionAt?.toISOString() ?? null,
    cacheHits: job.cacheHits,
  };
}

/** Writes the saga's state back onto the row (the ORM bumps `version` on flush, matching `next.version`). */
function writeState(job: Job, next: JobState, now: Date): void {
  const wasStatus = job.status;
  job.status = next.status;
  job.prompt = next.request.prompt;
  job.currentStage = next.currentStage;
  job.stagesCompleted = next.stagesCompleted;
  job.progressPercentage = next.progressPercentage;
  job.parsedData = next.plan;
  job.referenceImageUrl = next.referenceImageUri;
  job.stills = next.stills;
  job.stillVariants = next.stillVariants;
  job.stillsDispatched = next.stillsDispatched;
  job.settled = next.settled;
  if (next.approved && !job.approved) job.approvedAt = now;
  job.approved = next.approved;
  job.refineCount = next.refineCount;
  job.queuedAt = next.queuedAt ? new Date(next.queuedAt) : null;
  job.awaitingApprovalSince = next.awaitingApprovalSince ? new Date(next.awaitingApprovalSince) : null;
  job.clips = next.clips;
  job.cacheHits = next.cacheHits ?? {};
  job.clipUrls = next.clips.filter((c) => c !== null).map((c) => c.clip_uri);
  job.scenesTotal = next.scenesTotal;
  job.scenesDone = next.scenesDone;
  job.scenesDispatched = next.scenesDispatched;
  job.attempts = next.attempts;
  job.costPromptParsing = next.costs.prompt_parsing;
  job.costImageGeneration = next.costs.image_generation;
  job.costStoryboard = next.costs.storyboard;
  job.costVideoGeneration = next.costs.video_generation;
  job.costComposition = next.costs.composition;
  job.costTotal = totalCost(next.costs);
  job.result = next.result;
  job.cuts = next.cuts ?? null;
  job.error = next.error;
  job.lastProgressAt = now;
  if (wasStatus === 'queued' && next.status === 'processing') job.startedAt ??= now;
  if (next.status === 'failed' && next.error) job.failedAt = now;
  else if (next.status !== 'failed') job.failedAt = null;
  if (next.estimatedCompletionAt !== undefined) job.estimatedCompletionAt = next.estimatedCompletionAt ? new Date(next.estimatedCompletionAt) : null;
  if (next.status === 'completed' || next.status === 'partially_completed') job.completedAt = now;
  if (next.status === 'cancelled') {
    job.cancelledAt = now;
    job.cancelRequested = true;
  }
}

/** The `job_transitions` fields of one applied decision: its cause, and status, stage and version before → after. */
function transitionOf(input: SagaInbound | SagaCommand, before: JobState, next: JobState): Omit<TransitionRow, 'at'> {
  return {
    causeEventId: input.event_id,
    fromStatus: before.status,
    toStatus: next.status,
    fromStage: before.currentStage,
    toStage: next.currentStage,
    version: next.version,
  };
}
