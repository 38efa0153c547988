import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDatabase } from '../src/database/migrations';

/**
 * One PostgreSQL database and one NATS subject/stream prefix per test run, so runs never collide
 * (docs/conventions.md, "Tests"). Jest workers inherit these variables.
 */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/ads_test_${run}`;
  process.env.DATABASE_URL = base.toString();
  process.env.NATS_PREFIX = `t${run}`;
  process.env.ARTIFACT_DIR = path.join(os.tmpdir(), `ads-test-${run}`);
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'warn';
  process.env.TEST_RUN_ID = run;
  await ensureDatabase(process.env.DATABASE_URL);
}
