/**
 * Orchestration bench (docs/design/performance.md, "Orchestration"): the saga, the outbox relay, JetStream and the stage runner measured alone,
 * every stage on the `sim` providers (waits only, no CPU). One API process (`ROLES=api`) and N
 * `orchestrator,stages` processes on the run's own database and NATS prefix.
 *
 *   (a) one job, parse 2 s, image 5 s, clips 20–40 s, compose 10 s: wall time against the critical path
 *       (from the attempts' own durations) and the overhead of each stage transition (previous result
 *       committed → next attempt claimed by a worker: relay publish, saga transaction, relay publish, pull);
 *   (b) saturation: many jobs created at once (MAX_CONCURRENT_JOBS=1000, clip parallelism 4, short sim
 *       latencies), all with the same prompt, so the stage cache answers most stages at once and the figures
 *       are those of a full queue (overhead = queue length / throughput): its transitions/s is the capacity.
 *       Stage transitions/s, saga transaction p99, outbox lag p99, per-transition overhead p50/p99, and RSS
 *       and event-loop delay of the workers sampled through the run; first with 10 jobs, then with `--jobs`;
 *   (f) the fair case: every job with its own prompt (no cache hits, printed), so each stage really waits its
 *       sim latency (case (a)'s distributions times `--latency-scale`), arriving at a constant rate over a
 *       ramp so that about `--in-flight` jobs are in flight at steady state (arrival rate = in-flight /
 *       expected job duration, Little's law), held for `--hold` seconds. Prints the offered load
 *       (transitions/s arriving) beside the capacity from a saturation run of the same size, the overhead of
 *       the jobs that ran at steady state, and RSS at 10 and at the steady in-flight count with its slope;
 *   (c) the same many-jobs run with 1 and with 2 worker processes: the throughput ratio.
 *
 * Usage (after `npm run build`):
 *   node dist/scripts/bench-orchestration.js [--case a,b,f,c] [--jobs 200] [--full] [--workers 1] [--profile DIR] [--sql-log]
 *     [--in-flight N] [--latency-scale 1] [--hold 60]
 * `--full` runs (b) with 1 000 jobs and (f) with 1 000 in flight (`--in-flight` defaults to `--jobs`). `--profile DIR` runs every process under `node --cpu-prof` and writes
 * one `.cpuprofile` per process and case into DIR (written when the process exits on SIGTERM). `--sql-log`
 * logs every statement of the run's database (`log_min_duration_statement = 0` on that database only) and
 * prints the statements per stage transition, by kind. The machine's load average is printed beside the figures; on a shared
 * machine compare ratios of one run. See docs/design/performance.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createRunEnv, REPO_ROOT, type RunEnv } from './support/run-env';

const MAIN = path.join(REPO_ROOT, 'dist', 'src', 'main.js');
const SIM_ENV = { PROMPT_PARSER_PROVIDER: 'sim', IMAGE_PROVIDER: 'sim', VIDEO_PROVIDER: 'sim', COMPOSITION_PROVIDER: 'sim' };
const REQUEST = { prompt: 'Launch video for a sustainable sneaker line made from recycled ocean plastic', duration: 30, aspect_ratio: '9:16' };

interface Cluster {
  base: string;
  workerPorts: number[];
  stop(): Promise<void>;
}

/** Where `--profile` writes the processes' CPU profiles (unset: no profiling). */
let profileDir: string | undefined;
/** `--sql-log`: count the statements of each many-jobs run. */
let sqlLog = false;

const out = (line: string) => process.stdout.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', default: 'a,b,c' },
      jobs: { type: 'string', default: '200' },
      full: { type: 'boolean', default: false },
      workers: { type: 'string', default: '1' },
      profile: { type: 'string' },
      'sql-log': { type: 'boolean', default: false },
      'in-flight': { type: 'string' },
      'latency-scale': { type: 'string', default: '1' },
      hold: { type: 'string', default: '60' },
    },
  });
  const cases = new Set(values.case.split(','));
  const jobs = values.full ? 1000 : Number(values.jobs);
  const workers = Number(values.workers);
  profileDir = values.profile ? path.resolve(values.profile) : undefined;
  sqlLog = values['sql-log'];
  out(`machine: ${os.cpus().length} cores, load average ${load()}`);

  if (cases.has('a')) await caseSingleJob(workers);
  let capacity: number | undefined;
  const inFlight = values['in-flight'] ? Number(values['in-flight']) : jobs;
  if (cases.has('b')) {
    const small = await caseManyJobs(10, workers, 'b: 10 jobs');
    const big = await caseManyJobs(jobs, workers, `b: ${jobs} jobs`);
    out(`RSS at ${jobs} jobs / at 10 jobs (max sampled per worker): ${(big.rssMaxMb / small.rssMaxMb).toFixed(2)}×`);
    if (jobs === inFlight) capacity = big.transitionsPerSecond;
  }
  if (cases.has('f')) {
    // The capacity the offered load is compared with: a saturation run of the same size, in this invocation.
    capacity ??= (await caseManyJobs(inFlight, workers, `b (capacity for f): ${inFlight} jobs`)).transitionsPerSecond;
    await caseFair(inFlight, workers, Number(values['latency-scale']), Number(values.hold), capacity);
  }
  if (cases.has('c')) {
    const one = await caseManyJobs(jobs, 1, `c: ${jobs} jobs, 1 process`, true);
    const two = await caseManyJobs(jobs, 2, `c: ${jobs} jobs, 2 processes`, true);
    out(`2 processes / 1 process: ${(two.transitionsPerSecond / one.transitionsPerSecond).toFixed(2)}× transitions/s (load average ${load()})`);
  }
}

