import type { Consumer, JsMsg, JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';

/** What to do with a message once its handler returns (the only place acks, naks and terms are decided). */
export type Settlement = { action: 'ack' } | { action: 'nak'; delayMs: number } | { action: 'term' };

/** Options of {@link runPullConsumer}. */
export interface PullConsumerOptions {
  js: JetStreamClient;
  stream: string;
  durable: string;
  /** Messages handled at once by this process: one pull loop per slot, one message at a time each. */
  slots: number;
  handler: (msg: JsMsg) => Promise<Settlement>;
  logger: Logger;
}

/** A running consumer; `stop()` ends the loops after their current message. */
export interface RunningConsumer {
  stop(): Promise<void>;
}

/**
 * Pulls from a durable consumer with `slots` independent loops, each fetching one message at a time so no
 * message waits in a client buffer while its ack deadline runs (docs/design/saga.md, "NATS 2.9.10 behaviours
 * the code relies on": pull one at a time per slot). Handler errors nak with a delay (a bare nak redelivers at once on 2.9); `term()` is sent without a
 * reason because 2.9 ignores term with a reason. Survives broker restarts: a failed pull backs off and retries.
 */
export function runPullConsumer(opts: PullConsumerOptions): RunningConsumer {
  let stopped = false;
  const loops: Promise<void>[] = [];
  // Looked up once and shared by the slots: `consumers.get` is a JetStream API request, and making it before
  // every pull doubled the idle slots' traffic and CPU (docs/design/performance.md, "Orchestration"). After a
  // failed pull the next one looks it up again, in case the durable was re-created.
  let consumer: Promise<Consumer> | null = null;
  const lookup = (): Promise<Consumer> => (consumer ??= opts.js.consumers.get(opts.stream, opts.durable));
  for (let slot = 0; slot < opts.slots; slot++) {
    loops.push(
      (async () => {
        let backoffMs = 250;
        while (!stopped) {
          let msg: JsMsg | null = null;
          try {
            msg = await (await lookup()).next({ expires: 2000 });
            backoffMs = 250;
          } catch (err) {
            consumer = null;
            if (stopped) break;
            opts.logger.warn({ durable: opts.durable, err: (err as Error).message }, 'pull failed; retrying');
            await sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 5000);
            continue;
          }
          if (!msg) continue;
          let settlement: Settlement;
          try {
            settlement = await opts.handler(msg);
          } catch (err) {
            opts.logger.error({ durable: opts.durable, subject: msg.subject, err: (err as Error).message }, 'handler failed; will redeliver');
            settlement = { action: 'nak', delayMs: Math.min(1000 * msg.info.deliveryCount, 10_000) };
          }
          settle(msg, settlement);
        }
      })(),
    );
  }
  return {
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
    },
  };
}

function settle(msg: JsMsg, s: Settlement): void {
  try {
    if (s.action === 'ack') msg.ack();
    else if (s.action === 'nak') msg.nak(Math.max(1, s.delayMs));
    else msg.term();
  } catch {
    // The connection dropped: the server redelivers after ack_wait, and handlers are idempotent.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
