/**
 * Stable error codes (docs/providers.md, "Error codes"; docs/api.md, "Errors" for the HTTP-only ones).
 * Clients branch on these strings; never rename one.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'PROMPT_PARSING_FAILED',
  'IMAGE_GENERATION_FAILED',
  'VIDEO_GENERATION_FAILED',
  'COMPOSITION_FAILED',
  'TIMEOUT',
  'RATE_LIMIT_EXCEEDED',
  'COST_LIMIT_EXCEEDED',
  'CANCELLED',
  'INTERNAL_ERROR',
  // Access control and HTTP edges (docs/security.md).
  'UNAUTHORIZED',
  'FORBIDDEN',
  'BUDGET_EXCEEDED',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  'URI_TOO_LONG',
  'RANGE_NOT_SATISFIABLE',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The error body every REST error uses (docs/api.md, "Errors"):
 * `{"error": {"code", "message", "details"}}`.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * A job's persisted failure (docs/api.md, "GET /api/v1/jobs/{job_id}" `error`): which stage failed, why, and the
 * service details `{service, attempts, last_error}`.
 */
export interface JobError {
  code: ErrorCode;
  message: string;
  failed_stage: string | null;
  details: Record<string, unknown>;
}
