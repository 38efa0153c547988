import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, type FilterQuery } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA_VERSION, type AdRequest, type JobEvent } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay, enqueueOutbox } from '../messaging/outbox.relay';
import { MetricsService } from '../metrics/metrics.service';
import { Job, type JobStatus } from './job.entity';
import { InvalidJobIdError, JobConflictError, JobFileNotReadyError, JobNotFoundError } from './job.errors';
import { estimateJobSeconds, toJobResponse, type JobResponse } from './job-response';
import { JobSagaHandler } from './job-saga.handler';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /api/v1/generate-ad` answer (seed 000: 201 with job_id, status, created_at, estimated_completion_time). */
export interface CreatedJob {
  job_id: string;
  status: 'queued';
  created_at: string;
  estimated_completion_time: string;
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
  ) {}

  /** Creates a queued job and publishes `job.created` (through the outbox). */
  async create(request: AdRequest): Promise<CreatedJob> {
    const em = this.orm.em.fork();
    const id = randomUUID();
    const now = new Date();
    const clean: AdRequest = {
      prompt: request.prompt,
      duration: request.duration,
      aspect_ratio: request.aspect_ratio,
      ...(request.brand_guidelines ? { brand_guidelines: { ...request.brand_guidelines } } : {}),
    };
    await em.transactional(async (tx) => {
      const job = tx.create(Job, {
        id,
        status: 'queued',
        prompt: clean.prompt,
        duration: clean.duration,
        aspectRatio: clean.aspect_ratio,
        brandGuidelines: clean.brand_guidelines ?? null,
        createdAt: now,
      });
      tx.persist(job);
      const eventId = `job.${id}.v1.created`;
      const event: JobEvent<'created'> = {
        event_id: eventId,
        type: 'job.created',
        schema_version: EVENT_SCHEMA_VERSION,
        occurred_at: now.toISOString(),
        job_id: id,
        data: { request: clean },
      };
      enqueueOutbox(tx, eventId, this.nats.subjects.jobEvent('created', id), event);
    });
    this.relay.kick();
    this.metrics.jobsCreated.inc();
    return {
      job_id: id,
      status: 'queued',
      created_at: now.toISOString(),
      estimated_completion_time: new Date(now.getTime() + estimateJobSeconds(clean.duration) * 1000).toISOString(),
    };
  }

  /**
   * @throws InvalidJobIdError for a malformed id, JobNotFoundError for an unknown one
   */
  async get(jobId: string): Promise<JobResponse> {
    return toJobResponse(await this.find(jobId), this.config.publicBaseUrl);
  }

  /** Newest first (seed 000, "List Jobs"). */
  async list(q: { status?: JobStatus; limit?: number; offset?: number; q?: string }): Promise<{
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
  }> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.orm.em
      .fork()
      .findAndCount(Job, listFilter(q), { orderBy: { createdAt: 'desc', id: 'desc' }, limit, offset });
    return {
      jobs: rows.map((j) => ({
        job_id: j.id,
        status: j.status,
        created_at: j.createdAt.toISOString(),
        cost_total: Number(j.costTotal),
        current_stage: j.currentStage,
        percentage: j.progressPercentage,
        prompt: j.prompt,
        duration: j.duration,
        aspect_ratio: j.aspectRatio,
        updated_at: j.updatedAt.toISOString(),
      })),
      total,
      limit,
      offset,
    };
  }

  /**
   * Cancels a queued or processing job: status `cancelled`, partial cost kept, in-flight stage work aborted
   * (stage workers react to the `job.cancelled` event) and the job's temp files removed.
   * @throws JobConflictError when the job already finished
   */
  async cancel(jobId: string): Promise<JobResponse> {
    await this.find(jobId);
    const decision = await this.saga.command(jobId, { type: 'job.cancel', event_id: `cancel.${jobId}` });
    if (decision.kind === 'rejected') {
      const job = await this.find(jobId);
      throw new JobConflictError(jobId, decision.reason, job.status);
    }
    await rm(path.join(this.config.artifactDir, 'jobs', jobId), { recursive: true, force: true }).catch(() => undefined);
    return this.get(jobId);
  }

  /**
   * Absolute path of a finished job's video or thumbnail.
   * @throws JobFileNotReadyError until the job is completed
   */
  async filePath(jobId: string, file: 'video' | 'thumbnail'): Promise<string> {
    const job = await this.find(jobId);
    if (job.status !== 'completed' || !job.result) throw new JobFileNotReadyError(jobId, file, job.status);
    const uri = file === 'video' ? job.result.video_uri : job.result.thumbnail_uri;
    return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  }

  private async find(jobId: string): Promise<Job> {
    if (!UUID.test(jobId)) throw new InvalidJobIdError(jobId);
    const job = await this.orm.em.fork().findOne(Job, jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }
}

/**
 * `GET /api/v1/jobs` filter: status, and `q` as a case-insensitive substring of the prompt (LIKE wildcards in
 * `q` match themselves).
 */
function listFilter(q: { status?: JobStatus; q?: string }): FilterQuery<Job> {
  const where: { status?: JobStatus; prompt?: { $ilike: string } } = {};
  if (q.status) where.status = q.status;
  if (q.q) where.prompt = { $ilike: `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
  return where as FilterQuery<Job>;
}
