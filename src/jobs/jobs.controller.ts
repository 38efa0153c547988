import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import send from '@fastify/send';
import type { FastifyRequest } from 'fastify';
import * as path from 'node:path';
import { GenerateAdDto, ListJobsQueryDto } from './dto/generate-ad.dto';
import { JobsService } from './jobs.service';
import { JobFileMissingError } from './job.errors';

/**
 * REST API v1 (seed 000, "API Specification"), plus cancellation (issue #4) and the v2 DELETE alias
 * (seed 003). Errors use the seed's `{error: {code, message, details}}` body (see the exception filter).
 */
@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('api/v1/generate-ad')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an ad generation job; answers at once with the job id.' })
  @ApiResponse({ status: 201, description: '{job_id, status: "queued", created_at, estimated_completion_time}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field' })
  create(@Body() body: GenerateAdDto) {
    return this.jobs.create({
      prompt: body.prompt,
      duration: body.duration,
      aspect_ratio: body.aspect_ratio,
      brand_guidelines: body.brand_guidelines ?? null,
    });
  }

  @Get('api/v1/jobs')
  @ApiOperation({ summary: 'List jobs, newest first.' })
  list(@Query() q: ListJobsQueryDto) {
    return this.jobs.list(q);
  }

  @Get('api/v1/jobs/:job_id')
  @ApiOperation({ summary: 'Job status: progress, cost per stage, stages reused from the stage cache, result or error.' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  get(@Param('job_id') jobId: string) {
    return this.jobs.get(jobId);
  }

  @Post('api/v1/jobs/:job_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or processing job (409 when it already finished).' })
  cancel(@Param('job_id') jobId: string) {
    return this.jobs.cancel(jobId);
  }

  @Delete('api/v2/jobs/:job_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a job (seed 003 v2 alias of POST /api/v1/jobs/{job_id}/cancel).' })
  cancelV2(@Param('job_id') jobId: string) {
    return this.jobs.cancel(jobId);
  }

  @Get('api/v1/jobs/:job_id/video')
  @ApiOperation({ summary: 'The finished MP4 (supports HTTP range requests).' })
  async video(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const file = await this.jobs.filePath(jobId, 'video');
    reply.header('content-disposition', `inline; filename="${jobId}.mp4"`);
    return sendFile(req, reply, file);
  }

  @Get('api/v1/jobs/:job_id/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of a finished job.' })
  async thumbnail(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return sendFile(req, reply, await this.jobs.filePath(jobId, 'thumbnail'));
  }
}

/** Streams a file with @fastify/send (Range, If-Modified-Since, ETag, content type by extension). */
async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string): Promise<FastifyReply> {
  const result = await send(req.raw, path.basename(file), { root: path.dirname(file), dotfiles: 'deny' });
  if (result.type === 'error') {
    throw new JobFileMissingError(file, result.statusCode);
  }
  return reply.status(result.statusCode).headers(result.headers).send(result.stream);
}
