import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { JobMetricsService, TIME_RANGE_HOURS, type TimeRange } from './job-metrics.service';

/** Query of `GET /api/v1/metrics`. */
export class MetricsQueryDto {
  @ApiPropertyOptional({ enum: Object.keys(TIME_RANGE_HOURS), default: '24h' })
  @IsOptional()
  @IsIn(Object.keys(TIME_RANGE_HOURS), { message: `time_range must be one of ${Object.keys(TIME_RANGE_HOURS).join(', ')}` })
  time_range?: TimeRange;
}

/**
 * `GET /api/v1/metrics?time_range=1h|24h|7d|30d` (docs/events.md, "Metrics"): job counts, success rate, cost and
 * duration over the window, per-stage durations and failures by code. Not the Prometheus `/metrics`.
 */
@ApiTags('metrics')
@Controller()
export class JobMetricsController {
  constructor(private readonly metrics: JobMetricsService) {}

  @Get('api/v1/metrics')
  @ApiOperation({ summary: 'Aggregated job metrics over a time window (default 24h).' })
  get(@Query() q: MetricsQueryDto) {
    return this.metrics.metrics(q.time_range ?? '24h');
  }
}
