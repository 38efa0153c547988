/**
 * Crash test (docs/design/saga.md, "Crash testing"): N jobs across several worker processes on the real NATS and PostgreSQL; processes are
 * SIGKILLed at named crash points (armed with CRASH_POINTS) and at random moments, then restarted; optionally
 * nats-server and PostgreSQL are restarted mid-run. At the end it checks the invariants:
 *   every job completed · no duplicate state transition · each stage result applied (and its cost counted)
 *   once · composition requested once and succeeded once per job · no unpublished outbox rows.
 *
 * Usage (after `npm run build`):
 *   node dist/scripts/crash-test.js [--jobs 50] [--workers 3] [--kill-every-seconds 20] [--restart-services]
 * Prints figures and exits non-zero when an invariant fails. The test suite runs a short form of it.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createRunEnv, REPO_ROOT } from './support/run-env';

/** Options of {@link runCrashTest}. */
export interface CrashTestOptions {
  jobs: number;
  workers: number;
  /** Seconds between the driver's random SIGKILLs of worker processes (crash points add more). */
  killEverySeconds: number;
  /** Restart nats-server and PostgreSQL once each, mid-run (needs root; this machine's start commands). */
  restartServices: boolean;
  /** Overall deadline, seconds. */
  timeoutSeconds: number;
  /** CRASH_POINTS armed in worker processes (see src/common/crash-points.ts). */
  crashPoints: string;
  log: (line: string) => void;
  /** Keep the run's database, streams and artifacts for inspection. */
  keepData?: boolean;
  /** Extra environment of the worker processes (e.g. providers pointed at fake servers). */
  workerEnv?: NodeJS.ProcessEnv;
  /**
   * v2 jobs (storyboard review) created beside the v1 ones: the driver renders each once its storyboard is
   * complete. With `targetedKills`, the worker holding a storyboard attempt of a v2 job is SIGKILLed once, and
   * so is the worker holding a clip attempt of a rendering (approved) v2 job.
   */
  v2Jobs?: number;
  targetedKills?: boolean;
}

/** What the run measured and which invariants failed (empty when all hold). */
export interface CrashTestReport {
  jobs: number;
  completed: number;
  kills: number;
  crashPointExits: number;
  restarts: number;
  serviceRestarts: string[];
  /** Phases in which a worker was killed on purpose while holding that work (`storyboard`, `render`). */
  targetedKills: string[];
  wallSeconds: number;
  violations: string[];
}

const MAIN = path.join(REPO_ROOT, 'dist', 'src', 'main.js');

/** The samples the jobs cycle through: short ads keep the run within minutes on 2 cores. */
const REQUESTS = [
  { prompt: 'Square Facebook ad for a cozy neighborhood coffee shop pumpkin spice latte', duration: 15, aspect_ratio: '1:1' },
  { prompt: 'Launch video for a sustainable sneaker line made from recycled ocean plastic', duration: 15, aspect_ratio: '1:1' },
];

