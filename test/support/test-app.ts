import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { loadConfig, type AppConfig } from '../../config/app.config';
import { createApp } from '../../src/bootstrap';
import { ensureDatabase } from '../../src/database/migrations';

/** A running app on the real PostgreSQL and NATS, isolated in its own database and subject prefix. */
export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the whole service (all roles unless `env.ROLES` says otherwise) on 127.0.0.1 and a free port,
 * with its own database (`<run db>_<n>`), NATS prefix and artifact dir, so test files never see each
 * other's jobs. `env` overrides any variable (providers, limits, ...). The run's global teardown drops
 * every database and stream of the run.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const suffix = randomBytes(3).toString('hex');
  const db = new URL(process.env.DATABASE_URL!);
  db.pathname = `${db.pathname}_${suffix}`;
  await ensureDatabase(db.toString());
  const config = loadConfig({
    // Tests poll and post far faster than any client may: limits only where a test turns them on.
    RATE_LIMITS: 'off',
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.toString(),
    NATS_PREFIX: `${process.env.NATS_PREFIX}_${suffix}`,
    ARTIFACT_DIR: path.join(process.env.ARTIFACT_DIR!, suffix),
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  // Result URLs must point at this instance.
  config.publicBaseUrl = baseUrl;
  return { app, config, baseUrl, close: () => app.close() };
}

/**
 * Polls `fn` until `until` holds or the deadline passes (no sleeps in assertions: docs/conventions.md, "Tests").
 * @throws Error with the last value when the deadline passes
 */
export async function pollUntil<T>(fn: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 120_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (until(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
