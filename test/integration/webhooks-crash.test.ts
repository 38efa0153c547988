import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { createRunEnv, type RunEnv } from '../../scripts/support/run-env';
import { pollUntil } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = `whsec_${Buffer.from('push-test-crash-secret-32-bytes!').toString('base64')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Crash row of the webhook delivery: a real service process (dist/src/main.js) is SIGKILLed while its
 * attempt is in flight (the receiver holds the request open), a second process takes over once the
 * delivery's lease ends, and the receiver gets the event again with the same webhook-id. Needs the build.
 */
describe('webhook delivery across a worker crash', () => {
  const main = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
  const receiver = new WebhookReceiver();
  let run: RunEnv;
  const procs: ChildProcess[] = [];

  const start = (env: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(child);
    return child;
  };

  beforeAll(async () => {
    run = await createRunEnv('whcrash');
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await receiver.close();
    await run?.cleanUp();
  });

  it('should deliver the event once more, with the same webhook-id, after the delivering process was killed mid-attempt', async () => {
    if (!existsSync(main)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it)');
    const hookUrl = await receiver.start();
    let release: ((status: number) => void) | undefined;
    // The first request is held open: the process that sent it dies before any answer.
    receiver.respond = (_hook, index) => (index === 0 ? new Promise<number>((r) => (release = r)) : 200);
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...run.env,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      WEBHOOK_SIGNING_SECRET: SECRET,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_TIMEOUT_SECONDS: '3',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0,1,1',
    };
    const first = start({ ...env, ROLES: 'api,orchestrator', PORT: String(apiPort) });
    const base = `http://127.0.0.1:${apiPort}`;
    await pollUntil(() => fetch(`${base}/health`).then((r) => r.status).catch(() => 0), (s) => s === 200, 60_000, 250);
    const endpoint = (await (
      await fetch(`${base}/api/v1/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${hookUrl}/crash`, event_types: ['job.created'] }) })
    ).json()) as { id: string; secret: string };
    const created = await fetch(`${base}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Create a 15 second ad for a reusable water bottle', duration: 15, aspect_ratio: '9:16' }),
    });
    const { job_id: jobId } = (await created.json()) as { job_id: string };

    await pollUntil(async () => receiver.received.length, (n) => n >= 1, 60_000, 50);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    release?.(200); // too late: the connection is gone with the process

    start({ ...env, ROLES: 'orchestrator', PORT: String(await freePort()) });
    const hooks = await pollUntil(async () => receiver.received, (h) => h.length >= 2, 120_000, 250);
    expect(hooks[1].headers['webhook-id']).toBe(hooks[0].headers['webhook-id']);
    expect(hooks[1].headers['webhook-id']).toBe(`job.${jobId}.v1.created`);
    const payload = new Webhook(endpoint.secret).verify(hooks[1].body, hooks[1].headers) as { type: string; data: { job_id: string } };
    expect(payload).toMatchObject({ type: 'job.created', data: { job_id: jobId } });

    const pg = new Client({ connectionString: run.databaseUrl });
    await pg.connect();
    try {
      const rows = await pollUntil(
        async () => (await pg.query(`select status, attempts from webhook_deliveries where endpoint_id = $1`, [endpoint.id])).rows as Array<{ status: string; attempts: number }>,
        (r) => r[0]?.status === 'delivered',
        30_000,
      );
      // The killed attempt is counted (its claim), the second one delivered.
      expect(rows).toEqual([{ status: 'delivered', attempts: 2 }]);
    } finally {
      await pg.end();
    }
  }, 300_000);
});
