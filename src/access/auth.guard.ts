import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ForbiddenError, UnauthorizedError } from './access.errors';
import { ApiKeysService } from './api-keys.service';
import { perRoute, PUBLIC_KEY, ROLES_KEY } from './access.decorators';
import { JwtVerifier } from './jwt.verifier';
import { ANONYMOUS, type AccessRole, type Principal } from './principal';

/** The credential a request presents: `Authorization: Bearer <key or JWT>` or `X-API-Key: <key>`. Pure. */
export function presentedCredential(headers: FastifyRequest['headers']): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string') return null;
  const m = /^Bearer\s+(\S{1,8192})\s*$/i.exec(auth);
  return m ? m[1] : null;
}

/** What a route asks of its caller: public or not, and the roles it needs. */
interface RouteAccess {
  isPublic: boolean;
  roles: AccessRole[];
}

/**
 * The global guard (registered once as APP_GUARD, so every route, v1 and v2, is covered): resolves the
 * caller to a {@link Principal} on `req.principal`, then checks `@Roles`. With `AUTH_MODE=off` callers are
 * anonymous unless the route needs a role; `@Public()` routes never need a credential.
 *
 * A route's metadata is resolved once per controller and handler and kept (it is fixed when the app starts),
 * and a request that needs no credential is answered synchronously, so Nest awaits nothing for it
 * (docs/design/performance.md, "Status reads").
 * @throws UnauthorizedError (401) without a valid credential where one is needed; ForbiddenError (403) without the role
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly authOn: boolean;
  private readonly routeOf = perRoute<RouteAccess>((handler, controller) => ({
    isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, controller]) === true,
    roles: this.reflector.getAllAndOverride<AccessRole[] | undefined>(ROLES_KEY, [handler, controller]) ?? [],
  }));

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly jwt: JwtVerifier,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.authOn = config.access.authMode === 'on';
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const { isPublic, roles } = this.routeOf(context);
    if (isPublic || (!this.authOn && roles.length === 0)) {
      req.principal = ANONYMOUS;
      checkRoles(ANONYMOUS, roles);
      return true;
    }
    return this.authenticated(req, roles);
  }

  private async authenticated(req: FastifyRequest, roles: AccessRole[]): Promise<boolean> {
    const credential = presentedCredential(req.headers);
    if (!credential) throw new UnauthorizedError();
    const principal = await this.authenticate(credential);
    if (!principal) throw new UnauthorizedError('the API key or bearer token is invalid, revoked or expired');
    req.principal = principal;
    checkRoles(principal, roles);
    return true;
  }

  private async authenticate(credential: string): Promise<Principal | null> {
    // A JWT is three base64url parts; anything else is tried as an API key.
    if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(credential)) return this.jwt.enabled ? this.jwt.verify(credential) : null;
    return this.keys.authenticate(credential);
  }
}

/** @throws ForbiddenError (403) for the first of `roles` the principal lacks */
function checkRoles(principal: Principal, roles: AccessRole[]): void {
  for (const role of roles) if (!principal.roles.includes(role)) throw new ForbiddenError(role);
}
