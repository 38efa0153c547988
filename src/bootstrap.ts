import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { mkdirSync } from 'node:fs';
import type { AppConfig } from '../config/app.config';
import { AppModule } from './app.module';
import { AppExceptionFilter } from './common/app-exception.filter';
import { createRootLogger } from './common/logger';
import { createValidationPipe } from './common/validation';
import { SERVICE_VERSION } from './common/version';
import { MetricsService } from './metrics/metrics.service';
import { mountDashboard } from './web/dashboard.host';

/**
 * Builds the Nest application on Fastify with every cross-cutting piece wired once: the exception filter
 * (seed error body), the validation pipe, OpenAPI at /docs, request
 * metrics. Shared by `main.ts`, the CLI and the tests, so all run the same app.
 * @param logger optional root logger (the CLI passes a quieter one)
 */
export async function createApp(config: AppConfig, logger?: Logger): Promise<NestFastifyApplication> {
  const root = logger ?? createRootLogger(config.logLevel);
  mkdirSync(config.artifactDir, { recursive: true });
  const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, root), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalFilters(new AppExceptionFilter(root));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  app.enableCors();

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unknown';
    metrics.httpDuration.observe(
      { method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
    done();
  });

  const doc = new DocumentBuilder()
    .setTitle('AI Video Ad Orchestrator')
    .setDescription('Turns a text prompt into a finished 15-60 s video ad. Job events: see README "Events".')
    .setVersion(SERVICE_VERSION)
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
  await mountDashboard(app);
  return app;
}
