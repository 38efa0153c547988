import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { STAGES, type BrandGuidelines, type StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { estimateStageCostUsd } from '../../config/cost-estimate';
import { roundUsd } from '../common/money';
import { Job } from './job.entity';
import { JobsService } from './jobs.service';

/**
 * One try of a stage (or of one scene's clip) as the dashboard's timeline shows it (docs/dashboard.md,
 * "Stage timeline"). Times ISO-8601 UTC, durations seconds, cost USD.
 */
export interface StageAttemptView {
  attempt_id: string;
  stage: string;
  /** 0-based scene index for per-scene work, else null. */
  scene_index: number | null;
  status: string;
  provider: string | null;
  started_at: string;
  finished_at: string | null;
  duration_seconds: number | null;
  /** Seconds the provider itself worked, when the result reported it. */
  processing_time_seconds: number | null;
  /** Times the work message was delivered to a worker (above 1: a redelivery after a crash or a re-queue). */
  deliveries: number;
  /** Provider calls made, counting retries (1 when the first call worked). */
  provider_calls: number | null;
  cost_usd: number;
  /** True when the result came from the stage cache instead of a provider call. */
  cached: boolean;
  error: { code: string; message: string } | null;
}

/** What the job was asked for, as `POST /api/v1/generate-ad` took it (the status body does not repeat it). */
export interface JobRequestView {
  prompt: string;
  duration: number;
  aspect_ratio: string;
  brand_guidelines: BrandGuidelines | null;
}

/** `GET /api/v1/cost-estimate` answer: what a job of that duration should cost on the configured providers. */
export interface CostEstimateView {
  currency: 'USD';
  duration: number;
  total: number;
  breakdown: Record<StageName, number>;
}

interface AttemptRow {
  attempt_id: string;
  stage: string;
  scene_index: number | null;
  status: string;
  provider: string | null;
  deliveries: number;
  outcome: { data?: { cost_usd?: number; processing_time_seconds?: number; attempts?: number; cached?: boolean; error?: { code?: string; message?: string } } } | null;
  carried_cost_usd: string | number;
  created_at: Date;
  updated_at: Date;
}

/** Read models behind the dashboard: a job's stage attempts and the pre-submit cost estimate. */
@Injectable()
export class JobTimelineService {
  constructor(
    private readonly orm: MikroORM,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every stage attempt of a job, oldest first, from the stage runner's `stage_attempts` rows (their stored
   * result event carries cost, provider calls and errors).
   * @throws InvalidJobIdError / JobNotFoundError like `GET /api/v1/jobs/{job_id}`
   */
  async attempts(jobId: string): Promise<{ job_id: string; request: JobRequestView; attempts: StageAttemptView[] }> {
    await this.jobs.get(jobId);
    const em = this.orm.em.fork();
    const job = await em.findOneOrFail(Job, { id: jobId });
    const rows: AttemptRow[] = await em
      .execute(
        `select attempt_id, stage, scene_index, status, provider, deliveries, outcome, carried_cost_usd, created_at, updated_at
           from stage_attempts where job_id = ? order by created_at, scene_index nulls first`,
        [jobId],
      );
    return {
      job_id: jobId,
      request: { prompt: job.prompt, duration: job.duration, aspect_ratio: job.aspectRatio, brand_guidelines: job.brandGuidelines },
      attempts: rows.map(toAttemptView),
    };
  }

  /** USD per stage for a job of `durationSeconds` before its plan exists (one clip per ad, the estimator's rule). */
  estimate(durationSeconds: number): CostEstimateView {
    const breakdown = {} as Record<StageName, number>;
    let total = 0;
    for (const stage of STAGES) {
      const usd = estimateStageCostUsd(this.config.providers, stage, { sceneSeconds: [], durationSeconds });
      breakdown[stage] = roundUsd(usd);
      total += usd;
    }
    return { currency: 'USD', duration: durationSeconds, total: roundUsd(total), breakdown };
  }
}

function toAttemptView(row: AttemptRow): StageAttemptView {
  const data = row.outcome?.data ?? {};
  const finished = row.status !== 'running';
  const started = new Date(row.created_at);
  const ended = finished ? new Date(row.updated_at) : null;
  return {
    attempt_id: row.attempt_id,
    stage: row.stage,
    scene_index: row.scene_index,
    status: row.status,
    provider: row.provider,
    started_at: started.toISOString(),
    finished_at: ended ? ended.toISOString() : null,
    duration_seconds: ended ? Math.round((ended.getTime() - started.getTime()) / 100) / 10 : null,
    processing_time_seconds: typeof data.processing_time_seconds === 'number' ? data.processing_time_seconds : null,
    deliveries: Number(row.deliveries),
    provider_calls: typeof data.attempts === 'number' ? data.attempts : null,
    cost_usd: roundUsd(typeof data.cost_usd === 'number' ? data.cost_usd : Number(row.carried_cost_usd ?? 0)),
    cached: data.cached === true,
    error: data.error?.code ? { code: data.error.code, message: data.error.message ?? '' } : null,
  };
}
