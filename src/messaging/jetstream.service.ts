import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type ConsumerConfig,
} from '@nats-io/jetstream';
import { Subjects } from '@app/contracts';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { AppError } from '../common/app-error';

/** Duplicate window of both streams (docs/design/saga.md, "NATS 2.9.10 behaviours the code relies on": 2 min, survives a server kill -9). */
/** JetStream's duplicate window on our streams, ms: a re-publish with the same `Nats-Msg-Id` inside it is dropped. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * The process's one NATS connection, its JetStream client, and idempotent provisioning of the streams and
 * durable consumers (docs/design/saga.md, "Streams and subjects"; 2.9.10 allows one filter subject per consumer).
 * Reconnects forever (`maxReconnectAttempts: -1`): a broker restart must not end a service.
 */
@Injectable()
export class JetStreamService implements OnApplicationShutdown {
  readonly subjects: Subjects;
  private nc?: NatsConnection;
  private jsClient?: JetStreamClient;
  private jsm?: JetStreamManager;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.subjects = new Subjects(config.natsPrefix);
  }

  /**
   * Connects and provisions streams. Called once at startup by the messaging module.
   * @throws AppError SERVICE_UNAVAILABLE when NATS cannot be reached or JetStream is not enabled
   */
  async start(): Promise<void> {
    if (this.nc) return;
    try {
      this.nc = await connect({
        servers: this.config.natsServers,
        name: `ad-orchestrator:${this.config.roles.join('+')}:${process.pid}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 5000,
      });
    } catch (err) {
      throw new AppError('SERVICE_UNAVAILABLE', `cannot connect to NATS at ${this.config.natsServers.join(',')}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    void (async () => {
      for await (const s of this.nc!.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') this.logger.warn({ nats_status: s.type }, `NATS ${s.type}`);
      }
    })().catch(() => undefined);
    this.jsm = await jetstreamManager(this.nc);
    this.jsClient = jetstream(this.nc);
    await this.provisionStreams();
  }

  /** The connection; throws before {@link start}. */
  get connection(): NatsConnection {
    if (!this.nc) throw new Error('NATS not started');
    return this.nc;
  }

  get js(): JetStreamClient {
    if (!this.jsClient) throw new Error('NATS not started');
    return this.jsClient;
  }

  get manager(): JetStreamManager {
    if (!this.jsm) throw new Error('NATS not started');
    return this.jsm;
  }

  /** True while the connection is open (used by /health). */
  isConnected(): boolean {
    return !!this.nc && !this.nc.isClosed() && this.nc.info !== undefined;
  }

  /** Round trip to the server in milliseconds; throws when it does not answer. */
  async ping(): Promise<number> {
    return this.connection.rtt();
  }

  /**
   * Publishes to JetStream with a `Nats-Msg-Id`, waiting for the stream's ack.
   * @throws when the stream does not ack (the caller retries; the id makes the retry harmless)
   */
  async publish(subject: string, payload: unknown, msgId: string): Promise<void> {
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    await this.js.publish(subject, JSON.stringify(payload), { msgID: msgId, headers: h, timeout: 5000 });
  }

  /**
   * Creates (or updates) a durable pull consumer. Idempotent; safe from many processes at once.
   * ack_wait without backoff, as docs/design/saga.md ("NATS 2.9.10 behaviours the code relies on") advises for
   * long stages (backoff overwrites ack_wait on 2.9).
   */
  async ensureConsumer(stream: string, durable: string, filter: string, opts: Partial<ConsumerConfig> = {}): Promise<void> {
    const cfg: Partial<ConsumerConfig> = {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_deliver: -1,
      max_ack_pending: this.config.natsMaxAckPending,
      // 0 = as many as the stream (R3 in a 3-node cluster); see docs/design/performance.md.
      num_replicas: this.config.natsConsumerReplicas,
      ...opts,
    };
    try {
      const info = await this.manager.consumers.info(stream, durable);
      if (info.config.filter_subject !== filter) throw new Error(`consumer ${durable} exists with filter ${info.config.filter_subject}`);
      await this.manager.consumers.update(stream, durable, {
        ack_wait: cfg.ack_wait,
        max_deliver: cfg.max_deliver,
        max_ack_pending: cfg.max_ack_pending,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.manager.consumers.add(stream, cfg);
    }
  }

  private async provisionStreams(): Promise<void> {
    const s = this.subjects;
    await this.ensureStream({
      name: s.workStream,
      subjects: [s.workSubjects],
      retention: RetentionPolicy.Workqueue,
    });
    await this.ensureStream({
      name: s.eventStream,
      subjects: [s.eventSubjects],
      retention: RetentionPolicy.Limits,
      max_age: nanos(this.config.eventRetentionSeconds * 1000),
    });
  }

  private async ensureStream(cfg: { name: string; subjects: string[]; retention: RetentionPolicy; max_age?: number }): Promise<void> {
    const full = {
      ...cfg,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: this.config.natsStreamReplicas,
    };
    try {
      await this.manager.streams.info(cfg.name);
      const { retention: _retention, storage: _storage, ...mutable } = full;
      await this.manager.streams.update(cfg.name, mutable);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.manager.streams.add(full);
      } catch (addErr) {
        // Another process created it between our info and add.
        if (!/already in use|exists/i.test((addErr as Error).message)) throw addErr;
      }
    }
  }


  async onApplicationShutdown(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return (
    e?.api_error?.err_code === 10059 ||
    e?.api_error?.err_code === 10014 ||
    /not found/i.test(e?.message ?? '')
  );
}
