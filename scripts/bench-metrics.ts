/**
 * `npm run bench:metrics`: seeds 100 000 jobs (spread over 30 days, about 400 000 stage attempts) into a
 * database of its own, then times `GET /api/v1/metrics`'s queries for every window and prints the latency
 * (median, p95 and max of BENCH_RUNS runs, default 30). The database is dropped at the end.
 * BENCH_JOBS changes the count; BENCH_KEEP_DB=1 keeps the database for EXPLAIN. Needs PostgreSQL at DATABASE_URL (its server; the database name is replaced).
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mikroOrmOptions } from '../config/mikro-orm.config';
import { dropDatabase, ensureDatabase, runMigrations } from '../src/database/migrations';
import { JobMetricsService, TIME_RANGE_HOURS, type TimeRange } from '../src/job-metrics/job-metrics.service';

async function main(): Promise<void> {
  const jobs = Number(process.env.BENCH_JOBS ?? 100_000);
  const runs = Number(process.env.BENCH_RUNS ?? 30);
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/ad_orchestrator');
  url.pathname = `/ad_bench_metrics_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url.toString());
  const orm = await MikroORM.init(mikroOrmOptions(url.toString(), 4));
  try {
    await runMigrations(orm);
    const em = orm.em.fork();
    let t0 = performance.now();
    // 85 % completed, 10 % failed (three codes), the rest cancelled/processing/queued; created over 30 days.
    await em.execute(`
      insert into jobs (id, status, prompt, duration, aspect_ratio, cost_total, created_at, completed_at, error)
      select gen_random_uuid(), s.status, 'bench', 30, '9:16', round((random() * 3)::numeric, 6), s.created,
             case when s.status = 'completed' then s.created + make_interval(secs => 30 + random() * 300) end,
             case when s.status = 'failed' then jsonb_build_object('code', (array['VIDEO_GENERATION_FAILED','TIMEOUT','COMPOSITION_FAILED'])[1 + (s.i % 3)], 'message', 'bench', 'failed_stage', null, 'details', '{}'::jsonb) end
        from (select i, now() - make_interval(secs => random() * 30 * 86400) as created,
                     case when i % 100 < 85 then 'completed' when i % 100 < 95 then 'failed' when i % 100 < 98 then 'cancelled'
                          when i % 100 < 99 then 'processing' else 'queued' end as status
                from generate_series(1, ?) i) s`, [jobs]);
    const seedJobsMs = performance.now() - t0;
    t0 = performance.now();
    await em.execute(`
      insert into stage_attempts (attempt_id, job_id, stage, status, created_at, updated_at)
      select gen_random_uuid(), j.id, st.stage, 'succeeded', j.created_at, j.created_at + make_interval(secs => st.base * (0.5 + random()))
        from jobs j cross join (values ('prompt_parsing', 2.0), ('image_generation', 6.0), ('video_generation', 40.0), ('composition', 25.0)) st(stage, base)
       where j.status in ('completed', 'failed')`);
    const seedAttemptsMs = performance.now() - t0;
    await em.execute('vacuum analyze jobs');
    await em.execute('vacuum analyze stage_duration_rollup');
    const counts: Array<{ jobs: string; attempts: string; rollup: string }> = await em.execute(
      'select (select count(*) from jobs) as jobs, (select count(*) from stage_attempts) as attempts, (select count(*) from stage_duration_rollup) as rollup',
    );
    console.log(`seeded ${counts[0].jobs} jobs in ${(seedJobsMs / 1000).toFixed(1)} s, ${counts[0].attempts} stage attempts in ${(seedAttemptsMs / 1000).toFixed(1)} s (${counts[0].rollup} rollup rows)`);

    const service = new JobMetricsService(orm);
    console.log('| time_range | total_jobs | median ms | p95 ms | max ms |');
    console.log('|---|---|---|---|---|');
    for (const range of Object.keys(TIME_RANGE_HOURS) as TimeRange[]) {
      await service.metrics(range); // warm the pool and the plan cache
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        total = (await service.metrics(range)).total_jobs;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
      console.log(`| ${range} | ${total} | ${q(0.5)} | ${q(0.95)} | ${times[times.length - 1].toFixed(1)} |`);
    }
  } finally {
    await orm.close(true);
    if (process.env.BENCH_KEEP_DB) console.log(`kept ${url.toString()}`);
    else await dropDatabase(url.toString());
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
