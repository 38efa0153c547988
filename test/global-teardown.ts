import { rm } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '../libs/contracts/src/subjects';
import { dropDatabase } from '../src/database/migrations';

/** Removes this run's database, streams and artifacts (kept when KEEP_TEST_DATA=1, for debugging). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.KEEP_TEST_DATA === '1') return;
  const url = process.env.DATABASE_URL;
  if (url && /ads_test_/.test(url)) {
    // The run's database and every per-app database derived from it (test/support/test-app.ts).
    const { Client } = await import('pg');
    const admin = new URL(url);
    const runDb = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    const rows = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${runDb}%`]);
    await client.end();
    for (const r of rows.rows) {
      const u = new URL(url);
      u.pathname = `/${r.datname}`;
      await dropDatabase(u.toString()).catch(() => undefined);
    }
  }
  const prefix = process.env.NATS_PREFIX;
  if (prefix) {
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' }).catch(() => null);
    if (nc) {
      const jsm = await jetstreamManager(nc);
      // The run's streams and every per-app prefix derived from it.
      const mine = new Subjects(prefix).workStream.replace(/_WORK$/, '');
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(mine)) await jsm.streams.delete(name).catch(() => undefined);
      }
      await nc.close();
    }
  }
  if (process.env.ARTIFACT_DIR) await rm(process.env.ARTIFACT_DIR, { recursive: true, force: true });
}
