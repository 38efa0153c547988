/**
 * The framework's floor for the status route (`npm run bench:status`): a Nest application on the same Fastify
 * adapter with one trivial controller answering `GET /api/v1/jobs/:id` with a fixed body read from `BODY_FILE`
 * (and `304` for `If-None-Match: $ETAG`), on `PORT`. No guards, hooks, database or logging: what Nest's router,
 * its execution context and the adapter cost over a bare Fastify route (docs/design/performance.md). Not part
 * of the service.
 */
import 'reflect-metadata';
import { Controller, Get, Headers, Module, Param, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';

const body = readFileSync(process.env.BODY_FILE ?? '', 'utf8');
const etag = process.env.ETAG ?? '';

/** The one route, shaped like the real status handler: path parameter, a header, the reply object. */
@Controller()
class FloorController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('api/v1/jobs/:job_id')
  get(@Param('job_id') _jobId: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply) {
    if (etag && ifNoneMatch === etag) return reply.code(304).header('etag', etag).send();
    return reply.header('content-type', 'application/json; charset=utf-8').header('etag', etag).header('cache-control', 'no-cache').send(body);
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.env.PORT ?? 19998), '127.0.0.1');
  process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-nest: ${String(err)}\n`);
  process.exit(1);
});
