import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { runPullConsumer, type RunningConsumer } from './pull-consumer';

/**
 * The pull loop's answer to a failed fetch (the acknowledgements themselves are tested on the real JetStream:
 * test/integration/pull-consumer.test.ts). A fetch ending in "heartbeats missed" cannot be provoked on demand
 * on a real broker, so the client here is a stand-in that fails the fetches it is told to.
 */
describe('runPullConsumer after a failed fetch', () => {
  let running: RunningConsumer | null = null;
  afterEach(async () => {
    await running?.stop();
    running = null;
  });

  /** A client whose n-th fetch (1-based) fails when `fails(n)`; otherwise it delivers nothing and ends at once. */
  function client(fails: (n: number) => boolean): { js: JetStreamClient; fetchesAt: number[]; lookups: () => number } {
    const fetchesAt: number[] = [];
    let lookups = 0;
    const consumer = {
      fetch: () => {
        fetchesAt.push(Date.now());
        const n = fetchesAt.length;
        if (fails(n)) return Promise.reject(new Error('heartbeats missed'));
        // An empty batch after 20 ms, as a fetch that expired with nothing to deliver.
        return Promise.resolve({
          [Symbol.asyncIterator]: () => ({
            next: async (): Promise<IteratorResult<JsMsg>> => {
              await new Promise((r) => setTimeout(r, 20));
              return { done: true, value: undefined };
            },
          }),
        });
      },
    } as unknown as Consumer;
    const js = {
      consumers: {
        get: () => {
          lookups += 1;
          return Promise.resolve(consumer);
        },
      },
    } as unknown as JetStreamClient;
    return { js, fetchesAt, lookups: () => lookups };
  }

  const start = (js: JetStreamClient) =>
    runPullConsumer({
      js,
      nc: {} as NatsConnection,
      stream: 'S',
      durable: 'd',
      slots: 2,
      handler: () => Promise.resolve({ action: 'ack' }),
      logger: pino({ level: 'silent' }),
    });

  it('should pull again at once, on the same consumer, after one failed fetch', async () => {
    const c = client((n) => n === 2);
    running = start(c.js);
    await new Promise((r) => setTimeout(r, 300));
    // Fetch 2 failed; fetch 3 followed it at once (slack for a busy machine), not after a 250 ms back-off.
    expect(c.fetchesAt.length).toBeGreaterThanOrEqual(4);
    expect(c.fetchesAt[2] - c.fetchesAt[1]).toBeLessThan(150);
    expect(c.lookups()).toBe(1);
  });

  it('should look the consumer up again and back off when fetches fail twice in a row', async () => {
    const c = client((n) => n === 2 || n === 3);
    running = start(c.js);
    await new Promise((r) => setTimeout(r, 600));
    expect(c.fetchesAt[2] - c.fetchesAt[1]).toBeLessThan(150);
    // The second failure in a row: 250 ms before fetch 4, on a consumer looked up again.
    expect(c.fetchesAt[3] - c.fetchesAt[2]).toBeGreaterThanOrEqual(240);
    expect(c.lookups()).toBe(2);
  });
});
