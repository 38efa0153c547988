/**
 * Status-read bench (docs/design/performance.md, "Status reads"): the API role alone (`ROLES=api`) on its own database holding a few thousand
 * jobs, against a bare Fastify server answering the same body, under the same autocannon load. Both run in
 * their own child process, one after the other, so each has the machine to itself for its turn.
 *
 * Prints, per case, p50 / p99 latency (ms) and throughput (requests/s) side by side with the ratios:
 *   - fixed rate: 200 connections, 800 requests/s in all (`--rate`);
 *   - saturation: 200 connections, no rate limit;
 *   - the 304 path: `If-None-Match` with the job's ETag, at saturation.
 * Results depend on what else runs on the machine: the load average is printed with them; compare the ratios
 * of one run, never figures across runs.
 *
 * Usage (after `npm run build`):
 *   node dist/scripts/bench-status.js [--jobs 3000] [--seconds 10] [--rate 800] [--connections 200] [--profile DIR] [--skip-bare]
 * `--profile DIR` runs the API under `node --cpu-prof --cpu-prof-dir DIR` (open the .cpuprofile in Chrome
 * DevTools or speedscope). See docs/design/performance.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { planAd } from '../src/providers/local/ad-planner';
import { createRunEnv, REPO_ROOT } from './support/run-env';

/** One autocannon figure set. Latencies in milliseconds, throughput in requests per second. */
interface Figures {
  p50: number;
  p99: number;
  rps: number;
  non2xx: number;
  errors: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '3000' },
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string', default: '800' },
      connections: { type: 'string', default: '200' },
      profile: { type: 'string' },
      'skip-bare': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  const jobs = Number(values.jobs);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const connections = Number(values.connections);
  const run = await createRunEnv('status');
  mkdirSync(run.dir, { recursive: true });
  const out = (line: string) => process.stdout.write(`${line}\n`);

  // Start once to migrate the database, then seed it directly (faster than thousands of POSTs).
  const apiPort = 19500 + Math.floor(Math.random() * 400);
  const nodeArgs = values.profile
    ? ['-r', path.join(REPO_ROOT, 'scripts', 'support', 'exit-on-sigusr2.js'), '--cpu-prof', '--cpu-prof-dir', path.resolve(values.profile)]
    : [];
  let api = startChild('api', [...nodeArgs, path.join(REPO_ROOT, 'dist', 'src', 'main.js')], { ...run.env, ROLES: 'api', PORT: String(apiPort), LOG_LEVEL: 'info' }, run.dir);
  const base = `http://127.0.0.1:${apiPort}`;
  await waitHealthy(`${base}/health`);
  const target = await seedJobs(run.databaseUrl, jobs);
  out(`seeded ${jobs} jobs (${target.completedCount} completed); target job ${target.jobId}`);

  const url = `${base}/api/v1/jobs/${target.jobId}`;
  const first = await fetch(url);
  const body = await first.text();
  const etag = first.headers.get('etag');
  out(`status body ${Buffer.byteLength(body)} bytes, etag ${etag ?? '(none)'}, cache-control ${first.headers.get('cache-control') ?? '(none)'}`);

  const results: Record<string, { status?: Figures; bare?: Figures }> = {};
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  out(`machine: ${os.cpus().length} cores, load average before ${load()}`);

  // Warm both servers (JIT, pools) before measuring.
  await cannon(url, { connections, seconds: 2 });
  results.fixed = { status: await cannon(url, { connections, seconds, rate }) };
  results.saturated = { status: await cannon(url, { connections, seconds }) };
  if (etag) results['conditional 304'] = { status: await cannon(url, { connections, seconds, headers: { 'if-none-match': etag } }) };
  results.list = { status: await cannon(`${base}/api/v1/jobs?limit=20`, { connections, seconds }) };
  out(`load average after the status runs ${load()}`);
  await stopChild(api, values.profile ? 'SIGUSR2' : 'SIGINT');

  if (!values['skip-bare']) {
    const barePort = apiPort + 1;
    const bodyFile = path.join(run.dir, 'body.json');
    writeFileSync(bodyFile, body);
    api = startChild('bare', [path.join(__dirname, 'support', 'bare-fastify.js')], { ...process.env, PORT: String(barePort), BODY_FILE: bodyFile, ETAG: etag ?? '' }, run.dir);
    const bareUrl = `http://127.0.0.1:${barePort}/api/v1/jobs/${target.jobId}`;
    await waitHealthy(`http://127.0.0.1:${barePort}/health`);
    await cannon(bareUrl, { connections, seconds: 2 });
    results.fixed.bare = await cannon(bareUrl, { connections, seconds, rate });
    results.saturated.bare = await cannon(bareUrl, { connections, seconds });
    if (etag) results['conditional 304'].bare = await cannon(bareUrl, { connections, seconds, headers: { 'if-none-match': etag } });
    await stopChild(api);
  }
  out(`load average at the end ${load()}`);

  out('');
  out(`| case | status p50 ms | bare p50 ms | p50 ratio | status p99 ms | bare p99 ms | p99 ratio | status req/s | bare req/s | throughput ratio | non-2xx/304 | errors |`);
  out(`|---|---|---|---|---|---|---|---|---|---|---|---|`);
  const f = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));
  for (const [name, r] of Object.entries(results)) {
    const s = r.status!;
    const b = r.bare;
    out(
      `| ${name} | ${f(s.p50)} | ${f(b?.p50)} | ${f(b ? s.p50 / b.p50 : undefined, 2)} | ${f(s.p99)} | ${f(b?.p99)} | ${f(b ? s.p99 / b.p99 : undefined, 2)} | ${f(s.rps, 0)} | ${f(b?.rps, 0)} | ${f(b ? s.rps / b.rps : undefined, 2)} | ${s.non2xx} | ${s.errors} |`,
    );
  }
  if (results['conditional 304']) {
    const r304 = results['conditional 304'].status!;
    const r200 = results.saturated.status!;
    out(`304 vs 200 (status route, saturated): ${f(r304.rps, 0)} vs ${f(r200.rps, 0)} req/s (${f(r304.rps / r200.rps, 2)}×), p50 ${f(r304.p50)} vs ${f(r200.p50)} ms`);
  }
  if (!values['keep-data']) await run.cleanUp();
  else out(`kept ${run.dir} and ${run.databaseUrl}`);
}