/** Runs the crash test and returns its report. */
export async function runCrashTest(o: CrashTestOptions): Promise<CrashTestReport> {
  const runEnv = await createRunEnv('crash');
  const dir = runEnv.dir;
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const apiPort = 18000 + Math.floor(Math.random() * 1000);
  const baseEnv: NodeJS.ProcessEnv = {
    ...runEnv.env,
    LOG_LEVEL: 'info',
    MAX_CONCURRENT_JOBS: String(Math.max(2, o.workers)),
    MAX_PARALLEL_VIDEO_GENERATIONS: '2',
    STAGE_LEASE_SECONDS: '6',
    // An event whose orchestrator was killed before its commit waits this long to come again (30 s by default).
    SAGA_ACK_WAIT_SECONDS: '5',
    STAGE_MAX_DELIVER: '50',
    STAGE_SLOTS_VIDEO_GENERATION: '1',
    // Every job does its stages' work, so crashes land in provider calls (the samples repeat: with the stage
    // cache on, later jobs would be copies; docs/design/cache.md).
    STAGE_CACHE: 'off',
  };
  const started = Date.now();
  const v2Jobs = o.v2Jobs ?? 0;
  const totalJobs = o.jobs + v2Jobs;
  const report: CrashTestReport = {
    jobs: totalJobs,
    completed: 0,
    kills: 0,
    crashPointExits: 0,
    restarts: 0,
    serviceRestarts: [],
    targetedKills: [],
    wallSeconds: 0,
    violations: [],
  };

  // One API process (never killed: clients need it) and N orchestrator+stages workers.
  const procs = new Map<string, ChildProcess>();
  let stopping = false;
  const startProc = (name: string, env: NodeJS.ProcessEnv): void => {
    const out = createWriteStream(path.join(dir, 'logs', `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
    // Both streams share one file: neither may end it when the other still writes.
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('close', () => out.end());
    procs.set(name, child);
    child.on('exit', (_code, signal) => {
      if (stopping || procs.get(name) !== child) return;
      if (signal === 'SIGKILL') report.crashPointExits += 1; // counted as driver kills below when the driver sent it
      // Restart after a short pause, as a supervisor (systemd, Kubernetes) would.
      setTimeout(() => {
        if (stopping) return;
        report.restarts += 1;
        startProc(name, env);
      }, 500 + Math.random() * 1000);
    });
  };
  startProc('api', { ...baseEnv, ROLES: 'api', PORT: String(apiPort) });
  const workerNames: string[] = [];
  for (let i = 0; i < o.workers; i++) {
    const name = `worker${i}`;
    workerNames.push(name);
    startProc(name, { ...baseEnv, ...o.workerEnv, ROLES: 'orchestrator,stages', PORT: String(apiPort + 1 + i), CRASH_POINTS: o.crashPoints });
  }
  const base = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 180_000, 'API health');

  const jobIds: string[] = [];
  for (let i = 0; i < o.jobs; i++) {
    const res = await fetch(`${base}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUESTS[i % REQUESTS.length]),
    });
    if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${await res.text()}`);
    jobIds.push(((await res.json()) as { job_id: string }).job_id);
  }
  const v2Ids: string[] = [];
  for (let i = 0; i < v2Jobs; i++) {
    const r = REQUESTS[i % REQUESTS.length];
    const res = await fetch(`${base}/api/v2/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ creativePrompt: r.prompt, duration: r.duration, aspectRatio: r.aspect_ratio }),
    });
    if (res.status !== 201) throw new Error(`v2 job creation failed: ${res.status} ${await res.text()}`);
    v2Ids.push(((await res.json()) as { job_id: string }).job_id);
  }
  jobIds.push(...v2Ids);
  o.log(`created ${jobIds.length} jobs (${v2Ids.length} v2); ${o.workers} workers; crash points: ${o.crashPoints || 'none'}`);

  // A short-lived connection per look, so a PostgreSQL restart costs the driver nothing.
  const query = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const c = new Client({ connectionString: runEnv.databaseUrl, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as R[];
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const statusCounts = async (): Promise<Record<string, number>> => {
    const rows = await query<{ status: string; n: string }>('select status, count(*) as n from jobs group by status');
    return Object.fromEntries(rows.map((x) => [x.status, Number(x.n)]));
  };

  // v2 jobs: render each once its storyboard is complete (a client approving after review).
  const rendered = new Set<string>();
  const driveV2 = async (ids: string[]): Promise<void> => {
    const rows = await query<{ id: string }>(`select id from jobs where id = any($1) and status = 'storyboard_complete'`, [ids]);
    for (const { id } of rows) {
      if (rendered.has(id)) continue;
      const res = await fetch(`${base}/api/v2/jobs/${id}/render`, { method: 'POST' });
      if (res.status === 200) rendered.add(id);
    }
  };
  // Kill the worker that holds v2 work of each phase, once per phase: storyboard stills, then the clips of an approved job.
  const targetedKill = async (): Promise<void> => {
    for (const phase of ['storyboard', 'render'] as const) {
      if (report.targetedKills.includes(phase)) continue;
      const stage = phase === 'storyboard' ? 'storyboard' : 'video_generation';
      const rows = await query<{ lease_owner: string }>(
        `select a.lease_owner from stage_attempts a join jobs j on j.id = a.job_id
          where a.status = 'running' and a.stage = $1 and j.api_version = 2 and a.lease_until > now()`,
        [stage],
      );
      for (const row of rows) {
        const pid = Number(row.lease_owner.split(':').pop());
        const victim = [...procs.entries()].find(([name, c]) => name.startsWith('worker') && c.pid === pid && c.exitCode === null && c.signalCode === null);
        if (!victim) continue;
        victim[1].kill('SIGKILL');
        report.kills += 1;
        report.crashPointExits -= 1;
        report.targetedKills.push(phase);
        o.log(`killed ${victim[0]} while it held ${stage} work of a v2 job`);
        break;
      }
    }
  };

  // Random kills while jobs run; service restarts once each at about a third and two thirds of the way.
  let nextKill = Date.now() + o.killEverySeconds * 1000 * Math.random();
  let restartedNats = !o.restartServices;
  let restartedPg = !o.restartServices;
  const deadline = started + o.timeoutSeconds * 1000;
  let counts: Record<string, number> = {};
  for (;;) {
    counts = await statusCounts().catch(() => counts); // PostgreSQL restarting: keep the last figures
    const done = (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0);
    if (done >= totalJobs) break;
    if (Date.now() > deadline) {
      report.violations.push(`deadline: only ${done}/${totalJobs} jobs finished in ${o.timeoutSeconds} s (${JSON.stringify(counts)})`);
      break;
    }
    const progress = done / totalJobs;
    if (v2Ids.length > 0) {
      await driveV2(v2Ids).catch(() => undefined);
      if (o.targetedKills) await targetedKill().catch(() => undefined);
    }
    if (!restartedNats && progress >= 0.3) {
      restartedNats = true;
      restartNats(o.log);
      report.serviceRestarts.push('nats');
    }
    if (!restartedPg && progress >= 0.6) {
      restartedPg = true;
      restartPostgres(o.log);
      report.serviceRestarts.push('postgresql');
    }
    if (Date.now() >= nextKill) {
      const victim = workerNames[Math.floor(Math.random() * workerNames.length)];
      const child = procs.get(victim);
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        report.kills += 1;
        report.crashPointExits -= 1; // the exit handler counts every SIGKILL; this one was ours
      }
      nextKill = Date.now() + o.killEverySeconds * 1000 * (0.5 + Math.random());
    }
    await sleep(250);
  }

  // Let relays publish what is left, then stop everything and check the invariants.
  await waitFor(async () => Number((await query<{ n: string }>('select count(*) as n from outbox where published_at is null'))[0].n) === 0, 30_000, 'outbox drained').catch(
    () => undefined,
  );
  stopping = true;
  for (const child of procs.values()) child.kill('SIGTERM');
  await sleep(1500);
  for (const child of procs.values()) if (child.exitCode === null) child.kill('SIGKILL');

  const pg = new Client({ connectionString: runEnv.databaseUrl });
  await pg.connect();
  report.violations.push(...(await checkInvariants(pg, jobIds)));
  report.completed = Number((await pg.query<{ n: string }>(`select count(*) as n from jobs where status = 'completed'`)).rows[0].n);
  report.wallSeconds = Math.round((Date.now() - started) / 1000);
  await pg.end();
  if (!o.keepData) await runEnv.cleanUp();
  o.log(`logs: ${path.join(dir, 'logs')}`);
  return report;
}

