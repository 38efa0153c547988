import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import type { AccessRole, Principal } from './principal';

/** Maps verified JWT claims to a principal: `sub` → user, the client claim → client, `roles`/`role`/`scope` → roles. Pure. */
export function principalFromClaims(claims: JWTPayload, clientClaim: string): Principal | null {
  const clientId = claims[clientClaim];
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 100) return null;
  const raw = [
    ...(Array.isArray(claims.roles) ? (claims.roles as unknown[]) : []),
    ...(typeof claims.role === 'string' ? [claims.role] : []),
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
  ];
  const roles: AccessRole[] = raw.includes('admin') ? ['admin', 'user'] : ['user'];
  const userId = typeof claims.sub === 'string' && claims.sub.length <= 100 ? claims.sub : null;
  return { via: 'jwt', clientId, userId, roles };
}

/**
 * Verifies bearer JWTs with `jose`: HS256 with `JWT_SECRET`, RS256/ES256 against `JWT_JWKS_URL` (keys
 * fetched and cached by jose, refreshed on an unknown `kid`); `exp`/`nbf` always, `iss`/`aud` when configured.
 */
@Injectable()
export class JwtVerifier {
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly secret: Uint8Array | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const jwt = config.access.jwt;
    this.jwks = jwt.jwksUrl ? createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 }) : null;
    this.secret = jwt.secret.isSet ? new TextEncoder().encode(jwt.secret.reveal()) : null;
  }

  /** True when a JWT issuer is configured at all. */
  get enabled(): boolean {
    return this.jwks !== null || this.secret !== null;
  }

  /** @returns the token's principal, or null when it does not verify (bad signature, expired, wrong iss/aud, no client claim) */
  async verify(token: string): Promise<Principal | null> {
    const jwt = this.config.access.jwt;
    const options = { issuer: jwt.issuer ?? undefined, audience: jwt.audience ?? undefined, clockTolerance: 5 };
    try {
      const alg = decodeProtectedHeader(token).alg;
      let payload: JWTPayload;
      if (alg === 'HS256' && this.secret) payload = (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
      else if (this.jwks && (alg === 'RS256' || alg === 'ES256')) payload = (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload;
      else return null;
      return principalFromClaims(payload, jwt.clientClaim);
    } catch {
      return null;
    }
  }
}
