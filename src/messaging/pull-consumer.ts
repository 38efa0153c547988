import type { Consumer, JsMsg, JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** What to do with a message once its handler returns (the only place acks, naks and terms are decided). */
export type Settlement = { action: 'ack' } | { action: 'nak'; delayMs: number } | { action: 'term' };

/**
 * A pulled message as a handler sees it, detached from the client's read buffer: its subject, reply and
 * payload are copies, so a message held for minutes (a clip attempt) does not keep the socket chunk it
 * arrived in alive. nats.js's own message holds subarrays of that chunk, and a chunk is freed only when every
 * message read from it is. At 1 000 jobs in flight that memory (outside the V8 heap) took RSS from 1.8× to 2.3×
 * that at 10 jobs (docs/design/performance.md, "Fifth pass").
 */
export interface PulledMsg {
  readonly subject: string;
  /** 1 for the first delivery; JetStream counts redeliveries (ack_wait, nak). */
  readonly deliveryCount: number;
  /** The payload as JSON; parsed once, after which the payload bytes are let go. @throws SyntaxError */
  json<T>(): T;
  /** Tells JetStream the message is still being worked on (`+WPI`): its ack_wait starts again. */
  working(): void;
}

// The JetStream acknowledgement payloads (NATS docs, "JetStream > Consumers > Acknowledgement Models").
const ACK = new TextEncoder().encode('+ACK');
const WPI = new TextEncoder().encode('+WPI');
const TERM = new TextEncoder().encode('+TERM');
const UTF8 = new TextDecoder();

/** A message whose acknowledgement goes out on the connection to its reply subject, as nats.js's own does. */
class DetachedMsg implements PulledMsg {
  readonly subject: string;
  readonly deliveryCount: number;
  private readonly reply: string;
  private payload: Uint8Array | null;
  private parsed: unknown;
  private settled = false;

  constructor(
    private readonly nc: NatsConnection,
    msg: JsMsg,
  ) {
    // Decoded strings and a copied payload share nothing with the read buffer.
    this.subject = msg.subject;
    // nats.js's JetStream message has the reply subject (the ack address) but its type does not name it.
    const reply = (msg as JsMsg & { readonly reply?: string }).reply;
    if (!reply) throw new Error(`pulled message on ${msg.subject} has no reply subject to acknowledge to`);
    this.reply = reply;
    this.deliveryCount = msg.info.deliveryCount;
    // `new Uint8Array(view)` copies; the transport's payload is a Node Buffer, whose `slice()` does not.
    this.payload = new Uint8Array(msg.data);
  }

  json<T>(): T {
    if (this.payload) {
      this.parsed = JSON.parse(UTF8.decode(this.payload));
      this.payload = null;
    }
    return this.parsed as T;
  }

  working(): void {
    if (!this.settled) this.nc.publish(this.reply, WPI);
  }

  /**
   * Sends the settlement once; later calls do nothing (all acknowledgements but `+WPI` are final). A dropped
   * connection is not an error: the server redelivers after ack_wait, and handlers are idempotent.
   */
  settle(s: Settlement): void {
    if (this.settled) return;
    this.settled = true;
    try {
      if (s.action === 'ack') this.nc.publish(this.reply, ACK);
      // A bare `-NAK` redelivers at once on 2.9; the delay is whole nanoseconds (the server reads an int64).
      else if (s.action === 'nak') this.nc.publish(this.reply, `-NAK ${JSON.stringify({ delay: Math.round(Math.max(1, s.delayMs) * 1e6) })}`);
      else this.nc.publish(this.reply, TERM);
    } catch {
      /* connection down */
    }
  }
}

/** Options of {@link runPullConsumer}. */
export interface PullConsumerOptions {
  js: JetStreamClient;
  /** The connection acknowledgements are published on (the one `js` was made from). */
  nc: NatsConnection;
  stream: string;
  durable: string;
  /** Messages handled at once by this process; never more are asked for than there are free slots. */
  slots: number;
  handler: (msg: PulledMsg) => Promise<Settlement>;
  logger: Logger;
}

/** A running consumer; `stop()` asks for no more messages and waits for the open fetches and the handlers. */
export interface RunningConsumer {
  stop(): Promise<void>;
}

/** How long one pull request waits on the server for the messages it asked for (ms). */
const FETCH_EXPIRES_MS = 2000;

/**
 * Pulls from a durable consumer for up to `slots` handlers at once. A fetch asks for exactly the slots that
 * are free and not already asked for by an open fetch (`max_messages`), and each message goes to a handler
 * the moment it arrives, so none waits in a client buffer while its ack deadline runs (docs/design/saga.md,
 * "NATS 2.9.10 behaviours the code relies on": pull one at a time per free slot). Slots freed in one turn of
 * the event loop are asked for by one new fetch at once, without waiting for the open fetches to expire; an
 * idle process keeps one open pull request per consumer instead of one per slot (hundreds of slots' pull
 * requests and their idle heartbeats cost more CPU than the work: docs/design/performance.md, "Orchestration").
 * Handler errors nak with a delay (a bare nak redelivers at once on 2.9); `term()` is sent without a reason
 * because 2.9 ignores term with a reason. Survives broker restarts: a failed fetch backs off and retries.
 */
export function runPullConsumer(opts: PullConsumerOptions): RunningConsumer {
  let stopped = false;
  /** Messages being handled. */
  let inFlight = 0;
  /** Messages asked for by open fetches and not delivered yet. */
  let asked = 0;
  let refillQueued = false;
  let backoffMs = 250;
  let retryAt = 0;
  /** Fetches that failed since the last one that did not. */
  let failedInARow = 0;
  const fetches = new Set<Promise<void>>();
  const handlers = new Set<Promise<void>>();
  // Looked up once, not per fetch: `consumers.get` is a JetStream API request. After a failed fetch the next
  // one looks it up again, in case the durable was re-created (broker restart).
  let consumer: Promise<Consumer> | null = null;
  const lookup = (): Promise<Consumer> => (consumer ??= opts.js.consumers.get(opts.stream, opts.durable));

  const handle = async (msg: DetachedMsg): Promise<void> => {
    let settlement: Settlement;
    try {
      settlement = await opts.handler(msg);
    } catch (err) {
      opts.logger.error({ durable: opts.durable, subject: msg.subject, err: (err as Error).message }, 'handler failed; will redeliver');
      settlement = { action: 'nak', delayMs: Math.min(1000 * msg.deliveryCount, 10_000) };
    }
    msg.settle(settlement);
  };

  const fetchFree = (): void => {
    const free = opts.slots - inFlight - asked;
    if (stopped || free <= 0 || Date.now() < retryAt) return;
    asked += free;
    let delivered = 0;
    const p: Promise<void> = (async () => {
      try {
        const batch = await (await lookup()).fetch({ max_messages: free, expires: FETCH_EXPIRES_MS });
        for await (const msg of batch) {
          delivered += 1;
          asked -= 1;
          inFlight += 1;
          const h: Promise<void> = handle(new DetachedMsg(opts.nc, msg)).finally(() => {
            inFlight -= 1;
            handlers.delete(h);
            refill();
          });
          handlers.add(h);
        }
        backoffMs = 250;
        failedInARow = 0;
      } catch (err) {
        failedInARow += 1;
        // The first failure after a good fetch is retried at once on the same consumer. On a working broker it
        // is nearly always nats.js ending a fetch for "heartbeats missed" (two of its idle-heartbeat checks,
        // half the expiry apart, saw nothing): 15 times in a 10-minute run at 1 000 jobs in flight. Backing off
        // there left the durable without a pull request for 250 ms, the tail of the composition transitions
        // (docs/design/performance.md, "Fifth pass"). A second failure in a row is a real one (the broker
        // restarting, the durable re-created): look the consumer up again and back off.
        if (!stopped && failedInARow === 1) {
          opts.logger.debug({ durable: opts.durable, err: (err as Error).message }, 'pull ended early; pulling again');
        } else if (!stopped) {
          consumer = null;
          opts.logger.warn({ durable: opts.durable, err: (err as Error).message, failed_in_a_row: failedInARow }, 'pull failed; retrying');
          retryAt = Date.now() + backoffMs;
          setTimeout(refill, backoffMs);
          backoffMs = Math.min(backoffMs * 2, 5000);
        }
      } finally {
        // What this fetch asked for and did not get is free again.
        asked -= free - delivered;
        refill();
      }
    })();
    fetches.add(p);
    void p.finally(() => fetches.delete(p));
  };

  // Coalesces the slots freed within one turn of the event loop into one fetch.
  function refill(): void {
    if (refillQueued || stopped) return;
    refillQueued = true;
    setImmediate(() => {
      refillQueued = false;
      fetchFree();
    });
  }

  refill();
  return {
    async stop() {
      stopped = true;
      // Open fetches end by `FETCH_EXPIRES_MS`; what they still deliver is handled, as a pulled message is.
      while (fetches.size > 0) await Promise.allSettled([...fetches]);
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
    },
  };
}

