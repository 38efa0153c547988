import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv from 'ajv';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody, ErrorCode } from '@app/contracts';
import type { AppConfig } from '../../config/app.config';

/** Bounds on any parsed body, query or params, checked before route schemas and class-validator. */
export const INPUT_LIMITS = { maxDepth: 32, maxKeysPerObject: 256, maxNodes: 10_000, maxStringChars: 100_000 } as const;

/** A UTF-16 surrogate without its pair (not encodable as UTF-8). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JSON request bodies, bytes (uploads declare their own limit on their route). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * First problem found in a parsed input, walking iteratively (no recursion, so depth cannot overflow the
 * stack): too deep, too many keys or nodes, a string with NUL or a lone surrogate (PostgreSQL rejects both
 * in text), or an over-long string. Pure.
 * @returns `{path, message}` or null when the value is within bounds
 */
export function findInputProblem(value: unknown, root: string): { path: string; message: string } | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (++nodes > INPUT_LIMITS.maxNodes) return { path: root, message: `more than ${INPUT_LIMITS.maxNodes} values` };
    if (typeof v === 'string') {
      if (v.length > INPUT_LIMITS.maxStringChars) return { path, message: `longer than ${INPUT_LIMITS.maxStringChars} characters` };
      if (v.includes('\u0000')) return { path, message: 'must not contain NUL characters' };
      if (LONE_SURROGATE.test(v)) return { path, message: 'must be well-formed Unicode (a lone surrogate was found)' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= INPUT_LIMITS.maxDepth) return { path, message: `nested deeper than ${INPUT_LIMITS.maxDepth} levels` };
    const keys = Object.keys(v);
    if (keys.length > INPUT_LIMITS.maxKeysPerObject) return { path, message: `more than ${INPUT_LIMITS.maxKeysPerObject} keys` };
    for (const k of keys) {
      const childPath = Array.isArray(v) ? `${path}[${k}]` : `${path}.${k.slice(0, 64)}`;
      if (!Array.isArray(v) && (k.includes('\u0000') || LONE_SURROGATE.test(k))) return { path: childPath, message: 'key must be well-formed Unicode without NUL' };
      stack.push({ v: (v as Record<string, unknown>)[k], path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/** The error body (docs/api.md, "Errors") as a string. Pure. */
export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}): string {
  const body: ErrorBody = { error: { code, message, details } };
  return JSON.stringify(body);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 414: 'URI Too Long', 431: 'Request Header Fields Too Large' };

/**
 * Answers a request Node's HTTP parser rejected (malformed HTTP, oversized headers, a request not fully
 * received within `HTTP_REQUEST_TIMEOUT_MS`) in the error shape of docs/api.md, "Errors", then closes the connection.
 */
export function handleClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body =
    status === 408
      ? errorBody('TIMEOUT', 'the request was not received in time', { reason: err.code })
      : errorBody('INVALID_INPUT', status === 431 ? 'request headers are too large' : 'malformed HTTP request', { reason: err.code ?? 'bad_request' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Fastify server options for the HTTP edges (docs/security.md, "Edges"): 1 MB JSON bodies, 100-character
 * path parameters (longer: 414), a whole-request timeout (a half-sent body no longer holds its socket),
 * router errors (broken percent-encoding, long parameters) and parser errors in the error shape (docs/api.md, "Errors").
 */
export function fastifyServerOptions(config: AppConfig): FastifyServerOptions & { http: ServerOptions } {
  return {
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    trustProxy: true,
    routerOptions: { maxParamLength: 100 },
    requestTimeout: config.access.requestTimeoutMs,
    // Node checks request timeouts on this interval (default 30 s, which would let a stalled body live that long).
    http: { connectionsCheckingInterval: 1000 },
    keepAliveTimeout: config.access.keepAliveTimeoutMs,
    clientErrorHandler: handleClientError,
    frameworkErrors: (error: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .status(tooLong ? 414 : 400)
        .header('content-type', 'application/json; charset=utf-8')
        .send(
          tooLong
            ? errorBody('URI_TOO_LONG', 'a path parameter is longer than 100 characters', { fields: { path: ['at most 100 characters per parameter'] } })
            : errorBody('INVALID_INPUT', 'the URL is not valid (broken percent-encoding?)', { fields: { path: ['not a valid URL component'] }, reason: error.code }),
        );
    },
  };
}

/**
 * Wires the edges that need the built app: security headers (helmet), CORS for `CORS_ORIGINS`
 * only, route schemas compiled without coercion or key removal, the input bounds hook, and headers timeout.
 */
export async function applyHttpEdges(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Helmet's middleware built once: @fastify/helmet rebuilt it (parsing the CSP directives again) on every
  // request, a few percent of a status read's CPU (docs/design/performance.md, "Status reads").
  const securityHeaders = helmet({
    // Swagger UI (/docs) loads its own scripts and inline styles; everything else is JSON or media.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"] } },
    // Finished ads are embedded by the frontend's own origin (<video src>): allow cross-origin loads.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  // No CORS_ORIGINS, no CORS plugin: with `origin: false` it added no header and sent preflights to the
  // not-found handler, as Fastify does without it, yet merged its options into a new object on every
  // request (3 % of a status read's CPU, docs/design/performance.md, "Status reads").
  if (config.access.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.access.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'idempotency-key', 'range', 'last-event-id'],
      exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'content-range', 'idempotent-replayed'],
      maxAge: 600,
      strictPreflight: false,
    });
  }

  const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false });
  fastify.setValidatorCompiler(({ schema }) => ajv.compile(schema));

  fastify.addHook('preValidation', async (req: FastifyRequest) => {
    for (const [where, value] of [
      ['body', req.body],
      ['query', req.query],
      ['params', req.params],
    ] as const) {
      const problem = findInputProblem(value, where);
      if (problem) {
        throw Object.assign(new Error(`${problem.path} ${problem.message}`), { statusCode: 400, code: 'INPUT_OUT_OF_BOUNDS', fieldPath: problem.path });
      }
    }
  });

  const server = app.getHttpServer();
  server.headersTimeout = Math.min(config.access.requestTimeoutMs || 60_000, 60_000);
}
