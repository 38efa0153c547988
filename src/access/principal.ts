import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Roles a principal can hold (docs/security.md, "Principals"). */
export const ROLES = ['user', 'admin'] as const;
export type AccessRole = (typeof ROLES)[number];

/**
 * Who is calling. `clientId` is the tenant that owns jobs and spend; `userId` the person or service inside
 * it. `via` says how it was established: `anonymous` only exists with `AUTH_MODE=off` (or on @Public routes)
 * and is never filtered by owner.
 */
export interface Principal {
  via: 'anonymous' | 'api_key' | 'jwt' | 'admin_key';
  clientId: string | null;
  userId: string | null;
  roles: AccessRole[];
  /** The API key's id, when authenticated by one. */
  keyId?: string;
}

/** The principal of every request when auth is off (v1's open API). */
export const ANONYMOUS: Readonly<Principal> = Object.freeze({ via: 'anonymous', clientId: null, userId: null, roles: [] });

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the global AuthGuard before any handler runs. */
    principal?: Principal;
  }
}

/** True when the principal may see every client's records (an admin, or anyone with auth off). */
export function seesAll(p: Principal): boolean {
  return p.via === 'anonymous' || p.roles.includes('admin');
}

/** Rate-limit and idempotency scope of a principal: its user (or client) when known, else null (use the IP). */
export function principalKey(p: Principal): string | null {
  if (p.via === 'anonymous') return null;
  return `${p.clientId ?? '-'}/${p.userId ?? p.keyId ?? '-'}`;
}

/** Handler parameter: the request's {@link Principal} (anonymous when none was set). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  return req.principal ?? ANONYMOUS;
});
