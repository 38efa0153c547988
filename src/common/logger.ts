import pino, { type Logger, type LoggerOptions } from 'pino';

/** Nest injection token of the root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The root structured logger (docs/conventions.md, "Logs": JSON with timestamp, level, job_id, stage).
 * Secrets never reach it: known secret fields are redacted wherever they appear.
 */
export function createRootLogger(level: string): Logger {
  return pino({
    ...lineFormat(level),
    redact: {
      paths: [
        '*.apiKey',
        '*.api_key',
        '*.token',
        '*.authorization',
        '*.Authorization',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'req.headers["proxy-authorization"]',
        'res.headers["set-cookie"]',
        '*.adminApiKey',
        '*.ADMIN_API_KEY',
        '*.JWT_SECRET',
        '*.OPENAI_API_KEY',
        '*.REPLICATE_API_TOKEN',
      ],
      censor: '[redacted]',
    },
  });
}

/** The line format every logger of the service shares: level label, ISO time, `service`. */
function lineFormat(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'ai-video-orchestrator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label.toUpperCase() }) },
  };
}

/** Access lines held before one write, bytes (about 20 lines). */
const ACCESS_BUFFER_BYTES = 4096;
/** Held access lines are written after at most this long when traffic is low, ms. */
const ACCESS_FLUSH_MS = 1000;

/** A logger for the access line and the function that writes what it still holds. */
export interface AccessLog {
  logger: Logger;
  /** Writes the held lines now, synchronously. */
  flushSync(): void;
  /** Writes the held lines and stops the flush timer (the server is closing). */
  close(): void;
}

/**
 * The access line's own logger (docs/design/performance.md, "Status reads"): the root's line format with
 * `component: "http"` and no redaction, on a stdout destination that holds lines until 4 KiB (or 1 s) and
 * writes them at once, synchronously, so a status poll no longer pays a `write` of its own. Only access
 * lines are held: every other line still goes out as it is logged. A SIGKILL or a native crash loses the
 * held lines (at most 4 KiB, the last second of requests); a normal exit, an uncaught exception and a
 * graceful shutdown write them first.
 * @param level the root logger's level
 */
export function createAccessLog(level: string): AccessLog {
  const dest = pino.destination({
    dest: 1,
    sync: true,
    minLength: ACCESS_BUFFER_BYTES,
    periodicFlush: ACCESS_FLUSH_MS,
  });
  const flushSync = () => {
    try {
      dest.flushSync();
    } catch {
      // Destroyed or not open yet: nothing can be written.
    }
  };
  process.on('exit', flushSync);
  const logger = pino(
    { ...lineFormat(level), base: { service: 'ai-video-orchestrator', component: 'http' } },
    dest,
  );
  return {
    logger,
    flushSync,
    close: () => {
      process.removeListener('exit', flushSync);
      flushSync();
      dest.end();
    },
  };
}