/** (a): one job with the latencies of case (a) above. */
async function caseSingleJob(workers: number): Promise<void> {
  const run = await createRunEnv('orch');
  const cluster = await startCluster(run, workers, {
    ...SIM_ENV,
    SIM_LATENCY_PROMPT_PARSING: '2000',
    SIM_LATENCY_IMAGE_GENERATION: '5000',
    SIM_LATENCY_VIDEO_GENERATION: '20000-40000',
    SIM_LATENCY_COMPOSITION: '10000',
    MAX_PARALLEL_VIDEO_GENERATIONS: '4',
    STAGE_SLOTS_STORYBOARD: '8',
    STAGE_SLOTS_VIDEO_GENERATION: '8',
  });
  try {
    const [jobId] = await createJobs(cluster.base, 1);
    await waitAllDone(run.databaseUrl, 1, 300_000);
    const pg = await connect(run.databaseUrl);
    const t = await transitionGaps(pg, 4);
    const job = (await pg.query('select created_at, completed_at, scenes_total from jobs where id = $1', [jobId])).rows[0] as { created_at: Date; completed_at: Date; scenes_total: number };
    await pg.end();
    const wall = (job.completed_at.getTime() - job.created_at.getTime()) / 1000;
    const cp = t.criticalPathMs.get(jobId)! / 1000;
    out(`\n## a: one job (${job.scenes_total} scenes), parse 2 s, image 5 s, clips 20–40 s, compose 10 s; load average ${load()}`);
    out(`| wall s | critical path s | overhead s | transitions | overhead per transition p50 ms | p99 ms | max ms |`);
    out(`|---|---|---|---|---|---|---|`);
    out(`| ${wall.toFixed(2)} | ${cp.toFixed(2)} | ${(wall - cp).toFixed(2)} | ${t.gapsMs.length} | ${pct(t.gapsMs, 50).toFixed(0)} | ${pct(t.gapsMs, 99).toFixed(0)} | ${Math.max(...t.gapsMs).toFixed(0)} |`);
  } finally {
    await cluster.stop();
    await run.cleanUp();
  }
}

