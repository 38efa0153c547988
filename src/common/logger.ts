import pino, { type Logger } from 'pino';

/** Nest injection token of the root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The root structured logger (docs/conventions.md, "Logs": JSON with timestamp, level, job_id, stage).
 * Secrets never reach it: known secret fields are redacted wherever they appear.
 */
export function createRootLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'ai-video-orchestrator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    redact: {
      paths: ['*.apiKey', '*.api_key', '*.token', '*.authorization', '*.Authorization', 'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]', '*.adminApiKey', '*.ADMIN_API_KEY', '*.JWT_SECRET', '*.OPENAI_API_KEY', '*.REPLICATE_API_TOKEN'],
      censor: '[redacted]',
    },
  });
}
