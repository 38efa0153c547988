import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { leaseBatchWindowMs, StageAttemptsRepository } from '../../src/stages/stage-attempts.repository';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Stage attempt leases on the real PostgreSQL: renewals of one window share one statement, and each caller
 * still learns whether its own lease held (docs/design/performance.md, "Fourth pass": lease renewals in batches).
 */
describe('stage attempt leases', () => {
  let t: TestApp;
  let orm: MikroORM;

  beforeAll(async () => {
    t = await startTestApp({ ROLES: 'api' });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function leaseOf(attemptId: string): Promise<{ lease_owner: string; lease_until: Date | string }> {
    return (await orm.em.fork().execute('select lease_owner, lease_until from stage_attempts where attempt_id = ?', [attemptId]))[0] as never;
  }

  it('should renew a window of leases in one statement and tell each caller whether its lease held', async () => {
    const a = new StageAttemptsRepository(orm, 'worker-a:1', 30);
    const b = new StageAttemptsRepository(orm, 'worker-b:1', 30);
    const jobId = randomUUID();
    const [x, y, z, done] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of [x, y, z, done].entries()) {
      expect(await a.claimAttempt({ attemptId: id, jobId, stage: 'video_generation', sceneIndex: i })).not.toBeNull();
    }
    // z's lease ran out and worker b retook it; `done` finished (no longer running).
    await orm.em.fork().execute(`update stage_attempts set lease_until = now() - interval '1 second' where attempt_id = ?`, [z]);
    expect(await b.claimAttempt({ attemptId: z, jobId, stage: 'video_generation', sceneIndex: 2 })).not.toBeNull();
    await orm.em.fork().execute(`update stage_attempts set status = 'succeeded' where attempt_id = ?`, [done]);
    // Leases 5 s shorter than a renewal sets, so that the renewal shows.
    await orm.em.fork().execute(`update stage_attempts set lease_until = lease_until - interval '5 seconds' where attempt_id in (?)`, [[x, y]]);
    const before = await Promise.all([x, y].map(leaseOf));

    // Every statement sent through the ORM meanwhile (the app's own included), to count the renewals.
    const sent: string[] = [];
    const fork = orm.em.fork.bind(orm.em);
    const forks = jest.spyOn(orm.em, 'fork').mockImplementation((...args) => {
      const em = fork(...args);
      const execute = em.execute.bind(em);
      em.execute = ((sql: string, ...rest: unknown[]) => {
        sent.push(sql);
        return (execute as (...a: unknown[]) => unknown)(sql, ...rest);
      }) as typeof em.execute;
      return em;
    });
    const started = Date.now();
    const held = await Promise.all([a.extendLease(x), a.extendLease(y), a.extendLease(z), a.extendLease(done), a.extendLease(x)]);
    const waited = Date.now() - started;
    forks.mockRestore();
    const statements = sent.filter((sql) => /update stage_attempts set lease_until/.test(sql)).length;

    expect(held).toEqual([true, true, false, false, true]);
    expect(statements).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(leaseBatchWindowMs(30) - 5);
    const after = await Promise.all([x, y].map(leaseOf));
    for (const i of [0, 1]) expect(new Date(after[i].lease_until).getTime()).toBeGreaterThan(new Date(before[i].lease_until).getTime() + 4000);
    // The lease b holds is b's still: a renewal from a cannot take it back.
    expect((await leaseOf(z)).lease_owner).toBe('worker-b:1');
    expect(await b.extendLease(z)).toBe(true);
  });

  it('should not take back a lease released while its renewal waited for the batch', async () => {
    const a = new StageAttemptsRepository(orm, 'worker-a:2', 30);
    const w = randomUUID();
    expect(await a.claimAttempt({ attemptId: w, jobId: randomUUID(), stage: 'composition', sceneIndex: null })).not.toBeNull();
    // A heartbeat queues a renewal; before its batch goes out the attempt fails transiently and is requeued.
    const renewal = a.extendLease(w);
    await a.requeueTransient(w, 0.01, 1);
    expect(await renewal).toBe(false);
    const row = (await orm.em.fork().execute('select lease_until < now() as free from stage_attempts where attempt_id = ?', [w]))[0] as { free: boolean };
    expect(row.free).toBe(true);
    // Claimed again (its redelivery), the attempt renews as before.
    expect(await a.claimAttempt({ attemptId: w, jobId: randomUUID(), stage: 'composition', sceneIndex: null })).not.toBeNull();
    expect(await a.extendLease(w)).toBe(true);
  });
});
