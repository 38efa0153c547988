import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertArtifactKey } from './artifact-store';

/** Scheme of a URI naming an artifact by its store key (docs/design/artifacts.md, "Stage artifacts"). */
export const ARTIFACT_SCHEME = 'artifact://';

/** True for an `artifact://<key>` URI. Pure. */
export function isStoreUri(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ARTIFACT_SCHEME);
}

/** `artifact://<key>` of a store key. @throws AppError INVALID_INPUT for a bad key */
export function storeUri(key: string): string {
  return `${ARTIFACT_SCHEME}${assertArtifactKey(key)}`;
}

/** The store key of an `artifact://` URI. @throws AppError INVALID_INPUT when it is not one or the key is bad */
export function keyOfStoreUri(uri: string): string {
  if (!isStoreUri(uri)) throw new Error(`not an artifact:// URI: ${String(uri).slice(0, 200)}`);
  return assertArtifactKey(uri.slice(ARTIFACT_SCHEME.length));
}

/** Folder of a job's artifacts in the store: everything under it goes when the job is cancelled. */
export function jobArtifactPrefix(jobId: string): string {
  return `jobs/${jobId}`;
}

/** Path of the signed artifact route (docs/design/artifacts.md, "The signed artifact route"). */
export const SIGNED_ARTIFACT_PATH = '/api/v1/artifacts';

/** HMAC-SHA256 (base64url) of `key` and its expiry: what the signed route's `sig` must equal. Pure. */
export function artifactSignature(secret: string, key: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expiresAtSeconds}`).digest('base64url');
}

/**
 * A URL of the app's signed artifact route for `key`, valid until `nowSeconds + ttlSeconds` (Unix seconds):
 * `<baseUrl>/api/v1/artifacts?key=<key>&exp=<unix s>&sig=<base64url HMAC>`. Pure.
 */
export function signedArtifactUrl(baseUrl: string, secret: string, key: string, ttlSeconds: number, nowSeconds: number = Math.floor(Date.now() / 1000)): string {
  const exp = nowSeconds + ttlSeconds;
  const q = new URLSearchParams({ key: assertArtifactKey(key), exp: String(exp), sig: artifactSignature(secret, key, exp) });
  return `${baseUrl.replace(/\/+$/, '')}${SIGNED_ARTIFACT_PATH}?${q.toString()}`;
}

/** Why a signed artifact request is refused; null when it is good. */
export type SignatureProblem = 'malformed' | 'expired' | 'bad_signature';

/**
 * Checks a signed artifact request: the key is a valid key, `exp` a whole number of Unix seconds not yet
 * passed, and `sig` equal to {@link artifactSignature} (compared in constant time, so the answer time tells
 * nothing about how much of a forged signature matched). Pure.
 */
export function checkArtifactSignature(
  secret: string,
  q: { key?: unknown; exp?: unknown; sig?: unknown },
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureProblem | null {
  const { key, exp, sig } = q;
  if (typeof key !== 'string' || typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return 'malformed';
  try {
    assertArtifactKey(key);
  } catch {
    return 'malformed';
  }
  const expected = Buffer.from(artifactSignature(secret, key, Number(exp)));
  const given = Buffer.from(sig);
  // Length first: timingSafeEqual needs equal lengths, and the length of a valid signature is public anyway.
  const good = given.length === expected.length && timingSafeEqual(given, expected);
  if (!good) return 'bad_signature';
  return Number(exp) < nowSeconds ? 'expired' : null;
}
