import { existsSync } from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { ErrorCode } from '@app/contracts';
import { AppError, CancelledError } from '../common/app-error';
import { parseProgress } from './ffmpeg-progress';

/** Binaries the media layer spawns; defaults resolve `ffmpeg` / `ffprobe` on PATH. */
export interface FfmpegBinaries {
  ffmpegPath: string;
  ffprobePath: string;
}

export const DEFAULT_BINARIES: FfmpegBinaries = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' };

/** Options of one {@link FfmpegRunner.run} call. Times in milliseconds. */
export interface FfmpegRunOptions {
  /** Code of the AppError thrown when ffmpeg exits non-zero (for example `COMPOSITION_FAILED`). */
  errorCode: ErrorCode;
  /** Kill the process after this long, whatever its progress. */
  timeoutMs: number;
  /** Kill the process when no progress block arrived for this long (default 20 000 ms). */
  stallTimeoutMs?: number;
  /** Aborting kills the process and makes `run` throw {@link CancelledError}. */
  signal?: AbortSignal;
  /** Called with the output time reached (seconds) on every progress block; use it as a heartbeat. */
  onProgress?: (outTimeSeconds: number) => void;
  /** Short label for error messages and details (`composition`, `clip 2`). */
  label?: string;
  /**
   * Data for ffmpeg's standard input (an `-i pipe:0` input), written in order with backpressure: the next
   * chunk is pulled only once the pipe has taken the previous one, so a generator of frames renders just
   * ahead of the encoder. When the iterable throws, ffmpeg is killed and `run` rejects with that error.
   * Without it, standard input is closed.
   */
  input?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** What a successful run leaves behind. */
export interface FfmpegRunResult {
  /** Last bytes of stderr (at most {@link STDERR_TAIL_BYTES}); the ebur128 meter prints its summary here. */
  stderrTail: string;
  /** Wall time of the process, seconds. */
  wallSeconds: number;
}

/** Bytes of stderr kept for error messages (docs/design/composition.md, "Runner": keep the last few KB). */
export const STDERR_TAIL_BYTES = 8192;
/** Grace between SIGTERM and SIGKILL, milliseconds. */
const KILL_GRACE_MS = 2000;

/**
 * Spawns ffmpeg with an argv array (never a shell), reads `-progress pipe:1`, keeps the tail of stderr,
 * and enforces an overall timeout, a stall watchdog and cancellation (SIGTERM, then SIGKILL after 2 s).
 * Plain class with no Nest dependency; a Nest module may provide it as a value.
 */
export class FfmpegRunner {
  constructor(readonly binaries: FfmpegBinaries = DEFAULT_BINARIES) {}

  /**
   * Runs `ffmpeg -hide_banner -nostdin -progress pipe:1 -nostats <args>`.
   *
   * @throws CancelledError when `options.signal` fires (the child is killed first)
   * @throws AppError `TIMEOUT` (retryable) on overall timeout or stall
   * @throws AppError `options.errorCode` (not retryable) on a non-zero exit or spawn failure, with the
   *   stderr tail in `details.stderr`
   */
  run(args: readonly string[], options: FfmpegRunOptions): Promise<FfmpegRunResult> {
    const label = options.label ?? 'ffmpeg';
    if (options.signal?.aborted) return Promise.reject(new CancelledError(`${label} cancelled before start`));
    const started = Date.now();
    const stallMs = options.stallTimeoutMs ?? 20_000;
    const argv = ['-hide_banner', '-nostdin', '-progress', 'pipe:1', '-nostats', ...args];

    return new Promise<FfmpegRunResult>((resolve, reject) => {
      const [command, commandArgs] = withParentDeathSignal(this.binaries.ffmpegPath, argv);
      const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      let progressRest = '';
      let failure: AppError | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let settled = false;

      const terminate = (reason: AppError): void => {
        if (failure) return;
        failure = reason;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        killTimer.unref();
      };
      const overallTimer = setTimeout(
        () => terminate(new AppError('TIMEOUT', `${label} exceeded ${options.timeoutMs} ms`, { retryable: true, details: { label } })),
        options.timeoutMs,
      );
      let stallTimer = setTimeout(onStall, stallMs);
      function onStall(): void {
        terminate(new AppError('TIMEOUT', `${label} made no progress for ${stallMs} ms`, { retryable: true, details: { label } }));
      }
      const onAbort = (): void => terminate(new CancelledError(`${label} cancelled`));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const parsed = parseProgress(progressRest + chunk);
        progressRest = parsed.rest;
        if (parsed.updates.length === 0) return;
        clearTimeout(stallTimer);
        stallTimer = setTimeout(onStall, stallMs);
        const last = parsed.updates[parsed.updates.length - 1];
        if (last.outTimeSeconds !== undefined) options.onProgress?.(last.outTimeSeconds);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
      });

      // ffmpeg may stop reading early (an error, -frames reached, a kill): EPIPE is its exit's story, told below.
      child.stdin.on('error', () => undefined);
      if (options.input) {
        pumpInput(options.input, child.stdin, () => failure !== undefined || settled).catch((err: unknown) =>
          terminate(err instanceof AppError ? err : new AppError(options.errorCode, `${label}: input failed: ${(err as Error).message}`, { cause: err, details: { label } })),
        );
      } else {
        child.stdin.end();
      }

      const finish = (err: AppError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(overallTimer);
        clearTimeout(stallTimer);
        if (killTimer) clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve({ stderrTail: stderr, wallSeconds: (Date.now() - started) / 1000 });
      };
      child.on('error', (err) =>
        finish(new AppError(options.errorCode, `${label}: cannot start ffmpeg: ${err.message}`, { cause: err, details: { label } })),
      );
      child.on('close', (code, sig) => {
        if (failure) return finish(failure);
        if (code === 0) return finish(undefined);
        finish(
          new AppError(options.errorCode, `${label}: ffmpeg exited with ${code ?? sig}: ${lastLine(stderr)}`, {
            details: { label, exitCode: code, signal: sig, stderr },
          }),
        );
      });
    });
  }
}

