import type { JsMsg, JetStreamClient } from '@nats-io/jetstream';
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
 * Pulls from a durable consumer for up to `slots` handlers at once with one fetch loop: each fetch asks for
 * exactly the number of free slots (`max_messages`), and every message goes to a handler the moment it
 * arrives, so none waits in a client buffer while its ack deadline runs (design/saga.md: "pull one at a time
 * per slot", kept per slot, with one pull request per batch instead of one per slot: with hundreds of slots
 * the per-slot pull requests and their heartbeats cost more than the work; docs/design/performance.md).
 * Handler errors nak with a delay (a bare nak redelivers at once on 2.9); `term()` is sent without a reason
 * because 2.9 ignores term with a reason. Survives broker restarts: a failed pull backs off and retries.
 */
export function runPullConsumer(opts: PullConsumerOptions): RunningConsumer {
  let stopped = false;
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;

  const handle = async (msg: JsMsg): Promise<void> => {
    let settlement: Settlement;
    try {
      settlement = await opts.handler(msg);
    } catch (err) {
      opts.logger.error({ durable: opts.durable, subject: msg.subject, err: (err as Error).message }, 'handler failed; will redeliver');
      settlement = { action: 'nak', delayMs: Math.min(1000 * msg.info.deliveryCount, 10_000) };
    }
    settle(msg, settlement);
  };

  const loop = (async () => {
    let backoffMs = 250;
    // Looked up once, not per pull: the lookup is a JetStream API round trip (consumer info).
    let consumer: Awaited<ReturnType<JetStreamClient['consumers']['get']>> | null = null;
    while (!stopped) {
      if (inFlight >= opts.slots) {
        await new Promise<void>((r) => (slotFreed = r));
        continue;
      }
      try {
        consumer ??= await opts.js.consumers.get(opts.stream, opts.durable);
        const batch = await consumer.fetch({ max_messages: opts.slots - inFlight, expires: 2000 });
        for await (const msg of batch) {
          inFlight += 1;
          const p: Promise<void> = handle(msg).finally(() => {
            inFlight -= 1;
            running.delete(p);
            slotFreed?.();
            slotFreed = undefined;
          });
          running.add(p);
        }
        backoffMs = 250;
      } catch (err) {
        consumer = null; // the consumer may have been recreated (broker restart): look it up again
        if (stopped) break;
        opts.logger.warn({ durable: opts.durable, err: (err as Error).message }, 'pull failed; retrying');
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      slotFreed?.();
      await loop.catch(() => undefined);
      await Promise.allSettled([...running]);
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
