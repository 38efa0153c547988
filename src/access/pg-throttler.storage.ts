import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Pool, type QueryConfig } from 'pg';
import type { AppConfig } from '../../config/app.config';

/** What one counted hit answers (the `@nestjs/throttler` storage record). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Expired windows are swept after this many hits (cheap: one indexed delete). */
const SWEEP_EVERY = 500;

/**
 * Connections of the counting pool. One batch per event-loop round is in flight most of the time, so two
 * suffice; they are the API's own, not MikroORM's, so counting never queues behind the ORM's writes.
 */
const POOL_MAX = 2;

/**
 * One statement counts a whole batch: `n` hits per distinct key, each key's row added to (or restarted when
 * its window ended) in key order, so two processes' batches lock shared rows in the same order and cannot
 * deadlock. Returns each key's count after the batch and the ms its window has left.
 */
const COUNT_BATCH: Omit<QueryConfig, 'values'> = {
  name: 'rate-limit-count',
  text: `insert into rate_limit_windows as w (key, hits, window_ends_at)
    select k, n, now() + make_interval(secs => s) from unnest($1::varchar[], $2::int4[], $3::float8[]) as b(k, n, s) order by k
    on conflict (key) do update set
      hits = case when w.window_ends_at <= now() then excluded.hits else w.hits + excluded.hits end,
      window_ends_at = case when w.window_ends_at <= now() then excluded.window_ends_at else w.window_ends_at end
    returning key, hits, ceil(extract(epoch from (window_ends_at - now())) * 1000)::float8 as ms_left`,
};

/** One key's hits waiting for the batch: the window, the limit, and each hit's settle functions in call order. */
interface PendingKey {
  ttlMs: number;
  limit: number;
  waiters: Array<{ resolve: (r: ThrottlerStorageRecord) => void; reject: (e: unknown) => void }>;
}

/**
 * The record the hit at `position` (1-based) of a window gets: blocked past `limit`, with the window's seconds
 * left (at least 1, the value `Retry-After` and `X-RateLimit-Reset` carry). Pure.
 * @param position this hit's place in the window's count
 * @param msLeft ms until the window ends
 */
export function hitRecord(position: number, limit: number, msLeft: number): ThrottlerStorageRecord {
  const secondsLeft = Math.max(1, Math.ceil(msLeft / 1000));
  const blocked = position > limit;
  return { totalHits: position, timeToExpire: secondsLeft, isBlocked: blocked, timeToBlockExpire: blocked ? secondsLeft : 0 };
}

/**
 * Rate-limit counters in PostgreSQL (unlogged table `rate_limit_windows`), shared by every API process, in
 * fixed windows (docs/security.md, "Rate limits"). PostgreSQL is already the source of truth, so limits need
 * no extra service.
 *
 * Hits are coalesced (docs/design/performance.md, "Status reads"): those counted while the event loop handles
 * one round of sockets are sent on `setImmediate` as one prepared multi-row upsert, `hits = hits + n` per
 * key, on a small `pg` pool of the storage's own. The row lock serializes batches of every process, so a
 * batch of `n` owns the positions `hits_after - n + 1 … hits_after`; hit `k` of the batch (in call order)
 * gets `hits_after - n + k`. Counts stay exact: with a limit of L exactly L hits of a window pass, however
 * many processes count them.
 *
 * The pool points at `DATABASE_URL` (the primary: counting writes), never at the read replica.
 */
export class PgThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly pool: Pool;
  private pending = new Map<string, PendingKey>();
  private scheduled = false;
  private sinceSweep = 0;

  constructor(config: AppConfig) {
    this.pool = new Pool({ connectionString: config.databaseUrl, max: POOL_MAX, idleTimeoutMillis: 30_000 });
    // An idle client's error (server restart) must not crash the process: the next batch reconnects.
    this.pool.on('error', () => undefined);
  }

  /**
   * Counts one hit for `key` in its current window (a new window of `ttl` starts when the last one ended).
   * The same key must always come with the same `ttl` and `limit` (a rate-limit class fixes both); a batch
   * uses the first hit's.
   * @param key at most 200 characters (the column's width)
   * @param ttl window length, ms
   * @param limit hits allowed in the window
   * @throws the driver's error when PostgreSQL cannot be reached (every hit of that batch rejects)
   */
  increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return new Promise((resolve, reject) => {
      let entry = this.pending.get(key);
      if (!entry) this.pending.set(key, (entry = { ttlMs: ttl, limit, waiters: [] }));
      entry.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: hits of requests read from different sockets in one poll phase share a batch.
        setImmediate(() => this.flush());
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** Sends the batch gathered since the last round and settles each hit with its own position. */
  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys: string[] = [];
    const counts: number[] = [];
    const seconds: number[] = [];
    let hits = 0;
    for (const [key, entry] of batch) {
      keys.push(key);
      counts.push(entry.waiters.length);
      seconds.push(entry.ttlMs / 1000);
      hits += entry.waiters.length;
    }
    this.sinceSweep += hits;
    if (this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      this.pool.query(`delete from rate_limit_windows where window_ends_at < now() - interval '1 minute'`).catch(() => undefined);
    }
    this.pool.query<{ key: string; hits: number; ms_left: number }>({ ...COUNT_BATCH, values: [keys, counts, seconds] }).then(
      ({ rows }) => {
        for (const row of rows) {
          const entry = batch.get(row.key);
          if (!entry) continue;
          const first = row.hits - entry.waiters.length;
          entry.waiters.forEach((w, i) => w.resolve(hitRecord(first + i + 1, entry.limit, row.ms_left)));
          batch.delete(row.key);
        }
        // Every key gets a row back; anything left would be a driver fault, not a reason to hang a request.
        for (const entry of batch.values()) for (const w of entry.waiters) w.reject(new Error('rate-limit batch returned no row for a key'));
      },
      (err: unknown) => {
        for (const entry of batch.values()) for (const w of entry.waiters) w.reject(err);
      },
    );
  }
}
