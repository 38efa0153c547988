import type { ErrorCode } from '@app/contracts';

/**
 * Base of every error the service raises on purpose (docs/conventions.md, "Errors").
 * `code` is a stable code of `ERROR_CODES`; `retryable` drives retry decisions (never the message text);
 * `retryAfterMs` carries a server's `Retry-After`. HTTP status mapping lives in one exception filter.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      retryable?: boolean;
      retryAfterMs?: number;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }

  get details(): Record<string, unknown> {
    return this.options.details ?? {};
  }
}

/** The request was cancelled (job cancelled or process shutting down): never retried, never a failure. */
export class CancelledError extends AppError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message, { retryable: false });
  }
}

/** Throws {@link CancelledError} when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(String(signal.reason ?? 'cancelled'));
}
