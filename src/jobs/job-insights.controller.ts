import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from '@app/contracts';
import { JobTimelineService } from './job-timeline.service';

/** Query of `GET /api/v1/cost-estimate`. */
export class CostEstimateQueryDto {
  @ApiProperty({ minimum: MIN_DURATION_SECONDS, maximum: MAX_DURATION_SECONDS, example: 30, description: 'Seconds' })
  @Type(() => Number)
  @IsInt()
  @Min(MIN_DURATION_SECONDS)
  @Max(MAX_DURATION_SECONDS)
  duration!: number;
}

/**
 * Read-only views the dashboard needs beyond the v1 job body: the stage timeline of a job and the cost
 * estimate shown before submitting (docs/dashboard.md, "API used by the dashboard").
 */
@ApiTags('jobs')
@Controller()
export class JobInsightsController {
  constructor(private readonly timeline: JobTimelineService) {}

  @Get('api/v1/jobs/:job_id/stages')
  @ApiOperation({ summary: 'Stage attempts of a job, oldest first: start, duration, provider, calls, cost, cached, error.' })
  @ApiResponse({ status: 200, description: '{job_id, request: {prompt, duration, aspect_ratio, brand_guidelines}, attempts: [{attempt_id, stage, scene_index, status, provider, started_at, finished_at, duration_seconds, processing_time_seconds, deliveries, provider_calls, cost_usd, cached, error}]}' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND' })
  stages(@Param('job_id') jobId: string) {
    return this.timeline.attempts(jobId);
  }

  @Get('api/v1/cost-estimate')
  @ApiOperation({ summary: 'USD a job of `duration` seconds should cost on the configured providers, per stage.' })
  @ApiResponse({ status: 200, description: '{currency: "USD", duration, total, breakdown: {prompt_parsing, image_generation, video_generation, composition}}' })
  estimate(@Query() q: CostEstimateQueryDto) {
    return this.timeline.estimate(q.duration);
  }
}
