import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { OutboxMessage } from './outbox.entity';

/** A claimed, not yet published outbox row. */
export interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  /** Commit order (bigserial). */
  seq: number;
}

/**
 * Writes outbox rows inside the caller's transaction (docs/design/saga.md, "Transactional outbox").
 * @param em the transactional EntityManager of the state change
 * @param id deterministic id; becomes the `Nats-Msg-Id`
 */
export function enqueueOutbox(em: EntityManager, id: string, subject: string, payload: unknown): void {
  em.persist(new OutboxMessage(id, subject, payload));
}

/**
 * The `outbox` table, by intent, for the relays that publish it and the reaper that re-drives lost requests.
 * Claims are short leases taken with `FOR UPDATE SKIP LOCKED`, so several relays share the rows.
 */
export class OutboxRepository {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Claims up to `limit` unpublished rows for `claimSeconds`, counting the publish attempt.
   * @returns the rows in commit order (oldest first)
   */
  async claimBatch(limit: number, claimSeconds: number): Promise<OutboxRow[]> {
    const rows: Array<{ id: string; subject: string; payload: unknown; seq: string }> = await this.orm.em.fork().execute(
      `update outbox set claimed_until = now() + interval '${claimSeconds} seconds', publish_attempts = publish_attempts + 1
         where id in (select id from outbox
                       where published_at is null and (claimed_until is null or claimed_until < now())
                       order by seq limit ${limit} for update skip locked)
       returning id, subject, payload, seq`,
    );
    return rows
      .map((r) => ({ id: r.id, subject: r.subject, payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload, seq: Number(r.seq) }))
      .sort((a, b) => a.seq - b.seq);
  }

  /** Marks rows published (they leave the relay's work and are deleted a day later). */
  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.orm.em.fork().execute(`update outbox set published_at = now(), claimed_until = null where id in (?)`, [ids]);
  }

  /** Releases claims on rows that were not published, so the next pass (any relay's) retakes them at once. */
  async releaseClaims(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.orm.em.fork().execute(`update outbox set claimed_until = null where id in (?)`, [ids]);
  }

  /** Rows committed but not yet published. */
  async pendingCount(): Promise<number> {
    const res: Array<{ n: string }> = await this.orm.em.fork().execute('select count(*) as n from outbox where published_at is null');
    return Number(res[0]?.n ?? 0);
  }

  /** Deletes rows published more than a day ago. */
  async deletePublishedBefore1Day(): Promise<void> {
    await this.orm.em.fork().execute(`delete from outbox where published_at < now() - interval '1 day'`);
  }

  /**
   * Publishes a row again (a stage request whose message was lost), if it was published before `publishedBefore`
   * (outside JetStream's duplicate window, so the re-publish is not dropped as a duplicate).
   * @returns true when the row will be re-published
   */
  async redrive(id: string, publishedBefore: Date): Promise<boolean> {
    const rows: unknown[] = await this.orm.em
      .fork()
      .execute(`update outbox set published_at = null, claimed_until = null where id = ? and published_at < ? returning id`, [id, publishedBefore]);
    return rows.length > 0;
  }
}
