import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { V2GenerateDto, V2RefineDto, V2RenderDto } from './dto/v2-generate.dto';
import { sendFile } from './jobs.controller';
import { JobsV2Service } from './jobs-v2.service';

/**
 * REST API v2 (docs/api.md, "v2"): the storyboard review. Mounted by URI versioning under `/api/v2`
 * (bootstrap.ts); camelCase request fields; links from the v2 links service only.
 */
@ApiTags('v2')
@Controller({ version: '2' })
export class JobsV2Controller {
  constructor(private readonly jobs: JobsV2Service) {}

  @Post('generate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Start a job: plan, reference design, one storyboard still per scene; it then waits for review.' })
  @ApiResponse({ status: 201, description: '{job_id, status: "generating_storyboard", estimatedCost, links}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field' })
  generate(@Body() body: V2GenerateDto) {
    return this.jobs.create(body);
  }

  @Get('jobs/:job_id')
  @ApiOperation({ summary: 'Status, progress, storyboard, estimated and actual cost, results or error.' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  get(@Param('job_id') jobId: string) {
    return this.jobs.get(jobId);
  }

  @Post('jobs/:job_id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the storyboard (409 unless storyboard_complete).' })
  approve(@Param('job_id') jobId: string) {
    return this.jobs.approve(jobId);
  }

  @Post('jobs/:job_id/render')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve if needed and render clips and composition; answers with the quote. 409 with the quote above maxCostUsd.' })
  render(@Param('job_id') jobId: string, @Body() body: V2RenderDto = {}) {
    return this.jobs.render(jobId, body?.maxCostUsd);
  }

  @Post('jobs/:job_id/refine')
  @HttpCode(200)
  @ApiOperation({ summary: 'New creative prompt, scene edits or scenes to regenerate; only changed scenes get new stills.' })
  refine(@Param('job_id') jobId: string, @Body() body: V2RefineDto) {
    return this.jobs.refine(jobId, body);
  }

  @Get('jobs/:job_id/data')
  @ApiOperation({ summary: 'The finished MP4 (HTTP range requests).' })
  async data(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const file = await this.jobs.filePath(jobId, 'video');
    reply.header('content-disposition', `inline; filename="${jobId}.mp4"`);
    return sendFile(req, reply, file);
  }

  @Get('jobs/:job_id/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of a finished job.' })
  async thumbnail(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return sendFile(req, reply, await this.jobs.filePath(jobId, 'thumbnail'));
  }

  @Get('jobs/:job_id/storyboard/:scene_number')
  @ApiOperation({ summary: "A scene's storyboard still (PNG or JPEG)." })
  async storyboardImage(@Param('job_id') jobId: string, @Param('scene_number', ParseIntPipe) sceneNumber: number, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return sendFile(req, reply, await this.jobs.stillPath(jobId, sceneNumber));
  }

  @Delete('jobs/:job_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a job (409 when it already finished); its cost is kept.' })
  cancel(@Param('job_id') jobId: string) {
    return this.jobs.cancel(jobId);
  }
}
