import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import type { RateLimitClass, RateLimitRule } from '../../config/access.config';
import { RateLimitedError } from './access.errors';
import { PUBLIC_KEY, RATE_LIMIT_KEY } from './access.decorators';
import { PgThrottlerStorage } from './pg-throttler.storage';
import { principalKey, type Principal } from './principal';

/** The route's rate-limit class (`@RateLimit` on the handler, else on the controller), `default` when unannotated. */
export function rateLimitClassOf(reflector: Reflector, context: ExecutionContext): RateLimitClass {
  return reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_KEY, [context.getHandler(), context.getClass()]) ?? 'default';
}

/** What a route counts against: its class and that class's rule. */
interface RouteLimit {
  cls: RateLimitClass;
  limit: number;
  ttlMs: number;
  windowSeconds: number;
}

/**
 * The global rate-limit guard, after the AuthGuard: counts per principal when authenticated and per client IP
 * otherwise, in a fixed window per rate-limit class ({@link PgThrottlerStorage}, shared by every API process),
 * sets `X-RateLimit-Limit/Remaining/Reset` on every counted answer and refuses with 429 RATE_LIMIT_EXCEEDED
 * and `Retry-After` past the limit (docs/security.md, "Rate limits"). `RATE_LIMITS=off` and `@Public()`
 * routes skip it.
 *
 * A route's metadata (public or not, class, rule) is resolved once per controller and handler and kept: it
 * is fixed when the app starts, and a request then pays two map lookups instead of reflector walks
 * (docs/design/performance.md, "Status reads"). Skipping answers synchronously, so Nest awaits nothing.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly enabled: boolean;
  private readonly rules: Readonly<Record<RateLimitClass, RateLimitRule>>;
  /** Controller class → handler → its limit, or null when the route is not counted. */
  private readonly routes = new Map<unknown, Map<unknown, RouteLimit | null>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly storage: PgThrottlerStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.enabled = config.access.rateLimits.enabled;
    this.rules = config.access.rateLimits.rules;
  }

  /** @throws RateLimitedError (429) past the route's limit */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.enabled || context.getType() !== 'http') return true;
    const route = this.routeOf(context);
    return route ? this.count(context, route) : true;
  }

  private async count(context: ExecutionContext, route: RouteLimit): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const reply = http.getResponse<FastifyReply>();
    const who = req.principal ? principalKey(req.principal) : null;
    const key = `${route.cls}:${who ? `p:${who}` : `ip:${req.ip}`}`.slice(0, 200);
    const hit = await this.storage.increment(key, route.ttlMs, route.limit);
    reply.header('X-RateLimit-Limit', route.limit);
    reply.header('X-RateLimit-Remaining', Math.max(0, route.limit - hit.totalHits));
    reply.header('X-RateLimit-Reset', hit.timeToExpire);
    if (hit.isBlocked) {
      reply.header('Retry-After', hit.timeToBlockExpire);
      throw new RateLimitedError({ class: route.cls, limit: route.limit, window_seconds: route.windowSeconds, retry_after_seconds: hit.timeToBlockExpire });
    }
    return true;
  }

  private routeOf(context: ExecutionContext): RouteLimit | null {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new Map<unknown, RouteLimit | null>()));
    let route = byHandler.get(handler);
    if (route === undefined) {
      const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, controller]) === true;
      const cls = rateLimitClassOf(this.reflector, context);
      const rule = this.rules[cls];
      route = isPublic ? null : { cls, limit: rule.limit, ttlMs: rule.windowSeconds * 1000, windowSeconds: rule.windowSeconds };
      byHandler.set(handler, route);
    }
    return route;
  }
}
