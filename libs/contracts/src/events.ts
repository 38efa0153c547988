import Ajv, { type ValidateFunction } from 'ajv';
import type { AdRequest, AdRequestOptions } from './ad-request';
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

/** Cost and timing every stage result carries (docs/providers.md, "Stage services (HTTP contract)": cost, processing_time). */
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

/**
 * A stage's progress inside one attempt (`<p>.evt.stage.progress.<stage>.<jobId>`), at most one a second per
 * job. `fraction` is 0..1 of this attempt's work (a scene's clip for video_generation); `remaining_seconds`
 * is the worker's estimate from the speed it measured so far (elapsed × (1 − f) / f), null before any
 * measurable progress. The id is `prog.<attempt>.<permille>`, so a re-sent tick is a duplicate.
 */
export type StageProgress = EventEnvelope<
  'stage.progress',
  {
    stage: StageName;
    attempt_id: string;
    scene_index: number | null;
    fraction: number;
    elapsed_seconds: number;
    remaining_seconds: number | null;
  }
>;

/** Itemised cost in USD (docs/api.md, "GET /api/v1/jobs/{job_id}" `cost`). */
export type CostBreakdown = Partial<Record<StageName, number>> & { total: number };

/**
 * A finished job's result as clients see it (docs/api.md, "GET /api/v1/jobs/{job_id}" `result`): URLs of the served
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

/**
 * One storyboard scene as events carry it (the v2 body shows the same fields in camelCase). `image_url` is
 * the app's own route serving the still; `duration` and `timestamp` (start in the ad) are seconds.
 */
export interface StoryboardEntry {
  scene_number: number;
  image_url: string;
  description: string;
  on_screen_text: string;
  duration: number;
  timestamp: number;
}

/** What rendering an approved storyboard will cost, USD (clips and composition at the configured prices). */
export interface CostQuote {
  total: number;
  breakdown: { video_generation: number; composition: number };
  currency: 'USD';
}

/** What one refine changed (scene numbers are 1-based). */
export interface RefineChanges {
  creative_prompt: boolean;
  scenes_edited: number[];
  scenes_regenerated: number[];
}

/** Payload data per job event type (`<p>.evt.job.<type>.<jobId>`), for other services. */
export interface JobEventData {
  /**
   * `api_version` and `options` are present for v2 jobs only (v1's event is unchanged); `webhook` is the
   * per-job webhook asked for on create (docs/events.md, "Webhooks"), absent when none; `batch_id` and
   * `variation` are present for a job made in a batch only (docs/api.md, "Batches and variations").
   */
  created: { request: AdRequest; api_version?: 2; options?: AdRequestOptions; webhook?: JobWebhookRequest; batch_id?: string; variation?: number };
  started: { version: number };
  /** `cached: true` when the stage (or scene) output was reused from the stage cache; absent otherwise. */
  stage_completed: { version: number; stage: StageName; scene_index: number | null; percentage: number; cost: CostBreakdown; cached?: boolean };
  stage_failed: { version: number; stage: StageName; scene_index: number | null; error: JobError };
  /** A v2 job's storyboard is ready for review: one entry per scene, the quote of the render, cost so far. */
  storyboard_completed: { version: number; storyboard: StoryboardEntry[]; quote: CostQuote; cost: CostBreakdown };
  /** The storyboard was approved (by `approve`, or by `render`). */
  approved: { version: number };
  /** The storyboard was refined; `refine_count` counts refines of this job so far. */
  refined: { version: number; refine_count: number; changes: RefineChanges };
  /** Progress inside a stage; `estimated_completion_time` ISO-8601 UTC, refined from the measured speed. */
  progress: { version: number; stage: StageName; scene_index: number | null; percentage: number; estimated_completion_time: string | null };
  completed: { version: number; result: JobResult; cost: CostBreakdown };
  failed: { version: number; error: JobError; cost: CostBreakdown };
  cancelled: { version: number; cost: CostBreakdown };
}

/**
 * A job lifecycle event. `data.version` is the job row's version after the change, so consumers can drop
 * out-of-order copies (docs/design/saga.md, "Exactly-once effect on job state").
 */
export type JobEvent<T extends JobEventType = JobEventType> = EventEnvelope<`job.${T}`, JobEventData[T]>;

/** Any message the saga consumes. */
export type SagaInbound = JobEvent<'created'> | StageCompleted | StageFailed | StageProgress;

const num = { type: 'number' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const costSchema = { type: 'object', required: ['total'], properties: { total: num }, additionalProperties: num } as const;

/**
 * JSON Schemas (draft 2020-12 subset ajv reads) of the `data` of the job events added with the storyboard
 * review, version {@link EVENT_SCHEMA_VERSION}. Consumers may validate with them; the saga's unit tests do.
 */
export const JOB_EVENT_DATA_SCHEMAS = {
  storyboard_completed: {
    type: 'object',
    required: ['version', 'storyboard', 'quote', 'cost'],
    additionalProperties: false,
    properties: {
      version: int,
      storyboard: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['scene_number', 'image_url', 'description', 'on_screen_text', 'duration', 'timestamp'],
          additionalProperties: false,
          properties: {
            scene_number: { type: 'integer', minimum: 1 },
            image_url: { type: 'string', minLength: 1 },
            description: { type: 'string' },
            on_screen_text: { type: 'string' },
            duration: { type: 'number', exclusiveMinimum: 0 },
            timestamp: { type: 'number', minimum: 0 },
          },
        },
      },
      quote: {
        type: 'object',
        required: ['total', 'breakdown', 'currency'],
        additionalProperties: false,
        properties: {
          total: { type: 'number', minimum: 0 },
          breakdown: {
            type: 'object',
            required: ['video_generation', 'composition'],
            additionalProperties: false,
            properties: { video_generation: { type: 'number', minimum: 0 }, composition: { type: 'number', minimum: 0 } },
          },
          currency: { const: 'USD' },
        },
      },
      cost: costSchema,
    },
  },
  approved: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: int } },
  refined: {
    type: 'object',
    required: ['version', 'refine_count', 'changes'],
    additionalProperties: false,
    properties: {
      version: int,
      refine_count: { type: 'integer', minimum: 1 },
      changes: {
        type: 'object',
        required: ['creative_prompt', 'scenes_edited', 'scenes_regenerated'],
        additionalProperties: false,
        properties: {
          creative_prompt: { type: 'boolean' },
          scenes_edited: { type: 'array', items: { type: 'integer', minimum: 1 } },
          scenes_regenerated: { type: 'array', items: { type: 'integer', minimum: 1 } },
        },
      },
    },
  },
} as const;

const compiledEventSchemas = new Map<string, ValidateFunction>();

/**
 * Checks a job event's `data` against {@link JOB_EVENT_DATA_SCHEMAS}.
 * @returns problems, empty when valid (and for event types without a JSON Schema)
 */
export function validateJobEventData(type: keyof typeof JOB_EVENT_DATA_SCHEMAS, data: unknown): string[] {
  let validate = compiledEventSchemas.get(type);
  if (!validate) {
    validate = new Ajv({ allErrors: true, strict: false }).compile(JOB_EVENT_DATA_SCHEMAS[type]);
    compiledEventSchemas.set(type, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/**
 * A webhook a client attached to one job at creation: called for that job's events only, signed with the
 * deployment's secret. `event_types` null means every job event type (docs/events.md).
 */
export interface JobWebhookRequest {
  url: string;
  event_types: string[] | null;
}

/** Terminal job event types: a job's event stream ends after one of these. */
export const TERMINAL_JOB_EVENT_TYPES: readonly string[] = ['job.completed', 'job.failed', 'job.cancelled'];
