import { AppError, CancelledError } from '../../../common/app-error';
import { attemptExport, EXPORT_TRIES } from './export-attempts';

describe('attemptExport', () => {
  it('should return the first try that works', async () => {
    const tries: number[] = [];
    const outcome = await attemptExport('gif', async (n) => {
      tries.push(n);
      return `file-${n}`;
    });
    expect(outcome).toEqual({ ok: true, value: 'file-1', tries: 1 });
    expect(tries).toEqual([1]);
  });

  it('should retry once after a failure', async () => {
    const outcome = await attemptExport('webm', async (n) => {
      if (n === 1) throw new AppError('TIMEOUT', 'webm export ran past 60000 ms', { retryable: true });
      return 'ok';
    });
    expect(outcome).toEqual({ ok: true, value: 'ok', tries: 2 });
  });

  it('should skip the export with the last error after both tries fail', async () => {
    const tries: number[] = [];
    const outcome = await attemptExport('mp4:16:9', async (n) => {
      tries.push(n);
      throw new AppError(n === 1 ? 'TIMEOUT' : 'COMPOSITION_FAILED', `try ${n} failed`);
    });
    expect(tries).toEqual([1, 2]);
    expect(EXPORT_TRIES).toBe(2);
    expect(outcome).toEqual({ ok: false, failure: { format: 'mp4:16:9', code: 'COMPOSITION_FAILED', message: 'try 2 failed' }, tries: 2 });
  });

  it('should list an untyped error as COMPOSITION_FAILED with a bounded message', async () => {
    const outcome = await attemptExport('gif', async () => {
      throw new Error('x'.repeat(2000));
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.failure).toEqual({ format: 'gif', code: 'COMPOSITION_FAILED', message: 'x'.repeat(500) });
  });

  it('should let a cancellation through instead of listing it, and not retry', async () => {
    let calls = 0;
    await expect(
      attemptExport('gif', async () => {
        calls++;
        throw new CancelledError('job cancelled');
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(1);
  });

  it('should treat a failure after the signal fired as a cancellation', async () => {
    const abort = new AbortController();
    await expect(
      attemptExport(
        'webm',
        async () => {
          abort.abort('shutdown');
          throw new AppError('COMPOSITION_FAILED', 'ffmpeg killed');
        },
        abort.signal,
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
