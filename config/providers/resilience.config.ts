import { STAGE_TIMEOUT_SECONDS, type StageName } from '@app/contracts';
import { envReader } from '../env-reader';

/**
 * Retry, timeout and breaker settings (docs/providers.md, "Timeouts", "Retry policy" and "Circuit breaker").
 * All policies built from these live in `src/providers/resilience.ts`.
 */
export interface ResilienceSettings {
  /** Per-attempt timeout per stage, seconds (docs/providers.md, "Timeouts": 10 / 15 / 120 / 90 / 30). */
  timeoutSeconds: Record<StageName, number>;
  /** Retries after the first try on transient errors (default 3). */
  maxRetries: number;
  /** First backoff delay, milliseconds; doubles per retry (default 2 s, 4 s, 8 s). */
  retryBaseMs: number;
  /** Upper bound of one backoff delay including a server's Retry-After, milliseconds. */
  retryMaxDelayMs: number;
  /** Random extra delay, as a fraction of the backoff (0.2 = up to +20 %), so retries of many jobs spread out. */
  retryJitterRatio: number;
  /** Consecutive failed calls that open a breaker (default 5). */
  breakerThreshold: number;
  /** How long an open breaker fails fast before letting one trial call through, milliseconds (default 60 s). */
  breakerHalfOpenAfterMs: number;
}

/**
 * Reads the per-stage `*_TIMEOUT_SECONDS` and the `PROVIDER_*` retry and breaker variables (config/.env.example);
 * problems are pushed onto `problems`.
 */
export function loadResilienceSettings(env: NodeJS.ProcessEnv, problems: string[]): ResilienceSettings {
  const { num } = envReader(env, problems);
  return {
    timeoutSeconds: {
      // Defaults: STAGE_TIMEOUT_SECONDS (docs/providers.md, "Timeouts").
      prompt_parsing: num('PROMPT_PARSER_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.prompt_parsing, 0.05, 3600),
      image_generation: num('IMAGE_GEN_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.image_generation, 0.05, 3600),
      storyboard: num('STORYBOARD_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.storyboard, 0.05, 3600),
      video_generation: num('VIDEO_GEN_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.video_generation, 0.05, 3600),
      composition: num('COMPOSITION_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.composition, 0.05, 3600),
    },
    maxRetries: num('PROVIDER_MAX_RETRIES', 3, 0, 10),
    retryBaseMs: num('PROVIDER_RETRY_BASE_MS', 2000, 0, 60_000),
    retryMaxDelayMs: num('PROVIDER_RETRY_MAX_DELAY_MS', 30_000, 0, 600_000),
    retryJitterRatio: num('PROVIDER_RETRY_JITTER', 0.2, 0, 1),
    breakerThreshold: num('PROVIDER_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerHalfOpenAfterMs: num('PROVIDER_BREAKER_OPEN_SECONDS', 60, 0.01, 3600) * 1000,
  };
}