/**
 * Writes `input` to `stdin` chunk by chunk, waiting for each write to be taken (or for `drain`), then ends it.
 * Stops pulling as soon as `stopped()` says the process is finishing or the pipe is gone.
 */
async function pumpInput(input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, stdin: Writable, stopped: () => boolean): Promise<void> {
  for await (const chunk of input) {
    if (stopped() || stdin.destroyed) return;
    if (!stdin.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    }
  }
  if (!stopped() && !stdin.destroyed) stdin.end();
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Filters and encoders the media layer relies on (docs/design/composition.md, "ffmpeg 5.1: what the render relies on"). */
const REQUIRED_FILTERS = ['xfade', 'ebur128', 'overlay', 'aevalsrc', 'aloop', 'tpad', 'lutyuv'];
const REQUIRED_ENCODERS = ['libx264', 'aac'];

/**
 * Startup check (docs/conventions.md, "Fail at startup"): ffmpeg and ffprobe run, and ffmpeg has the filters and
 * encoders this layer uses.
 *
 * @returns the ffmpeg version line
 * @throws AppError `SERVICE_UNAVAILABLE` naming what is missing
 */
export async function assertFfmpegAvailable(binaries: FfmpegBinaries = DEFAULT_BINARIES): Promise<string> {
  const version = await execText(binaries.ffmpegPath, ['-hide_banner', '-version']);
  await execText(binaries.ffprobePath, ['-hide_banner', '-version']);
  const filters = await execText(binaries.ffmpegPath, ['-hide_banner', '-filters']);
  const encoders = await execText(binaries.ffmpegPath, ['-hide_banner', '-encoders']);
  const missing = [
    ...REQUIRED_FILTERS.filter((f) => !new RegExp(`\\s${f}\\s`).test(filters)).map((f) => `filter ${f}`),
    ...REQUIRED_ENCODERS.filter((e) => !new RegExp(`\\s${e}\\s`).test(encoders)).map((e) => `encoder ${e}`),
  ];
  if (missing.length > 0) {
    throw new AppError('SERVICE_UNAVAILABLE', `ffmpeg at ${binaries.ffmpegPath} lacks ${missing.join(', ')}`);
  }
  return version.split('\n')[0] ?? '';
}

function execText(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(new AppError('SERVICE_UNAVAILABLE', `cannot run ${file}: ${err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** util-linux `setpriv`, present on Debian; absent elsewhere (then ffmpeg runs directly). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/**
 * Wraps a command so the kernel SIGKILLs it when this process dies (`setpriv --pdeathsig KILL`): a worker
 * killed mid-render must not leave an orphaned ffmpeg burning the CPU its replacement needs (docs/design/saga.md,
 * "Crash testing"). Pure apart from the one-time lookup of `setpriv`.
 */
export function withParentDeathSignal(command: string, args: readonly string[], setpriv: string | null = SETPRIV): [string, string[]] {
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
}
