/**
 * Composition benchmark (docs/design/composition.md, "Speed"): for 15, 30 and 60 s ads in 9:16 and 16:9, runs the
 * offline job through the local providers directly (planner, reference image, clips with the configured
 * parallelism, composition), then re-encodes the finished ad with the same x264 and AAC settings in the same
 * run. Prints per run: composition wall time, the plain re-encode's, their ratio (the figure that matters:
 * the target is ≤ 1.25), the end-to-end job time and its ratio to the re-encode (≤ 2 for 30 s 9:16), and
 * peak memory (this process's RSS, and this process plus its ffmpeg children, polled from /proc).
 * Each case runs BENCH_RUNS times (default 3) and the table shows the median of every column (ratios are taken
 * per run, then the median): on a shared 2-core VM single runs swing by ±15 %. CPU seconds (this process plus
 * its ffmpeg children, from /proc/self/stat) are printed beside wall times: steal time inflates wall time
 * only, though contention on the host (caches, clock) still moves both, by a few per cent less for CPU.
 *
 * Run: npm run bench:composition [-- 30:9:16 60:16:9 ...]   (default: all six)
 * Env: MAX_PARALLEL_VIDEO_GENERATIONS (default 4, as config/app.config.ts), BENCH_RUNS (default 3), BENCH_DIR
 *      (default a temp dir, deleted afterwards unless BENCH_KEEP=1).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdRequest, AspectRatio, VideoGenerationOutput } from '@app/contracts';
import { OUTPUT_FPS } from '../src/media/clip.args';
import { FfmpegRunner } from '../src/media/ffmpeg.runner';
import { planTimeline } from '../src/media/timeline';
import { LocalClipGenerator } from '../src/providers/local/local-clip.generator';
import { LocalImageGenerator } from '../src/providers/local/local-image.generator';
import { LocalPromptPlanner } from '../src/providers/local/local-prompt.planner';
import { LocalCompositor } from '../src/providers/local/local.compositor';
import type { ProviderContext } from '../src/providers/ports';
import { standaloneContext } from '../src/providers/standalone-context';

/** One benchmark case: the sample prompt per aspect ratio (luxury watch in 9:16, the SaaS app in 16:9; assets/samples/prompts.json). */
interface BenchCase {
  durationSeconds: number;
  aspect: AspectRatio;
}

const PROMPTS: Readonly<Record<'9:16' | '16:9', Omit<AdRequest, 'duration' | 'aspect_ratio'>>> = {
  '9:16': {
    prompt: 'Create an Instagram ad for luxury watches with elegant gold aesthetics',
    brand_guidelines: { primary_color: '#D4AF37', secondary_color: '#000000', style: 'luxury minimalist' },
  },
  '16:9': {
    prompt: 'A YouTube ad for a project management app that saves teams 5 hours every week',
    brand_guidelines: { primary_color: '#2563EB', secondary_color: '#F9FAFB', style: 'modern, clean, confident' },
  },
};

/**
 * Peak resident memory, bytes, of this process alone and of this process plus all its descendants, sampled
 * every 250 ms. The sampler must stay cheap or it distorts what it measures: an earlier version read every
 * /proc/N/status asynchronously every 100 ms and slowed the clips it watched by 40 %; one synchronous pass over
 * /proc/N/stat costs about 5 ms.
 */
class MemoryPoller {
  peakSelfBytes = 0;
  peakTreeBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 250): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const self = process.memoryUsage.rss();
    this.peakSelfBytes = Math.max(this.peakSelfBytes, self);
    this.peakTreeBytes = Math.max(this.peakTreeBytes, self + descendantsRssBytes(process.pid));
  }
}

const PAGE_BYTES = 4096;
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds used so far by this process and by its children that have ended (cutime + cstime). */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  // Fields after "(comm) ": state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  const self = process.cpuUsage();
  return (self.user + self.system) / 1e6 + children;
}

/** Sum of the RSS of every descendant of `pid` (children of children included), from /proc/N/stat. */
function descendantsRssBytes(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // the process ended between the listing and the read
    }
    // Fields after "(comm) ": state, ppid, ... rss (pages) is the 22nd.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    rss.set(Number(entry), Number(fields[21]) * PAGE_BYTES);
  }
  let total = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const child = stack.pop()!;
    total += rss.get(child) ?? 0;
    stack.push(...(children.get(child) ?? []));
  }
  return total;
}

