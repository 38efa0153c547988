import { STAGE_FAILURE_CODE, type ErrorCode, type StageName } from '@app/contracts';
import { AppError } from '../common/app-error';

/**
 * Why a remote provider call failed. Adapters classify every failure into one of these from typed facts (an
 * HTTP status, an SDK error class, a prediction status) and never from message text; the resilience policy
 * decides retry, breaker and final code from the fault alone (docs/conventions.md, "Errors").
 */
export type ProviderFault =
  /** The call exceeded its stage timeout (docs/providers.md, "Timeouts"). Transient. */
  | 'timeout'
  /** Connection refused / reset / DNS: no answer at all. Transient. */
  | 'connection'
  /** 5xx, or 408. Transient. */
  | 'server'
  /** 429 (`Retry-After` honoured). Transient. */
  | 'rate_limited'
  /** Another 4xx: our request is wrong or not allowed. Permanent. */
  | 'client'
  /** The answer was not what the contract promises (non-JSON, schema violation, missing file). Permanent. */
  | 'invalid_output'
  /** The provider refused the content (OpenAI refusal / content filter). Permanent. */
  | 'content_policy'
  /** The model or route does not exist (404) or rejects its input schema (422). Permanent; clip fallback moves on. */
  | 'model_unavailable'
  /** A remote job ran and ended `failed` or `canceled` (Replicate prediction). Permanent. */
  | 'remote_failed'
  /** This provider's circuit breaker is open: the call was not made (docs/providers.md, "Circuit breaker"). Not retried. */
  | 'circuit_open';

/** Faults worth another try (docs/providers.md, "Retry policy": transient faults). */
export const TRANSIENT_FAULTS: ReadonlySet<ProviderFault> = new Set(['timeout', 'connection', 'server', 'rate_limited']);

/** Stable code of a fault for a stage (docs/providers.md, "Error codes"). */
export function codeForFault(fault: ProviderFault, stage: StageName): ErrorCode {
  switch (fault) {
    case 'timeout':
      return 'TIMEOUT';
    case 'rate_limited':
      return 'RATE_LIMIT_EXCEEDED';
    case 'connection':
    case 'server':
    case 'circuit_open':
      return 'SERVICE_UNAVAILABLE';
    case 'client':
    case 'invalid_output':
    case 'content_policy':
    case 'model_unavailable':
    case 'remote_failed':
      return STAGE_FAILURE_CODE[stage] as ErrorCode;
  }
}

/**
 * A classified provider failure. `retryable` follows {@link TRANSIENT_FAULTS}; `retryAfterMs` carries a 429's
 * `Retry-After`. Thrown by adapters inside one try; the policy rethrows a final one carrying `attempts` and
 * `costUsd` (the stage runner reads both) and details `{service, attempts, last_error}`.
 */
export class ProviderError extends AppError {
  /** Provider calls made, retries included (set on the error thrown out of the policy). */
  attempts?: number;
  /** USD already billed by this stage call (partial cost, kept by the job; docs/providers.md, "Cost model"). */
  costUsd?: number;

  constructor(
    readonly fault: ProviderFault,
    readonly stage: StageName,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(codeForFault(fault, stage), scrubSecrets(message), {
      retryable: TRANSIENT_FAULTS.has(fault),
      retryAfterMs: options.retryAfterMs,
      cause: options.cause,
      details: { ...(options.status !== undefined ? { status: options.status } : {}), ...options.details },
    });
    this.status = options.status;
  }

  /** HTTP status that caused it, when there was one. */
  readonly status: number | undefined;
}

/**
 * Fault of an HTTP status (RFC 9110; https://replicate.com/docs/reference/http#errors;
 * https://platform.openai.com/docs/guides/error-codes): 408/5xx transient, 429 rate limited,
 * 404/422 model unavailable or input rejected, other 4xx permanent; `null` for 2xx/3xx.
 */
export function faultOfStatus(status: number): ProviderFault | null {
  if (status < 400) return null;
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'server';
  if (status === 404 || status === 422) return 'model_unavailable';
  return 'client';
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) and OpenAI's `retry-after-ms`.
 * @param now current time, ms since epoch (for HTTP-dates)
 * @returns milliseconds to wait, or undefined when absent or unparsable
 */
export function parseRetryAfterMs(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Removes credential-looking text from a provider's message before it reaches logs or a job record: providers
 * echo keys in 401 answers (OpenAI "Incorrect API key provided: sk-..."). Pure.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\bsk-[A-Za-z0-9*_-]{6,}/g, 'sk-[redacted]')
    .replace(/\br8_[A-Za-z0-9]{6,}/g, 'r8_[redacted]')
    .replace(/\b(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]');
}
