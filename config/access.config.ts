import { envReader } from './env-reader';
import { Secret } from './secret';

/** Request classes with their own rate limit (docs/security.md, "Rate limits"). */
export const RATE_LIMIT_CLASSES = ['generate', 'upload', 'poll', 'approve', 'render', 'refine', 'admin', 'default'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

/** One fixed-window limit: `limit` requests per `windowSeconds`. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Defaults per class (docs/security.md, "Rate limits"), per minute: upload 10, generate 5, approve 5, render 2,
 * refine 3. Polling is 60 a minute, twice the 30 of the v2 design, so a dashboard polling every 2 s plus a
 * reload never hits it (set `RATE_LIMIT_POLL=30/min` for the design's figure). Anything unnamed: 120 a minute.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitClass, RateLimitRule>> = {
  generate: { limit: 5, windowSeconds: 60 },
  upload: { limit: 10, windowSeconds: 60 },
  poll: { limit: 60, windowSeconds: 60 },
  approve: { limit: 5, windowSeconds: 60 },
  render: { limit: 2, windowSeconds: 60 },
  refine: { limit: 3, windowSeconds: 60 },
  admin: { limit: 60, windowSeconds: 60 },
  default: { limit: 120, windowSeconds: 60 },
};

/** Authentication, authorization, limits and HTTP edge settings (docs/security.md). */
export interface AccessConfig {
  /** `off`: every caller is the anonymous principal and sees everything (v1's open API); `on`: a key or a token is required. */
  authMode: 'off' | 'on';
  /** Bootstrap admin key (`ADMIN_API_KEY`): always an admin of client `admin`, whatever the mode. */
  adminApiKey: Secret;
  jwt: {
    /** HS256 shared secret (`JWT_SECRET`), or unset. */
    secret: Secret;
    /** JWKS URL for RS256/ES256 tokens (`JWT_JWKS_URL`), or null. */
    jwksUrl: string | null;
    issuer: string | null;
    audience: string | null;
    /** Claim that carries the client (tenant) id; default `client_id`. */
    clientClaim: string;
  };
  rateLimits: { enabled: boolean; rules: Record<RateLimitClass, RateLimitRule> };
  /** Origins allowed by CORS (`CORS_ORIGINS`, comma-separated; empty: no cross-origin access). */
  corsOrigins: string[];
  /** Per-client daily spend, USD: past `soft` an alert, past `hard` new jobs are refused (0 = no limit). */
  budget: { softDailyUsd: number; hardDailyUsd: number };
  /** Queued jobs one client may have at once (0 = no limit). */
  maxQueuedJobsPerClient: number;
  /** Hours an `Idempotency-Key` and its stored answer are kept. */
  idempotencyTtlHours: number;
  /** Time to receive a whole request, ms (a half-sent body is cut off after it). */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this, ms. */
  keepAliveTimeoutMs: number;
}

/**
 * Parses the access variables. Problems are appended to `problems` (the caller throws one ConfigError).
 * Rate-limit overrides: `RATE_LIMIT_<CLASS>=N/min|N/hour|N/Ns`, e.g. `RATE_LIMIT_GENERATE=5/min`.
 */
export function loadAccessConfig(env: NodeJS.ProcessEnv, problems: string[]): AccessConfig {
  const reader = envReader(env, problems);
  const authRaw = (env.AUTH_MODE ?? 'off').trim().toLowerCase();
  if (authRaw !== 'off' && authRaw !== 'on') problems.push(`AUTH_MODE: expected off or on, got "${authRaw}"`);
  const rlRaw = (env.RATE_LIMITS ?? 'on').trim().toLowerCase();
  if (rlRaw !== 'off' && rlRaw !== 'on') problems.push(`RATE_LIMITS: expected off or on, got "${rlRaw}"`);

  const rules = { ...DEFAULT_RATE_LIMITS } as Record<RateLimitClass, RateLimitRule>;
  for (const cls of RATE_LIMIT_CLASSES) {
    const name = `RATE_LIMIT_${cls.toUpperCase()}`;
    const raw = env[name]?.trim();
    if (!raw) continue;
    const rule = parseRateLimitRule(raw);
    if (rule) rules[cls] = rule;
    else problems.push(`${name}: expected N/min, N/hour or N/<seconds>s, got "${raw}"`);
  }

  const num = (name: string, fallback: number): number => reader.num(name, fallback, 0);

  const adminKey = env.ADMIN_API_KEY ?? '';
  if (adminKey && adminKey.length < 24) problems.push('ADMIN_API_KEY: use at least 24 random characters');
  const jwtSecret = env.JWT_SECRET ?? '';
  if (jwtSecret && jwtSecret.length < 32) problems.push('JWT_SECRET: an HS256 secret needs at least 32 characters');
  const jwksUrl = env.JWT_JWKS_URL?.trim() || null;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) problems.push('JWT_JWKS_URL: expected an http(s) URL');
  if (authRaw === 'on' && !adminKey && !jwtSecret && !jwksUrl) {
    problems.push('AUTH_MODE=on: set ADMIN_API_KEY (to create API keys) or JWT_SECRET / JWT_JWKS_URL');
  }

  const budget = { softDailyUsd: num('BUDGET_SOFT_DAILY_USD', 100), hardDailyUsd: num('BUDGET_HARD_DAILY_USD', 150) };
  if (budget.hardDailyUsd > 0 && budget.softDailyUsd > budget.hardDailyUsd) problems.push('BUDGET_SOFT_DAILY_USD: must not exceed BUDGET_HARD_DAILY_USD');

  return {
    authMode: authRaw === 'on' ? 'on' : 'off',
    adminApiKey: new Secret(adminKey),
    jwt: {
      secret: new Secret(jwtSecret),
      jwksUrl,
      issuer: env.JWT_ISSUER?.trim() || null,
      audience: env.JWT_AUDIENCE?.trim() || null,
      clientClaim: env.JWT_CLIENT_CLAIM?.trim() || 'client_id',
    },
    rateLimits: { enabled: rlRaw !== 'off', rules },
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    budget,
    maxQueuedJobsPerClient: Math.floor(num('MAX_QUEUED_JOBS_PER_CLIENT', 20)),
    idempotencyTtlHours: num('IDEMPOTENCY_TTL_HOURS', 24) || 24,
    requestTimeoutMs: Math.floor(num('HTTP_REQUEST_TIMEOUT_MS', 30_000)),
    keepAliveTimeoutMs: Math.floor(num('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000)),
  };
}

/** Parses `N/min`, `N/hour`, `N/<seconds>s`. Pure. @returns null when malformed */
export function parseRateLimitRule(raw: string): RateLimitRule | null {
  const m = /^(\d{1,7})\s*\/\s*(min|minute|hour|h|(\d{1,6})s)$/i.exec(raw.trim());
  if (!m) return null;
  const limit = Number(m[1]);
  const unit = m[2].toLowerCase();
  const windowSeconds = unit === 'min' || unit === 'minute' ? 60 : unit === 'hour' || unit === 'h' ? 3600 : Number(m[3]);
  if (limit < 1 || windowSeconds < 1) return null;
  return { limit, windowSeconds };
}
