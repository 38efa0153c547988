import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks: registered endpoints (REST, `api` role) and delivery of job events (fan-out consumer and
 * dispatcher, `orchestrator` role). Talks to jobs only through the job events on JetStream.
 */
@Module({})
export class WebhooksModule {
  /** @param withApi mount the REST controller (the `api` role) */
  static register(withApi: boolean): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [MessagingModule],
      controllers: withApi ? [WebhooksController] : [],
      providers: [WebhooksService, WebhookDispatcher],
      exports: [WebhooksService, WebhookDispatcher],
    };
  }
}
