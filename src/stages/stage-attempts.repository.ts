import type { MikroORM } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { StageName } from '@app/contracts';
import type { AttemptLease } from './stage-decision';

/** What a successful claim returns: the delivery count and what earlier deliveries left behind. */
export interface AttemptClaim {
  /** Deliveries counted in the database, this one included. */
  deliveries: number;
  /** A provider's resume token (e.g. a Replicate prediction id) saved by an earlier delivery. */
  resumeToken: string | null;
  /** USD billed by earlier deliveries that failed transiently, counted in the final event. */
  carriedCostUsd: number;
  /** Provider calls of earlier deliveries. */
  carriedCalls: number;
}

/** The stored result of a finished attempt: its row's outcome and the result event for the outbox. */
export interface AttemptOutcome {
  attemptId: string;
  status: 'succeeded' | 'failed';
  provider: string;
  /** The `stage.completed` / `stage.failed` event, stored on the row and published through the outbox. */
  event: unknown;
  outboxId: string;
  subject: string;
}

/**
 * How long lease renewals wait to share one statement, ms: 250, or a twelfth of the lease when that is
 * shorter, so a renewal sent a third of the way into the lease still lands with most of it left.
 */
export function leaseBatchWindowMs(leaseSeconds: number): number {
  return Math.min(250, (leaseSeconds * 1000) / 12);
}

/**
 * The `stage_attempts` table, by intent: every write is fenced by the lease owner (this process) so a worker
 * that lost its lease cannot overwrite the one that retook the attempt (docs/design/saga.md, "At-least-once
 * stage execution, paid once"). One instance per stage runner.
 */
export class StageAttemptsRepository {
  /**
   * Lease renewals gathered for {@link leaseBatchWindowMs} and sent as one `update … where attempt_id in (…)`.
   * A clip of a hosted model waits minutes, renewing every third of the lease: at 1 000 jobs in flight that
   * was one UPDATE per held clip every 10 s (about 230/s, five times the stage transitions), most of the
   * worker's SQL (docs/design/performance.md, "Fourth pass": lease renewals in batches).
   */
  private readonly renewals: DataLoader<string, boolean>;

  /**
   * Attempts this process holds, from claim to its last write (outcome, release, requeue, cancel). A renewal
   * queued just before the attempt let go of its lease must not take the lease back when its batch goes out:
   * the worker it was released to would wait a whole lease.
   */
  private readonly held = new Set<string>();

  /**
   * @param owner this process's lease owner id (`host:pid`)
   * @param leaseSeconds `STAGE_LEASE_SECONDS`: how long a claim or heartbeat holds the attempt
   */
  constructor(
    private readonly orm: MikroORM,
    private readonly owner: string,
    private readonly leaseSeconds: number,
  ) {
    this.renewals = new DataLoader((ids) => this.renewMany(ids), {
      cache: false,
      maxBatchSize: 1000,
      batchScheduleFn: (dispatch) => setTimeout(dispatch, leaseBatchWindowMs(leaseSeconds)),
    });
  }

  private get leaseSql(): string {
    return `now() + interval '${this.leaseSeconds} seconds'`;
  }

  /**
   * Takes the attempt for this process: inserts it, or retakes a running one whose lease ran out (or is ours),
   * counting the delivery.
   * @returns null when a live lease of another worker or a finished row kept it
   */
  async claimAttempt(a: { attemptId: string; jobId: string; stage: StageName; sceneIndex: number | null }): Promise<AttemptClaim | null> {
    const rows: Array<{ deliveries: number; resume_token: string | null; carried_cost_usd: string; carried_calls: number }> = await this.orm.em.fork().execute(
      `insert into stage_attempts (attempt_id, job_id, stage, scene_index, status, deliveries, lease_owner, lease_until)
         values (?, ?, ?, ?, 'running', 1, ?, ${this.leaseSql})
       on conflict (attempt_id) do update
         set deliveries = stage_attempts.deliveries + 1, lease_owner = excluded.lease_owner,
             lease_until = excluded.lease_until, updated_at = now()
         where stage_attempts.status = 'running'
           and (stage_attempts.lease_until is null or stage_attempts.lease_until < now() or stage_attempts.lease_owner = excluded.lease_owner)
       returning deliveries, resume_token, carried_cost_usd, carried_calls`,
      [a.attemptId, a.jobId, a.stage, a.sceneIndex, this.owner],
    );
    if (rows.length === 0) return null;
    this.held.add(a.attemptId);
    const r = rows[0];
    return { deliveries: Number(r.deliveries), resumeToken: r.resume_token, carriedCostUsd: Number(r.carried_cost_usd), carriedCalls: Number(r.carried_calls) };
  }

