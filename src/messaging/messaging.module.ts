import { Module } from '@nestjs/common';
import { JetStreamService } from './jetstream.service';
import { OutboxRelay } from './outbox.relay';

/** JetStream connection, stream provisioning and the outbox relay. */
@Module({
  providers: [JetStreamService, OutboxRelay],
  exports: [JetStreamService, OutboxRelay],
})
export class MessagingModule {}
