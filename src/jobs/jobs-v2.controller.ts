import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Idempotent, RateLimit } from '../access/access.decorators';
import { BudgetService } from '../access/budget.service';
import { CurrentPrincipal, type Principal } from '../access/principal';
import { V2GenerateDto, V2RefineDto, V2RenderDto } from './dto/v2-generate.dto';
import { ArtifactResponder } from '../artifacts/artifact-responder';
import { JobsV2Service } from './jobs-v2.service';

/**
 * REST API v2 (docs/api.md, "v2"): the storyboard review. Mounted by URI versioning under `/api/v2`
 * (bootstrap.ts); camelCase request fields; links from the v2 links service only.
 */
@ApiTags('v2')
@Controller({ version: '2' })
export class JobsV2Controller {
  constructor(
    private readonly jobs: JobsV2Service,
    private readonly budget: BudgetService,
    private readonly files: ArtifactResponder,
  ) {}

  @Post('generate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Start a job: plan, reference design, one storyboard still per scene; it then waits for review.' })
  @ApiResponse({ status: 201, description: '{job_id, status: "generating_storyboard", estimatedCost, links}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field' })
  @RateLimit('generate')
  @Idempotent()
  async generate(@Body() body: V2GenerateDto, @CurrentPrincipal() principal: Principal) {
    await this.budget.assertCanQueue(principal);
    return this.jobs.create(body, principal);
  }

  @Get('jobs/:job_id')
  @ApiOperation({ summary: 'Status, progress, storyboard, estimated and actual cost, results or error.' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  @RateLimit('poll')
  get(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.get(jobId, principal);
  }

  @Post('jobs/:job_id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the storyboard (409 unless storyboard_complete).' })
  @RateLimit('approve')
  approve(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.approve(jobId, principal);
  }

  @Post('jobs/:job_id/render')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve if needed and render clips and composition; answers with the quote. 409 with the quote above maxCostUsd.' })
  @RateLimit('render')
  @Idempotent()
  async render(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal, @Body() body: V2RenderDto = {}) {
    // Renders spend: refused past the client's hard daily budget (docs/security.md, "Budgets").
    await this.budget.assertCanSpend(principal);
    return this.jobs.render(jobId, body?.maxCostUsd, principal);
  }

  @Post('jobs/:job_id/refine')
  @HttpCode(200)
  @ApiOperation({ summary: 'New creative prompt, scene edits or scenes to regenerate; only changed scenes get new stills.' })
  @RateLimit('refine')
  @Idempotent()
  async refine(@Param('job_id') jobId: string, @Body() body: V2RefineDto, @CurrentPrincipal() principal: Principal) {
    await this.budget.assertCanSpend(principal);
    return this.jobs.refine(jobId, body, principal);
  }

  @Get('jobs/:job_id/data')
  @ApiOperation({ summary: 'The finished MP4 (HTTP range requests).' })
  async data(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    const file = await this.jobs.filePath(jobId, 'video', principal);
    reply.header('content-disposition', `inline; filename="${jobId}.mp4"`);
    return this.files.send(req, reply, file);
  }

  @Get('jobs/:job_id/exports/:key')
  @ApiOperation({ summary: 'An export of a finished job by key: gif (image/gif), webm (video/webm), 16:9 / 1:1 / 9:16 (video/mp4); HTTP range requests.' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: no such export (not requested, skipped after failing, or the job is not completed)' })
  async exportFile(
    @Param('job_id') jobId: string,
    @Param('key') key: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    const file = await this.jobs.exportFile(jobId, key, principal);
    reply.header('content-disposition', `inline; filename="${file.fileName}"`);
    return this.files.send(req, reply, file.path, file.mimeType);
  }

  @Get('jobs/:job_id/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of a finished job.' })
  async thumbnail(@Param('job_id') jobId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal) {
    return this.files.send(req, reply, await this.jobs.filePath(jobId, 'thumbnail', principal));
  }

  @Get('jobs/:job_id/variations/:index/data')
  @ApiOperation({ summary: 'The MP4 of one variation (0-based cut index) of a finished job (HTTP range requests).' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: no such variation, it failed, or the job is not finished' })
  async variationData(
    @Param('job_id') jobId: string,
    @Param('index', ParseIntPipe) index: number,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    const file = await this.jobs.variationPath(jobId, index, 'video', principal);
    reply.header('content-disposition', `inline; filename="${jobId}-v${index}.mp4"`);
    return this.files.send(req, reply, file);
  }

  @Get('jobs/:job_id/variations/:index/thumbnail')
  @ApiOperation({ summary: 'The JPEG thumbnail of one variation of a finished job.' })
  async variationThumbnail(
    @Param('job_id') jobId: string,
    @Param('index', ParseIntPipe) index: number,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.files.send(req, reply, await this.jobs.variationPath(jobId, index, 'thumbnail', principal));
  }

  @Get('jobs/:job_id/storyboard/:scene_number')
  @ApiOperation({ summary: "A scene's storyboard still (PNG or JPEG)." })
  async storyboardImage(
    @Param('job_id') jobId: string,
    @Param('scene_number', ParseIntPipe) sceneNumber: number,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.files.send(req, reply, await this.jobs.stillPath(jobId, sceneNumber, principal));
  }

  @Delete('jobs/:job_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a job (409 when it already finished); its cost is kept.' })
  cancel(@Param('job_id') jobId: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.cancel(jobId, principal);
  }
}
