import type { AdRequest } from './ad-request';
import type { JobError } from './errors';
import type { StageName } from './stages';
import type { StageInputs, StageOutputs } from './stage-io';
import type { JobEventType } from './subjects';

/** Schema version carried by every event in this file. Bump on a breaking change and keep consumers tolerant. */
export const EVENT_SCHEMA_VERSION = 1 as const;

/**
 * Envelope of every message on the streams. `event_id` is also the `Nats-Msg-Id` header, so a re-published
 * copy is dropped by JetStream's duplicate window and by consumers' inboxes.
 */
export interface EventEnvelope<TType extends string, TData> {
  event_id: string;
  type: TType;
  schema_version: typeof EVENT_SCHEMA_VERSION;
  /** ISO-8601 UTC. */
  occurred_at: string;
  job_id: string;
  data: TData;
}

/**
 * Work for a stage worker (`<p>.stage.req.<stage>.<jobId>[.<scene>]`). `attempt_id` identifies this try of
 * this stage (or scene): it is the provider idempotency key and the fence the saga uses to drop stale results.
 */
export type StageRequested<S extends StageName = StageName> = EventEnvelope<
  'stage.requested',
  {
    stage: S;
    attempt_id: string;
    /** 0-based scene index for video_generation, else null. */
    scene_index: number | null;
    input: StageInputs[S];
    /** Milliseconds since epoch after which the saga treats the work as lost. */
    deadline_ms: number;
  }
>;

/** Cost and timing every stage result carries (seed 000, "Microservice Standard Response": cost, processing_time). */
export interface StageAccounting {
  /** USD spent by this attempt, including failed provider calls that were billed. */
  cost_usd: number;
  /** Seconds of wall time in the provider. */
  processing_time_seconds: number;
  provider: string;
  /** Provider calls made (1 when the first try worked). */
  attempts: number;
}

/** A stage (or one scene of video generation) finished (`<p>.evt.stage.completed.<stage>.<jobId>`). */
export type StageCompleted<S extends StageName = StageName> = EventEnvelope<
  'stage.completed',
  StageAccounting & {
    stage: S;
    attempt_id: string;
    scene_index: number | null;
    output: StageOutputs[S];
    /** True when the output was reused from the stage cache (cost 0, no provider call; docs/design/cache.md). Absent otherwise. */
    cached?: boolean;
  }
>;

/** A stage failed for good (`<p>.evt.stage.failed.<stage>.<jobId>`): retries inside the worker are exhausted. */
export type StageFailed = EventEnvelope<
  'stage.failed',
  StageAccounting & {
    stage: StageName;
    attempt_id: string;
    scene_index: number | null;
    error: Omit<JobError, 'failed_stage'> & { retryable: boolean };
  }
>;

/** Itemised cost in USD (seed 000, "Get Job Status" `cost`). */
export type CostBreakdown = Partial<Record<StageName, number>> & { total: number };

/**
 * A finished job's result as clients see it (seed 000, "Get Job Status" when completed): URLs of the served
 * files, duration in seconds, `"WxH"` resolution, size in MB (10^6 bytes), scenes in the ad.
 */
export interface JobResult {
  video_url: string;
  thumbnail_url: string;
  duration: number;
  resolution: string;
  file_size_mb: number;
  scenes_generated: number;
}

/** Payload data per job event type (`<p>.evt.job.<type>.<jobId>`), for other services. */
export interface JobEventData {
  created: { request: AdRequest };
  started: { version: number };
  /** `cached: true` when the stage (or scene) output was reused from the stage cache; absent otherwise. */
  stage_completed: { version: number; stage: StageName; scene_index: number | null; percentage: number; cost: CostBreakdown; cached?: boolean };
  stage_failed: { version: number; stage: StageName; scene_index: number | null; error: JobError };
  completed: { version: number; result: JobResult; cost: CostBreakdown };
  failed: { version: number; error: JobError; cost: CostBreakdown };
  cancelled: { version: number; cost: CostBreakdown };
}

/**
 * A job lifecycle event. `data.version` is the job row's version after the change, so consumers can drop
 * out-of-order copies (design/saga.md, "Job events carry the job version").
 */
export type JobEvent<T extends JobEventType = JobEventType> = EventEnvelope<`job.${T}`, JobEventData[T]>;

/** Any message the saga consumes. */
export type SagaInbound = JobEvent<'created'> | StageCompleted | StageFailed;
