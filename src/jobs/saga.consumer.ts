import { Inject, Injectable } from '@nestjs/common';
import { OptimisticLockError } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { SagaInbound } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { crashPoint } from '../common/crash-points';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from '../messaging/jetstream.service';
import { runPullConsumer, type RunningConsumer, type Settlement } from '../messaging/pull-consumer';
import { JobSagaHandler } from './job-saga.handler';

/** Durable names of the saga's consumers (one filter subject each: NATS 2.9 has no multi-filter). */
export const SAGA_RESULTS_DURABLE = 'saga_stage_results';
export const SAGA_CREATED_DURABLE = 'saga_job_created';

/**
 * The orchestrator role: consumes `job.created` and stage results from the event stream and feeds them to the
 * saga. A message is acked only after its transaction committed; a failure naks it with a delay.
 */
@Injectable()
export class SagaConsumer {
  private consumers: RunningConsumer[] = [];

  constructor(
    private readonly nats: JetStreamService,
    private readonly saga: JobSagaHandler,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Provisions the durables and starts pulling. */
  async start(): Promise<void> {
    const s = this.nats.subjects;
    const ackWait = { ack_wait: this.config.sagaAckWaitSeconds * 1e9 };
    await this.nats.ensureConsumer(s.eventStream, SAGA_RESULTS_DURABLE, s.stageResultFilter, ackWait);
    await this.nats.ensureConsumer(s.eventStream, SAGA_CREATED_DURABLE, s.jobCreatedFilter, ackWait);
    for (const durable of [SAGA_RESULTS_DURABLE, SAGA_CREATED_DURABLE]) {
      this.consumers.push(
        runPullConsumer({
          js: this.nats.js,
          nc: this.nats.connection,
          stream: s.eventStream,
          durable,
          slots: this.config.sagaSlots,
          logger: this.logger,
          handler: async (msg) => this.handle(durable, msg.json<SagaInbound>()),
        }),
      );
    }
    // Jobs left queued while no orchestrator ran (or created while at the limit) start now if slots are free.
    await this.saga.startQueued();
  }

  private async handle(durable: string, event: SagaInbound): Promise<Settlement> {
    try {
      await this.saga.handleEvent(durable, event);
      // Crash points stand for kills at state transitions. A progress tick (up to one a second per running
      // stage) is not one: arming it would multiply the kill rate by the tick rate, and no long stage could
      // finish under the crash test (docs/design/saga.md, "Crash testing"). The driver's random kills still
      // land while ticks flow.
      if (event.type !== 'stage.progress') crashPoint('saga.after-commit-before-ack');
      return { action: 'ack' };
    } catch (err) {
      if (err instanceof OptimisticLockError) return { action: 'nak', delayMs: 50 };
      this.logger.error({ job_id: event.job_id, type: event.type, err: (err as Error).message }, 'saga could not apply event');
      return { action: 'nak', delayMs: 2000 };
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    this.consumers = [];
  }
}
