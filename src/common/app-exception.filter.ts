import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorBody, ErrorCode } from '@app/contracts';
import { AppError } from './app-error';
import { ROOT_LOGGER } from './logger';

/** HTTP status per error code: the one place codes meet HTTP (docs/conventions.md, "Errors"; table in docs/api.md, "Errors"). */
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
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BUDGET_EXCEEDED: 402,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  RANGE_NOT_SATISFIABLE: 416,
};

/**
 * Maps any error to `{error: {code, message, details}}` (docs/api.md, "Errors"): AppErrors by
 * code, Nest/Fastify HTTP errors by status (a malformed JSON body becomes INVALID_INPUT), anything else
 * INTERNAL_ERROR without leaking internals.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    if (status >= 500) this.logger.error({ err: loggableError(exception) }, 'request failed');
    if (exception instanceof AppError && exception.retryAfterMs !== undefined && (status === 429 || status === 503 || status === 409) && !reply.getHeader('retry-after')) {
      void reply.header('retry-after', Math.max(1, Math.ceil(exception.retryAfterMs / 1000)));
    }
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
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : typeof res.message === 'string' ? res.message : exception.message;
    const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status === 429 ? 'RATE_LIMIT_EXCEEDED' : status < 500 ? 'INVALID_INPUT' : 'INTERNAL_ERROR';
    return { status, body: { error: { code, message, details: typeof res === 'object' && res.details ? res.details : {} } } };
  }
  const fastifyErr = exception as { statusCode?: number; code?: string; message?: string; validation?: AjvError[]; validationContext?: string; fieldPath?: string };
  if (fastifyErr?.code === 'INPUT_OUT_OF_BOUNDS' && fastifyErr.fieldPath) {
    const field = fastifyErr.fieldPath;
    return { status: 400, body: { error: { code: 'INVALID_INPUT', message: `invalid request: ${fastifyErr.message}`, details: { fields: { [field]: [fastifyErr.message ?? 'out of bounds'] } } } } };
  }
  if (Array.isArray(fastifyErr?.validation)) {
    const fields = fieldsFromSchemaErrors(fastifyErr.validation, fastifyErr.validationContext ?? 'body');
    return { status: 400, body: { error: { code: 'INVALID_INPUT', message: `invalid request: ${Object.keys(fields).join(', ')}`, details: { fields } } } };
  }
  if (fastifyErr?.statusCode === 413) {
    return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large', details: { body: 'larger than this route accepts', reason: fastifyErr.code } } } };
  }
  if (typeof fastifyErr?.statusCode === 'number' && fastifyErr.statusCode < 500) {
    const malformed = fastifyErr.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(fastifyErr.message ?? '');
    return {
      status: fastifyErr.statusCode === 415 ? 415 : 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: malformed ? 'request body is not valid JSON' : (fastifyErr.message ?? 'bad request'),
          details: { body: fastifyErr.message ?? 'bad request', reason: fastifyErr.code ?? 'bad_request', parser: fastifyErr.message },
        },
      },
    };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error', details: {} } } };
}

/** One Ajv error as Fastify reports it. */
interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: { additionalProperty?: string; missingProperty?: string };
}

/** Route-schema errors as `{field.path: [messages]}` (same shape as class-validator's). Pure. */
export function fieldsFromSchemaErrors(errors: AjvError[], context: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const e of errors.slice(0, 50)) {
    const base = (e.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean).join('.');
    const extra = e.params?.additionalProperty ?? e.params?.missingProperty;
    const key = [base, extra?.slice(0, 64)].filter(Boolean).join('.') || context;
    const message = e.keyword === 'additionalProperties' ? `property ${extra?.slice(0, 64)} should not exist` : `${key} ${e.message ?? 'is invalid'}`;
    (fields[key] ??= []).push(message);
  }
  return fields;
}

/**
 * What a 5xx logs: the stack of our own errors, but only name and SQLSTATE of database driver errors, whose
 * messages carry the SQL and its parameters (user text) (docs/security.md, "Edges").
 */
export function loggableError(exception: unknown): Record<string, unknown> | string {
  if (!(exception instanceof Error)) return String(exception).slice(0, 500);
  const driver = exception as Error & { sqlState?: string; code?: string };
  if (driver.sqlState !== undefined || /Exception$/.test(exception.name)) return { name: exception.name, sql_state: driver.sqlState ?? driver.code };
  return { name: exception.name, stack: exception.stack };
}
