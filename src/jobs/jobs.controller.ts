import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { ArtifactResponder } from '../artifacts/artifact-responder';
import { Idempotent, RateLimit } from '../access/access.decorators';
import { BudgetService } from '../access/budget.service';
import { CurrentPrincipal, type Principal } from '../access/principal';
import { GENERATE_AD_BODY_SCHEMA, JOB_ID_PARAMS_SCHEMA, LIST_JOBS_QUERY_SCHEMA } from '../common/request-schemas';
import { GenerateAdDto, ListJobsQueryDto } from './dto/generate-ad.dto';
import { JobsService } from './jobs.service';
import { BatchesService } from './batches.service';
import { GENERATE_AD_CREATED_SCHEMA } from './batch-response.schema';
import { JOB_LIST_ROUTE_SCHEMA, JOB_STATUS_ROUTE_SCHEMA } from './job-response.schema';

/**
 * REST API v1 (docs/api.md, "v1"), plus cancellation (docs/design/saga.md, "Cancellation"). The v2 API
 * has its own controller (jobs-v2.controller.ts). Errors use the `{error: {code, message, details}}` body (docs/api.md, "Errors"; see the exception filter).
 */
@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly budget: BudgetService,
    private readonly batches: BatchesService,
    private readonly files: ArtifactResponder,
  ) {}

  @Post('api/v1/generate-ad')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an ad generation job (or, with variations 2–3, that many jobs sharing a batch_id); answers at once with the job id.' })
  @ApiResponse({
    status: 201,
    description:
      '{job_id, status: "queued", created_at, estimated_completion_time}; with variations 2–3 also batch_id, jobs: [{job_id, variation, status, created_at, estimated_completion_time, links}] and links.batch (job_id is variation 0)',
  })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field' })
  @RateLimit('generate')
  @Idempotent()
  @RouteSchema({ body: GENERATE_AD_BODY_SCHEMA, response: { 201: GENERATE_AD_CREATED_SCHEMA } })
  async create(@Body() body: GenerateAdDto, @CurrentPrincipal() principal: Principal) {
    const variations = body.variations ?? 1;
    await this.budget.assertCanQueue(principal, variations);
    const request = {
      prompt: body.prompt,
      duration: body.duration,
      aspect_ratio: body.aspect_ratio,
      brand_guidelines: body.brand_guidelines ?? null,
    };
    const webhook = body.webhook_url ? { url: body.webhook_url, event_types: body.webhook_events ?? null } : undefined;
    // One variation is the plain single job, body unchanged (docs/api.md, "Batches and variations").
    if (variations === 1) return this.jobs.create(request, principal, webhook);
    return this.batches.createVariations(request, variations, principal, webhook);
  }

  @Get('api/v1/jobs')
  @RouteSchema({ ...JOB_LIST_ROUTE_SCHEMA, querystring: LIST_JOBS_QUERY_SCHEMA })
  @ApiOperation({ summary: 'List jobs, newest first. ETag; If-None-Match answers 304 when the page is unchanged.' })
  @RateLimit('poll')
  async list(
    @Query() q: ListJobsQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { etag, body } = await this.jobs.listConditional(q, ifNoneMatch, principal);
    return sendConditional(reply, etag, body);
  }

  @Get('api/v1/jobs/:job_id')
  @RouteSchema({ ...JOB_STATUS_ROUTE_SCHEMA, params: JOB_ID_PARAMS_SCHEMA })
  @ApiOperation({ summary: 'Job status: progress, cost per stage, stages reused from the stage cache, result or error. ETag = job version; If-None-Match answers 304.' })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag given in If-None-Match' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  @RateLimit('poll')
  async get(
    @Param('job_id') jobId: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { etag, body } = await this.jobs.getConditional(jobId, ifNoneMatch, principal);
    return sendConditional(reply, etag, body);
  }

  @Post('api/v1/jobs/:job_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or processing job (409 when it already finished).' })
  cancel(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.cancel(jobId, principal);
  }

  @Get('api/v1/jobs/:job_id/video')
  @ApiOperation({ summary: 'The finished MP4 (supports HTTP range requests).' })
  async video(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    const file = await this.jobs.filePath(jobId, 'video', principal);
    reply.header('content-disposition', `inline; filename="${jobId}.mp4"`);
    return this.files.send(req, reply, file);
  }

  @Get('api/v1/jobs/:job_id/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of a finished job.' })
  async thumbnail(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    return this.files.send(req, reply, await this.jobs.filePath(jobId, 'thumbnail', principal));
  }
}

/**
 * Sends a read route's answer: `ETag` and `Cache-Control: no-cache` (caches may keep it but must revalidate:
 * a job changes while it runs), then the body, or an empty `304` when the client's copy is current.
 * The body goes through the route's response schema (src/jobs/job-response.schema.ts).
 */
function sendConditional(reply: FastifyReply, etag: string, body: object | null): FastifyReply {
  void reply.header('etag', etag).header('cache-control', 'no-cache');
  return body === null ? reply.code(304).send() : reply.send(body);
}

