import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent, RateLimit } from '../access/access.decorators';
import { BudgetService } from '../access/budget.service';
import { CurrentPrincipal, type Principal } from '../access/principal';
import { BATCH_BODY_SCHEMA, BATCH_ID_PARAMS_SCHEMA } from '../common/request-schemas';
import { BATCH_CREATED_SCHEMA, BATCH_ROUTE_SCHEMA } from './batch-response.schema';
import { BatchesService, batchSpecs } from './batches.service';
import { BatchDto } from './dto/batch.dto';

/**
 * Batches of the v1 API (docs/api.md, "Batches and variations"): up to 10 jobs made by one call, sharing a
 * `batch_id`, and their aggregate status. Admission is generate-ad's: the `generate` rate-limit class,
 * `Idempotency-Key`, and the budget and queue checks counting every job of the batch.
 */
@ApiTags('jobs')
@Controller()
export class BatchesController {
  constructor(
    private readonly batches: BatchesService,
    private readonly budget: BudgetService,
  ) {}

  @Post('api/v1/batch')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create up to 10 ad generation jobs at once (one transaction, one batch_id); answers at once.' })
  @ApiResponse({ status: 201, description: '{batch_id, status: "queued", created_at, estimated_completion_time, jobs: [{job_id, variation, status, created_at, estimated_completion_time, links}], links: {batch}}' })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT naming each bad field as requests.<n>.<field>; nothing is created' })
  @ApiResponse({ status: 429, description: 'RATE_LIMIT_EXCEEDED: rate limit, or the batch would pass MAX_QUEUED_JOBS_PER_CLIENT' })
  @RateLimit('generate')
  @Idempotent()
  @RouteSchema({ body: BATCH_BODY_SCHEMA, response: { 201: BATCH_CREATED_SCHEMA } })
  async create(@Body() body: BatchDto, @CurrentPrincipal() principal: Principal) {
    const specs = batchSpecs(body);
    await this.budget.assertCanQueue(principal, specs.length);
    return this.batches.create(specs, principal);
  }

  @Get('api/v1/batches/:batch_id')
  @RouteSchema({ ...BATCH_ROUTE_SCHEMA, params: BATCH_ID_PARAMS_SCHEMA })
  @ApiOperation({ summary: "A batch's aggregate status, its jobs (status, progress, video_url, cost) and total cost." })
  @ApiResponse({ status: 400, description: 'INVALID_INPUT: batch_id is not a UUID' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND (also for another client\'s batch)' })
  @RateLimit('poll')
  get(@Param('batch_id') batchId: string, @CurrentPrincipal() principal: Principal) {
    return this.batches.get(batchId, principal);
  }
}