/** The invariants of docs/design/saga.md, "Crash testing", as SQL over the run's database. */
export async function checkInvariants(pg: Client, jobIds: string[]): Promise<string[]> {
  const v: string[] = [];
  // Every column these queries select is text or a number (counts come as strings, jsonb is cast to text).
  const q = async (sql: string, params: unknown[] = []) => (await pg.query<Record<string, string | number | null>>(sql, params)).rows;

  const notDone = await q(`select id, status, current_stage, error::text as error from jobs where status <> 'completed'`);
  for (const j of notDone) v.push(`job ${j.id} ended ${j.status} at ${j.current_stage}: ${j.error}`);
  if (jobIds.length !== Number((await q('select count(*) as n from jobs'))[0].n)) v.push('job count differs from jobs created');

  const dupVersions = await q('select job_id, version, count(*) as n from job_transitions group by job_id, version having count(*) > 1');
  for (const d of dupVersions) v.push(`job ${d.job_id}: version ${d.version} written ${d.n} times`);

  const dupCauses = await q(`select job_id, cause_event_id, count(*) as n from job_transitions group by job_id, cause_event_id having count(*) > 1`);
  for (const d of dupCauses) v.push(`job ${d.job_id}: event ${d.cause_event_id} applied ${d.n} times`);

  // Each stage result applied once: 3 stage completions + one storyboard still and one clip per scene.
  const applied = await q(
    `select j.id, j.scenes_total, count(t.id) filter (where t.cause_event_id like 'res.%') as results
       from jobs j left join job_transitions t on t.job_id = j.id group by j.id, j.scenes_total`,
  );
  for (const a of applied) {
    const expected = 3 + 2 * Number(a.scenes_total);
    if (Number(a.results) !== expected) v.push(`job ${a.id}: ${a.results} stage results applied, expected ${expected}`);
  }
  const costMismatch = await q(
    `select id from jobs where cost_total <> cost_prompt_parsing + cost_image_generation + cost_storyboard + cost_video_generation + cost_composition`,
  );
  for (const c of costMismatch) v.push(`job ${c.id}: cost_total is not the sum of its stages`);
  // Cost counted once: each stage's cost column is the sum of the costs its succeeded attempts reported.
  const billed = await q(
    `select j.id, a.stage, sum((a.outcome->'data'->>'cost_usd')::numeric) as reported,
            case a.stage when 'prompt_parsing' then j.cost_prompt_parsing when 'image_generation' then j.cost_image_generation
                         when 'storyboard' then j.cost_storyboard when 'video_generation' then j.cost_video_generation
                         else j.cost_composition end as recorded
       from jobs j join stage_attempts a on a.job_id = j.id and a.status = 'succeeded'
      group by j.id, a.stage, j.cost_prompt_parsing, j.cost_image_generation, j.cost_storyboard, j.cost_video_generation, j.cost_composition`,
  );
  for (const b of billed) if (Math.abs(Number(b.reported) - Number(b.recorded)) > 1e-6) v.push(`job ${b.id}: ${b.stage} recorded $${b.recorded}, its attempts reported $${b.reported}`);

  const compositionRequests = await q(
    `select j.id, (select count(*) from outbox o where o.subject like '%.stage.req.composition.' || j.id::text) as n from jobs j`,
  );
  for (const c of compositionRequests) if (Number(c.n) !== 1) v.push(`job ${c.id}: composition requested ${c.n} times`);
  const compositionDone = await q(
    `select j.id, count(a.attempt_id) filter (where a.status = 'succeeded') as n from jobs j
       left join stage_attempts a on a.job_id = j.id and a.stage = 'composition' group by j.id`,
  );
  for (const c of compositionDone) if (Number(c.n) !== 1) v.push(`job ${c.id}: composition succeeded ${c.n} times`);

  const twice = await q(`select job_id, stage, scene_index, count(*) as n from stage_attempts where status = 'succeeded' group by 1, 2, 3 having count(*) > 1`);
  for (const t of twice) v.push(`job ${t.job_id}: ${t.stage}[${t.scene_index}] succeeded ${t.n} times`);

  const pending = Number((await q('select count(*) as n from outbox where published_at is null'))[0].n);
  if (pending > 0) v.push(`${pending} outbox rows never published`);
  return v;
}

