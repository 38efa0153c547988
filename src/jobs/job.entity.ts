import { DecimalType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import {
  type AdPlan,
  type AdRequestOptions,
  type AspectRatio,
  type BrandGuidelines,
  type CompositionOutput,
  type JobError,
  type JobStatus,
  type StageName,
  type StoryboardOutput,
  type VideoGenerationOutput,
} from '@app/contracts';

/** Job statuses: the one union of `@app/contracts` (job-status.ts), also the column's check constraint. */
export { JOB_STATUSES, type JobStatus } from '@app/contracts';

/**
 * One ad generation job (table `jobs`). Only the saga writes it (docs/design/saga.md, "Exactly-once effect on job state").
 * Costs are USD; `duration` is seconds. `version` is the optimistic lock and the job version job events carry.
 */
@Entity({ tableName: 'jobs' })
export class Job {
  [OptionalProps]?:
    | 'currentStage'
    | 'stagesCompleted'
    | 'progressPercentage'
    | 'parsedData'
    | 'referenceImageUrl'
    | 'clipUrls'
    | 'result'
    | 'costPromptParsing'
    | 'costImageGeneration'
    | 'costVideoGeneration'
    | 'costComposition'
    | 'costStoryboard'
    | 'costTotal'
    | 'apiVersion'
    | 'options'
    | 'stills'
    | 'stillVariants'
    | 'stillsDispatched'
    | 'settled'
    | 'approved'
    | 'approvedAt'
    | 'refineCount'
    | 'queuedAt'
    | 'awaitingApprovalSince'
    | 'error'
    | 'scenesTotal'
    | 'scenesDone'
    | 'scenesDispatched'
    | 'clips'
    | 'attempts'
    | 'cancelRequested'
    | 'cacheHits'
    | 'version'
    | 'updatedAt'
    | 'startedAt'
    | 'lastProgressAt'
    | 'completedAt'
    | 'failedAt'
    | 'cancelledAt'
    | 'estimatedCompletionAt'
    | 'clientId'
    | 'userId'
    | 'batchId'
    | 'variationIndex';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 20 })
  @Index({ name: 'idx_jobs_status' })
  status!: JobStatus;

  @Property({ type: 'text' })
  prompt!: string;

  @Property({ type: 'integer' })
  duration!: number;

  @Property({ type: 'string', length: 10 })
  aspectRatio!: AspectRatio;

  @Property({ type: 'json', nullable: true })
  brandGuidelines: BrandGuidelines | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  currentStage: StageName | null = null;

  @Property({ type: 'text[]' })
  stagesCompleted: string[] = [];

  @Property({ type: 'integer' })
  progressPercentage = 0;

  @Property({ type: 'json', nullable: true })
  parsedData: AdPlan | null = null;

  @Property({ type: 'text', nullable: true })
  referenceImageUrl: string | null = null;

  @Property({ type: 'text[]' })
  clipUrls: string[] = [];

  @Property({ type: 'json', nullable: true })
  result: CompositionOutput | null = null;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costPromptParsing = 0;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costImageGeneration = 0;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costVideoGeneration = 0;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costComposition = 0;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costStoryboard = 0;

  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  costTotal = 0;

  /** 1: made by the v1 API (approved up front); 2: made by the v2 API (waits for approval). */
  @Property({ type: 'smallint' })
  apiVersion: 1 | 2 = 1;

  /** What a v2 request adds to the v1 fields (style presets, platform, assets...), as received. */
  @Property({ type: 'json', nullable: true })
  options: AdRequestOptions | null = null;

  /** Storyboard still per scene index (null until that scene's still is done). */
  @Property({ type: 'json' })
  stills: Array<StoryboardOutput | null> = [];

  /** Regenerations per scene (drives each still's seed). */
  @Property({ type: 'json' })
  stillVariants: number[] = [];

  /** Scene indices whose still was requested in the current storyboard round. */
  @Property({ type: 'json' })
  stillsDispatched: number[] = [];

  /** Attempt id per stage key whose result was applied: the saga's fence against repeated results. */
  @Property({ type: 'json' })
  settled: Record<string, string> = {};

  /** The storyboard is approved (v1 jobs up front; v2 jobs by approve or render). */
  @Property({ type: 'boolean' })
  approved = true;

  @Property({ type: 'datetime', nullable: true })
  approvedAt: Date | null = null;

  @Property({ type: 'integer' })
  refineCount = 0;

  /** When the job last entered `queued`: slots are given in this order. */
  @Property({ type: 'datetime', nullable: true })
  queuedAt: Date | null = null;

  /** When the job reached the approval gate (APPROVAL_TTL_HOURS counts from here). */
  @Property({ type: 'datetime', nullable: true })
  awaitingApprovalSince: Date | null = null;

  @Property({ type: 'json', nullable: true })
  error: JobError | null = null;

  @Property({ type: 'integer' })
  scenesTotal = 0;

  @Property({ type: 'integer' })
  scenesDone = 0;

  @Property({ type: 'integer' })
  scenesDispatched = 0;

  /** Clip per scene index (null until that scene's clip is done). */
  @Property({ type: 'json' })
  clips: Array<VideoGenerationOutput | null> = [];

  /** Current attempt id per stage key (`prompt_parsing`, `video_generation.2`, ...): the saga's fence. */
  @Property({ type: 'json' })
  attempts: Record<string, string> = {};

  @Property({ type: 'boolean' })
  cancelRequested = false;

  /** Which finished stages and scenes (by attempt key) were reused from the stage cache (docs/design/cache.md). */
  @Property({ type: 'json' })
  cacheHits: Record<string, boolean> = {};

  @Property({ type: 'integer', version: true })
  version = 1;

  @Property({ type: 'datetime' })
  @Index({ name: 'idx_jobs_created_at' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastProgressAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  failedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  cancelledAt: Date | null = null;

  /** Completion estimate refined from measured stage speeds by progress ticks (docs/events.md, "Progress"). */
  @Property({ type: 'datetime', nullable: true })
  estimatedCompletionAt: Date | null = null;
  /** Owner: the client (tenant) and user that created the job; null with auth off (docs/security.md, "Ownership"). */
  @Property({ type: 'string', length: 100, nullable: true })
  clientId: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  userId: string | null = null;

  /** The batch the job was made in (`POST /api/v1/batch`, or `variations` > 1); null for a job made alone. */
  @Property({ type: 'uuid', nullable: true })
  batchId: string | null = null;

  /** 0-based variation index within the batch (seeds the pictures; docs/api.md, "Batches and variations"). */
  @Property({ type: 'smallint' })
  variationIndex = 0;
}

/** One state change of a job (table `job_transitions`): the audit trail the crash test checks for duplicates. */
@Entity({ tableName: 'job_transitions' })
export class JobTransition {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  jobId!: string;

  @Property({ type: 'text' })
  causeEventId!: string;

  @Property({ type: 'string', length: 20 })
  fromStatus!: string;

  @Property({ type: 'string', length: 20 })
  toStatus!: string;

  @Property({ type: 'string', length: 50, nullable: true })
  fromStage: string | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  toStage: string | null = null;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'datetime' })
  at: Date = new Date();
}
