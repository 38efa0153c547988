import { rm } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from '@app/contracts';
import { dropDatabase } from '../src/database/migrations';

/** Removes this run's database, streams and artifacts (kept when KEEP_TEST_DATA=1, for debugging). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.KEEP_TEST_DATA === '1') return;
  const url = process.env.DATABASE_URL;
  if (url && /ads_test_/.test(url)) await dropDatabase(url).catch(() => undefined);
  const prefix = process.env.NATS_PREFIX;
  if (prefix) {
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' }).catch(() => null);
    if (nc) {
      const jsm = await jetstreamManager(nc);
      const s = new Subjects(prefix);
      for (const name of [s.workStream, s.eventStream]) await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    }
  }
  if (process.env.ARTIFACT_DIR) await rm(process.env.ARTIFACT_DIR, { recursive: true, force: true });
}
