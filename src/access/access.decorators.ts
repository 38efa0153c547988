import { SetMetadata, applyDecorators, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import type { RateLimitClass } from '../../config/access.config';
import type { AccessRole } from './principal';
import { IdempotencyInterceptor } from './idempotency.interceptor';

export const PUBLIC_KEY = 'access:public';
export const ROLES_KEY = 'access:roles';
export const RATE_LIMIT_KEY = 'access:rate-limit';

/** The route needs no credential even with `AUTH_MODE=on` (health, metrics, docs). Also exempt from rate limits. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The route needs this role (`admin`); checked by the global AuthGuard after authentication. */
export const Roles = (...roles: AccessRole[]) => SetMetadata(ROLES_KEY, roles);

/** Rate-limit class of a route (defaults in config/access.config.ts, docs/security.md "Rate limits"); unannotated routes use `default`. */
export const RateLimit = (cls: RateLimitClass) => SetMetadata(RATE_LIMIT_KEY, cls);

/**
 * The route honours `Idempotency-Key`: the first answer is stored and replayed for the same key and body,
 * another body with that key is 422, a request still running with it is 409 (docs/security.md, "Idempotency").
 */
export const Idempotent = () => applyDecorators(UseInterceptors(IdempotencyInterceptor));

/** A route's handler and controller, as Nest's execution context gives them. */
type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
type RouteController = ReturnType<ExecutionContext['getClass']>;

/**
 * What a guard derives from a route's metadata, resolved once per controller and handler and kept: route
 * metadata is fixed when the app starts, so a request then pays two map lookups instead of reflector walks
 * (docs/design/performance.md, "Status reads"). Used by the AuthGuard and the RateLimitGuard.
 * @param resolve derives the value from the route's handler and controller (called once per route)
 * @returns a lookup of the value for a request's execution context
 */
export function perRoute<T>(resolve: (handler: RouteHandler, controller: RouteController) => T): (context: ExecutionContext) => T {
  const routes = new Map<RouteController, Map<RouteHandler, T>>();
  return (context) => {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = routes.get(controller);
    if (!byHandler) routes.set(controller, (byHandler = new Map<RouteHandler, T>()));
    if (!byHandler.has(handler)) byHandler.set(handler, resolve(handler, controller));
    return byHandler.get(handler) as T;
  };
}
