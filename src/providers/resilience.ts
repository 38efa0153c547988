import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { StageName } from '@app/contracts';
import type { ResilienceSettings } from '../../config/providers/resilience.config';
import { AppError, CancelledError } from '../common/app-error';
import type { MetricsService } from '../metrics/metrics.service';
import { ProviderError, TRANSIENT_FAULTS } from './provider.errors';

/**
 * Every retry, timeout and circuit-breaker rule of the remote providers, in this one file (docs/conventions.md,
 * "One place per decision"), built with cockatiel. The rules (docs/providers.md, "Timeouts", "Retry policy"
 * and "Circuit breaker"):
 * - each try is bounded by its stage's timeout (10 / 15 / 90 / 30 s by default);
 * - transient faults (timeout, connection, 5xx/408, 429) are retried up to 3 times after 2 s, 4 s, 8 s
 *   (+ up to 20 % jitter); a 429's `Retry-After` is honoured when longer; permanent faults fail at once;
 * - one breaker per provider + stage (+ model): 5 consecutive failed calls (a call = a try and its retries,
 *   failed on transient faults) open it for 60 s, during which calls fail fast with `SERVICE_UNAVAILABLE`;
 *   permanent faults (our bad input, a refused prompt) say nothing about the service's health and do not count;
 * - an aborted `ctx.signal` ends the call at once with {@link CancelledError}, never retried.
 * Errors leaving a policy carry `attempts`, `costUsd` (billed so far) and details `{service, attempts, last_error}`.
 */

/** Attempts and USD of one stage call, shared by the tries and sub-calls of that stage call. */
export class CallTally {
  /** Provider calls made so far (first tries and retries, repair calls included). */
  attempts = 0;
  /** USD billed so far, seconds of work that a provider charges for even when the stage then fails. */
  costUsd = 0;
  /** Records a charge in USD as soon as the provider reports it. */
  bill(usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.costUsd += usd;
  }
}

/** Identifies one breaker: provider (`openai`, `replicate`, `http`), stage, and optionally a model. */
export interface PolicyKey {
  provider: string;
  stage: StageName;
  /** Model or endpoint when one provider+stage talks to several (the clip fallback chain). */
  target?: string;
}

/** One try of a call: its attempt number (1-based) and a signal that fires on timeout or cancellation. */
export type TryFn<T> = (signal: AbortSignal, attempt: number) => Promise<T>;

/**
 * Delay before retry `attempt` (1-based), milliseconds: `base × 2^(attempt-1)` plus up to `jitter × that`,
 * at least a server's `Retry-After`, at most `retryMaxDelayMs` (docs/providers.md, "Retry policy": 2 s, 4 s, 8 s).
 * Pure.
 */
