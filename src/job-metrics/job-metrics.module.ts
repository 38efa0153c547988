import { Module } from '@nestjs/common';
import { JobMetricsController } from './job-metrics.controller';
import { JobMetricsService } from './job-metrics.service';

/** Aggregated job metrics over the database (`GET /api/v1/metrics`), in the `api` role. */
@Module({ controllers: [JobMetricsController], providers: [JobMetricsService], exports: [JobMetricsService] })
export class JobMetricsModule {}
