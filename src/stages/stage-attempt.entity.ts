import { DecimalType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Status of a stage attempt; `succeeded`, `failed` and `cancelled` are terminal. */
export type StageAttemptStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * One try of a stage (or of one scene's clip), owned by the stage runner (table `stage_attempts`).
 * The lease (`lease_owner`, `lease_until`) tells a redelivered copy whether a live worker still holds the
 * work; `resume_token` keeps a provider's request id so a retaken attempt resumes instead of paying again;
 * `outcome` keeps the result event so a redelivery after a crash re-announces it without rerunning.
 */
@Entity({ tableName: 'stage_attempts' })
export class StageAttempt {
  @PrimaryKey({ type: 'uuid' })
  attemptId!: string;

  @Property({ type: 'uuid' })
  jobId!: string;

  @Property({ type: 'string', length: 32 })
  stage!: string;

  @Property({ type: 'integer', nullable: true })
  sceneIndex: number | null = null;

  @Property({ type: 'string', length: 16 })
  status!: StageAttemptStatus;

  @Property({ type: 'integer' })
  deliveries = 0;

  @Property({ type: 'string', length: 32, nullable: true })
  provider: string | null = null;

  @Property({ type: 'text', nullable: true })
  resumeToken: string | null = null;

  @Property({ type: 'text', nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  leaseUntil: Date | null = null;

  @Property({ type: 'json', nullable: true })
  outcome: unknown = null;

  /** USD billed by earlier deliveries of this attempt that ended in a transient failure. */
  @Property({ type: new DecimalType('number'), precision: 12, scale: 6 })
  carriedCostUsd = 0;

  /** Provider calls made by those earlier deliveries. */
  @Property({ type: 'integer' })
  carriedCalls = 0;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
