import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EXPORT_MIME_TYPES, isExportKey, PLATFORM_ASPECT_RATIO, toV2Status, type AdRequest, type AdRequestOptions, type CostQuote } from '@app/contracts';
import { APP_CONFIG, jobWorkDir, type AppConfig } from '../../config/app.config';
import { AppError } from '../common/app-error';
import { canSee, ownerOf } from '../access/ownership';
import { ANONYMOUS, type Principal } from '../access/principal';
import { ArtifactStore } from '../artifacts/artifact-store';
import { resolveAdAssets } from '../assets/ad-assets.resolver';
import { findVisibleAssets, type AssetRecord } from '../assets/assets.repository';
import { JetStreamService } from '../messaging/jetstream.service';
import { OutboxRelay } from '../messaging/outbox.relay';
import { enqueueJobCreated } from './job-created';
import { MetricsService } from '../metrics/metrics.service';
import { CostEstimator } from './cost-estimator';
import type { V2GenerateDto, V2RefineDto } from './dto/v2-generate.dto';
import { Job } from './job.entity';
import { InvalidJobIdError, JobConflictError, JobFileNotReadyError, JobNotFoundError } from './job.errors';
import { toV2JobResponse, type EstimatedCost, type V2JobResponse } from './job-response-v2';
import { renderQuote, type Decision, type SagaCommand } from './job-saga';
import { JobSagaHandler, toState } from './job-saga.handler';
import { v2Links, type V2JobLinks } from './links';
import { jobArtifactPrefix } from '../artifacts/artifact-uri';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /api/v2/generate` answer (docs/api.md). */
export interface V2CreatedJob {
  job_id: string;
  status: 'generating_storyboard';
  estimatedCost: EstimatedCost;
  links: Pick<V2JobLinks, 'self' | 'approve' | 'render' | 'refine' | 'cancel'>;
  created_at: string;
}

/**
 * The v2 use cases (docs/api.md, "v2"): a job that stops at its storyboard for review, approve, render with a
 * quote check, refine, files. Every state change goes through the saga's commands; this service only reads
 * rows and maps the saga's refusals onto error codes.
 */
@Injectable()
export class JobsV2Service {
  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly saga: JobSagaHandler,
    private readonly metrics: MetricsService,
    private readonly costs: CostEstimator,
    private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates a v2 job (not approved) and publishes `job.created` through the outbox.
   * @throws AppError INVALID_INPUT naming `assets.N.id` for each asset that does not exist or is another client's,
   *   and the fields `resolveAdAssets` names (role that does not fit the asset, watermark without a logo)
   */
  async create(dto: V2GenerateDto, owner: Principal = ANONYMOUS): Promise<V2CreatedJob> {
    const records = await this.assertAssetsUsable(dto.assets ?? [], owner);
    const assets = await resolveAdAssets(dto.assets ?? [], records, this.store, dto.brandGuidelines?.logoWatermark === true);
    const id = randomUUID();
    const now = new Date();
    const aspectRatio = dto.aspectRatio ?? PLATFORM_ASPECT_RATIO[dto.platform!]!;
    const brand = dto.brandGuidelines;
    const request: AdRequest = {
      prompt: dto.creativePrompt,
      duration: dto.duration,
      aspect_ratio: aspectRatio,
      ...(brand && (brand.primaryColor || brand.secondaryColor || brand.style)
        ? {
            brand_guidelines: {
              ...(brand.primaryColor ? { primary_color: brand.primaryColor } : {}),
              ...(brand.secondaryColor ? { secondary_color: brand.secondaryColor } : {}),
              ...(brand.style ? { style: brand.style } : {}),
            },
          }
        : {}),
    };
    const options: AdRequestOptions = JSON.parse(
      JSON.stringify({
        videoName: dto.videoName,
        campaignId: dto.campaignId,
        clientId: dto.clientId,
        platform: dto.platform,
        keywords: dto.keywords,
        stylePresets: dto.stylePresets,
        audioControls: dto.audioControls,
        exportFormats: dto.exportFormats,
        numberOfVariations: dto.numberOfVariations,
        assets: assets.length > 0 ? assets : undefined,
        logoWatermark: dto.brandGuidelines?.logoWatermark === true ? true : undefined,
      }),
    ) as AdRequestOptions;
    await this.orm.em.fork().transactional(async (tx) => {
      tx.persist(
        tx.create(Job, {
          id,
          status: 'queued',
          prompt: request.prompt,
          duration: request.duration,
          aspectRatio: request.aspect_ratio,
          brandGuidelines: request.brand_guidelines ?? null,
          apiVersion: 2,
          options,
          approved: false,
          queuedAt: now,
          createdAt: now,
          ...ownerOf(owner),
        }),
      );
      enqueueJobCreated(tx, this.nats.subjects, id, now, { request, api_version: 2, options });
    });
    this.relay.kick();
    this.metrics.jobsCreated.inc();
    const links = v2Links(this.config.publicBaseUrl, id);
    const job = await this.find(id, owner);
    return {
      job_id: id,
      status: 'generating_storyboard',
      estimatedCost: this.costs.estimateJob(toState(job)),
      links: { self: links.self, approve: links.approve, render: links.render, refine: links.refine, cancel: links.cancel },
      created_at: now.toISOString(),
    };
  }

  /** @throws InvalidJobIdError, JobNotFoundError */
  async get(jobId: string, viewer: Principal = ANONYMOUS): Promise<V2JobResponse> {
    const job = await this.find(jobId, viewer);
    return toV2JobResponse(job, this.config.publicBaseUrl, this.costs.estimateJob(toState(job)));
  }

  /** Approves the storyboard. @throws JobConflictError (409) unless the job is storyboard_complete */
  async approve(jobId: string, viewer: Principal = ANONYMOUS): Promise<V2JobResponse> {
    await this.command(jobId, { type: 'job.approve', event_id: `approve.${jobId}` }, viewer);
    return this.get(jobId, viewer);
  }

  /**
   * Approves if needed and starts clips and composition.
   * @returns the job body and the quote of what the render will spend (USD)
   * @throws JobConflictError unless storyboard_complete, or with the quote when above `maxCostUsd`;
   *   AppError COST_LIMIT_EXCEEDED when the quote would take the job past MAX_COST_PER_VIDEO
   */
  async render(jobId: string, maxCostUsd?: number, viewer: Principal = ANONYMOUS): Promise<V2JobResponse & { quote: CostQuote }> {
    const before = await this.find(jobId, viewer);
    const quote = renderQuote(toState(before), { estimateStageCostUsd: (stage, state) => this.costs.estimate(stage, state) });
    await this.command(jobId, { type: 'job.render', event_id: `render.${jobId}.${randomUUID()}`, ...(maxCostUsd !== undefined ? { maxCostUsd } : {}) }, viewer);
    return { ...(await this.get(jobId, viewer)), quote };
  }

  /** Applies a refine. @throws AppError INVALID_INPUT naming each bad field; JobConflictError outside storyboard_complete/failed */
  async refine(jobId: string, dto: V2RefineDto, viewer: Principal = ANONYMOUS): Promise<V2JobResponse> {
    await this.command(jobId, {
      type: 'job.refine',
      event_id: `refine.${jobId}.${randomUUID()}`,
      ...(dto.creativePrompt !== undefined ? { creativePrompt: dto.creativePrompt } : {}),
      ...(dto.scenes ? { scenes: dto.scenes.map((s) => ({ ...s })) } : {}),
      ...(dto.regenerateScenes ? { regenerateScenes: dto.regenerateScenes } : {}),
    }, viewer);
    return this.get(jobId, viewer);
  }

  /** Cancels the job (its cost kept) and removes its work files. @throws JobConflictError when it already finished */
  async cancel(jobId: string, viewer: Principal = ANONYMOUS): Promise<V2JobResponse> {
    await this.command(jobId, { type: 'job.cancel', event_id: `cancel.${jobId}` }, viewer);
    await rm(jobWorkDir(this.config.artifactDir, jobId), { recursive: true, force: true }).catch(() => undefined);
    // The job's stage artifacts in the store too (docs/design/artifacts.md, "Stage artifacts").
    await this.store.deletePrefix(jobArtifactPrefix(jobId)).catch(() => undefined);
    return this.get(jobId, viewer);
  }

  /**
   * Absolute path of a finished job's video or thumbnail (a `partially_completed` job's are its served cut's).
   * @throws JobFileNotReadyError until completed
   */
  async filePath(jobId: string, file: 'video' | 'thumbnail', viewer: Principal = ANONYMOUS): Promise<string> {
    const job = await this.find(jobId, viewer);
    if (!isServed(job) || !job.result) throw new JobFileNotReadyError(jobId, file, toV2Status(job.status, job.approved));
    return localPath(file === 'video' ? job.result.video_uri : job.result.thumbnail_uri);
  }

  /**
   * Absolute path and content type of a completed job's export (docs/api.md, "Exports"): one the composition
   * made, or a deployment-wide preview (`EXPORT_GIF` / `EXPORT_WEBM`) for `gif` / `webm`.
   * @throws JobFileNotReadyError until completed, and for a key the job has no export under
   */
  async exportFile(jobId: string, key: string, viewer: Principal = ANONYMOUS): Promise<{ path: string; mimeType: string; fileName: string }> {
    const job = await this.find(jobId, viewer);
    const status = toV2Status(job.status, job.approved);
    if (!isServed(job) || !job.result) throw new JobFileNotReadyError(jobId, `export ${key}`, status);
    const made = job.result.exports?.find((e) => e.key === key);
    const legacy = key === 'gif' ? job.result.gif_uri : key === 'webm' ? job.result.webm_uri : undefined;
    const uri = made?.uri ?? legacy;
    if (!uri || !isExportKey(key)) throw new JobFileNotReadyError(jobId, `export ${key}`, status);
    const ext = key === 'gif' ? 'gif' : key === 'webm' ? 'webm' : 'mp4';
    return { path: localPath(uri), mimeType: EXPORT_MIME_TYPES[key], fileName: `${jobId}${ext === 'mp4' ? `-${key.replace(':', 'x')}` : ''}.${ext}` };
  }

  /**
   * Absolute path of cut `index`'s video or thumbnail (docs/api.md, "Variations"), once the job finished.
   * @throws JobFileNotReadyError while the job runs, for a cut that failed, and for an index the job has no cut at
   */
  async variationPath(jobId: string, index: number, file: 'video' | 'thumbnail', viewer: Principal = ANONYMOUS): Promise<string> {
    const job = await this.find(jobId, viewer);
    const outcome = isServed(job) && Number.isInteger(index) && index >= 0 ? job.cuts?.outcomes[index] : null;
    if (!outcome?.output) throw new JobFileNotReadyError(jobId, `variation ${index} ${file}`, toV2Status(job.status, job.approved));
    return localPath(file === 'video' ? outcome.output.video_uri : outcome.output.thumbnail_uri);
  }

  /** Absolute path of scene `sceneNumber`'s storyboard still. @throws JobFileNotReadyError when the scene has none */
  async stillPath(jobId: string, sceneNumber: number, viewer: Principal = ANONYMOUS): Promise<string> {
    const job = await this.find(jobId, viewer);
    const still = Number.isInteger(sceneNumber) && sceneNumber >= 1 ? job.stills[sceneNumber - 1] : null;
    if (!still) throw new JobFileNotReadyError(jobId, `storyboard image for scene ${sceneNumber}`, toV2Status(job.status, job.approved));
    return localPath(still.image_uri);
  }

  /**
   * Every asset a job names must be an uploaded asset the caller may see (docs/api.md, "Assets"); another
   * client's id is reported exactly like a missing one.
   */
  private async assertAssetsUsable(assets: ReadonlyArray<{ id: string }>, owner: Principal): Promise<Map<string, AssetRecord>> {
    if (assets.length === 0) return new Map();
    const visible = await findVisibleAssets(this.orm, assets.map((a) => a.id), owner);
    const fields: Record<string, string[]> = {};
    assets.forEach((a, i) => {
      if (!visible.has(a.id.toLowerCase())) fields[`assets.${i}.id`] = [`no uploaded asset "${a.id.slice(0, 100)}" (upload it first with POST /api/v2/upload-asset)`];
    });
    if (Object.keys(fields).length > 0) throw new AppError('INVALID_INPUT', `invalid request: ${Object.keys(fields).join(', ')}`, { details: { fields } });
    return visible;
  }

  private async command(jobId: string, command: SagaCommand, viewer: Principal): Promise<Decision> {
    const job = await this.find(jobId, viewer);
    // A v1 job was approved up front and has no review: only cancel applies to it here.
    if (job.apiVersion !== 2 && command.type !== 'job.cancel') {
      throw new JobConflictError(jobId, 'a v1 job has no storyboard review: only DELETE applies', toV2Status(job.status, job.approved));
    }
    const decision = await this.saga.command(jobId, command);
    if (decision.kind !== 'rejected') return decision;
    const status = toV2Status(job.status, job.approved);
    if (decision.code === 'CONFLICT' && !decision.details) throw new JobConflictError(jobId, decision.reason, status);
    throw new AppError(decision.code, decision.reason, { details: { job_id: jobId, status, ...decision.details } });
  }

  private async find(jobId: string, viewer: Principal): Promise<Job> {
    if (!UUID.test(jobId)) throw new InvalidJobIdError(jobId);
    const job = await this.orm.em.fork().findOne(Job, jobId);
    // Another client's job answers exactly like a missing one (docs/security.md, "Ownership").
    if (!job || !canSee(viewer, job.clientId)) throw new JobNotFoundError(jobId);
    return job;
  }
}

/** A finished job whose files are served: every cut made, or some (`partially_completed`). */
function isServed(job: Job): boolean {
  return job.status === 'completed' || job.status === 'partially_completed';
}

function localPath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
}