/** (b) and (c): `n` jobs at once with short latencies. */
async function caseManyJobs(
  n: number,
  workers: number,
  label: string,
  saturate = false,
): Promise<{ transitionsPerSecond: number; rssMaxMb: number }> {
  const run = await createRunEnv('orch');
  const latency: Record<string, string> = saturate
    ? { SIM_LATENCY_DEFAULT: '0-20' }
    : { SIM_LATENCY_PROMPT_PARSING: '200-500', SIM_LATENCY_IMAGE_GENERATION: '500-1000', SIM_LATENCY_VIDEO_GENERATION: '1000-3000', SIM_LATENCY_COMPOSITION: '500-1000' };
  const sqlFrom = sqlLog ? await startSqlLog(run.databaseUrl) : 0;
  const cluster = await startCluster(run, workers, {
    ...SIM_ENV,
    ...latency,
    MAX_CONCURRENT_JOBS: '1000',
    MAX_PARALLEL_VIDEO_GENERATIONS: '4',
    STAGE_SLOTS_PROMPT_PARSING: '64',
    STAGE_SLOTS_IMAGE_GENERATION: '64',
    STAGE_SLOTS_VIDEO_GENERATION: '256',
    STAGE_SLOTS_COMPOSITION: '64',
  });
  const samples: Sample[] = [];
  const sampler = startSampler(run.databaseUrl, cluster.workerPorts, samples);
  try {
    const cpuBefore = await cpuSeconds(cluster.workerPorts);
    const t0 = Date.now();
    await createJobs(cluster.base, n);
    const createSeconds = (Date.now() - t0) / 1000;
    await waitAllDone(run.databaseUrl, n, 900_000);
    const wall = (Date.now() - t0) / 1000;
    const cpuUsed = (await cpuSeconds(cluster.workerPorts)) - cpuBefore;
    await sampler.stop();
    const sagaP99 = await histogramP99(cluster.workerPorts, 'ad_saga_transaction_seconds');
    const pg = await connect(run.databaseUrl);
    const tr = (await pg.query(`select count(*) as n, extract(epoch from max(at) - min(at)) as span from job_transitions`)).rows[0] as { n: string; span: string };
    const { lag, statuses } = await runOutcome(pg);
    const gaps = await transitionGaps(pg, 4);
    await pg.end();
    const transitions = Number(tr.n);
    const tps = transitions / Number(tr.span);
    const rss = samples.map((s) => s.rssMb);
    const loop = samples.map((s) => s.loopP99Ms);
    const firstHalf = samples.slice(0, Math.max(1, Math.floor(samples.length / 2)));
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    out(`\n## ${label} (${workers} worker process${workers > 1 ? 'es' : ''}); load average ${load()}`);
    out(`jobs: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; created in ${createSeconds.toFixed(1)} s; all finished after ${wall.toFixed(1)} s`);
    out(`| transitions | transitions/s | saga tx p99 ms | outbox lag p50 ms | p99 ms | overhead per transition p50 ms | p99 ms | RSS MB min/max (1st half avg → 2nd half avg) | event-loop p99 ms median/max |`);
    out(`|---|---|---|---|---|---|---|---|---|`);
    out(
      `| ${transitions} | ${tps.toFixed(1)} | ${(sagaP99 * 1000).toFixed(1)} | ${lag.p?.[0]?.toFixed(1)} | ${lag.p?.[1]?.toFixed(1)} | ${pct(gaps.gapsMs, 50).toFixed(0)} | ${pct(gaps.gapsMs, 99).toFixed(0)} | ${Math.min(...rss).toFixed(0)}/${Math.max(...rss).toFixed(0)} (${avg(firstHalf.map((s) => s.rssMb)).toFixed(0)} → ${avg(secondHalf.map((s) => s.rssMb)).toFixed(0)}) | ${pct(loop, 50).toFixed(1)}/${Math.max(...loop).toFixed(1)} |`,
    );
    out(`worker CPU: ${cpuUsed.toFixed(1)} s over ${wall.toFixed(1)} s = ${((cpuUsed * 1000) / transitions).toFixed(1)} ms per transition`);
    if (sqlLog) printSqlCounts(new URL(run.databaseUrl).pathname.slice(1), sqlFrom, transitions);
    return { transitionsPerSecond: tps, rssMaxMb: Math.max(...rss) };
  } finally {
    await sampler.stop();
    await cluster.stop();
    await run.cleanUp();
  }
}

/**
 * Case (a)'s sim latencies, ms (uniform min–max), which the fair case (f) scales. A 30-second request is
 * planned as 4 scenes, so with clip parallelism 4 its clips are one wave.
 */
const CASE_A_LATENCY_MS: Record<'PROMPT_PARSING' | 'IMAGE_GENERATION' | 'VIDEO_GENERATION' | 'COMPOSITION', [number, number]> = {
  PROMPT_PARSING: [2000, 2000],
  IMAGE_GENERATION: [5000, 5000],
  VIDEO_GENERATION: [20000, 40000],
  COMPOSITION: [10000, 10000],
};
const CASE_A_SCENES = 4;
/** The config's upper bound of `STAGE_SLOTS_<STAGE>` (config/app.config.ts). */
const SLOTS_BOUND = 8192;

/**
 * (f): jobs with distinct prompts arriving at a constant rate so that about `n` are in flight at steady state.
 * The rate is `n` / the expected job duration (parse + image + the longest of the 4 clips + compose, with the
 * latencies scaled by `scale`); arrivals last one expected duration (the ramp) plus `holdSeconds`. Stage slots
 * are sized from the same law (twice the mean concurrent demand per stage + 16, within the config's bound:
 * arrivals bunch, and at 80 % of the slots an attempt already waits seconds for one), so a
 * stage's slots are not the queue being measured; the figures of the jobs created after the ramp are the
 * steady state's.
 */