function context(workDir: string, attemptId: string): ProviderContext {
  return standaloneContext('bench', workDir, attemptId);
}

/** Runs `tasks` with at most `limit` in flight (the saga's MAX_PARALLEL_VIDEO_GENERATIONS for clips). */
async function withLimit<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * ffmpeg arguments of the plain re-encode: the finished ad through the compositor's own x264 and AAC settings
 * (buildCompositionArgs), with no filtergraph: the encoder's limit on the same content.
 */
function reencodeArgs(input: string, output: string, preset: string, crf: number): string[] {
  return [
    '-loglevel', 'warning', '-y', '-i', input,
    '-c:v', 'libx264', '-preset', preset, '-crf', String(crf), '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-r', String(OUTPUT_FPS), '-g', String(2 * OUTPUT_FPS),
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}

interface BenchRow {
  ad: string;
  scenes: number;
  planS: number;
  imageS: number;
  clipsS: number;
  composeS: number;
  /** The composition's one ffmpeg render alone (the rest: music bed and cards before it, probe and thumbnail after). */
  renderS: number;
  reencodeS: number;
  ratio: number;
  /** CPU seconds of the composition (this process and its ffmpeg runs) and of the plain re-encode. */
  composeCpuS: number;
  reencodeCpuS: number;
  cpuRatio: number;
  /** CPU seconds of the whole job, and their ratio to the re-encode's. */
  endToEndCpuS: number;
  e2eCpuRatio: number;
  endToEndS: number;
  e2eRatio: number;
  peakSelfMb: number;
  peakTreeMb: number;
  sizeMb: number;
}

async function runCase(c: BenchCase, root: string, parallelClips: number): Promise<BenchRow> {
  const workDir = join(root, `${c.durationSeconds}s-${c.aspect.replace(':', 'x')}`);
  await mkdir(workDir, { recursive: true });
  const memory = new MemoryPoller();
  memory.start();
  const preset = 'veryfast';
  const crf = 21;
  try {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    const request: AdRequest = { ...PROMPTS[c.aspect === '16:9' ? '16:9' : '9:16'], duration: c.durationSeconds, aspect_ratio: c.aspect };
    const { output: plan } = await new LocalPromptPlanner().plan(request, context(workDir, 'plan'));
    const t1 = performance.now();
    const brand = request.brand_guidelines ?? null;
    const image = await new LocalImageGenerator().generate({ plan, aspect_ratio: c.aspect, brand_guidelines: brand }, context(workDir, 'image'));
    const t2 = performance.now();
    const slots = planTimeline(plan);
    const clipGen = new LocalClipGenerator();
    const clips: VideoGenerationOutput[] = (
      await withLimit(
        parallelClips,
        plan.scenes.map((scene, i) => () =>
          clipGen.generate(
            { scene, scene_index: i, scene_count: plan.scenes.length, plan, reference_image_uri: image.output.image_uri, clip_duration: slots[i].clipSeconds, aspect_ratio: c.aspect, brand_guidelines: brand },
            context(workDir, `clip${i}`),
          ),
        ),
      )
    ).map((r) => r.output);
    const t3 = performance.now();
    const c3 = cpuSeconds();
    const composed = await new LocalCompositor(undefined, { preset, crf, exportGif: false, exportWebm: false }).compose(
      { plan, clips, duration: c.durationSeconds, aspect_ratio: c.aspect, brand_guidelines: brand },
      context(workDir, 'compose'),
    );
    const t4 = performance.now();
    const c4 = cpuSeconds();
    const reencode = await new FfmpegRunner().run(reencodeArgs(fileURLToPath(composed.output.video_uri), join(workDir, 'reencode.mp4'), preset, crf), {
      errorCode: 'COMPOSITION_FAILED',
      timeoutMs: 600_000,
      label: 'plain re-encode',
    });
    const reencodeCpuS = cpuSeconds() - c4;
    const s = (a: number, b: number): number => (b - a) / 1000;
    const reencodeS = reencode.wallSeconds;
    return {
      ad: `${c.durationSeconds} s ${c.aspect}`,
      scenes: plan.scenes.length,
      planS: s(t0, t1),
      imageS: s(t1, t2),
      clipsS: s(t2, t3),
      composeS: s(t3, t4),
      renderS: Number(composed.metadata?.renderSeconds ?? NaN),
      reencodeS,
      ratio: s(t3, t4) / reencodeS,
      composeCpuS: c4 - c3,
      reencodeCpuS,
      cpuRatio: (c4 - c3) / reencodeCpuS,
      endToEndCpuS: c4 - c0,
      e2eCpuRatio: (c4 - c0) / reencodeCpuS,
      endToEndS: s(t0, t4),
      e2eRatio: s(t0, t4) / reencodeS,
      peakSelfMb: memory.peakSelfBytes / 1e6,
      peakTreeMb: memory.peakTreeBytes / 1e6,
      sizeMb: composed.output.file_size_bytes / 1e6,
    };
  } finally {
    memory.stop();
  }
}

/** Median of each numeric column over the runs of one case (an even count takes the mean of the middle two). */
function medianRow(samples: BenchRow[]): BenchRow {
  const median = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const row = { ...samples[0] };
  for (const key of Object.keys(row) as Array<keyof BenchRow>) {
    if (typeof row[key] === 'number') (row as unknown as Record<string, number>)[key] = median(samples.map((r) => r[key] as number));
  }
  return row;
}

function printTable(rows: BenchRow[]): void {
  const header = ['ad', 'scenes', 'clips s', 'compose s', 'of which render s', 're-encode s', 'compose/re-enc', 'end-to-end s', 'e2e/re-enc', 'compose CPU s', 're-encode CPU s', 'CPU compose/re-enc', 'CPU e2e/re-enc', 'peak RSS node MB', 'peak RSS +ffmpeg MB', 'size MB'];
  const f = (x: number, d = 1): string => x.toFixed(d);
  const lines = rows.map((r) => [r.ad, String(r.scenes), f(r.clipsS), f(r.composeS), f(r.renderS), f(r.reencodeS), f(r.ratio, 2), f(r.endToEndS), f(r.e2eRatio, 2), f(r.composeCpuS), f(r.reencodeCpuS), f(r.cpuRatio, 2), f(r.e2eCpuRatio, 2), f(r.peakSelfMb, 0), f(r.peakTreeMb, 0), f(r.sizeMb, 2)]);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
}

function ffmpegVersion(): Promise<string> {
  return new Promise((resolve) => execFile('ffmpeg', ['-version'], (err, stdout) => resolve(err ? 'unknown' : stdout.split('\n')[0])));
}

async function main(): Promise<void> {
  const all: BenchCase[] = [15, 30, 60].flatMap((d) => (['9:16', '16:9'] as const).map((aspect) => ({ durationSeconds: d, aspect })));
  const wanted = process.argv.slice(2);
  const cases = wanted.length === 0 ? all : all.filter((c) => wanted.includes(`${c.durationSeconds}:${c.aspect}`));
  const parallelClips = Number(process.env.MAX_PARALLEL_VIDEO_GENERATIONS ?? 4);
  const root = process.env.BENCH_DIR ?? (await mkdtemp(join(os.tmpdir(), 'bench-composition-')));
  console.log(`machine: ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1e9).toFixed(1)} GB, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`${await ffmpegVersion()}; node ${process.version}; clips in parallel: ${parallelClips}; x264 veryfast crf 21; runs per case: ${process.env.BENCH_RUNS ?? 3} (medians)`);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS=${process.env.BENCH_RUNS}: expected a whole number ≥ 1`);
  const rows: BenchRow[] = [];
  try {
    for (const c of cases) {
      const samples: BenchRow[] = [];
      for (let i = 0; i < runs; i++) {
        samples.push(await runCase(c, join(root, `run${i + 1}`), parallelClips));
        console.log(JSON.stringify(samples[samples.length - 1]));
      }
      rows.push(medianRow(samples));
    }
  } finally {
    if (!process.env.BENCH_DIR && process.env.BENCH_KEEP !== '1') await rm(root, { recursive: true, force: true });
  }
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  printTable(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
