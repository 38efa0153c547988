import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorBody, ErrorCode } from '@app/contracts';
import { AppError } from './app-error';
import { ROOT_LOGGER } from './logger';

/** HTTP status per error code: the one place codes meet HTTP (conventions.md, "Errors"). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMIT_EXCEEDED: 429,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
  PROMPT_PARSING_FAILED: 502,
  IMAGE_GENERATION_FAILED: 502,
  VIDEO_GENERATION_FAILED: 502,
  COMPOSITION_FAILED: 502,
  COST_LIMIT_EXCEEDED: 402,
  CANCELLED: 409,
  INTERNAL_ERROR: 500,
};

/**
 * Maps any error to `{error: {code, message, details}}` (seed 000, "Error Response Format"): AppErrors by
 * code, Nest/Fastify HTTP errors by status (a malformed JSON body becomes INVALID_INPUT), anything else
 * INTERNAL_ERROR without leaking internals.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    if (status >= 500) this.logger.error({ err: exception instanceof Error ? exception.stack : String(exception) }, 'request failed');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

/** Pure mapping used by the filter and by Fastify's own error handler. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof AppError) {
    return {
      status: HTTP_STATUS_BY_CODE[exception.code] ?? 500,
      body: { error: { code: exception.code, message: exception.message, details: exception.details } },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse() as { message?: unknown; details?: Record<string, unknown> } | string;
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : String(res.message ?? exception.message);
    const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status === 429 ? 'RATE_LIMIT_EXCEEDED' : status < 500 ? 'INVALID_INPUT' : 'INTERNAL_ERROR';
    return { status, body: { error: { code, message, details: typeof res === 'object' && res.details ? res.details : {} } } };
  }
  const fastifyErr = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyErr?.statusCode === 'number' && fastifyErr.statusCode < 500) {
    const malformed = fastifyErr.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(fastifyErr.message ?? '');
    return {
      status: fastifyErr.statusCode === 413 ? 413 : 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: malformed ? 'request body is not valid JSON' : (fastifyErr.message ?? 'bad request'),
          details: { reason: fastifyErr.code ?? 'bad_request', parser: fastifyErr.message },
        },
      },
    };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error', details: {} } } };
}
