import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import DataLoader from 'dataloader';
import { createHash } from 'node:crypto';
import { Pool, type QueryConfig } from 'pg';
import type { CompositionOutput, JobError, PlanAdjustment, StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import type { JobStatus } from './job.entity';

/**
 * The columns a status body needs (docs/design/performance.md, "Status reads"): not the plan, clips,
 * attempts or brand guidelines, which the saga needs and a poller never sees. Same names and types as the
 * {@link Job} entity's properties, so `toJobResponse` takes either.
 */
export interface JobStatusFields {
  id: string;
  status: JobStatus;
  duration: number;
  currentStage: StageName | null;
  stagesCompleted: string[];
  progressPercentage: number;
  result: CompositionOutput | null;
  costPromptParsing: number;
  costImageGeneration: number;
  costStoryboard: number;
  costVideoGeneration: number;
  costComposition: number;
  error: JobError | null;
  scenesDone: number;
  scenesTotal: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
  /** A measured completion estimate from progress ticks, when there is one. */
  estimatedCompletionAt: Date | null;
  /** True once the job has a plan (the read path selects this instead of the plan itself). */
  hasPlan?: boolean;
  /** What arithmetic fixed in the planner's answer (docs/design/plan-repair.md). */
  planAdjustments?: PlanAdjustment[] | null;
  /** Stage-cache reuse per attempt key (docs/design/cache.md). */
  cacheHits?: Record<string, boolean>;
  /** The plan, when the caller holds the whole entity rather than the read path's narrow row. */
  parsedData?: { adjustments?: PlanAdjustment[] } | null;
}

/** One row of `GET /api/v1/jobs` with the job's version (the list's ETag is built on the versions). */
export interface JobListRow {
  id: string;
  status: JobStatus;
  createdAt: Date;
  costTotal: number;
  currentStage: string | null;
  progressPercentage: number;
  version: number;
  prompt: string;
  duration: number;
  aspectRatio: string;
  updatedAt: Date;
}

/**
 * Extra equality conditions on `jobs` columns a caller may add to any read (an owner filter, a tenant):
 * `{client_id: 'abc'}` becomes `and client_id = $n`. Column names are checked against `[a-z_]+`.
 */
export type JobReadFilter = Readonly<Record<string, string | number | boolean>>;

const STATUS_COLUMNS = `id, status, duration, current_stage as "currentStage", stages_completed as "stagesCompleted",
  progress_percentage as "progressPercentage", result, cost_prompt_parsing as "costPromptParsing",
  cost_image_generation as "costImageGeneration", cost_storyboard as "costStoryboard", cost_video_generation as "costVideoGeneration",
  cost_composition as "costComposition", error, scenes_done as "scenesDone", scenes_total as "scenesTotal", version,
  created_at as "createdAt", updated_at as "updatedAt", started_at as "startedAt", completed_at as "completedAt",
  failed_at as "failedAt", cancelled_at as "cancelledAt", estimated_completion_at as "estimatedCompletionAt",
  parsed_data is not null as "hasPlan", parsed_data->'adjustments' as "planAdjustments", cache_hits as "cacheHits"`;

const LIST_COLUMNS = `id, status, created_at as "createdAt", cost_total as "costTotal", current_stage as "currentStage",
  progress_percentage as "progressPercentage", version, prompt, duration, aspect_ratio as "aspectRatio", updated_at as "updatedAt"`;

/** A job id in the form the `uuid` column accepts; anything else can match no row. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids one batched lookup asks for at most (one `id = any($1)` array). */
const MAX_BATCH = 500;

/** One lookup waiting for its batch: a job id and the caller's filter. */
interface Lookup {
  jobId: string;
  filter: JobReadFilter;
}

/**
 * Builds `where` conditions: the fixed ones first, then the filter's columns in key order. An array value is
 * a set: `column = any($n)`.
 * @returns the SQL (without `where`) and its parameters, numbered from `$1`
 */
export function buildJobWhere(fixed: Array<[column: string, value: unknown]>, filter: JobReadFilter = {}): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [...fixed, ...Object.entries(filter)]) {
    if (!/^[a-z_]+$/.test(column)) throw new Error(`invalid column name "${column}"`);
    params.push(value);
    parts.push(Array.isArray(value) ? `${column} = any($${params.length})` : `${column} = $${params.length}`);
  }
  return { sql: parts.length > 0 ? parts.join(' and ') : 'true', params };
}

/**
 * The read side of the REST API: status, version and list reads with plain SQL on a small `pg` pool of its
 * own, selecting only the columns a body needs. Queries are named (prepared once per connection), so
 * PostgreSQL parses and plans each shape once. No entity is hydrated and no identity map is built: a status
 * poll is one indexed primary-key lookup (docs/design/performance.md).
 *
 * Status and version lookups are batched: those issued while the event loop handles one round of sockets are
 * sent as one `id = any($1)` query per filter (DataLoader, dispatched on `setImmediate`, no cache). A batch
 * is sent after every lookup in it was asked for, so each still sees every write committed before its request
 * arrived; what it saves is a round trip, a protocol exchange and a socket write per poll, most of a status
 * read's cost once the row is narrow (docs/design/performance.md, "Status reads").
 *
 * The pool points at `DATABASE_READ_URL` when set (a streaming replica; reads may then lag the primary by
 * the replication delay), else at `DATABASE_URL`.
 */