  /** The row a claim could not take: its status and the milliseconds left on its lease (null: no row). */
  async leaseOf(attemptId: string): Promise<AttemptLease | null> {
    const rows: Array<{ status: string; wait_ms: string | null }> = await this.orm.em
      .fork()
      .execute(`select status, extract(epoch from (lease_until - now())) * 1000 as wait_ms from stage_attempts where attempt_id = ?`, [attemptId]);
    if (rows.length === 0) return null;
    return { status: rows[0].status, waitMs: rows[0].wait_ms === null ? null : Number(rows[0].wait_ms) };
  }

  /**
   * Renews this process's lease on a running attempt, in the next batch (sent within
   * {@link leaseBatchWindowMs}).
   * @returns false when the lease was lost to another worker (or the attempt is no longer running)
   */
  extendLease(attemptId: string): Promise<boolean> {
    return this.renewals.load(attemptId);
  }

  private async renewMany(ids: readonly string[]): Promise<boolean[]> {
    const still = [...new Set(ids)].filter((id) => this.held.has(id));
    const rows: Array<{ attempt_id: string }> =
      still.length === 0
        ? []
        : await this.orm.em.fork().execute(
            `update stage_attempts set lease_until = ${this.leaseSql}, updated_at = now()
               where attempt_id in (?) and lease_owner = ? and status = 'running' returning attempt_id`,
            [still, this.owner],
          );
    const held = new Set(rows.map((r) => r.attempt_id));
    // A lease lost to another worker ends the attempt here (the runner aborts it): nothing left to renew.
    for (const id of still) if (!held.has(id)) this.held.delete(id);
    return ids.map((id) => held.has(id));
  }

  /** Stores a provider's resume token so a retaken attempt resumes the same remote work instead of paying again. */
  async saveResumeToken(attemptId: string, token: string): Promise<void> {
    await this.orm.em.fork().execute(`update stage_attempts set resume_token = ?, updated_at = now() where attempt_id = ?`, [token, attemptId]);
  }

  /** Ends this process's lease now so another worker retakes the attempt at once (shutdown hand-off). */
  async releaseLease(attemptId: string): Promise<void> {
    this.held.delete(attemptId);
    await this.orm.em.fork().execute(`update stage_attempts set lease_until = now() where attempt_id = ? and lease_owner = ?`, [attemptId, this.owner]);
  }

  /** Marks this process's running attempt cancelled (its job ended); an attempt another worker retook is left alone. */
  async markCancelled(attemptId: string): Promise<void> {
    this.held.delete(attemptId);
    await this.orm.em
      .fork()
      .execute(`update stage_attempts set status = 'cancelled', updated_at = now() where attempt_id = ? and lease_owner = ? and status = 'running'`, [attemptId, this.owner]);
  }

  /**
   * Releases the lease of a transiently failed attempt for its redelivery, carrying what it billed so far.
   * @param carriedCostUsd total USD billed by all deliveries so far; @param carriedCalls their provider calls
   */
  async requeueTransient(attemptId: string, carriedCostUsd: number, carriedCalls: number): Promise<void> {
    this.held.delete(attemptId);
    await this.orm.em.fork().execute(
      `update stage_attempts set lease_until = now(), carried_cost_usd = ?, carried_calls = ?, updated_at = now()
         where attempt_id = ? and lease_owner = ? and status = 'running'`,
      [carriedCostUsd, carriedCalls, attemptId, this.owner],
    );
  }

  /**
   * Stores the attempt's outcome and its result event's outbox row atomically, fenced by the lease: one
   * statement (the outbox insert reads the fenced update's row), so it needs no transaction round trips of
   * its own (docs/design/performance.md, "Orchestration").
   * @returns false when another worker had already finished or retaken the attempt (nothing written)
   */
  async storeOutcome(o: AttemptOutcome): Promise<boolean> {
    this.held.delete(o.attemptId);
    const event = JSON.stringify(o.event);
    const rows: unknown[] = await this.orm.em.fork().execute(
      `with u as (
         update stage_attempts set status = ?, provider = ?, outcome = ?, lease_until = null, updated_at = now()
          where attempt_id = ? and status = 'running' and lease_owner = ? returning attempt_id)
       insert into outbox (id, subject, payload) select ?, ?, ?::jsonb from u returning id`,
      [o.status, o.provider, event, o.attemptId, this.owner, o.outboxId, o.subject, event],
    );
    return rows.length > 0;
  }
}
