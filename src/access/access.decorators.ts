import { SetMetadata, applyDecorators, UseInterceptors } from '@nestjs/common';
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
