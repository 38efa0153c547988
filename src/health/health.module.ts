import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MessagingModule } from '../messaging/messaging.module';
import { HealthController } from './health.controller';

/** `/health` and `/metrics`, served by every role. */
@Module({ imports: [TerminusModule, MessagingModule], controllers: [HealthController] })
export class HealthModule {}
