import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';
import { CostEstimator } from './cost-estimator';
import { JobReaper } from './job-reaper';
import { JobSagaHandler } from './job-saga.handler';
import { JobsController } from './jobs.controller';
import { JobInsightsController } from './job-insights.controller';
import { JobTimelineService } from './job-timeline.service';
import { JobsService } from './jobs.service';
import { JobsV2Controller } from './jobs-v2.controller';
import { JobsV2Service } from './jobs-v2.service';
import { JobStatusReader } from './job-status.reader';
import { SagaConsumer } from './saga.consumer';

/** Jobs: REST controllers, the job entity, the saga (pure decide() + handler) and its consumer. */
@Module({})
export class JobsModule {
  /** @param withApi mount the REST controllers (the `api` role) */
  static register(withApi: boolean): DynamicModule {
    return {
      module: JobsModule,
      imports: [MessagingModule],
      controllers: withApi ? [JobsController, JobsV2Controller, JobInsightsController, BatchesController] : [],
      providers: [JobsService, JobsV2Service, BatchesService, JobSagaHandler, SagaConsumer, CostEstimator, JobReaper, JobStatusReader, JobTimelineService],
      exports: [JobsService, SagaConsumer, JobSagaHandler, JobReaper],
    };
  }
}
