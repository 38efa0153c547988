/**
 * Three-node NATS cluster test (docs/design/performance.md, "Production layout"): starts three
 * nats-server instances on loopback ports as one JetStream cluster, runs jobs on the `sim` providers with R3
 * streams and consumers (`NATS_STREAM_REPLICAS=3`), SIGKILLs the node leading the work stream once a third of
 * the jobs are done, and checks that every job completes with the crash test's invariants
 * (scripts/crash-test.ts `checkInvariants`). The killed node is restarted before the end, as a supervisor would.
 *
 * Usage (after `npm run build`): `bash scripts/nats-cluster-test.sh [--jobs 30] [--workers 2]`
 * (NATS_SERVER=/path/to/nats-server to pick the binary). Exits non-zero when an invariant fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Subjects } from '../libs/contracts/src/subjects';
import { checkInvariants } from './crash-test';
import { createRunEnv, REPO_ROOT } from './support/run-env';

const MAIN = path.join(REPO_ROOT, 'dist', 'src', 'main.js');
/** Every process this script started, ended on failure too. */
const children: ChildProcess[] = [];
const log = (line: string) => process.stdout.write(`[nats-cluster] ${line}\n`);

interface NatsNode {
  name: string;
  clientPort: number;
  start(): void;
  proc?: ChildProcess;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '30' }, workers: { type: 'string', default: '2' } } });
  const jobs = Number(values.jobs);
  const workers = Number(values.workers);
  const binary = process.env.NATS_SERVER ?? 'nats-server';
  const base = 24000 + Math.floor(Math.random() * 2000);
  const dir = path.join(os.tmpdir(), `ads-nats-cluster-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });

  // Three servers: client ports base..base+2, cluster (route) ports base+10..base+12, one store dir each.
  const nodes: NatsNode[] = [0, 1, 2].map((i) => {
    const name = `n${i + 1}`;
    const conf = path.join(dir, `${name}.conf`);
    writeFileSync(
      conf,
      [
        `server_name: ${name}`,
        `host: 127.0.0.1`,
        `port: ${base + i}`,
        `jetstream { store_dir: "${path.join(dir, name)}" }`,
        `cluster {`,
        `  name: ads-test`,
        `  listen: 127.0.0.1:${base + 10 + i}`,
        `  routes: [${[0, 1, 2].map((j) => `nats-route://127.0.0.1:${base + 10 + j}`).join(', ')}]`,
        `}`,
      ].join('\n'),
    );
    const node: NatsNode = {
      name,
      clientPort: base + i,
      start() {
        const out = createWriteStream(path.join(dir, `${name}.log`), { flags: 'a' });
        node.proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(node.proc);
        node.proc.stdout!.pipe(out);
        node.proc.stderr!.pipe(out);
      },
    };
    return node;
  });
  for (const n of nodes) n.start();
  const natsUrl = nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`).join(',');
  process.env.NATS_URL = natsUrl;
  log(`3-node cluster on ${natsUrl} (logs in ${dir})`);
  await waitForJetStream(natsUrl);

  const run = await createRunEnv('natscluster');
  mkdirSync(path.join(run.dir, 'logs'), { recursive: true });
  const apiPort = 26500 + Math.floor(Math.random() * 1000);
  const env: NodeJS.ProcessEnv = {
    ...run.env,
    NATS_URL: natsUrl,
    NATS_STREAM_REPLICAS: '3',
    LOG_LEVEL: 'info',
    PROMPT_PARSER_PROVIDER: 'sim',
    IMAGE_PROVIDER: 'sim',
    VIDEO_PROVIDER: 'sim',
    COMPOSITION_PROVIDER: 'sim',
    SIM_LATENCY_PROMPT_PARSING: '200-500',
    SIM_LATENCY_IMAGE_GENERATION: '300-800',
    SIM_LATENCY_VIDEO_GENERATION: '1000-3000',
    SIM_LATENCY_COMPOSITION: '300-800',
    MAX_CONCURRENT_JOBS: '100',
    STAGE_SLOTS_VIDEO_GENERATION: '16',
    STAGE_SLOTS_COMPOSITION: '8',
    STAGE_SLOTS_IMAGE_GENERATION: '8',
  };
  const procs: ChildProcess[] = [];
  const startService = (name: string, extra: NodeJS.ProcessEnv) => {
    const out = createWriteStream(path.join(run.dir, 'logs', `${name}.log`));
    const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    procs.push(child);
    children.push(child);
  };
  startService('api', { ROLES: 'api', PORT: String(apiPort) });
  for (let i = 0; i < workers; i++) startService(`worker${i}`, { ROLES: 'orchestrator,stages', PORT: String(apiPort + 1 + i) });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${api}/health`).catch(() => null))?.ok === true, 90_000, 'API health');

  const nc = await connect({ servers: natsUrl.split(','), maxReconnectAttempts: -1 });
  const jsm = await jetstreamManager(nc);
  const s = new Subjects(run.prefix);
  const info = await jsm.streams.info(s.workStream);
  log(`work stream ${s.workStream}: replicas ${info.config.num_replicas}, leader ${info.cluster?.leader}, replicas ${JSON.stringify(info.cluster?.replicas?.map((r) => r.name))}`);
  const violations: string[] = [];
  if (info.config.num_replicas !== 3) violations.push(`work stream has ${info.config.num_replicas} replicas, expected 3`);

  // The driver's own connection may be on the killed node: a look-up that times out says so, not fails.
  const leaderOf = (stream: string) => jsm.streams.info(stream).then((i) => i.cluster?.leader ?? '?', (e: Error) => `unknown (${e.message})`);
  const ids: string[] = [];
  for (let i = 0; i < jobs; i++) {
    const res = await fetch(`${api}/api/v1/generate-ad`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Launch video for a sustainable sneaker line made from recycled ocean plastic', duration: 15, aspect_ratio: '1:1' }),
    });
    if (res.status !== 201) throw new Error(`job creation failed: ${res.status}`);
    ids.push(((await res.json()) as { job_id: string }).job_id);
  }
  log(`created ${jobs} jobs; ${workers} workers`);

  const pg = new Client({ connectionString: run.databaseUrl });
  await pg.connect();
  const done = async () => Number((await pg.query<{ n: string }>(`select count(*) as n from jobs where status in ('completed','failed','cancelled')`)).rows[0].n);
  await waitFor(async () => (await done()) >= Math.ceil(jobs / 3), 600_000, 'a third of the jobs');
  const leader = (await jsm.streams.info(s.workStream)).cluster?.leader;
  const victim = nodes.find((n) => n.name === leader) ?? nodes[0];
  log(`${await done()}/${jobs} done: SIGKILL ${victim.name} (work stream leader ${leader})`);
  victim.proc!.kill('SIGKILL');
  const killedAt = Date.now();
  await waitFor(async () => (await done()) >= Math.ceil((2 * jobs) / 3), 600_000, 'two thirds of the jobs');
  log(`${await done()}/${jobs} done ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; work stream leader now ${await leaderOf(s.workStream)}; restarting ${victim.name}`);
  victim.start();
  await waitFor(async () => (await done()) >= jobs, 600_000, 'every job');
  await waitFor(async () => Number((await pg.query<{ n: string }>('select count(*) as n from outbox where published_at is null')).rows[0].n) === 0, 60_000, 'outbox drained').catch(() => undefined);
  log(`${jobs}/${jobs} finished`);

  for (const p of procs) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  violations.push(...(await checkInvariants(pg, ids)));
  await pg.end();
  await run.cleanUp().catch(() => undefined);
  await nc.close();
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const n of nodes) n.proc?.kill('SIGTERM');
  for (const v of violations) log(`VIOLATION ${v}`);
  log(violations.length === 0 ? 'PASS: every job completed, every invariant held' : `FAIL: ${violations.length} violations`);
  process.exit(violations.length === 0 ? 0 : 1);
}

async function waitForJetStream(servers: string): Promise<void> {
  await waitFor(
    async () => {
      const nc = await connect({ servers: servers.split(','), timeout: 2000 });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    },
    60_000,
    'JetStream in the cluster',
  );
}

async function waitFor(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`nats-cluster-test failed: ${(err as Error).stack ?? String(err)}\n`);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  process.exit(1);
});
