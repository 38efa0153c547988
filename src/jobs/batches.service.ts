import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { MAX_BATCH_JOBS, toV1Status, type AdRequest, type JobError, type JobStatus, type JobWebhookRequest, type StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ownerColumns } from '../access/ownership';
import { ANONYMOUS, type Principal } from '../access/principal';
import { AppError } from '../common/app-error';
import { roundUsd } from '../common/money';
import { batchStatus, countStatuses, type BatchCounts, type BatchStatus } from './batch-status';
import type { BatchDto } from './dto/batch.dto';
import type { GenerateAdDto } from './dto/generate-ad.dto';
import { v1StageOf } from './job-saga';
import { resultUrls } from './job-saga.handler';
import { JobsService, type CreatedJob, type JobSpec } from './jobs.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Links of one v1 job (the routes of JobsController). */
export interface V1JobLinks {
  self: string;
  video: string;
  thumbnail: string;
  /** `POST` cancels the job. */
  cancel: string;
}

/**
 * Links of a v1 job.
 * @param baseUrl public base URL (PUBLIC_BASE_URL), without a trailing slash
 */
export function v1JobLinks(baseUrl: string, jobId: string): V1JobLinks {
  const self = `${baseUrl}/api/v1/jobs/${jobId}`;
  return { self, video: `${self}/video`, thumbnail: `${self}/thumbnail`, cancel: `${self}/cancel` };
}

/** One job of a create answer: what `POST /api/v1/generate-ad` answers for a single job, plus its variation and links. */
export interface CreatedBatchJob extends CreatedJob {
  variation: number;
  links: V1JobLinks;
}

/** `POST /api/v1/batch` answer (201; docs/api.md, "Batches and variations"). Times ISO-8601 UTC. */
export interface CreatedBatch {
  batch_id: string;
  status: 'queued';
  created_at: string;
  /** The latest of the jobs' estimates. */
  estimated_completion_time: string;
  jobs: CreatedBatchJob[];
  links: { batch: string };
}

/**
 * `POST /api/v1/generate-ad` answer with `variations` 2–3: the single-job body of variation 0 (so a client
 * reading only `job_id` keeps working) plus the batch and every variation's job.
 */
export type CreatedVariations = CreatedJob & { batch_id: string; jobs: CreatedBatchJob[]; links: { batch: string } };

/** One job in `GET /api/v1/batches/{batch_id}`. Cost USD. */
export interface BatchJobView {
  job_id: string;
  variation: number;
  status: string;
  progress: { current_stage: string | null; percentage: number };
  /** The served MP4 once the job completed, else null. */
  video_url: string | null;
  thumbnail_url: string | null;
  cost: { total: number };
  error: Pick<JobError, 'code' | 'message'> | null;
  links: { self: string };
}

/** `GET /api/v1/batches/{batch_id}` body (docs/api.md, "Batches and variations"). Costs USD, times ISO-8601 UTC. */
export interface BatchResponse {
  batch_id: string;
  status: BatchStatus;
  /** Jobs per v1 status. */
  counts: BatchCounts;
  /** In creation order: the requests in the order given, each request's variations in index order. */
  jobs: BatchJobView[];
  /** Sum of the jobs' costs so far (failed and cancelled jobs keep what they spent). */
  cost: { total: number };
  created_at: string;
  /** The latest change of any of its jobs. */
  updated_at: string;
}

/** The batch id is not a UUID (400 INVALID_INPUT). */
export class InvalidBatchIdError extends AppError {
  constructor(batchId: string) {
    super('INVALID_INPUT', 'batch_id must be a UUID', { details: { batch_id: batchId, fields: { batch_id: ['must be a UUID'] } } });
  }
}

/** No batch with this id, or another client's (404 NOT_FOUND; docs/security.md, "Ownership"). */
export class BatchNotFoundError extends AppError {
  constructor(batchId: string) {
    super('NOT_FOUND', `batch ${batchId} not found`, { details: { batch_id: batchId } });
  }
}

interface BatchJobRow {
  id: string;
  status: JobStatus;
  current_stage: StageName | null;
  progress_percentage: number;
  cost_total: string | number;
  has_result: boolean;
  error: JobError | null;
  variation_index: number;
  created_at: Date;
  updated_at: Date;
}

/** The v1 request fields of a generate-ad body. Pure. */
function requestOf(body: GenerateAdDto): AdRequest {
  return { prompt: body.prompt, duration: body.duration, aspect_ratio: body.aspect_ratio, brand_guidelines: body.brand_guidelines ?? null };
}

/** The per-job webhook a generate-ad body asks for, if any. Pure. */
function webhookOf(body: { webhook_url?: string; webhook_events?: string[] }): JobWebhookRequest | undefined {
  return body.webhook_url ? { url: body.webhook_url, event_types: body.webhook_events ?? null } : undefined;
}

/**
 * The jobs a validated `POST /api/v1/batch` body makes, in order: each request's variations (1 unless it
 * asks for more) one after the other; a request without a webhook takes the batch's. Pure.
 * @throws AppError INVALID_INPUT naming `requests` when they add up to more than {@link MAX_BATCH_JOBS} jobs
 */
