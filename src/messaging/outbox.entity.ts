import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A message committed with the state change that caused it, published later by the relay
 * (docs/design/saga.md, "Transactional outbox"). `id` is deterministic and becomes the `Nats-Msg-Id`, so a
 * relay that crashes between publish and marking re-publishes a copy JetStream drops.
 */
@Entity({ tableName: 'outbox' })
export class OutboxMessage {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'json' })
  payload!: unknown;

  @Property({ type: 'datetime', defaultRaw: 'clock_timestamp()' })
  createdAt?: Date;

  @Property({ type: 'datetime', nullable: true })
  claimedUntil?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'integer' })
  publishAttempts = 0;

  constructor(id: string, subject: string, payload: unknown) {
    this.id = id;
    this.subject = subject;
    this.payload = payload;
  }
}
