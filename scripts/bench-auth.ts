/**
 * GET status latency with auth off against auth on, in one run (docs/security.md, "Cost of the checks"):
 * three API-only processes on one database, (1) AUTH_MODE=off with RATE_LIMITS=off, (2) AUTH_MODE=on with an
 * API key, rate limits off, (3) AUTH_MODE=on with rate limits on (a poll limit too high to trip, so every
 * request pays the counter). The same job is polled through each, in interleaved rounds so machine load
 * drifts alike for all three.
 *
 * Usage (after `npm run build`): node dist/scripts/bench-auth.js [--requests 600] [--concurrency 4] [--rounds 6]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createRunEnv, REPO_ROOT } from './support/run-env';

const ADMIN_KEY = `bench-admin-${'k'.repeat(24)}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '600' }, concurrency: { type: 'string', default: '4' }, rounds: { type: 'string', default: '6' } },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const run = await createRunEnv('auth');
  mkdirSync(run.dir, { recursive: true });
  const variants = [
    { name: 'auth off, limits off', env: { AUTH_MODE: 'off', RATE_LIMITS: 'off' } },
    { name: 'auth on (API key), limits off', env: { AUTH_MODE: 'on', RATE_LIMITS: 'off' } },
    { name: 'auth on (API key), limits on', env: { AUTH_MODE: 'on', RATE_LIMITS: 'on', RATE_LIMIT_POLL: '1000000/min' } },
  ];
  const children: ChildProcess[] = [];
  try {
    const bases: string[] = [];
    for (const [i, v] of variants.entries()) {
      const port = 19000 + Math.floor(Math.random() * 900) + i;
      const log = createWriteStream(path.join(run.dir, `service-${i}.log`));
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'main.js')], {
        cwd: REPO_ROOT,
        env: { ...run.env, ...v.env, ROLES: 'api', PORT: String(port), ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(log);
      child.stderr.pipe(log);
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      const started = Date.now();
      while (!(await fetch(`${base}/health`).then((r) => r.ok).catch(() => false))) {
        if (Date.now() - started > 60_000) throw new Error(`${v.name}: service did not become healthy (log: ${run.dir})`);
        await new Promise((r) => setTimeout(r, 250));
      }
      bases.push(base);
    }
    const keyRes = await fetch(`${bases[1]}/api/v1/admin/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ clientId: 'bench', userId: 'poller', role: 'user' }),
    });
    const { key } = (await keyRes.json()) as { key: string };
    const created = await fetch(`${bases[1]}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ prompt: 'Benchmark ad for a neighbourhood coffee roaster', duration: 15, aspect_ratio: '1:1' }),
    });
    const { job_id } = (await created.json()) as { job_id: string };
    const headers: Array<Record<string, string>> = [{}, { 'x-api-key': key }, { 'x-api-key': key }];
    const latencies: number[][] = variants.map(() => []);
    let errors = 0;

    const batch = async (i: number, n: number) => {
      let left = n;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (left-- > 0) {
            const t0 = performance.now();
            const res = await fetch(`${bases[i]}/api/v1/jobs/${job_id}`, { headers: headers[i] });
            await res.arrayBuffer();
            latencies[i].push(performance.now() - t0);
            if (res.status !== 200) errors += 1;
          }
        }),
      );
    };
    for (let i = 0; i < variants.length; i++) await batch(i, 20); // warm-up, not counted
    latencies.forEach((l) => (l.length = 0));
    for (let r = 0; r < rounds; r++) for (let i = 0; i < variants.length; i++) await batch(i, Math.ceil(requests / rounds));

    console.log(`GET /api/v1/jobs/{id}: ${requests} requests per variant, ${concurrency} at a time, ${rounds} interleaved rounds; errors ${errors}`);
    console.log('| variant | p50 ms | p95 ms | p99 ms | mean ms |');
    console.log('|---|---|---|---|---|');
    for (const [i, v] of variants.entries()) {
      const s = [...latencies[i]].sort((a, b) => a - b);
      const mean = s.reduce((a, b) => a + b, 0) / s.length;
      console.log(`| ${v.name} | ${percentile(s, 50).toFixed(2)} | ${percentile(s, 95).toFixed(2)} | ${percentile(s, 99).toFixed(2)} | ${mean.toFixed(2)} |`);
    }
    if (errors > 0) process.exitCode = 1;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await run.cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
