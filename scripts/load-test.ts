/**
 * Load run (docs/design/saga.md, "Concurrency limit": 20 concurrent jobs): one service process with every role,
 * 20 jobs posted at once and 200 concurrent status pollers. Prints status-request latency (p50/p95/p99),
 * job wall times and whether anything went wrong: an HTTP error, a job not completed, or a lost update
 * (a poller seeing a job's progress go backwards, or a transition written twice).
 *
 * Usage (after `npm run build`): node dist/scripts/load-test.js [--jobs 20] [--pollers 200] [--duration 15] [--think-ms 1000]
 * Each poller waits `--think-ms` between requests (clients poll every 2-3 s, docs/api.md "GET /api/v1/jobs/{job_id}"; 0 = flat out).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createRunEnv, REPO_ROOT } from './support/run-env';


function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '20' },
      pollers: { type: 'string', default: '200' },
      duration: { type: 'string', default: '15' },
      'aspect-ratio': { type: 'string', default: '1:1' },
      'timeout-seconds': { type: 'string', default: '1800' },
      'think-ms': { type: 'string', default: '1000' },
    },
  });
  const jobs = Number(values.jobs);
  const pollers = Number(values.pollers);
  const thinkMs = Number(values['think-ms']);
  const run = await createRunEnv('load');
  const port = 19000 + Math.floor(Math.random() * 900);
  mkdirSync(run.dir, { recursive: true });
  const log = createWriteStream(path.join(run.dir, 'service.log'));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'main.js')], {
    cwd: REPO_ROOT,
    // The prompts differ only in their number, which gives the same plan: the stage cache would turn every job
    // after the first into copies (docs/design/cache.md), so the load run measures rendering with it off.
    env: { ...run.env, PORT: String(port), MAX_CONCURRENT_JOBS: String(jobs), LOG_LEVEL: 'warn', STAGE_CACHE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  const startedWait = Date.now();
  while (!(await fetch(`${base}/health`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() - startedWait > 60_000) throw new Error('service did not become healthy');
    await new Promise((r) => setTimeout(r, 250));
  }

  const t0 = Date.now();
  const created = await Promise.all(
    Array.from({ length: jobs }, async (_, i) => {
      const res = await fetch(`${base}/api/v1/generate-ad`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          prompt: `Load test ad ${i + 1}: a cozy neighborhood coffee shop's new pumpkin spice latte`,
          duration: Number(values.duration),
          aspect_ratio: values['aspect-ratio'],
        }),
      });
      if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
      return { id: ((await res.json()) as { job_id: string }).job_id, createdAt: Date.now() };
    }),
  );
  const createMs = Date.now() - t0;
  const finishedAt = new Map<string, number>();
  const latencies: number[] = [];
  const errors: string[] = [];
  const lostUpdates: string[] = [];
  let requests = 0;
  const deadline = Date.now() + Number(values['timeout-seconds']) * 1000;

  const poller = async (n: number): Promise<void> => {
    const lastSeen = new Map<string, number>();
    let k = n;
    while (finishedAt.size < jobs && Date.now() < deadline) {
      const job = created[k++ % jobs];
      const t = performance.now();
      try {
        const res = await fetch(`${base}/api/v1/jobs/${job.id}`);
        const body = (await res.json()) as { status: string; progress: { percentage: number } };
        latencies.push(performance.now() - t);
        requests += 1;
        if (res.status !== 200) errors.push(`GET ${job.id}: ${res.status}`);
        const before = lastSeen.get(job.id) ?? 0;
        if (body.progress.percentage < before) lostUpdates.push(`${job.id}: ${before}% then ${body.progress.percentage}%`);
        lastSeen.set(job.id, body.progress.percentage);
        if (['completed', 'failed', 'cancelled'].includes(body.status) && !finishedAt.has(job.id)) {
          finishedAt.set(job.id, Date.now());
          if (body.status !== 'completed') errors.push(`job ${job.id} ${body.status}`);
        }
      } catch (err) {
        errors.push(`GET ${job.id}: ${(err as Error).message}`);
      }
      if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
    }
  };
  await Promise.all(Array.from({ length: pollers }, (_, i) => poller(i)));

  const pg = new Client({ connectionString: run.databaseUrl });
  await pg.connect();
  const dup = await pg.query<{ job_id: string; version: number }>('select job_id, version from job_transitions group by job_id, version having count(*) > 1');
  for (const r of dup.rows) lostUpdates.push(`job ${r.job_id}: version ${r.version} written twice`);
  const statuses = await pg.query<{ status: string; n: string }>('select status, count(*) as n from jobs group by status');
  await pg.end();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  latencies.sort((a, b) => a - b);
  const walls = created.map((j) => ((finishedAt.get(j.id) ?? Date.now()) - j.createdAt) / 1000).sort((a, b) => a - b);
  const report = {
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    jobs,
    pollers,
    poll_think_ms: thinkMs,
    ad: `${values.duration} s ${values['aspect-ratio']}, local providers`,
    create_all_ms: createMs,
    statuses: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
    status_requests: requests,
    status_latency_ms: { p50: +percentile(latencies, 50).toFixed(1), p95: +percentile(latencies, 95).toFixed(1), p99: +percentile(latencies, 99).toFixed(1), max: +(latencies.at(-1) ?? NaN).toFixed(1) },
    job_wall_seconds: { min: +walls[0].toFixed(1), p50: +percentile(walls, 50).toFixed(1), max: +(walls.at(-1) ?? NaN).toFixed(1) },
    errors: errors.length,
    lost_updates: lostUpdates.length,
  };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  for (const e of [...errors.slice(0, 10), ...lostUpdates.slice(0, 10)]) process.stdout.write(`PROBLEM ${e}\n`);
  await run.cleanUp();
  const ok = errors.length === 0 && lostUpdates.length === 0 && report.statuses.completed === jobs;
  process.stdout.write(ok ? 'load-test: PASS\n' : 'load-test: FAIL\n');
  process.exit(ok ? 0 : 1);
}

void main();