/** Runs autocannon against one URL and returns its figures. */
async function cannon(url: string, o: { connections: number; seconds: number; rate?: number; headers?: Record<string, string> }): Promise<Figures> {
  const r = await autocannon({ url, connections: o.connections, duration: o.seconds, overallRate: o.rate, headers: o.headers, timeout: 10 });
  // A 304 is the expected answer of the conditional case: count only other statuses as failures.
  const unexpected = r.non2xx - (o.headers?.['if-none-match'] ? ((r.statusCodeStats as Record<string, { count: number }> | undefined)?.['304']?.count ?? 0) : 0);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, non2xx: unexpected, errors: r.errors + r.timeouts };
}

/**
 * Inserts `n` jobs: most completed (with a full plan, clips and a result, like real rows), the rest spread
 * over queued, processing and failed. Returns one completed job to poll.
 */
async function seedJobs(databaseUrl: string, n: number): Promise<{ jobId: string; completedCount: number }> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const plan = planAd({ prompt: 'Create a 30 second Instagram ad for luxury watches', duration: 30, aspect_ratio: '9:16' });
  const clips = plan.scenes.map((s, i) => ({ clip_uri: `file:///data/artifacts/jobs/x/clip-${i}.mp4`, duration: s.duration + 0.5, resolution: '1080x1920' }));
  let completedCount = 0;
  let jobId = '';
  const batch = 500;
  for (let from = 0; from < n; from += batch) {
    const rows: string[] = [];
    const params: unknown[] = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const kind = i % 10 < 7 ? 'completed' : i % 10 === 7 ? 'processing' : i % 10 === 8 ? 'queued' : 'failed';
      if (kind === 'completed') completedCount += 1;
      const id = crypto.randomUUID();
      if (kind === 'completed' && !jobId) jobId = id;
      const created = new Date(Date.now() - (n - i) * 1000);
      const result =
        kind === 'completed'
          ? { video_uri: `file:///data/artifacts/jobs/${id}/final.mp4`, thumbnail_uri: `file:///data/artifacts/jobs/${id}/thumbnail.jpg`, duration: 30.02, resolution: '1080x1920', file_size_bytes: 5_220_000, scenes: plan.scenes.length }
          : null;
      const error = kind === 'failed' ? { code: 'VIDEO_GENERATION_FAILED', message: 'clip 2 failed', failed_stage: 'video_generation', details: { service: 'replicate', attempts: 3 } } : null;
      const stages = kind === 'completed' ? ['prompt_parsing', 'image_generation', 'video_generation', 'composition'] : kind === 'processing' ? ['prompt_parsing', 'image_generation'] : kind === 'failed' ? ['prompt_parsing', 'image_generation'] : [];
      const status = kind;
      const k = params.length;
      params.push(
        id,
        status,
        'Create a 30 second Instagram ad for luxury watches',
        kind === 'queued' ? null : JSON.stringify(plan),
        `{${stages.join(',')}}`,
        kind === 'completed' ? 100 : kind === 'queued' ? 0 : 60,
        JSON.stringify(kind === 'completed' ? clips : []),
        result ? JSON.stringify(result) : null,
        error ? JSON.stringify(error) : null,
        created,
        kind === 'processing' ? 'video_generation' : kind === 'failed' ? 'video_generation' : null,
      );
      const p = (j: number) => `$${k + j}`;
      rows.push(
        `(${p(1)}, ${p(2)}, ${p(3)}, 30, '9:16', ${p(4)}::jsonb, ${p(11)}, ${p(5)}::text[], ${p(6)}, ${p(7)}::jsonb, ${p(8)}::jsonb, ${p(9)}::jsonb,` +
          ` ${status === 'queued' ? 0 : 0.002}, ${status === 'queued' ? 0 : 0.003}, ${status === 'completed' ? 1.2 : 0}, ${status === 'completed' ? 0.1 : 0}, ${status === 'queued' ? 0 : status === 'completed' ? 1.305 : 0.005},` +
          ` ${plan.scenes.length}, ${status === 'completed' ? plan.scenes.length : 0}, ${status === 'queued' ? 1 : 9}, ${p(10)}, ${p(10)}::timestamptz + interval '40 seconds',` +
          ` ${status === 'queued' ? 'null' : `${p(10)}::timestamptz + interval '1 second'`}, ${status === 'completed' ? `${p(10)}::timestamptz + interval '40 seconds'` : 'null'}, ${status === 'failed' ? `${p(10)}::timestamptz + interval '20 seconds'` : 'null'})`,
      );
    }
    await pg.query(
      `insert into jobs (id, status, prompt, duration, aspect_ratio, parsed_data, current_stage, stages_completed, progress_percentage, clips, result, error,
         cost_prompt_parsing, cost_image_generation, cost_video_generation, cost_composition, cost_total, scenes_total, scenes_done, version, created_at, updated_at,
         started_at, completed_at, failed_at) values ${rows.join(',\n')}`,
      params,
    );
  }
  await pg.query('analyze jobs');
  await pg.end();
  return { jobId, completedCount };
}

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, dir: string): ChildProcess {
  const log = createWriteStream(path.join(dir, `${name}.log`));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function waitHealthy(url: string): Promise<void> {
  const started = Date.now();
  while (!(await fetch(url).then((r) => r.ok).catch(() => false))) {
    if (Date.now() - started > 60_000) throw new Error(`${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-status failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