export function batchSpecs(dto: BatchDto): JobSpec[] {
  const batchHook = webhookOf(dto);
  const specs: JobSpec[] = [];
  dto.requests.forEach((body, i) => {
    const own = webhookOf(body);
    for (let v = 0; v < (body.variations ?? 1); v++) {
      specs.push({
        request: requestOf(body),
        variation: v,
        ...(own ? { webhook: own, webhookField: `requests.${i}.webhook_url` } : batchHook ? { webhook: batchHook, webhookField: 'webhook_url' } : {}),
      });
    }
  });
  if (specs.length > MAX_BATCH_JOBS) {
    const message = `a batch makes at most ${MAX_BATCH_JOBS} jobs (requests × variations); this one asks for ${specs.length}`;
    throw new AppError('INVALID_INPUT', `invalid request: requests`, { details: { fields: { requests: [message] } } });
  }
  return specs;
}

/**
 * Batches of v1 jobs (docs/api.md, "Batches and variations"): several jobs made by one call in one
 * transaction, sharing a `batch_id`, each an ordinary job with its own `job.created` event (made by
 * {@link JobsService.createJobs}), and the aggregate read of a batch. Admission (rate limit, queue, budget,
 * idempotency) is the controller's, as for a single job.
 */
@Injectable()
export class BatchesService {
  constructor(
    private readonly orm: MikroORM,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Makes `variations` (2–3) jobs of one request, variation 0 first: variation 0 is the job a single request
   * would make (same seeds, so the stage cache serves it), the others draw their own pictures.
   * @throws AppError INVALID_INPUT when the webhook is not allowed
   */
  async createVariations(request: AdRequest, variations: number, owner: Principal = ANONYMOUS, webhook?: JobWebhookRequest): Promise<CreatedVariations> {
    const specs = Array.from({ length: variations }, (_, v): JobSpec => ({ request, variation: v, ...(webhook ? { webhook } : {}) }));
    const batch = await this.create(specs, owner);
    const first = batch.jobs[0];
    return {
      job_id: first.job_id,
      status: 'queued',
      created_at: first.created_at,
      estimated_completion_time: first.estimated_completion_time,
      batch_id: batch.batch_id,
      jobs: batch.jobs,
      links: batch.links,
    };
  }

  /**
   * Makes the jobs of `specs` (see {@link batchSpecs}) under a new batch id, all or none.
   * @throws AppError INVALID_INPUT when a webhook is not allowed (nothing is created)
   */
  async create(specs: readonly JobSpec[], owner: Principal = ANONYMOUS): Promise<CreatedBatch> {
    const batchId = randomUUID();
    const created = await this.jobs.createJobs(specs, owner, batchId);
    const jobs = created.map((job, i): CreatedBatchJob => ({ ...job, variation: specs[i].variation ?? 0, links: v1JobLinks(this.config.publicBaseUrl, job.job_id) }));
    return {
      batch_id: batchId,
      status: 'queued',
      created_at: jobs[0].created_at,
      estimated_completion_time: jobs.map((j) => j.estimated_completion_time).sort().at(-1)!,
      jobs,
      links: { batch: this.batchUrl(batchId) },
    };
  }

  /**
   * The batch's aggregate status, its jobs and their summed cost. Another client's batch answers like a
   * missing one (docs/security.md, "Ownership").
   * @throws InvalidBatchIdError for a malformed id; BatchNotFoundError for an unknown or foreign one
   */
  async get(batchId: string, viewer: Principal = ANONYMOUS): Promise<BatchResponse> {
    if (!UUID.test(batchId)) throw new InvalidBatchIdError(batchId);
    const owner = ownerColumns(viewer);
    const params: unknown[] = [batchId];
    let sql = `select id, status, current_stage, progress_percentage, cost_total, result is not null as has_result, error,
                      variation_index, created_at, updated_at
                 from jobs where batch_id = ?`;
    if (owner.client_id !== undefined) {
      sql += ' and client_id = ?';
      params.push(owner.client_id);
    }
    const rows: BatchJobRow[] = await this.orm.em.getConnection().execute(`${sql} order by created_at, variation_index, id`, params);
    if (rows.length === 0) throw new BatchNotFoundError(batchId);
    const base = this.config.publicBaseUrl;
    const jobs = rows.map((r): BatchJobView => {
      const status = toV1Status(r.status);
      const urls = status === 'completed' && r.has_result ? resultUrls(base, r.id) : null;
      return {
        job_id: r.id,
        variation: r.variation_index,
        status,
        progress: { current_stage: r.current_stage && v1StageOf(r.current_stage), percentage: r.progress_percentage },
        video_url: urls?.videoUrl ?? null,
        thumbnail_url: urls?.thumbnailUrl ?? null,
        cost: { total: roundUsd(Number(r.cost_total)) },
        error: r.error ? { code: r.error.code, message: r.error.message } : null,
        links: { self: v1JobLinks(base, r.id).self },
      };
    });
    const statuses = rows.map((r) => toV1Status(r.status));
    return {
      batch_id: batchId,
      status: batchStatus(statuses),
      counts: countStatuses(statuses),
      jobs,
      cost: { total: roundUsd(jobs.reduce((sum, j) => sum + j.cost.total, 0)) },
      created_at: new Date(Math.min(...rows.map((r) => new Date(r.created_at).getTime()))).toISOString(),
      updated_at: new Date(Math.max(...rows.map((r) => new Date(r.updated_at).getTime()))).toISOString(),
    };
  }

  private batchUrl(batchId: string): string {
    return `${this.config.publicBaseUrl}/api/v1/batches/${batchId}`;
  }
}
