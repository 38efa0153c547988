import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AccessLog } from './logger';

/** Paths probed often by machines, not worth a log line each. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * One access-log line per request, written from Fastify's `onResponse` hook: `{component: "http", req: {id,
 * method, url}, res: {statusCode}, responseTime}` (ms), at `error` for 5xx, `info` otherwise. It replaces a
 * per-request middleware that built a child logger and serialized every header for each request, a tenth of
 * a status read's CPU (docs/design/performance.md).
 *
 * The line is written without the root logger's redaction: its keys are fixed above and none of them is a
 * redacted path (src/common/logger.ts), yet matching the paths cost 24 µs a line, 5 times the rest of it.
 * With `access` (the service's own stdout logger) lines are held and written 4 KiB at a time
 * ({@link createAccessLog}); a 5xx line is written at once. Without it (a caller's own root logger) they go
 * through a child of `root`.
 */
export function registerRequestLogging(fastify: FastifyInstance, root: Logger, access?: AccessLog): void {
  const log = access?.logger ?? root.child({ component: 'http' }, { redact: [] });
  fastify.addHook('onResponse', (req, reply, done) => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (!QUIET_PATHS.has(path) && log.isLevelEnabled(reply.statusCode >= 500 ? 'error' : 'info')) {
      const line = {
        req: { id: req.id, method: req.method, url: req.url },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      };
      if (reply.statusCode >= 500) {
        log.error(line, 'request errored');
        access?.flushSync();
      } else log.info(line, 'request completed');
    }
    done();
  });
  if (access)
    fastify.addHook('onClose', (_instance, done) => {
      access.close();
      done();
    });
}

/**
 * Nest's framework logger (bootstrap messages, route mapping) onto the root pino logger, so every line is the
 * same JSON with `context` naming the Nest class.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.logger.error({ context: context ?? stackOrContext, ...(context ? { stack: stackOrContext } : {}) }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }
  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
