import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { runPullConsumer, type PulledMsg, type RunningConsumer, type Settlement } from '../../src/messaging/pull-consumer';

/**
 * The pull consumer's own acknowledgements on the real NATS JetStream (2.9.10 here): a detached message must
 * settle exactly as nats.js's would (ack, nak with a delay, term, `+WPI`), and must hold nothing of the read
 * buffer it arrived in (docs/design/performance.md, "Fifth pass").
 */
describe('pull consumer', () => {
  const stream = `${process.env.NATS_PREFIX ?? 'tpull'}_PULL_TEST`;
  const subject = `${process.env.NATS_PREFIX ?? 'tpull'}.pulltest`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let consumer: RunningConsumer | null = null;

  beforeAll(async () => {
    nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = null;
  });

  afterAll(async () => {
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.close();
  });

  /** A durable of its own per test, 1 s ack_wait, and the given handler on 4 slots. */
  async function consume(durable: string, handler: (msg: PulledMsg) => Promise<Settlement>): Promise<void> {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: `${subject}.${durable}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(1000),
      max_deliver: -1,
    });
    consumer = runPullConsumer({ js: jetstream(nc), nc, stream, durable, slots: 4, handler, logger: pino({ level: 'silent' }) });
  }

  async function publish(durable: string, body: unknown): Promise<void> {
    await jetstream(nc).publish(`${subject}.${durable}`, JSON.stringify(body));
  }

  async function pendingAcks(durable: string): Promise<{ ackPending: number; pending: number }> {
    const info = await jsm.consumers.info(stream, durable);
    return { ackPending: info.num_ack_pending, pending: info.num_pending };
  }

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('should ack once, redeliver a nak after its delay, and never redeliver a term', async () => {
    const seen: { id: string; delivery: number; at: number }[] = [];
    await consume('settle', async (msg) => {
      const { id } = msg.json<{ id: string }>();
      seen.push({ id, delivery: msg.deliveryCount, at: Date.now() });
      if (id === 'nak' && msg.deliveryCount === 1) return { action: 'nak', delayMs: 400 };
      return id === 'term' ? { action: 'term' } : { action: 'ack' };
    });
    for (const id of ['ack', 'nak', 'term']) await publish('settle', { id });
    // Past the 1 s ack_wait: anything not settled would have come again by now.
    await sleep(2500);

    expect(seen.filter((s) => s.id === 'ack').map((s) => s.delivery)).toEqual([1]);
    expect(seen.filter((s) => s.id === 'term').map((s) => s.delivery)).toEqual([1]);
    const naks = seen.filter((s) => s.id === 'nak');
    expect(naks.map((s) => s.delivery)).toEqual([1, 2]);
    // The delay was sent in nanoseconds and honoured (a bare nak would redeliver at once).
    expect(naks[1].at - naks[0].at).toBeGreaterThanOrEqual(350);
    expect(await pendingAcks('settle')).toEqual({ ackPending: 0, pending: 0 });
  });

  it('should keep a message that reports working past its ack_wait, and hold no part of the read buffer', async () => {
    const deliveries: number[] = [];
    const held: PulledMsg[] = [];
    const bytesBeforeParse: Uint8Array[] = [];
    await consume('working', async (msg) => {
      deliveries.push(msg.deliveryCount);
      held.push(msg);
      bytesBeforeParse.push(...Object.values(msg as object).filter((v): v is Uint8Array => v instanceof Uint8Array));
      msg.json();
      // 2.5 s of work against a 1 s ack_wait, reporting every 300 ms.
      for (let i = 0; i < 8; i++) {
        await sleep(300);
        msg.working();
      }
      return { action: 'ack' };
    });
    // A large neighbour arrives in the same read, so a payload kept as a subarray would show its buffer.
    await publish('working', { id: 'held', pad: 'x'.repeat(20_000) });
    await sleep(3500);

    expect(deliveries).toEqual([1]);
    expect(await pendingAcks('working')).toEqual({ ackPending: 0, pending: 0 });
    // Before parsing, the payload is a copy: its own buffer, not a window on a larger read.
    expect(bytesBeforeParse).toHaveLength(1);
    expect(bytesBeforeParse[0].buffer.byteLength).toBe(bytesBeforeParse[0].byteLength);
    // After, the handler holds strings and numbers, no bytes (the payload was let go once parsed).
    const fields = Object.values(held[0] as object).filter((v) => v instanceof Uint8Array);
    expect(fields).toEqual([]);
    expect(held[0].json<{ id: string }>().id).toBe('held');
  });
});