async function caseFair(n: number, workers: number, scale: number, holdSeconds: number, capacity: number): Promise<void> {
  const run = await createRunEnv('orch');
  const mean = ([lo, hi]: [number, number]) => ((lo + hi) / 2) * scale;
  const [clipLo, clipHi] = CASE_A_LATENCY_MS.VIDEO_GENERATION;
  const longestClipMs = (clipLo + ((clipHi - clipLo) * CASE_A_SCENES) / (CASE_A_SCENES + 1)) * scale;
  const expectedJobMs = mean(CASE_A_LATENCY_MS.PROMPT_PARSING) + mean(CASE_A_LATENCY_MS.IMAGE_GENERATION) + longestClipMs + mean(CASE_A_LATENCY_MS.COMPOSITION);
  const jobsPerSecond = n / (expectedJobMs / 1000);
  const rampSeconds = expectedJobMs / 1000;
  const total = Math.round(jobsPerSecond * (rampSeconds + holdSeconds));
  // Concurrent attempts per stage at steady state (Little's law: arrival rate × time in the stage).
  const demand = (stageMs: number, items: number) => Math.ceil(jobsPerSecond * (stageMs / 1000) * items);
  const slotsFor = (stageMs: number, items = 1) => Math.min(SLOTS_BOUND, Math.ceil(demand(stageMs, items) * 2) + 16);
  const slots = {
    STAGE_SLOTS_PROMPT_PARSING: slotsFor(mean(CASE_A_LATENCY_MS.PROMPT_PARSING)),
    STAGE_SLOTS_IMAGE_GENERATION: slotsFor(mean(CASE_A_LATENCY_MS.IMAGE_GENERATION)),
    // The storyboard's stills wait the sim's default latency (SIM_LATENCY_DEFAULT, 50 ms), one per scene.
    STAGE_SLOTS_STORYBOARD: slotsFor(50, CASE_A_SCENES),
    STAGE_SLOTS_VIDEO_GENERATION: slotsFor(mean(CASE_A_LATENCY_MS.VIDEO_GENERATION), CASE_A_SCENES),
    STAGE_SLOTS_COMPOSITION: slotsFor(mean(CASE_A_LATENCY_MS.COMPOSITION)),
  };
  const clipDemand = demand(mean(CASE_A_LATENCY_MS.VIDEO_GENERATION), CASE_A_SCENES);
  // The arrival rate holds about n in flight on average; jobs that run a little longer than expected push the
  // count above n, and a limit of exactly n then queues arrivals at the door (seconds per job, growing for
  // as long as the overshoot lasts), which is admission, not orchestration. A quarter of headroom keeps the
  // limit out of what is measured.
  const maxConcurrent = Math.max(1000, Math.ceil(n * 1.25));
  const range = (k: keyof typeof CASE_A_LATENCY_MS) => CASE_A_LATENCY_MS[k].map((v) => Math.round(v * scale)).join('-');
  const sqlFrom = sqlLog ? await startSqlLog(run.databaseUrl) : 0;
  const cluster = await startCluster(run, workers, {
    ...SIM_ENV,
    SIM_LATENCY_PROMPT_PARSING: range('PROMPT_PARSING'),
    SIM_LATENCY_IMAGE_GENERATION: range('IMAGE_GENERATION'),
    SIM_LATENCY_VIDEO_GENERATION: range('VIDEO_GENERATION'),
    SIM_LATENCY_COMPOSITION: range('COMPOSITION'),
    MAX_CONCURRENT_JOBS: String(maxConcurrent),
    MAX_PARALLEL_VIDEO_GENERATIONS: String(CASE_A_SCENES),
    NATS_MAX_ACK_PENDING: '20000',
    ...Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, String(v)])),
  });
  const samples: Sample[] = [];
  const sampler = startSampler(run.databaseUrl, cluster.workerPorts, samples);
  try {
    const cpuBefore = await cpuSeconds(cluster.workerPorts);
    const t0 = Date.now();
    const steadyFrom = new Date(t0 + rampSeconds * 1000);
    await createJobsAtRate(cluster.base, total, jobsPerSecond);
    const createSeconds = (Date.now() - t0) / 1000;
    await waitAllDone(run.databaseUrl, total, 1_800_000);
    const wall = (Date.now() - t0) / 1000;
    const cpuUsed = (await cpuSeconds(cluster.workerPorts)) - cpuBefore;
    await sampler.stop();
    const sagaP99 = await histogramP99(cluster.workerPorts, 'ad_saga_transaction_seconds');
    const cache = await cacheLookups(cluster.workerPorts);
    const pg = await connect(run.databaseUrl);
    const tr = (await pg.query(`select count(*) as n from job_transitions`)).rows[0] as { n: string };
    const { lag, statuses } = await runOutcome(pg);
    const dur = (await pg.query(`select avg(extract(epoch from completed_at - created_at)) as all, avg(extract(epoch from completed_at - created_at)) filter (where created_at >= $1) as steady from jobs where completed_at is not null`, [steadyFrom])).rows[0] as { all: string; steady: string | null };
    const gaps = await transitionGaps(pg, CASE_A_SCENES);
    const steadyGaps = await transitionGaps(pg, CASE_A_SCENES, steadyFrom);
    await pg.end();
    const transitions = Number(tr.n);
    const perJob = transitions / total;
    const offered = jobsPerSecond * perJob;
    const steady = samples.filter((s) => s.t >= steadyFrom.getTime() && s.t <= t0 + createSeconds * 1000);
    const median = (xs: number[]) => pct(xs, 50);
    const at10 = samples.find((s) => s.inFlight >= 10);
    const rssAt10 = at10?.rssMb ?? NaN;
    const rssSteady = median(steady.map((s) => s.rssMb));
    const liveAt10 = at10?.liveMb ?? NaN;
    const liveSteady = median(steady.map((s) => s.liveMb));
    const liveSlope = linearSlope(steady.map((s) => [(s.t - t0) / 60_000, s.liveMb]));
    const slope = linearSlope(steady.map((s) => [(s.t - t0) / 60_000, s.rssMb]));
    const slopePerJobs = linearSlope(steady.map((s) => [s.done / 1000, s.rssMb]));
    out(`\n## f: ${n} in flight, distinct prompts, ${total} jobs arriving at ${jobsPerSecond.toFixed(2)}/s (ramp ${rampSeconds.toFixed(0)} s + hold ${holdSeconds} s; ${workers} worker process${workers > 1 ? 'es' : ''}); load average ${load()}`);
    out(`latencies ms (case a × ${scale}): parse ${range('PROMPT_PARSING')}, image ${range('IMAGE_GENERATION')}, clips ${range('VIDEO_GENERATION')}, compose ${range('COMPOSITION')}; expected job ${(expectedJobMs / 1000).toFixed(1)} s; measured mean ${Number(dur.all).toFixed(1)} s (steady-state jobs ${Number(dur.steady).toFixed(1)} s)`);
    out(`stage slots: ${Object.entries(slots).map(([k, v]) => `${k.slice(12).toLowerCase()} ${v}`).join(', ')} (clip demand ${clipDemand}${clipDemand * 2 + 16 > SLOTS_BOUND ? ': above the bound, the clip slots are a queue too' : ''}); stage cache hits/lookups: ${cache}`);
    out(`MAX_CONCURRENT_JOBS ${maxConcurrent}`);
    out(`jobs: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; arrivals over ${createSeconds.toFixed(1)} s; all finished after ${wall.toFixed(1)} s; in flight at steady state median ${median(steady.map((s) => s.inFlight)).toFixed(0)}, max ${Math.max(...samples.map((s) => s.inFlight))}`);
    out(`offered load: ${offered.toFixed(1)} transitions/s (${perJob.toFixed(1)} per job) against a capacity of ${capacity.toFixed(1)} transitions/s measured saturated: utilisation ${((100 * offered) / capacity).toFixed(0)} %`);
    out(`| transitions | saga tx p99 ms | outbox lag p50 ms | p99 ms | overhead per transition p50 ms | p99 ms | steady-state jobs p50 ms | p99 ms | RSS MB at 10 in flight → at steady state | RSS slope MB/min, MB per 1 000 jobs done | event-loop p99 ms median/max |`);
    out(`|---|---|---|---|---|---|---|---|---|---|---|`);
    out(
      `| ${transitions} | ${(sagaP99 * 1000).toFixed(1)} | ${lag.p?.[0]?.toFixed(1)} | ${lag.p?.[1]?.toFixed(1)} | ${pct(gaps.gapsMs, 50).toFixed(0)} | ${pct(gaps.gapsMs, 99).toFixed(0)} | ${pct(steadyGaps.gapsMs, 50).toFixed(0)} | ${pct(steadyGaps.gapsMs, 99).toFixed(0)} | ${rssAt10.toFixed(0)} → ${rssSteady.toFixed(0)} (${(rssSteady / rssAt10).toFixed(2)}×) | ${slope.toFixed(1)}, ${slopePerJobs.toFixed(1)} | ${median(samples.map((s) => s.loopP99Ms)).toFixed(1)}/${Math.max(...samples.map((s) => s.loopP99Ms)).toFixed(1)} |`,
    );
    out(`overhead by transition, steady-state jobs, p50/p99 ms: ${gapsByKind(steadyGaps.byKind)}`);
    out(
      `live heap (after major GC) MB at 10 in flight → at steady state: ${liveAt10.toFixed(0)} → ${liveSteady.toFixed(0)} (${(liveSteady / liveAt10).toFixed(2)}×), slope ${liveSlope.toFixed(1)} MB/min; RSS counts V8's garbage between major GCs too`,
    );
    out(`worker CPU: ${cpuUsed.toFixed(1)} s over ${wall.toFixed(1)} s = ${((cpuUsed * 1000) / transitions).toFixed(1)} ms per transition`);
    if (sqlLog) printSqlCounts(new URL(run.databaseUrl).pathname.slice(1), sqlFrom, transitions);
  } finally {
    await sampler.stop();
    await cluster.stop();
    await run.cleanUp();
  }
}

