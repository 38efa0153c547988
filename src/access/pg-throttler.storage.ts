import type { MikroORM } from '@mikro-orm/postgresql';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Expired windows are swept after this many increments (cheap: one indexed delete). */
const SWEEP_EVERY = 500;

/**
 * Rate-limit counters in PostgreSQL (unlogged table `rate_limit_windows`), shared by every API process:
 * one atomic upsert per request counts the hit in a fixed window and answers how long the window has left.
 * PostgreSQL is already the source of truth here, so limits need no extra service (docs/security.md).
 */
export class PgThrottlerStorage implements ThrottlerStorage {
  private sinceSweep = 0;

  constructor(private readonly orm: MikroORM) {}

  /**
   * Counts one hit for `key`.
   * @param ttl window length, ms
   * @param limit hits allowed in the window
   */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const conn = this.orm.em.getConnection();
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      void conn.execute(`delete from rate_limit_windows where window_ends_at < now() - interval '1 minute'`).catch(() => undefined);
    }
    const rows: Array<{ hits: number; ms_left: string }> = await conn.execute(
      `insert into rate_limit_windows (key, hits, window_ends_at) values (?, 1, now() + make_interval(secs => ?))
       on conflict (key) do update set
         hits = case when rate_limit_windows.window_ends_at <= now() then 1 else rate_limit_windows.hits + 1 end,
         window_ends_at = case when rate_limit_windows.window_ends_at <= now() then excluded.window_ends_at else rate_limit_windows.window_ends_at end
       returning hits, ceil(extract(epoch from (window_ends_at - now())) * 1000) as ms_left`,
      [key, ttl / 1000],
    );
    const hits = Number(rows[0].hits);
    const secondsLeft = Math.max(1, Math.ceil(Number(rows[0].ms_left) / 1000));
    const blocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked: blocked, timeToBlockExpire: blocked ? secondsLeft : 0 };
  }
}
