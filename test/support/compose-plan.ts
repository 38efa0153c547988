import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUTPUT_SIZE_PX, type AdPlan, type AspectRatio, type CompositionOutput } from '@app/contracts';
import { AppError } from '../../src/common/app-error';
import { FfmpegRunner } from '../../src/media/ffmpeg.runner';
import { LocalCompositor } from '../../src/providers/local/local.compositor';
import { scaledSize } from '../../src/providers/local/render/composition-layout';
import type { ProviderContext } from '../../src/providers/ports';
import { fakeClip } from '../fakes/media-fixtures';

/** A provider context for a direct provider call in a test: its own work dir, no cancellation. */
export function testContext(workDir: string, signal = new AbortController().signal): ProviderContext {
  return {
    jobId: 'test',
    attemptId: `a${Math.random().toString(36).slice(2, 8)}`,
    signal,
    workDir,
    heartbeat: () => undefined,
    resumeToken: null,
    saveResumeToken: async () => undefined,
  };
}

/** What {@link composePlan} reports: the output, or the failure's code and message. */
export type ComposeOutcome = { ok: true; output: CompositionOutput; seconds: number } | { ok: false; code: string; message: string; seconds: number };

/**
 * Composes `plan` with the real local compositor at `frameScale` of the delivery size, from 4 s test-pattern
 * clips (each slowed or trimmed to its scene by the compositor). The compositor verifies its output before it
 * returns, so `ok` means the ad rendered and passed the project's verification.
 */
export async function composePlan(plan: AdPlan, durationSeconds: number, aspect: AspectRatio, frameScale: number, runner = new FfmpegRunner()): Promise<ComposeOutcome> {
  const started = Date.now();
  const { widthPx, heightPx } = scaledSize(OUTPUT_SIZE_PX[aspect], frameScale);
  const clip = await fakeClip(widthPx, heightPx, 4);
  const root = path.join(os.tmpdir(), 'ads-plan-renders');
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, 'job-'));
  try {
    const compositor = new LocalCompositor(runner, { frameScale, preset: 'ultrafast', exportGif: false, exportWebm: false });
    const clips = plan.scenes.map(() => ({ clip_uri: pathToFileURL(clip).href, duration: 4, resolution: `${widthPx}x${heightPx}` }));
    const result = await compositor.compose({ plan, clips, duration: durationSeconds, aspect_ratio: aspect, brand_guidelines: null }, testContext(dir));
    return { ok: true, output: result.output, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'THROWN';
    return { ok: false, code, message: (err as Error).message.slice(0, 500), seconds: (Date.now() - started) / 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