@Injectable()
export class JobStatusReader implements OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly statusLoader = this.batchedLookup<JobStatusFields>('job-status', STATUS_COLUMNS, numericCosts);
  private readonly versionLoader = this.batchedLookup<{ id: string; version: number }>('job-version', 'id, version', (r) => r);

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.databaseReadUrl ?? config.databaseUrl,
      max: config.databaseReadPoolMax,
      idleTimeoutMillis: 30_000,
      // The app's sessions run in UTC (config/mikro-orm.config.ts); timestamptz parsing does not depend on it.
      options: '-c timezone=UTC',
    });
    // An idle client's error (server restart) must not crash the process: the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /**
   * The status fields of one job, or null when no row matches (or `jobId` is not a UUID). Callers that read
   * the same job in one batch share the row: treat it as read-only.
   */
  async status(jobId: string, filter: JobReadFilter = {}): Promise<JobStatusFields | null> {
    return UUID.test(jobId) ? this.statusLoader.load({ jobId, filter }) : null;
  }

  /** A job's version only (the cheap read behind `If-None-Match`), or null when no row matches. */
  async version(jobId: string, filter: JobReadFilter = {}): Promise<number | null> {
    return UUID.test(jobId) ? ((await this.versionLoader.load({ jobId, filter }))?.version ?? null) : null;
  }

  /** One page of jobs, newest first, and the total that match (two queries, run at once). */
  async list(q: { status?: JobStatus; limit: number; offset: number; q?: string }, filter: JobReadFilter = {}): Promise<{ rows: JobListRow[]; total: number }> {
    const where = buildJobWhere(q.status ? [['status', q.status]] : [], filter);
    if (q.q) {
      // A case-insensitive substring of the prompt; LIKE wildcards in `q` match themselves.
      where.params.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.sql = `${where.sql} and prompt ilike $${where.params.length}`;
    }
    const n = where.params.length;
    const shape = `${q.status ? 'status' : ''}:${q.q ? 'q' : ''}:${Object.keys(filter).join(',')}`;
    const [rows, count] = await Promise.all([
      this.query<JobListRow>(
        `job-list:${shape}`,
        `select ${LIST_COLUMNS} from jobs where ${where.sql} order by created_at desc, id desc limit $${n + 1} offset $${n + 2}`,
        [...where.params, q.limit, q.offset],
      ),
      this.query<{ n: string }>(`job-count:${shape}`, `select count(*) as n from jobs where ${where.sql}`, where.params),
    ]);
    return { rows: rows.map((r) => ({ ...r, costTotal: Number(r.costTotal) })), total: Number(count[0]?.n ?? 0) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async query<R>(name: string, text: string, values: unknown[]): Promise<R[]> {
    const config: QueryConfig = { name, text, values };
    return (await this.pool.query(config)).rows as R[];
  }

  /**
   * A loader of rows by job id: each dispatch groups its lookups by filter and sends one query per group,
   * `select <columns> from jobs where id = any($1) [and <filter>]`; `shape` turns a row into the answer.
   */
  private batchedLookup<R extends { id: string }>(name: string, columns: string, shape: (row: R) => R): DataLoader<Lookup, R | null> {
    return new DataLoader<Lookup, R | null>(
      async (lookups) => {
        const groups = new Map<string, { filter: JobReadFilter; ids: string[] }>();
        const keys = lookups.map(({ jobId, filter }) => {
          const signature = JSON.stringify(filter);
          let group = groups.get(signature);
          if (!group) groups.set(signature, (group = { filter, ids: [] }));
          const id = jobId.toLowerCase();
          group.ids.push(id);
          return `${signature}|${id}`;
        });
        const found = new Map<string, R>();
        await Promise.all(
          [...groups].map(async ([signature, { filter, ids }]) => {
            const where = buildJobWhere([['id', [...new Set(ids)]]], filter);
            const rows = await this.query<R>(`${name}:${Object.keys(filter).join(',')}`, `select ${columns} from jobs where ${where.sql}`, where.params);
            for (const row of rows) found.set(`${signature}|${row.id}`, shape(row));
          }),
        );
        return keys.map((key) => found.get(key) ?? null);
      },
      // setImmediate, not DataLoader's default (the end of the current job): requests read from different
      // sockets in one poll phase then share a batch. No cache: every request reads the database.
      { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
  }
}

/** `numeric` columns arrive as strings from `pg`; the body carries numbers (as the entity's DecimalType gives). */
function numericCosts(row: JobStatusFields): JobStatusFields {
  row.costPromptParsing = Number(row.costPromptParsing);
  row.costImageGeneration = Number(row.costImageGeneration);
  row.costStoryboard = Number(row.costStoryboard);
  row.costVideoGeneration = Number(row.costVideoGeneration);
  row.costComposition = Number(row.costComposition);
  return row;
}

/**
 * The status ETag: the job's version, weak because the body's `estimated_completion_time` of a live job moves
 * with the clock while the version stays (RFC 9110 §8.8.1: semantically equivalent, not byte-identical).
 */
export function jobEtag(version: number): string {
  return `W/"${version}"`;
}

/**
 * The list ETag: a digest of what the page is built from (total, paging, each row's id and version; every
 * change of a listed field bumps the job's version).
 */
export function listEtag(total: number, limit: number, offset: number, rows: ReadonlyArray<Pick<JobListRow, 'id' | 'version'>>): string {
  const h = createHash('sha1').update(`${total}:${limit}:${offset}`);
  for (const r of rows) h.update(`|${r.id}:${r.version}`);
  return `W/"${h.digest('base64url').slice(0, 22)}"`;
}

/**
 * True when an `If-None-Match` header matches `etag` with the weak comparison RFC 9110 §13.1.2 prescribes
 * for it: `*`, or any listed tag equal after dropping `W/`.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}
