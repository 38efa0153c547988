import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager, EntityMetadata, MikroORM, Platform } from '@mikro-orm/postgresql';
import { Job } from './job.entity';

/** The `job_transitions` row a saga transaction writes beside the new state. */
export interface TransitionRow {
  causeEventId: string;
  fromStatus: string;
  toStatus: string;
  fromStage: string | null;
  toStage: string | null;
  version: number;
  at: Date;
}

/** An outbox row written in the same statement (docs/design/saga.md, "Transactional outbox"). */
export interface OutboxInsert {
  id: string;
  subject: string;
  payload: unknown;
}

/** The outcome of {@link JobRows.lock}: the locked job, or why there is none. */
export type LockedJob = { kind: 'locked'; job: Job } | { kind: 'duplicate' } | { kind: 'unknown' };

/**
 * The saga's own reads and writes of a `jobs` row, in targeted SQL instead of the unit of work: one statement
 * records the inbox id and locks the row, one writes the changed columns (fenced by `version`), the
 * `job_transitions` row and the outbox rows. Same effects and the same lock as `findOne(…, PESSIMISTIC_WRITE)`
 * then `flush()`, in 2 round trips instead of 5, without hydrating a managed entity or diffing its large JSON
 * columns (plan, clips, stills) on every transition (docs/design/performance.md, "Orchestration";
 * docs/design/saga.md, "Exactly-once effect on job state"). Column names and types come from the entity's
 * metadata, so a new column needs no change here.
 */
export class JobRows {
  private readonly meta: EntityMetadata<Job>;
  /** Property name → column, for every persisted column of `jobs`. */
  private readonly columns: Array<{ prop: keyof Job & string; column: string; kind: 'number' | 'date' | 'other' }>;
  private readonly platform: Platform;

  constructor(orm: MikroORM) {
    this.meta = orm.getMetadata().get<Job>(Job.name);
    this.platform = orm.em.getPlatform();
    this.columns = this.meta.props
      .filter((p) => p.persist !== false && p.fieldNames?.length === 1)
      .map((p) => ({
        prop: p.name,
        column: p.fieldNames[0],
        kind: p.runtimeType === 'number' ? 'number' : p.runtimeType === 'Date' ? 'date' : 'other',
      }));
  }

  /**
   * In `tx`: records `inbox` (when given; `ON CONFLICT DO NOTHING`, so a duplicate is no error) and locks the
   * job row `FOR UPDATE`, in one statement.
   * @returns the job as a plain, unmanaged {@link Job} (a flush never writes it), `duplicate` when the inbox
   *   already had the id, `unknown` when there is no such job
   */
  async lock(tx: EntityManager, jobId: string, inbox: { consumer: string; id: string } | null): Promise<LockedJob> {
    const rows: Array<Record<string, unknown>> = inbox
      ? await tx.execute(
          `with ins as (insert into inbox (consumer, message_id) values (?, ?) on conflict do nothing returning 1)
           select (select count(*) from ins) as inbox_fresh, j.* from jobs j where j.id = ? for update of j`,
          [inbox.consumer, inbox.id, jobId],
        )
      : await tx.execute(`select 1 as inbox_fresh, j.* from jobs j where j.id = ? for update of j`, [jobId]);
    const row = rows[0];
    if (!row) return { kind: 'unknown' };
    if (Number(row.inbox_fresh) === 0) return { kind: 'duplicate' };
    return { kind: 'locked', job: this.toJob(row) };
  }

  /**
   * In `tx`: locks the oldest `limit` queued jobs `FOR UPDATE`, in the order they asked for a slot (when they
   * last entered `queued`, then creation; never-queued last, as PostgreSQL sorts nulls after values).
   * @returns plain, unmanaged {@link Job}s, as {@link lock} gives
   */
  async lockQueued(tx: EntityManager, limit: number): Promise<Job[]> {
    const rows: Array<Record<string, unknown>> = await tx.execute(
      `select j.* from jobs j where j.status = 'queued' order by j.queued_at asc, j.created_at asc limit ? for update of j`,
      [limit],
    );
    return rows.map((r) => this.toJob(r));
  }

  /**
   * In `tx`: writes the columns of `job` that differ from `before` (reference or value inequality: the saga's
   * pure transition keeps the references of what it did not change), sets `version` to `job.version` where
   * it still is `before.version`, and inserts the transition and outbox rows (outbox in the array's order,
   * so `seq` follows it) in one statement.
   * @throws OptimisticLockError when the row's version moved (cannot happen under the row lock; kept as the fence)
   */
  async write(tx: EntityManager, before: Readonly<Job>, job: Job, transition: TransitionRow, outbox: readonly OutboxInsert[]): Promise<void> {
    const changed: Record<string, unknown> = {};
    for (const c of this.columns) {
      if (c.prop === 'id' || c.prop === 'version') continue;
      const a = before[c.prop] as unknown;
      const b = job[c.prop] as unknown;
      const same = a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
      if (!same) changed[c.column] = b;
    }
    changed.updated_at = new Date();
    changed.version = job.version;
    const cols = Object.keys(changed);
    const rows: Array<{ n: string }> = await tx.execute(
      `with u as (
         update jobs set (${cols.map((c) => `"${c}"`).join(', ')}) = (select ${cols.map((c) => `r."${c}"`).join(', ')} from jsonb_populate_record(null::jobs, ?::jsonb) r)
          where id = ? and version = ? returning id),
       t as (
         insert into job_transitions (job_id, cause_event_id, from_status, to_status, from_stage, to_stage, version, at)
         select id, ?, ?, ?, ?, ?, ?, ? from u),
       o as (
         insert into outbox (id, subject, payload)
         select m.e->>'id', m.e->>'subject', m.e->'payload' from u, jsonb_array_elements(?::jsonb) with ordinality as m(e, ord) order by m.ord)
       select count(*) as n from u`,
      [
        JSON.stringify(changed),
        job.id,
        before.version,
        transition.causeEventId,
        transition.fromStatus,
        transition.toStatus,
        transition.fromStage,
        transition.toStage,
        transition.version,
        transition.at,
        JSON.stringify(outbox),
      ],
    );
    if (Number(rows[0]?.n ?? 0) !== 1) throw OptimisticLockError.lockFailed(`Job ${job.id}`);
  }

  /**
   * A row of `jobs` as a plain {@link Job}, converted as the ORM would: numeric columns (strings from pg)
   * become numbers, timestamps (left as strings by the ORM's pg type parsers) become Dates.
   */
  private toJob(row: Record<string, unknown>): Job {
    const job = Object.create(Job.prototype) as Record<string, unknown>;
    for (const c of this.columns) {
      const v = row[c.column];
      if (typeof v !== 'string' || c.kind === 'other') job[c.prop] = v;
      else job[c.prop] = c.kind === 'number' ? Number(v) : this.platform.parseDate(v);
    }
    return job as unknown as Job;
  }
}
