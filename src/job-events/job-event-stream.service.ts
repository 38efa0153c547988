import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isTerminalStatus, TERMINAL_JOB_EVENT_TYPES, type JobEvent, type JobStatus } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { AppError } from '../common/app-error';
import { ROOT_LOGGER } from '../common/logger';
import { JetStreamService } from '../messaging/jetstream.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Events fetched per pull: the next pull waits until these are written to the socket. */
const BATCH = 32;
/** Client reconnect delay announced in the stream (`retry:`), milliseconds. */
const RETRY_MS = 2000;

/** One Server-Sent Events frame (pure): `id:` = event id, `event:` = type, one `data:` line of JSON. */
export function sseFrame(event: Pick<JobEvent, 'event_id' | 'type'>, json: string): string {
  return `id: ${event.event_id}\nevent: ${event.type}\ndata: ${json.replace(/\n/g, '\\n')}\n\n`;
}

/**
 * Streams one job's events as `text/event-stream` (docs/events.md, "Server-Sent Events"), reusable by any
 * API version's route. The events come from JetStream, not the database: an ordered consumer filtered on
 * `<p>.evt.job.*.<jobId>` replays the job's history and then follows it live (one query at connect checks
 * the job exists; none per event). `Last-Event-ID` resumes after that event (unknown ids replay everything).
 * Backpressure: the next batch is pulled only after the socket drained what was written, so a slow client
 * holds at most one batch in memory. A comment line every `SSE_HEARTBEAT_SECONDS` keeps proxies from
 * closing an idle stream. The response ends after the terminal event (`job.completed|failed|cancelled`).
 */
@Injectable()
export class JobEventStreamService {
  constructor(
    private readonly orm: MikroORM,
    private readonly nats: JetStreamService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Checks the job, then takes over the raw response and streams until the terminal event or disconnect.
   * @throws AppError INVALID_INPUT for a malformed id, NOT_FOUND for an unknown job (before any byte is sent)
   */
  async open(jobId: string, lastEventId: string | undefined, req: IncomingMessage, res: ServerResponse, takeOver: () => void): Promise<void> {
    if (!UUID.test(jobId)) throw new AppError('INVALID_INPUT', 'job_id must be a UUID', { details: { job_id: jobId } });
    const rows: Array<{ status: string }> = await this.orm.em.fork().execute('select status from jobs where id = ?', [jobId]);
    if (!rows[0]) throw new AppError('NOT_FOUND', `job ${jobId} not found`, { details: { job_id: jobId } });
    const terminalAtConnect = isTerminalStatus(rows[0].status as JobStatus);
    takeOver();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    let closed = false;
    req.on('close', () => (closed = true));
    const heartbeat = setInterval(() => {
      if (!closed && !res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, this.config.push.sseHeartbeatSeconds * 1000);
    try {
      await this.pump(jobId, lastEventId || undefined, terminalAtConnect, res, () => closed);
    } catch (err) {
      this.logger.warn({ job_id: jobId, err: (err as Error).message }, 'event stream ended with an error');
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  }

  private async pump(jobId: string, lastEventId: string | undefined, terminalAtConnect: boolean, res: ServerResponse, isClosed: () => boolean): Promise<void> {
    const s = this.nats.subjects;
    const consumer = await this.nats.js.consumers.get(s.eventStream, { filter_subjects: s.jobEventsOf(jobId), deliver_policy: DeliverPolicy.All });
    // Until the client's last event is found, events are held back (a job has tens of events, not thousands).
    let skipping = lastEventId !== undefined;
    const held: Array<{ event: JobEvent; json: string }> = [];
    try {
      while (!isClosed()) {
        const batch = await consumer.fetch({ max_messages: BATCH, expires: 5000 });
        let got = 0;
        let caughtUp = false;
        for await (const msg of batch) {
          got += 1;
          caughtUp = msg.info.pending === 0;
          const { event, json } = decode(msg);
          if (skipping) {
            if (event.event_id === lastEventId) {
              skipping = false;
              held.length = 0;
            } else held.push({ event, json });
            if (!(caughtUp && skipping)) continue;
            // The id is not in the stream: replay what was held.
            skipping = false;
            for (const h of held) if (await this.write(res, h.event, h.json, isClosed)) return;
            held.length = 0;
            continue;
          }
          if (await this.write(res, event, json, isClosed)) return;
        }
        if (got === 0 && terminalAtConnect) return; // finished before this stream and its events have expired
        if (isClosed()) return;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /** Writes one frame, waiting for the socket to drain. @returns true when the stream is over */
  private async write(res: ServerResponse, event: JobEvent, json: string, isClosed: () => boolean): Promise<boolean> {
    if (isClosed()) return true;
    if (!res.write(sseFrame(event, json))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    return TERMINAL_JOB_EVENT_TYPES.includes(event.type);
  }
}

function decode(msg: JsMsg): { event: JobEvent; json: string } {
  const json = msg.string();
  return { event: JSON.parse(json) as JobEvent, json };
}
