import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app.config';
import { mikroOrmOptions } from '../config/mikro-orm.config';
import { AccessModule } from './access/access.module';
import { AppLifecycle } from './app.lifecycle';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { AssetsModule } from './assets/assets.module';
import { ROOT_LOGGER } from './common/logger';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MessagingModule } from './messaging/messaging.module';
import { MetricsModule } from './metrics/metrics.module';
import { StagesModule } from './stages/stages.module';
import { JobEventsModule } from './job-events/job-events.module';
import { JobMetricsModule } from './job-metrics/job-metrics.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** Config and the root logger, visible to every module. */
@Global()
@Module({})
class CoreModule {
  static register(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
      ],
      exports: [APP_CONFIG, ROOT_LOGGER],
    };
  }
}

/**
 * Composition root. Roles (`api`, `orchestrator`, `stages`) are chosen by config: the HTTP server always
 * serves /health and /metrics; the REST API only with `api`; the saga only with `orchestrator`; stage
 * handlers only with `stages` (docs/design/saga.md, "Roles as processes").
 */
@Module({})
export class AppModule {
  static register(config: AppConfig, logger: Logger): DynamicModule {
    const has = (r: string) => config.roles.includes(r as AppConfig['roles'][number]);
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config, logger),
        // No per-request ORM context: every use forks its own EntityManager, and reads use their own pool
        // (docs/design/performance.md). Request logging is a Fastify hook (src/common/http-logging.ts).
        MikroOrmModule.forRoot({ ...mikroOrmOptions(config.databaseUrl, config.databasePoolMax), registerRequestContext: false }),
        MetricsModule,
        AccessModule.register(has('api')),
        MessagingModule,
        ArtifactsModule.register(has('api')),
        AssetsModule.register(has('api')),
        HealthModule,
        JobsModule.register(has('api')),
        WebhooksModule.register(has('api')),
        JobEventsModule.register(has('api')),
        ...(has('api') ? [JobMetricsModule] : []),
        ...(has('stages') ? [StagesModule] : []),
      ],
      providers: [AppLifecycle],
    };
  }
}
