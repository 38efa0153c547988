import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { toV1Status, type AdRequest, type JobWebhookRequest, type StageName } from '@app/contracts';
import { AppError } from '../common/app-error';
import { APP_CONFIG, jobWorkDir, type AppConfig } from '../../config/app.config';
import { canSee, ownerColumns, ownerOf } from '../access/ownership';
import { ANONYMOUS, type Principal } from '../access/principal';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay } from '../messaging/outbox.relay';
import { enqueueJobCreated } from './job-created';
import { MetricsService } from '../metrics/metrics.service';
import { Job, type JobStatus } from './job.entity';
import { InvalidJobIdError, JobConflictError, JobFileNotReadyError, JobNotFoundError } from './job.errors';
import { estimateJobSeconds, toJobResponse, type JobResponse } from './job-response';
import { JobSagaHandler } from './job-saga.handler';
import { v1StageOf } from './job-saga';
import { JobStatusReader, etagMatches, jobEtag, listEtag } from './job-status.reader';
import { ArtifactStore } from '../artifacts/artifact-store';
import { jobArtifactPrefix } from '../artifacts/artifact-uri';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /api/v1/generate-ad` answer (docs/api.md, "POST /api/v1/generate-ad": 201 with job_id, status, created_at, estimated_completion_time). */
export interface CreatedJob {
  job_id: string;
  status: 'queued';
  created_at: string;
  estimated_completion_time: string;
}

/** One job for {@link JobsService.createJobs}. */
export interface JobSpec {
  request: AdRequest;
  /** The per-job webhook (docs/events.md, "Webhooks"). */
  webhook?: JobWebhookRequest;
  /** The body field a refused webhook is reported under (default `webhook_url`; `requests.2.webhook_url` in a batch). */
  webhookField?: string;
  /** 0-based variation index in the batch (seeds the pictures); 0 when absent. */
  variation?: number;
}

/** The request as a job stores and its `job.created` event carries it: the four v1 fields, nothing else. Pure. */
function cleanRequest(request: AdRequest): AdRequest {
  return {
    prompt: request.prompt,
    duration: request.duration,
    aspect_ratio: request.aspect_ratio,
    ...(request.brand_guidelines ? { brand_guidelines: { ...request.brand_guidelines } } : {}),
  };
}

/** `GET /api/v1/jobs` body (docs/api.md, "GET /api/v1/jobs"). */
export interface JobList {
  jobs: Array<{
    job_id: string;
    status: string;
    created_at: string;
    cost_total: number;
    current_stage: string | null;
    percentage: number;
    prompt: string;
    duration: number;
    aspect_ratio: string;
    updated_at: string;
  }>;
  total: number;
  limit: number;
  offset: number;
}

/**
 * Job use cases behind the REST API and the CLI. Creating a job writes the row and its `job.created` event
 * in one transaction (outbox); everything after that is the saga's.
 */
@Injectable()
export class JobsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly saga: JobSagaHandler,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: JobStatusReader,
    private readonly store: ArtifactStore,
  ) {}

  /**
   * Creates a queued job and publishes `job.created` (through the outbox). A `webhook` rides on that event;
   * the webhook module registers and calls it (docs/events.md, "Webhooks").
   * @param owner the creating principal: its client and user own the job (docs/security.md, "Ownership")
   * @throws AppError INVALID_INPUT when the webhook is plain http (unless allowed) or no signing secret is set
   */
  async create(request: AdRequest, owner: Principal = ANONYMOUS, webhook?: JobWebhookRequest): Promise<CreatedJob> {
    const [job] = await this.createJobs([{ request, webhook }], owner, null);
    return job;
  }

  /**
   * Creates several queued jobs in one transaction, each with its own row and its own `job.created` event in
   * the outbox, exactly as {@link create} makes one: either every job exists afterwards or none does. With a
   * `batchId` the jobs share it and each event carries it with the job's variation index (docs/api.md,
   * "Batches and variations"). Job `i` is created 1 ms after job `i - 1`, so the batch reads and queues in
   * the order given.
   * @param specs the jobs, in order; every webhook is checked before anything is written
   * @returns one {@link CreatedJob} per spec, in order
   * @throws AppError INVALID_INPUT naming the spec's `webhookField` when a webhook is not allowed
   */
  async createJobs(specs: readonly JobSpec[], owner: Principal = ANONYMOUS, batchId: string | null = null): Promise<CreatedJob[]> {
    for (const spec of specs) if (spec.webhook) this.checkWebhook(spec.webhook, spec.webhookField);
    const start = Date.now();
    const made = specs.map((spec, i) => ({ spec, id: randomUUID(), at: new Date(start + i), request: cleanRequest(spec.request) }));
    await this.orm.em.fork().transactional(async (tx) => {
      for (const { spec, id, at, request } of made) {
        const variation = spec.variation ?? 0;
        tx.persist(
          tx.create(Job, {
            id,
            status: 'queued',
            prompt: request.prompt,
            duration: request.duration,
            aspectRatio: request.aspect_ratio,
            brandGuidelines: request.brand_guidelines ?? null,
            createdAt: at,
            batchId,
            variationIndex: variation,
            ...ownerOf(owner),
          }),
        );
        enqueueJobCreated(tx, this.nats.subjects, id, at, { request, ...(spec.webhook ? { webhook: spec.webhook } : {}), ...(batchId ? { batch_id: batchId, variation } : {}) });
      }
    });
    this.relay.kick();
    this.metrics.jobsCreated.inc(made.length);
    return made.map(({ id, at, request }) => ({
      job_id: id,
      status: 'queued',
      created_at: at.toISOString(),
      estimated_completion_time: new Date(at.getTime() + estimateJobSeconds(request.duration) * 1000).toISOString(),
    }));
  }

  /**
   * The status body, read from the columns it needs only (no entity hydrated).
   * @throws InvalidJobIdError for a malformed id, JobNotFoundError for an unknown one
   */
  async get(jobId: string, viewer: Principal = ANONYMOUS): Promise<JobResponse> {
    if (!UUID.test(jobId)) throw new InvalidJobIdError(jobId);
    const row = await this.reader.status(jobId, ownerColumns(viewer));
    if (!row) throw new JobNotFoundError(jobId);
    return toJobResponse(row, this.config.publicBaseUrl);
  }

  /**
   * The status read behind `GET /api/v1/jobs/{job_id}` with its ETag (the job's version). When
   * `ifNoneMatch` names the current version, only the version is read and `body` is null (a `304`).
   * Another client's job answers like a missing one (docs/security.md, "Ownership").
   * @throws InvalidJobIdError for a malformed id, JobNotFoundError for an unknown one
   */
  async getConditional(jobId: string, ifNoneMatch: string | undefined, viewer: Principal = ANONYMOUS): Promise<{ etag: string; body: JobResponse | null }> {
    if (!UUID.test(jobId)) throw new InvalidJobIdError(jobId);
    const filter = ownerColumns(viewer);
    if (ifNoneMatch) {
      const version = await this.reader.version(jobId, filter);
      if (version === null) throw new JobNotFoundError(jobId);
      const etag = jobEtag(version);
      if (etagMatches(ifNoneMatch, etag)) return { etag, body: null };
    }
    const row = await this.reader.status(jobId, filter);
    if (!row) throw new JobNotFoundError(jobId);
    return { etag: jobEtag(row.version), body: toJobResponse(row, this.config.publicBaseUrl) };
  }

  /** Newest first (docs/api.md, "GET /api/v1/jobs"), the viewer's own jobs when auth is on. */
  async list(q: { status?: JobStatus; limit?: number; offset?: number; q?: string }, viewer: Principal = ANONYMOUS): Promise<JobList> {
    return (await this.listConditional(q, undefined, viewer)).body!;
  }

  /**
   * A page of jobs, newest first, with its ETag (a digest of the total and the listed jobs' versions);
   * `body` is null when `ifNoneMatch` names it (a `304`).
   */
  async listConditional(
    q: { status?: JobStatus; limit?: number; offset?: number; q?: string },
    ifNoneMatch: string | undefined,
    viewer: Principal = ANONYMOUS,
  ): Promise<{ etag: string; body: JobList | null }> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const { rows, total } = await this.reader.list({ status: q.status, limit, offset, q: q.q }, ownerColumns(viewer));
    const etag = listEtag(total, limit, offset, rows);
    if (etagMatches(ifNoneMatch, etag)) return { etag, body: null };
    return {
      etag,
      body: {
        jobs: rows.map((j) => ({
          job_id: j.id,
          status: toV1Status(j.status),
          created_at: j.createdAt.toISOString(),
          cost_total: j.costTotal,
          current_stage: j.currentStage && v1StageOf(j.currentStage as StageName),
          percentage: j.progressPercentage,
          prompt: j.prompt,
          duration: j.duration,
          aspect_ratio: j.aspectRatio,
          updated_at: j.updatedAt.toISOString(),
        })),
        total,
        limit,
        offset,
      },
    };
  }

  /**
   * Cancels a queued or processing job: status `cancelled`, partial cost kept, in-flight stage work aborted
   * (stage workers react to the `job.cancelled` event) and the job's temp files removed.
   * @throws JobConflictError when the job already finished
   */
  async cancel(jobId: string, viewer: Principal = ANONYMOUS): Promise<JobResponse> {
    await this.find(jobId, viewer);
    const decision = await this.saga.command(jobId, { type: 'job.cancel', event_id: `cancel.${jobId}` });
    if (decision.kind === 'rejected') {
      const job = await this.find(jobId);
      throw new JobConflictError(jobId, decision.reason, job.status);
    }
    await rm(jobWorkDir(this.config.artifactDir, jobId), { recursive: true, force: true }).catch(() => undefined);
    // The job's stage artifacts in the store too (docs/design/artifacts.md, "Stage artifacts").
    await this.store.deletePrefix(jobArtifactPrefix(jobId)).catch(() => undefined);
    return this.get(jobId);
  }

  /**
   * Absolute path of a finished job's video or thumbnail.
   * @throws JobFileNotReadyError until the job is completed
   */
  async filePath(jobId: string, file: 'video' | 'thumbnail', viewer: Principal = ANONYMOUS): Promise<string> {
    const job = await this.find(jobId, viewer);
    if (job.status !== 'completed' || !job.result) throw new JobFileNotReadyError(jobId, file, job.status);
    const uri = file === 'video' ? job.result.video_uri : job.result.thumbnail_uri;
    return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  }

  private checkWebhook(webhook: JobWebhookRequest, field = 'webhook_url'): void {
    const bad = (message: string): AppError => new AppError('INVALID_INPUT', message, { details: { fields: { [field]: [message] } } });
    if (!this.config.push.signingSecret) throw bad('webhook_url needs WEBHOOK_SIGNING_SECRET on this deployment');
    if (!webhook.url.startsWith('https:') && !this.config.push.allowHttp) throw bad('webhook_url must use https');
  }

  private async find(jobId: string, viewer: Principal = ANONYMOUS): Promise<Job> {
    if (!UUID.test(jobId)) throw new InvalidJobIdError(jobId);
    const job = await this.orm.em.fork().findOne(Job, jobId);
    // Another client's job answers exactly like a missing one (docs/security.md, "Ownership").
    if (!job || !canSee(viewer, job.clientId)) throw new JobNotFoundError(jobId);
    return job;
  }
}
