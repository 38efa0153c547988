import 'reflect-metadata';
import { MultiBar, Presets } from 'cli-progress';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { STAGES, V1_STAGES, type AdRequest, type AspectRatio, type JobEvent } from '@app/contracts';
import { ConfigError, loadConfig } from '../config/app.config';
import { createApp } from './bootstrap';
import { AppError } from './common/app-error';
import { resolveAssetDir } from './media/media-assets';
import { validateAdRequest } from './jobs/dto/generate-ad.dto';
import { JobsService } from './jobs/jobs.service';
import { JetStreamService } from './messaging/jetstream.service';
import type { JobResponse } from './jobs/job-response';

const USAGE = `usage: cli --sample NAME [--out FILE]
       cli --prompt TEXT --duration SECONDS --aspect-ratio 9:16|16:9|1:1
           [--primary-color #RRGGBB] [--secondary-color #RRGGBB] [--style TEXT] [--out FILE]
Runs one job end to end through the same event flow as the API (JetStream + saga), shows progress by
stage, then prints the output path and the cost breakdown. Samples: assets/samples/prompts.json.`;

interface Sample extends AdRequest {
  name: string;
}

/**
 * Command-line front end: one ad, end to end, with a progress bar per stage. Logs (JSON, with job_id and
 * stage) go to `data/logs/cli.log` so the terminal shows only progress.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sample: { type: 'string' },
      prompt: { type: 'string' },
      duration: { type: 'string' },
      'aspect-ratio': { type: 'string' },
      'primary-color': { type: 'string' },
      'secondary-color': { type: 'string' },
      style: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const request = await buildRequest(values);
  const problems = validateAdRequest(request);
  if (problems) throw new UsageError(`INVALID_INPUT: ${JSON.stringify(problems)}`);
  const name = values.sample ?? 'ad';
  const out = path.resolve(values.out ?? path.join('out', `${name}.mp4`));

  const config = loadConfig();
  const logDir = path.resolve('data/logs');
  await mkdir(logDir, { recursive: true });
  const logger = pino(
    { level: config.logLevel, base: { service: 'ai-video-orchestrator', component: 'cli' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: path.join(logDir, 'cli.log'), sync: false, mkdir: true }),
  );
  const app = await createApp(config, logger);
  await app.init();
  const jobs = app.get(JobsService);
  const nats = app.get(JetStreamService);
  const startedAt = Date.now();

  const created = await jobs.create(request);
  process.stdout.write(`job ${created.job_id}: ${request.duration} s ${request.aspect_ratio} — "${request.prompt}"\n`);
  const format = ' {stage} |{bar}| {note}';
  const bars = new MultiBar({ clearOnComplete: false, hideCursor: true, format, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic);
  // One bar per stage; video generation counts clips, the others go from waiting to running to done.
  const stageBars = Object.fromEntries(V1_STAGES.map((s) => [s, bars.create(1, 0, { stage: s.padEnd(17), note: 'waiting' }, { format })]));

  // Live job events from the stream's subjects (core NATS sees JetStream publishes), polling as a fallback.
  const sub = nats.connection.subscribe(nats.subjects.jobEvent('stage_completed', created.job_id));
  void (async () => {
    for await (const m of sub) {
      const ev = m.json<JobEvent<'stage_completed'>>();
      if (ev.data.stage === 'video_generation') continue; // counted from the job row below
      stageBars[ev.data.stage].update(stageBars[ev.data.stage].getTotal(), { note: 'done' });
    }
  })();

  let job: JobResponse;
  for (;;) {
    job = await jobs.get(created.job_id);
    for (const s of job.progress.stages_completed) stageBars[s].update(stageBars[s].getTotal(), { note: 'done' });
    if (job.progress.current_stage === 'video_generation') {
      stageBars.video_generation.setTotal(Math.max(1, job.progress.clips_total));
      stageBars.video_generation.update(job.progress.clips_completed, { note: `${job.progress.clips_completed}/${job.progress.clips_total} clips` });
    } else if (job.progress.current_stage && job.status === 'processing') {
      stageBars[job.progress.current_stage]?.update(0, { note: 'running' });
    }
    if (['completed', 'failed', 'cancelled'].includes(job.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  sub.unsubscribe();
  bars.stop();

  const wallSeconds = (Date.now() - startedAt) / 1000;
  if (job.status === 'completed') {
    const file = await jobs.filePath(created.job_id, 'video');
    await mkdir(path.dirname(out), { recursive: true });
    await copyFile(file, out);
    const thumb = out.replace(/\.mp4$/i, '') + '.jpg';
    await copyFile(await jobs.filePath(created.job_id, 'thumbnail'), thumb);
    process.stdout.write(`\ncompleted in ${wallSeconds.toFixed(1)} s\n`);
    process.stdout.write(`video:     ${out}\nthumbnail: ${thumb}\n`);
    process.stdout.write(`result:    ${job.result!.duration} s, ${job.result!.resolution}, ${job.result!.file_size_mb} MB, ${job.result!.scenes_generated} scenes\n`);
  } else {
    process.stdout.write(`\njob ${job.status} after ${wallSeconds.toFixed(1)} s: ${job.error?.code ?? ''} ${job.error?.message ?? ''} (stage ${job.error?.failed_stage ?? '-'})\n`);
  }
  process.stdout.write('cost (USD):\n');
  for (const s of [...STAGES, 'total'] as const) {
    if (job.cost[s] !== undefined) process.stdout.write(`  ${s.padEnd(17)} ${Number(job.cost[s]).toFixed(4)}\n`);
  }
  await app.close();
  logger.flush();
  process.exitCode = job.status === 'completed' ? 0 : 1;
}

async function buildRequest(values: Record<string, string | boolean | undefined>): Promise<AdRequest> {
  if (typeof values.sample === 'string') {
    const samplesFile = path.join(resolveAssetDir(), 'samples', 'prompts.json');
    const samples = JSON.parse(await readFile(samplesFile, 'utf8')) as Sample[];
    const sample = samples.find((s) => s.name === values.sample);
    if (!sample) throw new UsageError(`unknown sample "${values.sample}"; known: ${samples.map((s) => s.name).join(', ')}`);
    const { name: _name, ...request } = sample;
    return request;
  }
  if (typeof values.prompt !== 'string' || typeof values.duration !== 'string' || typeof values['aspect-ratio'] !== 'string') {
    throw new UsageError('give --sample, or --prompt, --duration and --aspect-ratio');
  }
  const brand = {
    ...(typeof values['primary-color'] === 'string' ? { primary_color: values['primary-color'] } : {}),
    ...(typeof values['secondary-color'] === 'string' ? { secondary_color: values['secondary-color'] } : {}),
    ...(typeof values.style === 'string' ? { style: values.style } : {}),
  };
  return {
    prompt: values.prompt,
    duration: Number(values.duration),
    aspect_ratio: values['aspect-ratio'] as AspectRatio,
    ...(Object.keys(brand).length > 0 ? { brand_guidelines: brand } : {}),
  };
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}\n`);
  else if (err instanceof ConfigError || err instanceof AppError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(2);
});
