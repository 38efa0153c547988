import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Subjects } from '../../libs/contracts/src/subjects';
import { dropDatabase, ensureDatabase } from '../../src/database/migrations';

/** The repository root, from scripts/ (ts-jest) or dist/scripts/ (compiled). */
export const REPO_ROOT = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')].find((d) =>
  existsSync(path.join(d, 'package.json')),
)!;

/** An isolated environment for a script run: its own database, NATS prefix and artifact dir. */
export interface RunEnv {
  run: string;
  dir: string;
  databaseUrl: string;
  natsUrl: string;
  prefix: string;
  /** Environment for service processes of this run. */
  env: NodeJS.ProcessEnv;
  /** Drops the database, deletes the streams and removes the artifacts. */
  cleanUp(): Promise<void>;
}

/**
 * Creates the database `ads_<kind>_<run>` on the server of DATABASE_URL and names a prefix `<kind><run>`, so
 * benchmark and crash runs never touch the main database or each other.
 */
export async function createRunEnv(kind: string): Promise<RunEnv> {
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const db = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  db.pathname = `/ads_${kind}_${run}`;
  const databaseUrl = db.toString();
  await ensureDatabase(databaseUrl);
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `${kind}${run}`;
  const dir = path.join(os.tmpdir(), `ads-${kind}-${run}`);
  const artifacts = path.join(dir, 'artifacts');
  return {
    run,
    dir,
    databaseUrl,
    natsUrl,
    prefix,
    // Benchmarks and crash runs are trusted callers that poll hard: no rate limits unless asked for.
    env: { RATE_LIMITS: 'off', ...process.env, DATABASE_URL: databaseUrl, NATS_URL: natsUrl, NATS_PREFIX: prefix, ARTIFACT_DIR: artifacts },
    async cleanUp() {
      // KEEP_BENCH_DATA=1 keeps the run's database and streams to query afterwards (docs/design/performance.md).
      if (process.env.KEEP_BENCH_DATA === '1') {
        process.stderr.write(`kept: database ${databaseUrl}, NATS prefix ${prefix}, files ${dir}\n`);
        return;
      }
      await dropDatabase(databaseUrl).catch(() => undefined);
      const nc = await connect({ servers: natsUrl }).catch(() => null);
      if (nc) {
        const jsm = await jetstreamManager(nc);
        const s = new Subjects(prefix);
        for (const name of [s.workStream, s.eventStream]) await jsm.streams.delete(name).catch(() => undefined);
        await nc.close();
      }
      await rm(artifacts, { recursive: true, force: true });
    },
  };
}
