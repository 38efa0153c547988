import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import type { RateLimitClass } from '../../config/access.config';
import { RateLimitedError } from './access.errors';
import { PUBLIC_KEY, RATE_LIMIT_KEY } from './access.decorators';
import { principalKey, type Principal } from './principal';

/** The route's rate-limit class (`@RateLimit`), `default` when unannotated. */
export function rateLimitClassOf(reflector: Reflector, context: ExecutionContext): RateLimitClass {
  return reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_KEY, [context.getHandler(), context.getClass()]) ?? 'default';
}

/**
 * The global rate-limit guard (@nestjs/throttler with PostgreSQL storage), after the AuthGuard: counts per
 * principal when authenticated and per client IP otherwise, in a window per rate-limit class, and answers
 * 429 RATE_LIMIT_EXCEEDED with `Retry-After` and `X-RateLimit-Limit/Remaining/Reset` (docs/security.md).
 * `RATE_LIMITS=off` and `@Public()` routes skip it.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.config.access.rateLimits.enabled || context.getType() !== 'http') return true;
    return this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as FastifyRequest & { principal?: Principal };
    const who = r.principal ? principalKey(r.principal) : null;
    return who ? `p:${who}` : `ip:${r.ip}`;
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${rateLimitClassOf(this.reflector, context)}:${tracker}`.slice(0, 200);
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.header('X-RateLimit-Limit', detail.limit);
    reply.header('X-RateLimit-Remaining', 0);
    reply.header('X-RateLimit-Reset', detail.timeToExpire);
    reply.header('Retry-After', detail.timeToBlockExpire);
    throw new RateLimitedError({
      class: rateLimitClassOf(this.reflector, context),
      limit: detail.limit,
      window_seconds: Math.round(detail.ttl / 1000),
      retry_after_seconds: detail.timeToBlockExpire,
    });
  }
}