/** One sample of a worker: RSS, event-loop p99, and the run's jobs done and in flight at that moment. */
interface Sample {
  t: number;
  rssMb: number;
  /** `ad_nodejs_heap_live_bytes`: the V8 heap in use after the last major GC, MB. */
  liveMb: number;
  loopP99Ms: number;
  done: number;
  inFlight: number;
}

/** Samples every worker's `/metrics` and the job counts every 2 s into `samples` until `stop()`. */
function startSampler(databaseUrl: string, ports: number[], samples: Sample[]): { stop(): Promise<void> } {
  let sampling = true;
  const loop = (async () => {
    const pg = await connect(databaseUrl);
    try {
      while (sampling) {
        const c = (await pg.query<{ done: string; open: string }>(`select count(*) filter (where status in ('completed','failed','cancelled')) as done, count(*) filter (where status not in ('completed','failed','cancelled')) as open from jobs`)).rows[0];
        for (const port of ports) {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => '');
          const rss = metric(text, 'ad_process_resident_memory_bytes');
          const lag = metric(text, 'ad_nodejs_eventloop_lag_p99_seconds');
          const live = metric(text, 'ad_nodejs_heap_live_bytes') ?? NaN;
          if (rss !== undefined && lag !== undefined) samples.push({ t: Date.now(), rssMb: rss / 1e6, liveMb: live / 1e6, loopP99Ms: lag * 1000, done: Number(c.done), inFlight: Number(c.open) });
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    } finally {
      await pg.end().catch(() => undefined);
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop.catch(() => undefined);
    },
  };
}

/** Least-squares slope of y over x (NaN with fewer than two points). */
function linearSlope(points: Array<[number, number]>): number {
  if (points.length < 2) return NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / points.length;
  const my = points.reduce((a, p) => a + p[1], 0) / points.length;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

/** Stage cache lookups of the workers (`ad_stage_cache_lookups_total`), as `stage hits/lookups` per stage. */
async function cacheLookups(ports: number[]): Promise<string> {
  const byStage = new Map<string, { hit: number; all: number }>();
  for (const port of ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    for (const m of text.matchAll(/^ad_stage_cache_lookups_total\{([^}]*)\} (\S+)$/gm)) {
      const stage = /stage="([^"]+)"/.exec(m[1])?.[1] ?? '?';
      const e = byStage.get(stage) ?? { hit: 0, all: 0 };
      e.all += Number(m[2]);
      if (m[1].includes('outcome="hit"')) e.hit += Number(m[2]);
      byStage.set(stage, e);
    }
  }
  return [...byStage].map(([stage, e]) => `${stage} ${e.hit}/${e.all}`).join(', ') || 'no lookups';
}

