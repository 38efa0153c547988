import type { JobEvent } from '@app/contracts';

/** What follows one attempt (pure decision of {@link afterAttempt}). */
export type AttemptVerdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'exhausted' }
  /** 410 Gone: the receiver asked never to be called again; the endpoint is disabled. */
  | { kind: 'gone' };

/**
 * The retry rule (docs/events.md, "Retries"): only 2xx is success; 410 disables the endpoint; anything else
 * (3xx as redirects are not followed, 4xx, 5xx, timeouts, refused targets) is retried on the schedule, with
 * up to 10 % jitter, and a 429 or 503 waits at least its `Retry-After`. Pure.
 * @param attempts attempts made so far, this one included
 * @param schedule seconds before each attempt (entry 0 precedes the first)
 * @param random a number in [0, 1) for the jitter
 */
export function afterAttempt(
  result: { status: number | null; retryAfterSeconds: number | null },
  attempts: number,
  schedule: readonly number[],
  random: number,
): AttemptVerdict {
  const { status } = result;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (attempts >= schedule.length) return { kind: 'exhausted' };
  let delay = schedule[attempts] * (1 + 0.1 * random);
  if ((status === 429 || status === 503) && result.retryAfterSeconds !== null) delay = Math.max(delay, result.retryAfterSeconds);
  return { kind: 'retry', delaySeconds: Math.round(delay * 1000) / 1000 };
}

/**
 * Whether an endpoint's event-type filter takes `type` (pure). Null or empty takes every type; an entry
 * ending in `.*` takes a family (`job.*`).
 */
export function filterAccepts(eventTypes: string[] | null | undefined, type: string): boolean {
  if (!eventTypes || eventTypes.length === 0) return true;
  return eventTypes.some((t) => t === type || t === '*' || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))));
}

/** The Standard Webhooks payload `{type, timestamp, data}`. */
export interface WebhookPayload {
  type: string;
  /** ISO-8601 UTC of the event. */
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The webhook body of a job event (docs/events.md, "Webhook payloads"): the event's type and time, its data
 * with `job_id` and a link to the job's status; result files are links already, never inlined (pure).
 * The per-job webhook request is not echoed back.
 */
export function toWebhookPayload(event: JobEvent, publicBaseUrl: string): WebhookPayload {
  const { webhook: _webhook, ...data } = event.data as Record<string, unknown>;
  return {
    type: event.type,
    timestamp: event.occurred_at,
    data: { job_id: event.job_id, ...data, links: { job: `${publicBaseUrl}/api/v1/jobs/${event.job_id}` } },
  };
}

/** One signing secret of an endpoint; several are active during a rotation. */
export interface EndpointSecret {
  secret: string;
  created_at: string;
  /** ISO-8601; null while it is the current secret. */
  expires_at: string | null;
}

/** Secrets still valid at `now`, newest first (pure). */
export function activeSecrets(secrets: EndpointSecret[], now: Date): string[] {
  return secrets
    .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now.getTime())
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .map((s) => s.secret);
}

