import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import send from '@fastify/send';
import type { FastifyRequest } from 'fastify';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Idempotent, RateLimit } from '../access/access.decorators';
import { BudgetService } from '../access/budget.service';
import { CurrentPrincipal, type Principal } from '../access/principal';
import { GENERATE_AD_BODY_SCHEMA, JOB_ID_PARAMS_SCHEMA, LIST_JOBS_QUERY_SCHEMA } from '../common/request-schemas';
import { GenerateAdDto, ListJobsQueryDto } from './dto/generate-ad.dto';
import { JobsService } from './jobs.service';
import { JobFileMissingError, RangeNotSatisfiableError } from './job.errors';

/**
 * REST API v1 (seed 000, "API Specification"), plus cancellation (issue #4) and the v2 DELETE alias
 * (seed 003). Errors use the seed's `{error: {code, message, details}}` body (see the exception filter).
 */
@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly budget: BudgetService,
  ) {}

  @Post('api/v1/generate-ad')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an ad generation job; answers at once with the job id.' })
  @ApiResponse({ status: 201, description: '{job_id, status: "queued", created_at, estimated_completion_time}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field' })
  @RateLimit('generate')
  @Idempotent()
  @RouteSchema({ body: GENERATE_AD_BODY_SCHEMA })
  async create(@Body() body: GenerateAdDto, @CurrentPrincipal() principal: Principal) {
    await this.budget.assertCanQueue(principal);
    return this.jobs.create({
      prompt: body.prompt,
      duration: body.duration,
      aspect_ratio: body.aspect_ratio,
      brand_guidelines: body.brand_guidelines ?? null,
    }, principal);
  }

  @Get('api/v1/jobs')
  @ApiOperation({ summary: 'List jobs, newest first.' })
  @RateLimit('poll')
  @RouteSchema({ querystring: LIST_JOBS_QUERY_SCHEMA })
  list(@Query() q: ListJobsQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.jobs.list(q, principal);
  }

  @Get('api/v1/jobs/:job_id')
  @ApiOperation({ summary: 'Job status: progress, cost per stage, result or error.' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  @RateLimit('poll')
  @RouteSchema({ params: JOB_ID_PARAMS_SCHEMA })
  get(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.get(jobId, principal);
  }

  @Post('api/v1/jobs/:job_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or processing job (409 when it already finished).' })
  cancel(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.cancel(jobId, principal);
  }

  @Delete('api/v2/jobs/:job_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a job (seed 003 v2 alias of POST /api/v1/jobs/{job_id}/cancel).' })
  cancelV2(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.cancel(jobId, principal);
  }

  @Get('api/v1/jobs/:job_id/video')
  @ApiOperation({ summary: 'The finished MP4 (supports HTTP range requests).' })
  async video(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    const file = await this.jobs.filePath(jobId, 'video', principal);
    reply.header('content-disposition', `inline; filename="${jobId}.mp4"`);
    return sendFile(req, reply, file);
  }

  @Get('api/v1/jobs/:job_id/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of a finished job.' })
  async thumbnail(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    return sendFile(req, reply, await this.jobs.filePath(jobId, 'thumbnail', principal));
  }
}

/** Streams a file with @fastify/send (Range, If-Modified-Since, ETag, content type by extension). */
async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string): Promise<FastifyReply> {
  const result = await send(req.raw, path.basename(file), { root: path.dirname(file), dotfiles: 'deny' });
  if (result.type === 'error') {
    if (result.statusCode === 416) {
      const size = (await stat(file).catch(() => null))?.size ?? 0;
      reply.header('content-range', `bytes */${size}`);
      throw new RangeNotSatisfiableError(size);
    }
    throw new JobFileMissingError(file, result.statusCode);
  }
  return reply.status(result.statusCode).headers(result.headers).send(result.stream);
}