/**
 * Creates `n` jobs at `perSecond`, each with its own prompt and brand style (the style reaches the image,
 * storyboard, clip and composition inputs, so no stage input repeats and the stage cache never answers; the
 * run prints the lookups to show it). Requests are sent on schedule and not
 * awaited one by one, so a slow API does not lower the offered rate.
 */
async function createJobsAtRate(base: string, n: number, perSecond: number): Promise<void> {
  const t0 = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const edition = `edition ${i + 1} of run ${t0}`;
    const body = JSON.stringify({ ...REQUEST, prompt: `${REQUEST.prompt}, ${edition}`, brand_guidelines: { style: edition } });
    pending.push(
      fetch(`${base}/api/v1/generate-ad`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => {
        if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${await res.text()}`);
      }),
    );
  }
  await Promise.all(pending);
}

/** The server's log (`log_line_prefix` must carry `%d`); `PG_LOG_FILE` overrides. */
const PG_LOG = process.env.PG_LOG_FILE ?? '/var/log/postgresql/postgresql-15-main.log';

/**
 * Logs every statement of the run's own database (a per-database setting: other databases on the server are
 * untouched) and returns the log's current size, where this run's lines start. Sessions opened afterwards
 * (the services') pick the setting up.
 */
async function startSqlLog(databaseUrl: string): Promise<number> {
  const pg = await connect(databaseUrl);
  const db = new URL(databaseUrl).pathname.slice(1);
  await pg.query(`alter database "${db}" set log_min_duration_statement = 0`);
  await pg.end();
  return statSync(PG_LOG).size;
}

/**
 * Counts the statements the server executed for database `db` since `from` (one per round trip: a simple
 * query's `statement:` or an extended query's `execute`), by kind, per stage transition. The bench's own
 * polling (`count(*) … ('completed','failed','cancelled')`) is left out.
 */
function printSqlCounts(db: string, from: number, transitions: number): void {
  const text = readFileSync(PG_LOG).subarray(from).toString('utf8');
  const kinds = new Map<string, number>();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.includes(`@${db} `)) continue;
    const m = /duration: [\d.]+ ms {2}(?:statement|execute [^:]*): (.*)$/.exec(line);
    if (!m) continue;
    const sql = m[1].trim();
    if (sql.includes(`('completed','failed','cancelled')`)) continue;
    const kind = sql.replace(/\s+/g, ' ').replace(/\$\d+|'[^']*'|\d+/g, '?').slice(0, 70);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    total += 1;
  }
  out(`SQL round trips: ${total} for ${transitions} transitions = ${(total / transitions).toFixed(1)} per transition`);
  for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25)) out(`  ${(n / transitions).toFixed(2)}  ${kind}`);
}

/**
 * What every many-jobs case reads at the end of its run: outbox lag p50/p99 (ms from a row's insert to its
 * publish; a request the reaper re-drove counts from its first insert) and the jobs per status.
 */
async function runOutcome(pg: Client): Promise<{ lag: { p: number[] }; statuses: Array<{ status: string; n: string }> }> {
  const lag = (await pg.query(`select percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from published_at - created_at) * 1000) as p from outbox where published_at is not null`)).rows[0] as { p: number[] };
  const statuses = (await pg.query(`select status, count(*) as n from jobs group by status`)).rows as Array<{ status: string; n: string }>;
  return { lag, statuses };
}

/** The transitions {@link transitionGaps} tells apart, in pipeline order. */
const GAP_KINDS = ['start', 'image', 'still', 'clip', 'compose', 'complete'] as const;
type GapKind = (typeof GAP_KINDS)[number];

/**
 * Per-transition overhead from the database's own timestamps: for each attempt, the time from the commit of
 * the result it waited on (the previous stage's attempt, the last still of the storyboard for the first clips,
 * or for a still or clip of a later wave the one whose slot it took) to its own claim by a worker; plus job
 * creation → first claim and last result → job completed. In ms, all together and by kind (`start`: job
 * created → prompt parsing claimed, which includes any wait behind MAX_CONCURRENT_JOBS; `complete`:
 * composition's result → job completed). Also each job's critical path: the attempts' own durations along the
 * chain (storyboard stills and clips in waves of `parallel` slots, in the order they ran). `createdFrom`: only
 * the jobs created from then on.
 */
async function transitionGaps(
  pg: Client,
  parallel: number,
  createdFrom?: Date,
): Promise<{ gapsMs: number[]; byKind: Map<GapKind, number[]>; criticalPathMs: Map<string, number> }> {
  const rows = (
    await pg.query(
      `select a.job_id, a.stage, a.scene_index, a.created_at, a.updated_at, j.created_at as job_created, j.completed_at
         from stage_attempts a join jobs j on j.id = a.job_id where a.status = 'succeeded' and j.created_at >= $1 order by a.job_id, a.created_at`,
      [createdFrom ?? new Date(0)],
    )
  ).rows as Array<{ job_id: string; stage: string; scene_index: number | null; created_at: Date; updated_at: Date; job_created: Date; completed_at: Date | null }>;
  const byJob = new Map<string, typeof rows>();
  for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), r]);
  const gaps: number[] = [];
  const byKind = new Map<GapKind, number[]>(GAP_KINDS.map((k) => [k, []]));
  const gap = (kind: GapKind, v: number) => {
    gaps.push(v);
    byKind.get(kind)!.push(v);
  };
  const critical = new Map<string, number>();
  const ms = (d: Date) => d.getTime();
  for (const [jobId, as] of byJob) {
    const one = (s: string) => as.find((a) => a.stage === s);
    const parse = one('prompt_parsing');
    const image = one('image_generation');
    const compose = one('composition');
    const stills = as.filter((a) => a.stage === 'storyboard').sort((x, y) => ms(x.created_at) - ms(y.created_at));
    const clips = as.filter((a) => a.stage === 'video_generation').sort((x, y) => ms(x.created_at) - ms(y.created_at));
    if (!parse || !image || !compose || clips.length === 0) continue;
    gap('start', ms(parse.created_at) - ms(parse.job_created));
    gap('image', ms(image.created_at) - ms(parse.updated_at));
    // The storyboard's stills (one per scene) and then the clips run in waves of `parallel`: the first wave
    // waits on the result before it, each later attempt on the earliest-finishing attempt still holding a slot.
    let readyAt = ms(image.updated_at);
    let waves = 0;
    for (const [kind, wave] of [['still', stills], ['clip', clips]] as const) {
      if (wave.length === 0) continue;
      const finishes: number[] = [];
      for (let i = 0; i < wave.length; i++) {
        if (i < parallel) gap(kind, ms(wave[i].created_at) - readyAt);
        else {
          finishes.sort((a, b) => a - b);
          gap(kind, ms(wave[i].created_at) - finishes.shift()!);
        }
        finishes.push(ms(wave[i].updated_at));
      }
      readyAt = Math.max(...wave.map((c) => ms(c.updated_at)));
      // Critical path of the waves with the attempts' own durations and zero overhead.
      const slots: number[] = Array.from({ length: Math.min(parallel, wave.length) }, () => 0);
      for (const c of wave) {
        slots.sort((a, b) => a - b);
        slots[0] += ms(c.updated_at) - ms(c.created_at);
      }
      waves += Math.max(...slots);
    }
    gap('compose', ms(compose.created_at) - readyAt);
    if (compose.completed_at) gap('complete', ms(compose.completed_at) - ms(compose.updated_at));
    critical.set(jobId, ms(parse.updated_at) - ms(parse.created_at) + (ms(image.updated_at) - ms(image.created_at)) + waves + (ms(compose.updated_at) - ms(compose.created_at)));
  }
  return { gapsMs: gaps, byKind, criticalPathMs: critical };
}

/** `start 12/40, image 9/31, …`: p50/p99 of each transition kind (ms). */
function gapsByKind(byKind: Map<GapKind, number[]>): string {
  return [...byKind].map(([k, xs]) => `${k} ${pct(xs, 50).toFixed(0)}/${pct(xs, 99).toFixed(0)}`).join(', ');
}

async function startCluster(run: RunEnv, workers: number, env: Record<string, string>): Promise<Cluster> {
  mkdirSync(path.join(run.dir, 'logs'), { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 5000);
  const procs: ChildProcess[] = [];
  const start = (name: string, extra: Record<string, string>) => {
    const log = createWriteStream(path.join(run.dir, 'logs', `${name}.log`));
    const profiling = profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${run.run}-${name}.cpuprofile`, '--require', path.join(__dirname, 'support', 'profile-exit.js')]
      : [];
    const child = spawn(process.execPath, [...profiling, MAIN], { cwd: REPO_ROOT, env: { ...run.env, LOG_LEVEL: 'warn', ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    procs.push(child);
  };
  start('api', { ROLES: 'api', PORT: String(port) });
  const workerPorts: number[] = [];
  for (let i = 0; i < workers; i++) {
    workerPorts.push(port + 1 + i);
    start(`worker${i}`, { ROLES: 'orchestrator,stages', PORT: String(port + 1 + i) });
  }
  for (const p of [port, ...workerPorts]) await waitHealthy(`http://127.0.0.1:${p}/health`);
  return {
    base: `http://127.0.0.1:${port}`,
    workerPorts,
    async stop() {
      await Promise.all(
        procs.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
            }),
        ),
      );
    },
  };
}

