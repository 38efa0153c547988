import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import type { RateLimitClass, RateLimitRule } from '../../config/access.config';
import { RateLimitedError } from './access.errors';
import { perRoute, PUBLIC_KEY, RATE_LIMIT_KEY } from './access.decorators';
import { principalKey, type Principal } from './principal';

/** What a route counts against: its class and that class's rule, or null for a `@Public()` route. */
interface RouteLimit {
  cls: RateLimitClass;
  limit: number;
  ttlMs: number;
  windowSeconds: number;
}

/**
 * The global rate-limit guard (@nestjs/throttler with the batched PostgreSQL storage, `PgThrottlerStorage`),
 * after the AuthGuard: counts per principal when authenticated and per client IP otherwise, in a fixed window
 * per rate-limit class, sets `X-RateLimit-Limit/Remaining/Reset` and answers 429 RATE_LIMIT_EXCEEDED with
 * `Retry-After` past the limit (docs/security.md, "Rate limits"). `RATE_LIMITS=off` and `@Public()` routes
 * skip it.
 *
 * A route's class and rule are fixed when the app starts, so they are resolved once per handler and kept
 * (two map lookups a request instead of reflector walks: docs/design/performance.md, "Status reads"); the
 * library's guard does the rest.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly enabled: boolean;
  private readonly rules: Readonly<Record<RateLimitClass, RateLimitRule>>;
  /** The route's limit, or null when the route is not counted. */
  private readonly routeOf = perRoute<RouteLimit | null>((handler, controller) => {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, controller]) === true) return null;
    // `@RateLimit` on the handler, else on the controller; unannotated routes count against `default`.
    const cls = this.reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_KEY, [handler, controller]) ?? 'default';
    const rule = this.rules[cls];
    return { cls, limit: rule.limit, ttlMs: rule.windowSeconds * 1000, windowSeconds: rule.windowSeconds };
  });

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super(options, storage, reflector);
    this.enabled = config.access.rateLimits.enabled;
    this.rules = config.access.rateLimits.rules;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.enabled || context.getType() !== 'http' || this.routeOf(context) === null);
  }

  /** The route's own limit and window replace the module's placeholder throttler (one per class, not per route). */
  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const route = this.routeOf(request.context)!;
    return super.handleRequest({ ...request, limit: route.limit, ttl: route.ttlMs, blockDuration: route.ttlMs });
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as FastifyRequest & { principal?: Principal };
    const who = r.principal ? principalKey(r.principal) : null;
    return Promise.resolve(who ? `p:${who}` : `ip:${r.ip}`);
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${this.routeOf(context)!.cls}:${tracker}`.slice(0, 200);
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const route = this.routeOf(context)!;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.header('X-RateLimit-Limit', detail.limit);
    reply.header('X-RateLimit-Remaining', 0);
    reply.header('X-RateLimit-Reset', detail.timeToExpire);
    reply.header('Retry-After', detail.timeToBlockExpire);
    throw new RateLimitedError({
      class: route.cls,
      limit: detail.limit,
      window_seconds: route.windowSeconds,
      retry_after_seconds: detail.timeToBlockExpire,
    });
  }
}
