import { seesAll, type Principal } from './principal';

/**
 * Ownership rules in one place (docs/security.md, "Ownership"): with auth on, a record belongs to the
 * client that created it; other clients get 404 (never 403, so ids reveal nothing); admins and auth-off
 * callers see everything.
 */

/** ORM filter to add to a lookup or a list: `{}` for admins and auth off, else `{clientId}`. */
export function ownerFilter(p: Principal): { clientId?: string } {
  if (seesAll(p)) return {};
  return { clientId: p.clientId ?? '' };
}

/**
 * The same filter as {@link ownerFilter} in column names, for the plain-SQL read path
 * (`JobStatusReader`): `{}` for admins and auth off, else `{client_id}`.
 */
export function ownerColumns(p: Principal): { client_id?: string } {
  if (seesAll(p)) return {};
  return { client_id: p.clientId ?? '' };
}

/** True when `p` may see a record owned by `clientId` (null: created with auth off, admin only). */
export function canSee(p: Principal, clientId: string | null): boolean {
  return seesAll(p) || (clientId !== null && clientId === p.clientId);
}

/** Owner columns for a record `p` creates (nulls with auth off). */
export function ownerOf(p: Principal): { clientId: string | null; userId: string | null } {
  return p.via === 'anonymous' ? { clientId: null, userId: null } : { clientId: p.clientId, userId: p.userId };
}
