import 'reflect-metadata';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { mkdirSync } from 'node:fs';
import type { AppConfig } from '../config/app.config';
import { AppModule } from './app.module';
import { registerMultipart } from './assets/assets.module';
import { AppExceptionFilter } from './common/app-exception.filter';
import { applyHttpEdges, fastifyServerOptions } from './common/http-edges';
import { createAccessLog, createRootLogger } from './common/logger';
import { PinoNestLogger, registerRequestLogging } from './common/http-logging';
import { createValidationPipe } from './common/validation';
import { SERVICE_VERSION } from './common/version';
import { MetricsService } from './metrics/metrics.service';
import { mountDashboard } from './web/dashboard.host';

/**
 * Builds the Nest application on Fastify with every cross-cutting piece wired once: the exception filter
 * (the error body of docs/api.md, "Errors"), the validation pipe, OpenAPI at /docs, request
 * metrics. Shared by `main.ts`, the CLI and the tests, so all run the same app.
 * @param logger optional root logger (the CLI passes a quieter one)
 */
export async function createApp(config: AppConfig, logger?: Logger): Promise<NestFastifyApplication> {
  const root = logger ?? createRootLogger(config.logLevel);
  mkdirSync(config.artifactDir, { recursive: true });
  const adapter = new FastifyAdapter(fastifyServerOptions(config));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, root), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(new PinoNestLogger(root));
  app.useGlobalFilters(new AppExceptionFilter(root));
  app.useGlobalPipes(createValidationPipe());
  // v2 routes live under /api/v2 by URI versioning; v1's controller keeps its own unversioned paths.
  app.enableVersioning({ type: VersioningType.URI, prefix: 'api/v' });
  app.enableShutdownHooks();
  await applyHttpEdges(app, config);
  await registerMultipart(app);

  const fastify = app.getHttpAdapter().getInstance();
  // The service's own stdout logger gets the buffered access log; a caller's logger keeps every line its own way.
  registerRequestLogging(fastify, root, logger ? undefined : createAccessLog(config.logLevel));
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
    .addTag('jobs', 'v1: fire-and-forget generation (docs/api.md, "v1")')
    .addTag('v2', 'v2: storyboard review, approve, render, refine (docs/api.md, "v2")')
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
  await mountDashboard(app);
  return app;
}
