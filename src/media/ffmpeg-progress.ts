/**
 * One block of ffmpeg's `-progress` output (key=value lines ending with `progress=continue|end`).
 * Fields are absent when ffmpeg printed `N/A` (for instance `out_time_us` before the first frame).
 */
export interface ProgressUpdate {
  /** Output frames written so far. */
  frame?: number;
  /** Encoding speed in frames per second. */
  fps?: number;
  /** Output timestamp reached, seconds. */
  outTimeSeconds?: number;
  /** Bytes written to the output so far. */
  totalSizeBytes?: number;
  /** Speed relative to realtime (`1.5` for `1.5x`). */
  speed?: number;
  /** True on the final block (`progress=end`). */
  done: boolean;
}

/** Result of {@link parseProgress}: the complete blocks and the unconsumed tail to prepend to the next chunk. */
export interface ParsedProgress {
  updates: ProgressUpdate[];
  rest: string;
}

function finiteOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '' || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses ffmpeg `-progress pipe:1` text. Pure: feed it the previous `rest` plus the new chunk.
 * `out_time_us` is preferred; `out_time_ms` is also microseconds (a historical ffmpeg misnomer), and
 * `out_time=HH:MM:SS.micro` is the fallback. Negative times (seen before the first packet) are dropped.
 *
 * @param buffer text received so far that has not been consumed
 * @returns complete progress blocks, and the incomplete remainder
 */
export function parseProgress(buffer: string): ParsedProgress {
  const updates: ProgressUpdate[] = [];
  let fields = new Map<string, string>();
  let consumed = 0;
  let lineStart = 0;
  for (;;) {
    const nl = buffer.indexOf('\n', lineStart);
    if (nl < 0) break;
    const line = buffer.slice(lineStart, nl).replace(/\r$/, '');
    lineStart = nl + 1;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      fields.set(key, value);
      continue;
    }
    updates.push(toUpdate(fields, value === 'end'));
    fields = new Map();
    consumed = lineStart;
  }
  return { updates, rest: buffer.slice(consumed) };
}

function toUpdate(fields: Map<string, string>, done: boolean): ProgressUpdate {
  const update: ProgressUpdate = { done };
  const frame = finiteOrUndefined(fields.get('frame'));
  if (frame !== undefined) update.frame = frame;
  const fps = finiteOrUndefined(fields.get('fps'));
  if (fps !== undefined) update.fps = fps;
  const micros = finiteOrUndefined(fields.get('out_time_us')) ?? finiteOrUndefined(fields.get('out_time_ms'));
  const outTime = micros !== undefined ? micros / 1e6 : parseClock(fields.get('out_time'));
  if (outTime !== undefined && outTime >= 0) update.outTimeSeconds = outTime;
  const size = finiteOrUndefined(fields.get('total_size'));
  if (size !== undefined) update.totalSizeBytes = size;
  const speed = finiteOrUndefined(fields.get('speed')?.replace(/x$/, ''));
  if (speed !== undefined) update.speed = speed;
  return update;
}

/** `HH:MM:SS.ffffff` to seconds; undefined for `N/A` or malformed text. */
export function parseClock(text: string | undefined): number | undefined {
  const m = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? -seconds : seconds;
}