async function createJobs(base: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(20, n) }, async () => {
      while (next < n) {
        next += 1;
        const res = await fetch(`${base}/api/v1/generate-ad`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST) });
        if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${await res.text()}`);
        ids.push(((await res.json()) as { job_id: string }).job_id);
      }
    }),
  );
  return ids;
}

async function waitAllDone(databaseUrl: string, n: number, timeoutMs: number): Promise<void> {
  const pg = await connect(databaseUrl);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const done = Number((await pg.query<{ n: string }>(`select count(*) as n from jobs where status in ('completed','failed','cancelled')`)).rows[0].n);
      if (done >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${done}/${n} jobs finished in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await pg.end();
  }
}

/** p99 of a Prometheus histogram summed over processes (linear within the bucket). */
async function histogramP99(ports: number[], name: string): Promise<number> {
  const buckets = new Map<number, number>();
  for (const port of ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
    }
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= 0.99 * total) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (0.99 * total - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return NaN;
}

/** CPU seconds (user + system) the worker processes used so far, summed: a load-independent cost figure. */
async function cpuSeconds(ports: number[]): Promise<number> {
  let sum = 0;
  for (const port of ports) sum += metric(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()), 'ad_process_cpu_seconds_total') ?? NaN;
  return sum;
}

function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

async function waitHealthy(url: string): Promise<void> {
  const started = Date.now();
  while (!(await fetch(url).then((r) => r.ok).catch(() => false))) {
    if (Date.now() - started > 90_000) throw new Error(`${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-orchestration failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
