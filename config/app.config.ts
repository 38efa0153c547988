import * as path from 'node:path';
import { EXPORT_FORMATS, isExportFormat, STAGES, type ExtraExportFormat, type StageName } from '@app/contracts';
import { envReader } from './env-reader';
import { loadAccessConfig, type AccessConfig } from './access.config';
import { loadArtifactsConfig, type ArtifactsConfig } from './artifacts.config';
import { loadProvidersConfig, type ProvidersConfig } from './providers.config';
import { loadPushConfig, type PushConfig } from './push.config';

/** Process roles (docs/design/saga.md, "Roles as processes"): any mix can run in one process; the default runs all of them. */
export const ROLES = ['api', 'orchestrator', 'stages'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Typed configuration, parsed once from the environment at startup (docs/conventions.md, "One place per decision":
 * the environment is read in config/ only).
 * Every variable is documented in `config/.env.example`. Units are in the names.
 */
export interface AppConfig {
  port: number;
  host: string;
  roles: Role[];
  /** Base URL clients use to reach this API; result URLs are built on it. */
  publicBaseUrl: string;
  databaseUrl: string;
  /**
   * PostgreSQL the REST read path queries (a streaming replica in production; reads then lag the primary by
   * the replication delay). Unset: `databaseUrl`. See docs/design/performance.md.
   */
  databaseReadUrl?: string;
  /** Connections of the read path's own pool (`DB_READ_POOL_MAX`). */
  databaseReadPoolMax: number;
  /** Connections of the ORM's pool, used by the saga, the stage runner and the outbox relay (`DB_POOL_MAX`). */
  databasePoolMax: number;
  /** Run pending migrations at startup (under an advisory lock, so many processes may start at once). */
  migrateOnStart: boolean;
  natsServers: string[];
  /** Prefix of every subject and stream name (see libs/contracts subjects.ts). */
  natsPrefix: string;
  /** Replicas of both streams (`NATS_STREAM_REPLICAS`): 1 on one server, 3 in a 3-node cluster. */
  natsStreamReplicas: number;
  /** Replicas of the durable consumers (`NATS_CONSUMER_REPLICAS`); 0 = the stream's. */
  natsConsumerReplicas: number;
  /** `max_ack_pending` of each durable consumer (`NATS_MAX_ACK_PENDING`). */
  natsMaxAckPending: number;
  /** Saga messages one orchestrator process handles at once, per consumer (`SAGA_SLOTS`). */
  sagaSlots: number;
  /**
   * `ack_wait` of the saga's durables (`SAGA_ACK_WAIT_SECONDS`, default 30), seconds: how long an event whose
   * orchestrator died before acking it waits to be redelivered. A saga transaction takes milliseconds and a
   * redelivered event is dropped by the inbox, so a short wait is safe; the crash test uses 5.
   */
  sagaAckWaitSeconds: number;
  /** Retention of the event stream, seconds. */
  eventRetentionSeconds: number;
  /** Root of the artifact store (reference images, clips, finished ads). */
  artifactDir: string;
  /** The artifact store port's adapter and its settings (config/artifacts.config.ts, docs/design/artifacts.md). */
  artifacts: ArtifactsConfig;
  /** Clips generated at once per job (docs/design/saga.md, "Fan-out and fan-in"; default 4). */
  maxParallelVideoGenerations: number;
  /** Jobs processed at once across all processes (docs/design/saga.md, "Concurrency limit": default 10). */
  maxConcurrentJobs: number;
  /** Hard cost cap per job, USD (docs/providers.md, "Cost model": fail past $10). */
  maxCostPerVideoUsd: number;
  /** Cost past which a warning is logged, USD (docs/providers.md, "Cost model": $5). */
  costWarningUsd: number;
  /** A job without progress for this long fails with TIMEOUT, seconds. */
  jobStallTimeoutSeconds: number;
  /**
   * A storyboard waiting for approval longer than this is cancelled (its cost kept), hours
   * (docs/api.md, "Approval": default 72).
   */
  approvalTtlHours: number;
  /** Lease of a stage attempt, renewed by heartbeats; a dead worker's attempt is retaken after it, seconds. */
  stageLeaseSeconds: number;
  /** Deliveries of one stage request before it fails for good. */
  stageMaxDeliver: number;
  /**
   * Times a stage attempt that failed transiently (after the provider's own per-call retries) is re-queued
   * before the job fails: a second retry layer, like a Temporal activity retry above HTTP retries.
   */
  stageTransientRetries: number;
  /** Delay before such a re-queued attempt runs again, seconds (multiplied by the delivery number). */
  stageTransientRetryDelaySeconds: number;
  /**
   * Stage requests one process works on at once, per stage (`STAGE_SLOTS_<STAGE>`, 1–8 192). Defaults suit 2
   * cores: ffmpeg-bound stages (local clips, composition) use both cores themselves. Waits-only providers can
   * take thousands: a slot costs no pull request of its own (src/messaging/pull-consumer.ts), only a
   * `max_ack_pending` place (`NATS_MAX_ACK_PENDING` must cover the slots of every process).
   */
  stageConcurrency: Record<StageName, number>;
  logLevel: string;
  providers: ProvidersConfig;
  /** Webhooks and event streams (docs/events.md). */
  push: PushConfig;
  /**
   * The content-addressed stage cache (docs/design/cache.md): `STAGE_CACHE=on|off` (default on) and the
   * lifetime of an entry, `STAGE_CACHE_TTL_HOURS` (default 24; docs/design/cache.md, "Lifetime").
   */
  stageCache: { enabled: boolean; ttlHours: number };
  /** Auth, ownership, rate limits, budgets and HTTP edges (config/access.config.ts, docs/security.md). */
  access: AccessConfig;
  /** A v2 job's exports (docs/design/composition.md, "Exports"). */
  exports: ExportsConfig;
  /**
   * Test hook (`VARIATION_FAULT_INDICES`, comma-separated cut indices 0–2, unset in production): the
   * composition of these cuts of a job with `numberOfVariations` fails with COMPOSITION_FAILED (not
   * retryable) before it renders, so one cut fails while the others are served (docs/api.md, "Variations").
   */
  variationFaultIndices: number[];
}

/** Settings of a job's requested exports (docs/design/composition.md, "Exports"). */
export interface ExportsConfig {
  /** Limit of one export's ffmpeg run, seconds (`EXPORT_TIMEOUT_SECONDS`, default 60); a failed run is retried once. */
  timeoutSeconds: number;
  /**
   * Test hook (`EXPORT_FAULT_FORMATS`, comma-separated export formats, unset in production): these exports
   * run with a 1 ms limit, so they fail through the real timeout path, are retried and skipped.
   */
  faultFormats: ExtraExportFormat[];
}

const DEFAULT_STAGE_SLOTS: Record<StageName, number> = {
  prompt_parsing: 4,
  image_generation: 2,
  storyboard: 2,
  video_generation: 2,
  composition: 1,
};

/** Thrown at startup when the environment is invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment.
 * @throws ConfigError naming every invalid variable
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const { int, num, bool, onOff, positive } = envReader(env, problems);


  const exportFormatList = (name: string): ExtraExportFormat[] => {
    const items = (env[name] ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    for (const f of items) if (!isExportFormat(f) || f === 'mp4') problems.push(`${name}: unknown export format "${f}" (known: ${EXPORT_FORMATS.slice(1).join(', ')})`);
    return items.filter((f): f is ExtraExportFormat => isExportFormat(f) && f !== 'mp4');
  };

  const indexList = (name: string, max: number): number[] => {
    const items = (env[name] ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    for (const f of items) if (!/^\d+$/.test(f) || Number(f) > max) problems.push(`${name}: "${f}" is not an index from 0 to ${max}`);
    return items.filter((f) => /^\d+$/.test(f) && Number(f) <= max).map(Number);
  };

  const roles = (env.ROLES ?? 'api,orchestrator,stages')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) problems.push(`ROLES: unknown role "${r}" (known: ${ROLES.join(', ')})`);
  if (roles.length === 0) problems.push('ROLES: at least one role is required');

  const databaseUrl = env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/ad_orchestrator';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL: expected a postgresql:// URL');
  if (env.DATABASE_READ_URL?.trim() && !/^postgres(ql)?:\/\//.test(env.DATABASE_READ_URL.trim())) problems.push('DATABASE_READ_URL: expected a postgresql:// URL');
  const natsServers = (env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter(Boolean);
  const natsPrefix = env.NATS_PREFIX ?? 'ads';
  if (!/^[a-z][a-z0-9_-]*$/i.test(natsPrefix)) problems.push(`NATS_PREFIX: expected letters, digits, _ or -, got "${natsPrefix}"`);
  const logLevel = env.LOG_LEVEL?.toLowerCase() ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) problems.push(`LOG_LEVEL: unknown level "${logLevel}"`);

  const port = int('PORT', 8000, 0, 65535);
  const host = env.HOST ?? '0.0.0.0';
  const providers = loadProvidersConfig(env);
  problems.push(...providers.problems);
  const push = loadPushConfig(env);
  problems.push(...push.problems);
  const artifactDir = path.resolve(env.ARTIFACT_DIR ?? 'data/artifacts');

  const config: AppConfig = {
    port,
    host,
    roles: roles as Role[],
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl,
    databaseReadUrl: env.DATABASE_READ_URL?.trim() || undefined,
    databaseReadPoolMax: int('DB_READ_POOL_MAX', 10, 1, 500),
    databasePoolMax: int('DB_POOL_MAX', 10, 1, 500),
    migrateOnStart: bool('DB_MIGRATE_ON_START', true),
    natsServers,
    natsPrefix,
    natsStreamReplicas: int('NATS_STREAM_REPLICAS', 1, 1, 5),
    natsConsumerReplicas: int('NATS_CONSUMER_REPLICAS', 0, 0, 5),
    natsMaxAckPending: int('NATS_MAX_ACK_PENDING', 1000, 1, 100_000),
    sagaSlots: int('SAGA_SLOTS', 4, 1, 256),
    sagaAckWaitSeconds: int('SAGA_ACK_WAIT_SECONDS', 30, 1, 600),
    eventRetentionSeconds: int('EVENT_RETENTION_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    artifactDir,
    artifacts: loadArtifactsConfig(env, artifactDir, problems),
    maxParallelVideoGenerations: int('MAX_PARALLEL_VIDEO_GENERATIONS', 4, 1, 32),
    maxConcurrentJobs: int('MAX_CONCURRENT_JOBS', 10, 1, 100_000),
    maxCostPerVideoUsd: num('MAX_COST_PER_VIDEO', 10, 0),
    costWarningUsd: num('COST_WARNING_USD', 5, 0),
    jobStallTimeoutSeconds: int('JOB_STALL_TIMEOUT_SECONDS', 900, 10, 24 * 3600),
    approvalTtlHours: num('APPROVAL_TTL_HOURS', 72, 0.001),
    stageLeaseSeconds: int('STAGE_LEASE_SECONDS', 30, 5, 3600),
    stageMaxDeliver: int('STAGE_MAX_DELIVER', 5, 2, 100),
    stageTransientRetries: int('STAGE_TRANSIENT_RETRIES', 2, 0, 10),
    stageTransientRetryDelaySeconds: num('STAGE_TRANSIENT_RETRY_DELAY_SECONDS', 5, 0),
    stageConcurrency: Object.fromEntries(
      STAGES.map((s) => [s, int(`STAGE_SLOTS_${s.toUpperCase()}`, DEFAULT_STAGE_SLOTS[s], 1, 8192)]),
    ) as Record<StageName, number>,
    logLevel,
    providers: providers.config,
    push: push.config,
    stageCache: { enabled: onOff('STAGE_CACHE', true), ttlHours: positive('STAGE_CACHE_TTL_HOURS', 24) },
    access: loadAccessConfig(env, problems),
    exports: { timeoutSeconds: int('EXPORT_TIMEOUT_SECONDS', 60, 1, 3600), faultFormats: exportFormatList('EXPORT_FAULT_FORMATS') },
    variationFaultIndices: indexList('VARIATION_FAULT_INDICES', 2),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Nest injection token of {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * A job's work directory under the artifact root, `<ARTIFACT_DIR>/jobs/<job id>`: where its stage attempts write
 * (reference, stills, clips, the ad) and what cancellation removes. Pure.
 */
export function jobWorkDir(artifactDir: string, jobId: string): string {
  return path.join(artifactDir, 'jobs', jobId);
}

/**
 * Where one stage attempt writes: the job's work directory, except the composition of cut `k > 0` of a job
 * with `numberOfVariations`, which writes `<job dir>/variations/<k>` so cuts composing at once never share a
 * `final.mp4` (docs/design/composition.md, "Variations"). Cut 0 writes where a single job's composition does.
 * Inside the job directory, so cancellation still removes everything. Pure.
 */
export function attemptWorkDir(artifactDir: string, jobId: string, stage: string, sceneIndex: number | null): string {
  const dir = jobWorkDir(artifactDir, jobId);
  return stage === 'composition' && sceneIndex !== null && sceneIndex > 0 ? path.join(dir, 'variations', String(sceneIndex)) : dir;
}