export function retryDelayMs(
  attempt: number,
  settings: Pick<ResilienceSettings, 'retryBaseMs' | 'retryMaxDelayMs' | 'retryJitterRatio'>,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = settings.retryBaseMs * 2 ** Math.max(0, attempt - 1);
  const jittered = exponential * (1 + settings.retryJitterRatio * random());
  return Math.round(Math.min(settings.retryMaxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** True for errors a retry may fix: classified transient faults only (never message text). */
export function isTransient(err: unknown): boolean {
  return err instanceof ProviderError && TRANSIENT_FAULTS.has(err.fault);
}

/**
 * The retry + timeout + breaker policy of one provider/stage/model. Obtain it from {@link ProviderResilience}
 * so one breaker exists per key for the whole process.
 */
export class StagePolicy {
  /** `provider` or `provider:model`, as reported in error details and logs. */
  readonly service: string;
  private readonly label: string;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutPolicy: TimeoutPolicy;

  constructor(
    readonly key: PolicyKey,
    private readonly settings: ResilienceSettings,
    private readonly logger: Logger,
    private readonly metrics: MetricsService,
    random: () => number = Math.random,
  ) {
    this.service = key.target ? `${key.provider}:${key.target}` : key.provider;
    this.label = [key.provider, key.stage, key.target].filter(Boolean).join('/');
    const log = logger.child({ component: 'resilience', provider: key.provider, stage: key.stage, ...(key.target ? { model: key.target } : {}) });

    this.timeoutPolicy = timeout(settings.timeoutSeconds[key.stage] * 1000, TimeoutStrategy.Aggressive);
    const backoff = {
      next: (ctx: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
        const err = 'error' in ctx.result ? ctx.result.error : undefined;
        const after = err instanceof AppError ? err.retryAfterMs : undefined;
        return { duration: retryDelayMs(ctx.attempt, settings, after, random), next: backoff.next };
      },
    };
    this.retryPolicy = retry(handleWhen(isTransient), { maxAttempts: settings.maxRetries, backoff });
    this.retryPolicy.onRetry((e) => {
      const err = 'error' in e ? e.error : undefined;
      this.metrics.providerRetries.inc({ stage: key.stage, provider: key.provider });
      log.warn(
        { attempt: e.attempt, delay_ms: e.delay, fault: err instanceof ProviderError ? err.fault : undefined, status: err instanceof ProviderError ? err.status : undefined, err: err?.message },
        'provider call failed with a transient fault: retrying',
      );
    });

    // Only calls that failed on transient faults (after their retries) say the service is unhealthy.
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: settings.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    this.metrics.circuitState.set({ provider: this.label }, 0);
    this.breaker.onBreak(() => {
      this.metrics.circuitState.set({ provider: this.label }, 1);
      log.error({ threshold: settings.breakerThreshold, open_seconds: settings.breakerHalfOpenAfterMs / 1000 }, 'circuit breaker opened: failing fast');
    });
    this.breaker.onHalfOpen(() => log.warn('circuit breaker half-open: letting one trial call through'));
    this.breaker.onReset(() => {
      this.metrics.circuitState.set({ provider: this.label }, 0);
      log.info('circuit breaker closed');
    });
  }

  /** Current breaker state (closed, open, half-open). */
  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /**
   * Runs `fn` under the policy. Each try gets its own signal (fires on the stage timeout or on `signal`).
   * @param tally counts tries and collects billed USD; read by the error thrown on failure
   * @returns what `fn` returned on the first successful try
   * @throws CancelledError when `signal` fires; otherwise a {@link ProviderError} (or the adapter's AppError)
   *   with `attempts`, `costUsd` and details `{service, attempts, last_error}`
   */
  async execute<T>(tally: CallTally, signal: AbortSignal, fn: TryFn<T>): Promise<T> {
    if (signal.aborted) throw withTally(new CancelledError(String(signal.reason ?? 'cancelled')), tally);
    const run = this.breaker.execute(() =>
      this.retryPolicy.execute(async () => {
        if (signal.aborted) throw new CancelledError(String(signal.reason ?? 'cancelled'));
        tally.attempts += 1;
        const attempt = tally.attempts;
        try {
          return await this.timeoutPolicy.execute(({ signal: trySignal }) => fn(trySignal, attempt), signal);
        } catch (err) {
          throw this.classify(err, signal);
        }
      }, signal),
    );
    try {
      return await raceAbort(run, signal);
    } catch (err) {
      throw this.final(err, tally, signal);
    }
  }

  /** Turns what one try threw into a typed error the retry predicate understands. */
  private classify(err: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return new CancelledError(String(signal.reason ?? 'cancelled'));
    if (err instanceof TaskCancelledError) {
      return new ProviderError('timeout', this.key.stage, `${this.service} did not answer within ${this.settings.timeoutSeconds[this.key.stage]} s`, {
        details: { timeout_seconds: this.settings.timeoutSeconds[this.key.stage] },
      });
    }
    return err;
  }

  /** The error a failed call ends with: final code, attempts, partial cost, `{service, attempts, last_error}`. */
  private final(err: unknown, tally: CallTally, signal: AbortSignal): Error {
    if (signal.aborted || err instanceof CancelledError) {
      return withTally(err instanceof CancelledError ? err : new CancelledError(String(signal.reason ?? 'cancelled')), tally);
    }
    const details = (last: string): Record<string, unknown> => ({ service: this.service, attempts: tally.attempts, last_error: last });
    if (err instanceof BrokenCircuitError) {
      return withTally(
        new ProviderError('circuit_open', this.key.stage, `${this.service} circuit breaker is open after ${this.settings.breakerThreshold} consecutive failures: failing fast`, {
          details: { ...details('circuit open'), circuit: 'open' },
        }),
        tally,
      );
    }
    if (err instanceof ProviderError) {
      const prefix = TRANSIENT_FAULTS.has(err.fault) && tally.attempts > 1 ? `gave up after ${tally.attempts} attempts: ` : '';
      return withTally(
        new ProviderError(err.fault, this.key.stage, `${this.service} ${this.key.stage} failed: ${prefix}${err.message}`, {
          status: err.status,
          retryAfterMs: err.retryAfterMs,
          cause: err,
          details: { ...err.details, ...details(err.message) },
        }),
        tally,
      );
    }
    if (err instanceof AppError) return withTally(err, tally);
    // An unclassified error is a defect in an adapter, never a reason to retry: fail with the stage's code.
    const message = err instanceof Error ? err.message : String(err);
    return withTally(new ProviderError('invalid_output', this.key.stage, `${this.service} ${this.key.stage} failed: ${message}`, { cause: err, details: details(message) }), tally);
  }
}

function withTally<E extends Error>(err: E, tally: CallTally): E {
  return Object.assign(err, { attempts: tally.attempts, costUsd: tally.costUsd });
}

/** Settles with `promise`, or rejects with CancelledError as soon as `signal` fires (backoff delays included). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError(String(signal.reason ?? 'cancelled')));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Registry of {@link StagePolicy} objects, one per provider + stage (+ model), so a breaker sees every call
 * the process makes to that service.
 */
export class ProviderResilience {
  private readonly policies = new Map<string, StagePolicy>();

  constructor(
    readonly settings: ResilienceSettings,
    private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly random: () => number = Math.random,
  ) {}

  /** The policy of `key`, created on first use. */
  policy(key: PolicyKey): StagePolicy {
    const id = `${key.provider}|${key.stage}|${key.target ?? ''}`;
    let p = this.policies.get(id);
    if (!p) {
      p = new StagePolicy(key, this.settings, this.logger, this.metrics, this.random);
      this.policies.set(id, p);
    }
    return p;
  }
}