function restartNats(log: (l: string) => void): void {
  log('restarting nats-server (SIGKILL, then start)');
  execSync('pkill -9 -x nats-server || true');
  execSync(
    'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  );
}

function restartPostgres(log: (l: string) => void): void {
  log('restarting PostgreSQL (immediate stop, then start)');
  const version = execSync('ls /etc/postgresql').toString().trim().split(/\s+/)[0];
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main stop -m immediate || true`);
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`);
}

async function waitFor(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '50' },
      workers: { type: 'string', default: '3' },
      'kill-every-seconds': { type: 'string', default: '20' },
      'keep-data': { type: 'boolean', default: false },
      'restart-services': { type: 'boolean', default: false },
      'timeout-seconds': { type: 'string', default: '3600' },
      'crash-points': {
        type: 'string',
        default: 'saga.after-commit-before-ack=0.03,stage.after-commit-before-ack=0.05,stage.mid-work=0.02,relay.after-publish-before-mark=0.01',
      },
    },
  });
  const o: CrashTestOptions = {
    jobs: Number(values.jobs),
    workers: Number(values.workers),
    killEverySeconds: Number(values['kill-every-seconds']),
    restartServices: values['restart-services'] ?? false,
    timeoutSeconds: Number(values['timeout-seconds']),
    crashPoints: values['crash-points'] ?? '',
    log: (l) => process.stdout.write(`[crash-test] ${l}\n`),
    keepData: values['keep-data'] ?? false,
  };
  const report = await runCrashTest(o);
  process.stdout.write(`${JSON.stringify({ ...report, violations: report.violations.length }, null, 1)}\n`);
  for (const line of report.violations) process.stdout.write(`VIOLATION ${line}\n`);
  process.stdout.write(report.violations.length === 0 ? 'crash-test: PASS\n' : 'crash-test: FAIL\n');
  process.exit(report.violations.length === 0 ? 0 : 1);
}

if (require.main === module) void main();
