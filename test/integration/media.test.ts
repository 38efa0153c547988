import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { OUTPUT_SIZE_PX, type VideoGenerationOutput } from '@app/contracts';
import { AppError, CancelledError } from '../../src/common/app-error';
import { assertFfmpegAvailable, FfmpegRunner } from '../../src/media/ffmpeg.runner';
import { buildGradeFilter } from '../../src/media/composition.args';
import { probeMedia, verifyAd } from '../../src/media/ffprobe';
import { applyGrade } from '../../src/media/grade';
import { yuv420FrameBytes } from '../../src/media/yuv';
import { planTimeline } from '../../src/media/timeline';
import { LocalClipGenerator } from '../../src/providers/local/local-clip.generator';
import { LocalImageGenerator } from '../../src/providers/local/local-image.generator';
import { LocalCompositor } from '../../src/providers/local/local.compositor';
import type { ProviderContext } from '../../src/providers/ports';
import { makeAdPlan, sampleBrand } from '../fixtures/plans';
import { CHECK_AD } from '../support/check-ad';

/** The media layer end to end with the real ffmpeg: no database, no NATS, no mocks. */

function context(workDir: string, signal = new AbortController().signal): ProviderContext & { beats: number } {
  const ctx = {
    jobId: 'media-test',
    attemptId: `a${Math.random().toString(36).slice(2, 8)}`,
    signal,
    workDir,
    beats: 0,
    heartbeat: () => {
      ctx.beats += 1;
    },
    resumeToken: null,
    saveResumeToken: async () => undefined,
  };
  return ctx;
}

function runBinary(file: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0 }),
    );
  });
}

/** Integrated loudness (LUFS) and true peak (dBTP) with ffmpeg's EBU R128 meter, as check-ad measures them. */
async function loudness(file: string): Promise<{ lufs: number; truePeak: number }> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return { lufs: Number(/I:\s+(-?[\d.]+)/.exec(summary)?.[1]), truePeak: Number(/Peak:\s+(-?[\d.]+)/.exec(summary)?.[1]) };
}

/** Mean brightness of an image, 0–255. */
async function meanBrightness(file: string): Promise<number> {
  const img = await loadImage(file);
  const canvas = createCanvas(32, 32);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, 32, 32);
  const d = ctx.getImageData(0, 0, 32, 32).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
  return sum / (d.length / 4);
}

