import type { ProviderContext } from './ports';

/**
 * A {@link ProviderContext} for running a provider outside the stage runner (benchmarks, scripts, media
 * tests): no lease to renew and nothing to resume, so heartbeats and resume tokens go nowhere.
 * @param signal abort signal to honour; a fresh, never-aborted one by default
 */
export function standaloneContext(jobId: string, workDir: string, attemptId: string, signal: AbortSignal = new AbortController().signal): ProviderContext {
  return {
    jobId,
    attemptId,
    signal,
    workDir,
    heartbeat: () => undefined,
    resumeToken: null,
    saveResumeToken: async () => undefined,
  };
}
