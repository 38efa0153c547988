import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app.config';
import { ROOT_LOGGER } from './common/logger';
import { runMigrations } from './database/migrations';
import { assertFfmpegAvailable } from './media/ffmpeg.runner';
import { kenBurnsModule } from './media/ken-burns.renderer';
import { JobReaper } from './jobs/job-reaper';
import { SagaConsumer } from './jobs/saga.consumer';
import { JetStreamService } from './messaging/jetstream.service';
import { OutboxRelay } from './messaging/outbox.relay';
import { StageRunner } from './stages/stage-runner';

/**
 * Starts and stops the roles in a safe order (docs/conventions.md, "Fail at startup"):
 * database reachable and migrated, ffmpeg present (stages role), NATS connected and streams provisioned,
 * then the outbox relay, the saga and the stage workers. On shutdown, workers stop first (their leases are
 * released), then the saga, then the relay flushes, and NATS drains last.
 */
@Injectable()
export class AppLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Optional() private readonly saga?: SagaConsumer,
    @Optional() private readonly reaper?: JobReaper,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.orm.em.fork().execute('select 1');
    } catch (err) {
      throw new Error(`cannot reach PostgreSQL (DATABASE_URL): ${(err as Error).message}`);
    }
    if (this.config.migrateOnStart) {
      const applied = await runMigrations(this.orm);
      if (applied.length > 0) this.logger.info({ migrations: applied }, 'database migrated');
    } else if ((await this.orm.getMigrator().getPendingMigrations()).length > 0) {
      throw new Error('database has pending migrations: run `npm run migration:up` or set DB_MIGRATE_ON_START=true');
    }
    if (this.config.roles.includes('stages')) {
      await assertFfmpegAvailable();
      kenBurnsModule(); // the local clip provider's resampler: a build without it must not take work
    }
    await this.nats.start();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    if (this.config.roles.includes('orchestrator')) {
      await this.saga?.start();
      this.reaper?.start();
    }
    if (this.config.roles.includes('stages')) await this.stageRunner()?.start();
    this.logger.info({ roles: this.config.roles, nats_prefix: this.config.natsPrefix }, 'roles started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stageRunner()?.stop();
    await this.reaper?.stop();
    await this.saga?.stop();
    await this.relay.stop();
  }

  private stageRunner(): StageRunner | undefined {
    try {
      return this.moduleRef.get(StageRunner, { strict: false });
    } catch {
      return undefined;
    }
  }
}
