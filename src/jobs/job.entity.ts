import { DecimalType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { AdPlan, AspectRatio, BrandGuidelines, CompositionOutput, JobError, StageName, VideoGenerationOutput } from '@app/contracts';

/** Job statuses reported by the v1 API (seed 000) plus `cancelled` (issue #4, seed 003 DELETE). */
export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** True for statuses a job never leaves. */
export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * One ad generation job (table `jobs`, seed 000 "Database Schema"). Only the saga writes it.
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
    | 'costTotal'
    | 'error'
    | 'scenesTotal'
    | 'scenesDone'
    | 'scenesDispatched'
    | 'clips'
    | 'attempts'
    | 'cancelRequested'
    | 'version'
    | 'updatedAt'
    | 'startedAt'
    | 'lastProgressAt'
    | 'completedAt'
    | 'failedAt'
    | 'cancelledAt'
    | 'clientId'
    | 'userId';

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
  costTotal = 0;

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

  /** Owner: the client (tenant) and user that created the job; null with auth off (docs/security.md, "Ownership"). */
  @Property({ type: 'string', length: 100, nullable: true })
  clientId: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  userId: string | null = null;
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
