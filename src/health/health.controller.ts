import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { JetStreamService } from '../messaging/jetstream.service';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { MetricsService } from '../metrics/metrics.service';
import { SERVICE_VERSION } from '../common/version';
import { Public } from '../access/access.decorators';

/** Milliseconds a dependency gets to answer a health probe. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * `GET /health` (docs/api.md, "Others": 503 naming the failing dependency) and `GET /metrics`
 * (Prometheus text). Checks run through @nestjs/terminus; the body keeps the documented shape, not terminus's.
 */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Service health: database and NATS connectivity, version, uptime.' })
  async check(@Res() reply: FastifyReply) {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.probeDatabase(), () => this.probeNats()]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
    }
    const details = result.details as Record<string, { status: string; message?: string }>;
    const down = Object.entries(details).filter(([, v]) => v.status !== 'up');
    const body = {
      status: down.length === 0 ? 'healthy' : 'unhealthy',
      service: 'ai-video-orchestrator',
      version: SERVICE_VERSION,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      roles: this.config.roles,
      database: details.database?.status === 'up' ? 'connected' : 'disconnected',
      nats: details.nats?.status === 'up' ? 'connected' : 'disconnected',
      timestamp: new Date().toISOString(),
      ...(down.length > 0 ? { error: down.map(([k, v]) => `${k}: ${v.message ?? 'down'}`).join('; ') } : {}),
    };
    return reply.status(down.length === 0 ? 200 : 503).send(body);
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format).' })
  async prometheus(@Res() reply: FastifyReply) {
    const { contentType, body } = await this.metrics.render();
    return reply.header('content-type', contentType).send(body);
  }

  private async probeDatabase() {
    const probe = this.indicators.check('database');
    try {
      await withTimeout(this.orm.em.fork().execute('select 1'), PROBE_TIMEOUT_MS);
      return probe.up();
    } catch (err) {
      return probe.down({ message: `database unreachable: ${(err as Error).message}` });
    }
  }

  private async probeNats() {
    const probe = this.indicators.check('nats');
    try {
      const rttMs = await withTimeout(this.nats.ping(), PROBE_TIMEOUT_MS);
      return probe.up({ rtt_ms: rttMs });
    } catch (err) {
      return probe.down({ message: `NATS unreachable: ${(err as Error).message}` });
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
