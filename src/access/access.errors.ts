import { AppError } from '../common/app-error';

/** No credential, or one that is unknown, revoked, expired or malformed (401 UNAUTHORIZED). */
export class UnauthorizedError extends AppError {
  constructor(message = 'a valid API key or bearer token is required') {
    super('UNAUTHORIZED', message, { details: { accepted: ['Authorization: Bearer <key or JWT>', 'X-API-Key: <key>'] } });
  }
}

/** Authenticated, but the route needs a role the principal lacks (403 FORBIDDEN). */
export class ForbiddenError extends AppError {
  constructor(role: string) {
    super('FORBIDDEN', `this endpoint requires the ${role} role`, { details: { required_role: role } });
  }
}

/** The client's daily hard budget is spent: new jobs and renders are refused until the next UTC day (402). */
export class BudgetExceededError extends AppError {
  constructor(details: { client_id: string; spent_usd: number; hard_limit_usd: number; day: string }) {
    super('BUDGET_EXCEEDED', `daily budget of $${details.hard_limit_usd} reached for client ${details.client_id}`, { details });
  }
}

/** The client already has its maximum of queued jobs (429 RATE_LIMIT_EXCEEDED, retry later). */
export class QueueAdmissionError extends AppError {
  /** @param requested jobs the refused request would have queued (above 1 for a batch) */
  constructor(clientId: string, limit: number, requested = 1) {
    super('RATE_LIMIT_EXCEEDED', requested > 1 ? `client ${clientId} cannot queue ${requested} more jobs (at most ${limit} queued)` : `client ${clientId} already has ${limit} queued jobs`, {
      retryAfterMs: 30_000,
      details: { reason: 'queued_jobs', client_id: clientId, limit, ...(requested > 1 ? { requested } : {}) },
    });
  }
}

/** Too many requests in the window (429 RATE_LIMIT_EXCEEDED with Retry-After). */
export class RateLimitedError extends AppError {
  constructor(details: { class: string; limit: number; window_seconds: number; retry_after_seconds: number }) {
    super('RATE_LIMIT_EXCEEDED', `rate limit of ${details.limit} requests per ${details.window_seconds} s reached for ${details.class}`, {
      retryAfterMs: details.retry_after_seconds * 1000,
      details,
    });
  }
}

/** The same Idempotency-Key was sent with another request body or route (422). */
export class IdempotencyKeyReusedError extends AppError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request', { details: { idempotency_key: key } });
  }
}

/** A request with the same Idempotency-Key is still being processed (409 CONFLICT, retry later). */
export class IdempotencyInFlightError extends AppError {
  constructor(key: string) {
    super('CONFLICT', 'a request with this Idempotency-Key is still in progress', { retryAfterMs: 1000, details: { idempotency_key: key } });
  }
}

/** An API key id that does not exist (404). */
export class ApiKeyNotFoundError extends AppError {
  constructor(keyId: string) {
    super('NOT_FOUND', `API key ${keyId} not found`, { details: { key_id: keyId } });
  }
}
