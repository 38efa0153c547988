import { envReader } from './env-reader';

/**
 * Webhook delivery and event-stream settings (docs/events.md). Every variable is documented in
 * `config/.env.example`.
 */
export interface PushConfig {
  /**
   * Deployment secret (`whsec_` + base64) signing per-job webhooks and endpoints registered without a secret
   * of their own. Null when unset: per-job webhooks are then refused at job creation.
   */
  signingSecret: string | null;
  /**
   * Delay before each attempt, seconds: entry 0 before the first (Svix's schedule: immediately, 5 s, 5 min,
   * 30 min, 2 h, 5 h, 10 h, 10 h). A delivery that fails its last attempt is marked failed.
   */
  retryScheduleSeconds: number[];
  /** Per-attempt request timeout, seconds (30 s, the Standard Webhooks recommendation). */
  timeoutSeconds: number;
  /** An endpoint failing without a success for this long is disabled, seconds (5 days). */
  disableAfterSeconds: number;
  /** Hosts and CIDRs exempt from the private-address guard (`WEBHOOK_ALLOWED_HOSTS`). */
  allowedHosts: string[];
  /** Allow `http://` targets (`WEBHOOK_ALLOW_HTTP`); https only by default. */
  allowHttp: boolean;
  /** Deliveries in flight at once per process. */
  concurrency: number;
  /** Seconds between heartbeat comments on an event stream (15 s). */
  sseHeartbeatSeconds: number;
}

const SVIX_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/**
 * Parses the push settings from the environment.
 * @returns the config and every problem found (the caller reports them all at once)
 */
export function loadPushConfig(env: NodeJS.ProcessEnv): { config: PushConfig; problems: string[] } {
  const problems: string[] = [];
  const { num: number } = envReader(env, problems);
  let schedule = SVIX_SCHEDULE_SECONDS;
  if (env.WEBHOOK_RETRY_SCHEDULE_SECONDS) {
    const parts = env.WEBHOOK_RETRY_SCHEDULE_SECONDS.split(',').map((p) => Number(p.trim()));
    if (parts.length === 0 || parts.some((n) => !Number.isFinite(n) || n < 0)) {
      problems.push(`WEBHOOK_RETRY_SCHEDULE_SECONDS: expected comma-separated seconds >= 0, got "${env.WEBHOOK_RETRY_SCHEDULE_SECONDS}"`);
    } else schedule = parts;
  }
  const secret = env.WEBHOOK_SIGNING_SECRET?.trim() || null;
  if (secret && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(secret)) problems.push('WEBHOOK_SIGNING_SECRET: expected whsec_ followed by base64 (at least 16 characters)');
  const allowHttpRaw = env.WEBHOOK_ALLOW_HTTP?.trim().toLowerCase() ?? '';
  if (allowHttpRaw && !['true', 'false', '1', '0', 'yes', 'no'].includes(allowHttpRaw)) problems.push(`WEBHOOK_ALLOW_HTTP: expected true or false, got "${allowHttpRaw}"`);
  return {
    problems,
    config: {
      signingSecret: secret,
      retryScheduleSeconds: schedule,
      timeoutSeconds: number('WEBHOOK_TIMEOUT_SECONDS', 30, 0.1),
      disableAfterSeconds: number('WEBHOOK_DISABLE_AFTER_SECONDS', 5 * 24 * 3600, 1),
      allowedHosts: (env.WEBHOOK_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      allowHttp: ['true', '1', 'yes'].includes(allowHttpRaw),
      concurrency: Math.floor(number('WEBHOOK_CONCURRENCY', 8, 1)),
      sseHeartbeatSeconds: number('SSE_HEARTBEAT_SECONDS', 15, 0.05),
    },
  };
}
