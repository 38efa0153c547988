import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { JobEventsController } from './job-events.controller';
import { JobEventStreamService } from './job-event-stream.service';

/** Job event streams (SSE) for any API version: a route is one call of {@link JobEventStreamService.open}. */
@Module({})
export class JobEventsModule {
  /** @param withApi mount the v1 route (the `api` role) */
  static register(withApi: boolean) {
    return {
      module: JobEventsModule,
      imports: [MessagingModule],
      controllers: withApi ? [JobEventsController] : [],
      providers: [JobEventStreamService],
      exports: [JobEventStreamService],
    };
  }
}