describe('media layer with the real ffmpeg', () => {
  let workDir: string;

  beforeAll(async () => {
    await assertFfmpegAvailable();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'media-test-'));
  });

  afterAll(async () => {
    if (workDir && process.env.KEEP_TEST_DATA !== '1') await rm(workDir, { recursive: true, force: true });
  });

  it('should render a deliverable 15 s 9:16 ad through the three local providers', async () => {
    const durationSeconds = 15;
    const aspect = '9:16';
    const plan = makeAdPlan({ durationSeconds, aspectRatio: aspect, sample: 'luxury-watch' });
    const brand = sampleBrand('luxury-watch');
    const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspect];

    const image = await new LocalImageGenerator().generate({ plan, aspect_ratio: aspect, brand_guidelines: brand }, context(workDir));
    expect(image.output).toMatchObject({ width: widthPx, height: heightPx });
    expect(image.costUsd).toBe(0);
    const refSize = await loadImage(fileURLToPath(image.output.image_uri));
    expect([refSize.width, refSize.height]).toEqual([widthPx, heightPx]);

    const slots = planTimeline(plan);
    const clips: VideoGenerationOutput[] = [];
    for (const [i, scene] of plan.scenes.entries()) {
      const ctx = context(workDir);
      const clip = await new LocalClipGenerator().generate(
        { scene, scene_index: i, scene_count: plan.scenes.length, plan, reference_image_uri: image.output.image_uri, clip_duration: slots[i].clipSeconds, aspect_ratio: aspect, brand_guidelines: brand },
        ctx,
      );
      expect(clip.output.duration).toBeCloseTo(slots[i].clipSeconds, 2);
      expect(clip.output.resolution).toBe('1080x1920');
      expect(ctx.beats).toBeGreaterThan(0);
      clips.push(clip.output);
    }

    const ctx = context(workDir);
    const result = await new LocalCompositor().compose({ plan, clips, duration: durationSeconds, aspect_ratio: aspect, brand_guidelines: brand }, ctx);
    const video = fileURLToPath(result.output.video_uri);
    const thumbnail = fileURLToPath(result.output.thumbnail_uri);
    expect(path.basename(video)).toBe('final.mp4');
    expect(ctx.beats).toBeGreaterThan(0);
    expect(result.output).toMatchObject({ resolution: '1080x1920', scenes: 3, file_size_bytes: (await stat(video)).size });
    expect(Math.abs(result.output.duration - durationSeconds)).toBeLessThanOrEqual(0.1);

    const { problems } = await verifyAd(video, { durationSeconds, widthPx, heightPx, durationToleranceSeconds: 0.1 });
    expect(problems).toEqual([]);
    const loud = await loudness(video);
    expect(Math.abs(loud.lufs + 14)).toBeLessThanOrEqual(1.5);
    expect(loud.truePeak).toBeLessThanOrEqual(-1);
    expect(await meanBrightness(thumbnail)).toBeGreaterThan(20);

    // The shared checker is optional: a clone of this repository alone still runs this test.
    const checker = CHECK_AD;
    if (checker) {
      const check = await run(checker, [video, '--duration', String(durationSeconds), '--aspect', aspect, '--scenes', String(plan.scenes.length)]);
      expect(check.stdout.trim().split('\n').pop()).toBe('check-ad: PASS');
    }
  });

  it('should refuse clips that do not match the plan', async () => {
    const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '1:1', sample: 'coffee-square' });
    await expect(
      new LocalCompositor().compose({ plan, clips: [], duration: 15, aspect_ratio: '1:1', brand_guidelines: null }, context(workDir)),
    ).rejects.toMatchObject({ code: 'COMPOSITION_FAILED' });
  });

  it.each(['warm', 'cool', 'luxury'] as const)('should grade a still exactly as the composition\'s lutyuv does (%s)', async (grade) => {
    // Every code value in every plane: 512×2 luma (0–255 twice per row), 256×1 chroma.
    const w = 512;
    const h = 2;
    const data = new Uint8Array(yuv420FrameBytes(w, h));
    for (let i = 0; i < w * h; i++) data[i] = i % 256;
    for (let i = 0; i < 256; i++) {
      data[w * h + i] = i;
      data[w * h + 256 + i] = 255 - i;
    }
    const input = path.join(workDir, `grade-${grade}.yuv`);
    await writeFile(input, data);
    const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${w}x${h}`];
    const byFfmpeg = await runBinary('ffmpeg', ['-v', 'error', ...raw, '-i', input, '-vf', buildGradeFilter(grade)!, ...raw, '-']);
    expect(Buffer.compare(byFfmpeg, Buffer.from(applyGrade({ widthPx: w, heightPx: h, data }, grade).data))).toBe(0);
  });

  describe('FfmpegRunner', () => {
    const runner = new FfmpegRunner();
    const endless = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'null', '-'];

    it('should report progress and finish', async () => {
      const times: number[] = [];
      const result = await runner.run(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=2', '-f', 'null', '-'], {
        errorCode: 'COMPOSITION_FAILED',
        timeoutMs: 30_000,
        onProgress: (t) => times.push(t),
      });
      expect(times[times.length - 1]).toBeCloseTo(2, 1);
      expect(result.wallSeconds).toBeGreaterThan(0);
    });

    it('should kill ffmpeg and throw CancelledError when the signal fires', async () => {
      const controller = new AbortController();
      const promise = runner.run(endless, { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000, signal: controller.signal, onProgress: () => controller.abort('job cancelled') });
      await expect(promise).rejects.toBeInstanceOf(CancelledError);
    });

    it('should throw a retryable TIMEOUT when the overall limit passes', async () => {
      const error = await runner.run(endless, { errorCode: 'COMPOSITION_FAILED', timeoutMs: 700 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    });

    it('should throw a retryable TIMEOUT when ffmpeg stops making progress', async () => {
      // Reading a FIFO nobody writes to blocks ffmpeg before its first progress report.
      const fifo = path.join(workDir, 'stall.fifo');
      await run('mkfifo', [fifo]);
      const error = await runner.run(['-i', fifo, '-f', 'null', '-'], { errorCode: 'COMPOSITION_FAILED', timeoutMs: 60_000, stallTimeoutMs: 500 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    });

    describe('with frames on standard input', () => {
      const W = 64;
      const H = 48;
      const rawArgs = (frames: number, out: string): string[] => [
        '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${W}x${H}`, '-framerate', '30', '-i', 'pipe:0',
        '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', out,
      ];
      /** Frame i is flat grey at level 16 + 2·i, so the decoded frames show their order. */
      function* greyFrames(count: number, onPull?: (i: number) => void): Generator<Buffer> {
        for (let i = 0; i < count; i++) {
          onPull?.(i);
          const f = Buffer.alloc(yuv420FrameBytes(W, H), 128);
          f.fill(16 + 2 * i, 0, W * H);
          yield f;
        }
      }

      it('should encode every frame it is given, in order', async () => {
        const out = path.join(workDir, 'piped.mp4');
        await runner.run(rawArgs(45, out), { errorCode: 'VIDEO_GENERATION_FAILED', timeoutMs: 30_000, input: greyFrames(45) });
        const probe = await probeMedia(out);
        expect(probe.streams.find((st) => st.type === 'video')).toMatchObject({ widthPx: W, heightPx: H });
        const levels = [...(await runBinary('ffmpeg', ['-v', 'error', '-i', out, '-vf', 'crop=8:8:28:20,extractplanes=y,scale=1:1:flags=area', '-f', 'rawvideo', '-']))];
        expect(levels).toHaveLength(45);
        levels.forEach((v, i) => expect(Math.abs(v - (16 + 2 * i))).toBeLessThanOrEqual(2));
      });

      it('should pull frames only as fast as ffmpeg takes them (backpressure)', async () => {
        // -re makes ffmpeg read at 30 fps, and a 320×240 frame (115 KB) overfills the pipe: a paced writer
        // pulls frame 60 about 2 s after frame 1; an unpaced one would pull all 60 at once and buffer them.
        const big = 320;
        const bigH = 240;
        const pulledAt: number[] = [];
        const started = performance.now();
        const frames = (function* (): Generator<Buffer> {
          for (let i = 0; i < 60; i++) {
            pulledAt.push(performance.now() - started);
            yield Buffer.alloc(yuv420FrameBytes(big, bigH), 16 + i);
          }
        })();
        const args = ['-loglevel', 'error', '-y', '-re', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${big}x${bigH}`, '-framerate', '30', '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', path.join(workDir, 'paced.mp4')];
        await runner.run(args, { errorCode: 'VIDEO_GENERATION_FAILED', timeoutMs: 30_000, input: frames });
        expect(pulledAt).toHaveLength(60);
        expect(pulledAt[59] - pulledAt[0]).toBeGreaterThan(1000);
      });

      it('should kill ffmpeg and fail with the caller\'s code when the frame source throws', async () => {
        const failing = (function* (): Generator<Buffer> {
          yield* greyFrames(5);
          throw new Error('renderer exploded');
        })();
        const error = await runner.run(rawArgs(30, path.join(workDir, 'broken.mp4')), { errorCode: 'VIDEO_GENERATION_FAILED', timeoutMs: 30_000, input: failing }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'VIDEO_GENERATION_FAILED', retryable: false });
        expect((error as AppError).message).toContain('renderer exploded');
      });

      it('should stop pulling frames when cancelled', async () => {
        const controller = new AbortController();
        let pulled = 0;
        const endlessFrames = (function* (): Generator<Buffer> {
          for (;;) {
            pulled++;
            if (pulled === 20) controller.abort('job cancelled');
            yield Buffer.alloc(yuv420FrameBytes(W, H), 100);
          }
        })();
        const promise = runner.run(rawArgs(100_000, path.join(workDir, 'cancelled.mp4')), { errorCode: 'VIDEO_GENERATION_FAILED', timeoutMs: 30_000, signal: controller.signal, input: endlessFrames });
        await expect(promise).rejects.toBeInstanceOf(CancelledError);
        // A window to see that nothing more is pulled after the rejection (a negative needs one).
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(pulled).toBeLessThanOrEqual(22);
      });
    });

    it('should throw the caller\'s code with the stderr tail on a non-zero exit', async () => {
      const error = await runner.run(['-i', path.join(workDir, 'missing.mp4'), '-f', 'null', '-'], { errorCode: 'VIDEO_GENERATION_FAILED', timeoutMs: 30_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VIDEO_GENERATION_FAILED', retryable: false });
      expect((error as AppError).details.stderr).toContain('missing.mp4');
    });
  });
});
