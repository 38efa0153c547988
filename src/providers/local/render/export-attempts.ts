import type { ExportFailure, ExtraExportFormat } from '@app/contracts';
import { AppError, CancelledError, throwIfAborted } from '../../../common/app-error';

/** Tries of one export: the first run and one retry (docs/design/composition.md, "Exports"). */
export const EXPORT_TRIES = 2;

/** What one export came to: its value, or the failure to list. */
export type ExportOutcome<T> = { ok: true; value: T; tries: number } | { ok: false; failure: ExportFailure; tries: number };

/**
 * Runs one export up to {@link EXPORT_TRIES} times and turns a last failure into an {@link ExportFailure}
 * instead of an error: a failed export is skipped and listed, the ad itself is delivered.
 * @param run one try (1-based try number); each try is its own ffmpeg run
 * @throws CancelledError when `signal` fires (before, during or between tries): cancellation is never an
 *   export failure
 */
export async function attemptExport<T>(format: ExtraExportFormat, run: (tryNumber: number) => Promise<T>, signal?: AbortSignal): Promise<ExportOutcome<T>> {
  let last: unknown;
  for (let n = 1; n <= EXPORT_TRIES; n++) {
    throwIfAborted(signal);
    try {
      return { ok: true, value: await run(n), tries: n };
    } catch (err) {
      if (err instanceof CancelledError || signal?.aborted) throw err instanceof CancelledError ? err : new CancelledError(String(signal?.reason ?? 'cancelled'));
      last = err;
    }
  }
  const code = last instanceof AppError ? last.code : 'COMPOSITION_FAILED';
  const message = last instanceof Error ? last.message : String(last);
  return { ok: false, failure: { format, code, message: message.slice(0, 500) }, tries: EXPORT_TRIES };
}
