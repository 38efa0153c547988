import { execFile } from 'node:child_process';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { resolutionOf, type StageInputs, type StageName, type StageOutputs } from '@app/contracts';
import { throwIfAborted } from '../../common/app-error';
import { planAd } from '../local/planner/ad-planner';
import { ClipGenerator, Compositor, ImageGenerator, PromptPlanner, SceneStillGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { sampleLatencyMs, type LatencySpec } from './sim-latency';

/** Settings of the sim providers (config/providers.config.ts). */
export interface SimSettings {
  /** Latency per stage name; stages not listed use `defaultLatency`. */
  latency: Readonly<Record<string, LatencySpec>>;
  defaultLatency: LatencySpec;
}

/** Heartbeat interval during a simulated wait: well inside the 30 s default stage lease. */
const HEARTBEAT_MS = 5000;

/** What a sim stage's output builder gets besides its input. */
export interface SimTools {
  ctx: ProviderContext;
  /** Writes a small placeholder file into the job's work dir and returns its `file://` URI. */
  placeholder: (name: string, text: string) => Promise<string>;
  /** Copies the sim's real 1-second MP4 and JPEG (made once per process) into the work dir. */
  finishedAd: () => Promise<{ videoUri: string; thumbnailUri: string; videoBytes: number }>;
}

/**
 * The output of each stage under the sim providers, one entry per stage: a valid output built from the
 * input with no real work. A new stage is one more entry here (the type requires it) and a port class
 * below that calls {@link SimEngine.run}.
 */
export const SIM_STAGE_OUTPUTS: { [S in StageName]: (input: StageInputs[S], tools: SimTools) => Promise<StageOutputs[S]> } = {
  // The offline planner is deterministic and takes about a millisecond: the plan is a real, valid one.
  prompt_parsing: async (input) => planAd(input),
  image_generation: async (input, { placeholder }) => {
    const [w, h] = resolutionOf(input.aspect_ratio).split('x').map(Number);
    return { image_uri: await placeholder('reference.sim.txt', 'sim reference image'), seed: 1, width: w, height: h };
  },
  storyboard: async (input, { placeholder }) => {
    const [w, h] = resolutionOf(input.aspect_ratio).split('x').map(Number);
    return { image_uri: await placeholder(`still-${input.scene_index}.sim.txt`, `sim still ${input.scene_index}`), seed: input.seed, width: w, height: h };
  },
  video_generation: async (input, { placeholder }) => ({
    clip_uri: await placeholder(`clip-${input.scene_index}.sim.txt`, `sim clip ${input.scene_index}`),
    duration: input.clip_duration,
    resolution: resolutionOf(input.aspect_ratio),
  }),
  composition: async (input, { finishedAd }) => {
    const ad = await finishedAd();
    return {
      video_uri: ad.videoUri,
      thumbnail_uri: ad.thumbnailUri,
      duration: input.duration,
      resolution: resolutionOf(input.aspect_ratio),
      file_size_bytes: ad.videoBytes,
      scenes: input.clips.length,
    };
  },
};

/**
 * Runs a sim stage: waits a latency drawn from the stage's distribution (heartbeating, aborting on cancel),
 * then builds the stage's output from {@link SIM_STAGE_OUTPUTS}. No CPU work, cost 0 USD: what a bench over
 * these providers measures is the orchestrator alone (docs/design/performance.md).
 */
export class SimEngine {
  private templates?: Promise<{ video: string; thumbnail: string }>;

  constructor(private readonly settings: SimSettings) {}

  /**
   * @throws CancelledError when the job is cancelled or the worker stops during the wait
   */
  async run<S extends StageName>(stage: S, input: StageInputs[S], ctx: ProviderContext): Promise<ProviderResult<StageOutputs[S]>> {
    const started = Date.now();
    throwIfAborted(ctx.signal);
    await waitWithHeartbeats(sampleLatencyMs(this.settings.latency[stage] ?? this.settings.defaultLatency), ctx);
    const tools: SimTools = {
      ctx,
      placeholder: async (name, text) => {
        const file = join(ctx.workDir, name);
        await writeFile(file, `${text}\n`);
        return pathToFileURL(file).href;
      },
      finishedAd: () => this.copyFinishedAd(ctx.workDir),
    };
    const output = await SIM_STAGE_OUTPUTS[stage](input, tools);
    return { output, costUsd: 0, processingTimeSeconds: (Date.now() - started) / 1000, provider: 'sim', attempts: 1 };
  }

  private async copyFinishedAd(workDir: string): Promise<{ videoUri: string; thumbnailUri: string; videoBytes: number }> {
    this.templates ??= makeTemplates();
    const t = await this.templates;
    const video = join(workDir, 'final.mp4');
    const thumbnail = join(workDir, 'thumbnail.jpg');
    await copyFile(t.video, video);
    await copyFile(t.thumbnail, thumbnail);
    return { videoUri: pathToFileURL(video).href, thumbnailUri: pathToFileURL(thumbnail).href, videoBytes: (await stat(video)).size };
  }
}

/**
 * A real 1-second 64×64 H.264 MP4 and a JPEG of it, made once per process with ffmpeg (a few milliseconds of
 * CPU), so the video and thumbnail routes serve playable files. Without ffmpeg, small placeholder files.
 */
async function makeTemplates(): Promise<{ video: string; thumbnail: string }> {
  const dir = join(os.tmpdir(), `ad-sim-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const video = join(dir, 'final.mp4');
  const thumbnail = join(dir, 'thumbnail.jpg');
  const run = promisify(execFile);
  try {
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=1:r=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', video]);
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-frames:v', '1', thumbnail]);
  } catch {
    await writeFile(video, 'sim video placeholder\n');
    await writeFile(thumbnail, 'sim thumbnail placeholder\n');
  }
  return { video, thumbnail };
}

/** Waits `ms`, calling `ctx.heartbeat()` every few seconds; rejects with CancelledError on abort. */
function waitWithHeartbeats(ms: number, ctx: ProviderContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = setTimeout(finish, ms);
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
    const onAbort = () => {
      cleanup();
      try {
        throwIfAborted(ctx.signal);
      } catch (err) {
        reject(err);
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    function cleanup() {
      clearTimeout(done);
      clearInterval(beat);
      ctx.signal.removeEventListener('abort', onAbort);
    }
    function finish() {
      cleanup();
      resolve();
    }
  });
}

/** {@link PromptPlanner} of the sim providers (`PROMPT_PARSER_PROVIDER=sim`). */
export class SimPromptPlanner extends PromptPlanner {
  readonly name = 'sim';
  constructor(private readonly sim: SimEngine) {
    super();
  }
  plan(input: StageInputs['prompt_parsing'], ctx: ProviderContext) {
    return this.sim.run('prompt_parsing', input, ctx);
  }
}

/** {@link ImageGenerator} of the sim providers (`IMAGE_PROVIDER=sim`). */
export class SimImageGenerator extends ImageGenerator {
  readonly name = 'sim';
  constructor(private readonly sim: SimEngine) {
    super();
  }
  generate(input: StageInputs['image_generation'], ctx: ProviderContext) {
    return this.sim.run('image_generation', input, ctx);
  }
}

/** {@link SceneStillGenerator} of the sim providers (`STORYBOARD_PROVIDER=sim`, or `IMAGE_PROVIDER=sim`). */
export class SimSceneStillGenerator extends SceneStillGenerator {
  readonly name = 'sim';
  constructor(private readonly sim: SimEngine) {
    super();
  }
  generate(input: StageInputs['storyboard'], ctx: ProviderContext) {
    return this.sim.run('storyboard', input, ctx);
  }
}

/** {@link ClipGenerator} of the sim providers (`VIDEO_PROVIDER=sim`). */
export class SimClipGenerator extends ClipGenerator {
  readonly name = 'sim';
  constructor(private readonly sim: SimEngine) {
    super();
  }
  generate(input: StageInputs['video_generation'], ctx: ProviderContext) {
    return this.sim.run('video_generation', input, ctx);
  }
}

/** {@link Compositor} of the sim providers (`COMPOSITION_PROVIDER=sim`). */
export class SimCompositor extends Compositor {
  readonly name = 'sim';
  constructor(private readonly sim: SimEngine) {
    super();
  }
  compose(input: StageInputs['composition'], ctx: ProviderContext) {
    return this.sim.run('composition', input, ctx);
  }
}
