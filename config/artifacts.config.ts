import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Secret } from './secret';

/** Where artifact bytes live (docs/design/artifacts.md). */
export const ARTIFACT_STORE_KINDS = ['local', 's3'] as const;
export type ArtifactStoreKind = (typeof ARTIFACT_STORE_KINDS)[number];

/**
 * The artifact store's settings (docs/design/artifacts.md). Every variable is documented in
 * `config/.env.example`.
 */
export interface ArtifactsConfig {
  /** `ARTIFACT_STORE=local|s3` (default `local`: nothing to install). */
  store: ArtifactStoreKind;
  /** Root of the `local` adapter: `<ARTIFACT_DIR>/store` (the rest of ARTIFACT_DIR keeps the stages' work files). */
  localRoot: string;
  /**
   * Whether stage outputs travel through the store as `artifact://` keys (docs/design/artifacts.md, "Stage
   * artifacts"): on with `s3` (workers on other machines share nothing but the store), off with `local`,
   * where every process shares `ARTIFACT_DIR` and `file://` paths work as they always have.
   */
  stageThroughStore: boolean;
  /**
   * `ARTIFACT_URL_SECRET`: HMAC key of the app's signed artifact route (`GET /api/v1/artifacts`), which
   * remote team services fetch inputs from. Every process of a deployment needs the same value; unset, each
   * process draws a random one, which only suits a single process.
   */
  urlSecret: Secret;
  /** Lifetime of a signed artifact URL or of a presigned one handed to a team service, seconds (`ARTIFACT_URL_SECONDS`, default 900). */
  urlSeconds: number;
  /**
   * `ARTIFACT_REDIRECT=on|off` (default off): the API's file routes answer `302` to a presigned URL of the
   * store instead of streaming the bytes through the app (`s3` only; `local` always streams).
   */
  redirect: boolean;
  /** The `s3` adapter's settings (read whatever the store is, checked only when it is `s3`). */
  s3: {
    /** `S3_BUCKET`: must exist; the app never creates buckets. */
    bucket: string;
    /** `S3_ENDPOINT`: an S3-compatible endpoint (MinIO, R2, ...); null for AWS itself. */
    endpoint: string | null;
    /** `S3_REGION` (default `us-east-1`, which MinIO and s3rver accept). */
    region: string;
    /** `S3_FORCE_PATH_STYLE` (default true: MinIO and most self-hosted stores need `host/bucket/key`). */
    forcePathStyle: boolean;
    /** Lifetime of a presigned GET URL, seconds (`S3_PRESIGN_SECONDS`, default 900, at most 7 days as S3 allows). */
    presignSeconds: number;
    /**
     * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. Unset: the SDK's own credential chain (instance role,
     * profile) is used.
     */
    accessKeyId: Secret;
    secretAccessKey: Secret;
  };
}

/** S3's own ceiling on a presigned URL's lifetime (SigV4), seconds. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * Parses the artifact store variables. Problems are appended to `problems` (the caller throws one ConfigError).
 * @param artifactDir the resolved `ARTIFACT_DIR`
 */
export function loadArtifactsConfig(env: NodeJS.ProcessEnv, artifactDir: string, problems: string[]): ArtifactsConfig {
  const storeRaw = (env.ARTIFACT_STORE ?? 'local').trim().toLowerCase();
  if (!(ARTIFACT_STORE_KINDS as readonly string[]).includes(storeRaw)) problems.push(`ARTIFACT_STORE: expected local or s3, got "${storeRaw}"`);
  const store: ArtifactStoreKind = storeRaw === 's3' ? 's3' : 'local';

  const bucket = env.S3_BUCKET?.trim() ?? '';
  // S3 bucket naming rules (3-63 lowercase letters, digits, dots, hyphens).
  if (store === 's3' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`S3_BUCKET: expected a bucket name (3-63 lowercase letters, digits, . or -), got "${bucket}"`);
  const endpoint = env.S3_ENDPOINT?.trim().replace(/\/+$/, '') || null;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) problems.push(`S3_ENDPOINT: expected an http(s) URL, got "${endpoint}"`);

  const fpsRaw = env.S3_FORCE_PATH_STYLE?.trim().toLowerCase() ?? '';
  let forcePathStyle = true;
  if (['0', 'false', 'no'].includes(fpsRaw)) forcePathStyle = false;
  else if (fpsRaw && !['1', 'true', 'yes'].includes(fpsRaw)) problems.push(`S3_FORCE_PATH_STYLE: expected true or false, got "${fpsRaw}"`);

  let presignSeconds = 900;
  const presignRaw = env.S3_PRESIGN_SECONDS?.trim();
  if (presignRaw) {
    const n = Number(presignRaw);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PRESIGN_SECONDS) problems.push(`S3_PRESIGN_SECONDS: expected an integer from 1 to ${MAX_PRESIGN_SECONDS}, got "${presignRaw}"`);
    else presignSeconds = n;
  }

  let urlSeconds = 900;
  const urlSecondsRaw = env.ARTIFACT_URL_SECONDS?.trim();
  if (urlSecondsRaw) {
    const n = Number(urlSecondsRaw);
    if (!Number.isInteger(n) || n < 10 || n > MAX_PRESIGN_SECONDS) problems.push(`ARTIFACT_URL_SECONDS: expected an integer from 10 to ${MAX_PRESIGN_SECONDS}, got "${urlSecondsRaw}"`);
    else urlSeconds = n;
  }
  const urlSecretRaw = env.ARTIFACT_URL_SECRET ?? '';
  if (urlSecretRaw && urlSecretRaw.length < 32) problems.push('ARTIFACT_URL_SECRET: expected at least 32 characters');
  const redirectRaw = env.ARTIFACT_REDIRECT?.trim().toLowerCase() ?? '';
  if (redirectRaw && !['on', 'off'].includes(redirectRaw)) problems.push(`ARTIFACT_REDIRECT: expected on or off, got "${redirectRaw}"`);

  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? '';
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? '';
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) problems.push('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: set both or neither');

  return {
    store,
    localRoot: path.join(artifactDir, 'store'),
    stageThroughStore: store === 's3',
    // A random key per process when unset: signed URLs then verify only in the process that made them.
    urlSecret: new Secret(urlSecretRaw || randomBytes(32).toString('hex')),
    urlSeconds,
    redirect: redirectRaw === 'on',
    s3: {
      bucket,
      endpoint,
      region: env.S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1',
      forcePathStyle,
      presignSeconds,
      accessKeyId: new Secret(accessKeyId),
      secretAccessKey: new Secret(secretAccessKey),
    },
  };
}
