import type { StageName } from '@app/contracts';
import type { ProviderContext } from '../ports';
import { ProviderError } from '../provider.errors';
import { requestJson } from '../remote-http';
import { CallTally, type ProviderResilience } from '../resilience';
import { envelopeProblems, failureMessageOf, type ContractEnvelope } from './http-contract.mappers';

/** A successful contract answer (docs/providers.md, "Stage services (HTTP contract)"). */
export interface ContractAnswer<T> {
  result: T;
  /** USD the service reports. */
  costUsd: number;
  /** Seconds the service reports. */
  processingTimeSeconds: number;
  metadata: Record<string, unknown>;
}

/**
 * Client of the team's stage services (docs/providers.md, "Stage services (HTTP contract)"):
 * `POST {base}{path}` with a JSON body, answered by `{success, result, cost, processing_time, metadata}`.
 * Non-2xx answers are classified by status; a 2xx that is not the envelope is `invalid_output`;
 * `success: false` is a permanent failure carrying the service's message. Each call runs under the stage's
 * policy (timeout, retries, breaker), with `then` (download and check of result files) inside the try.
 */
export class HttpContractClient {
  constructor(private readonly resilience: ProviderResilience) {}

  async call<T, R>(opts: {
    baseUrl: string;
    path: '/parse' | '/generate-image' | '/generate-video' | '/compose';
    body: Record<string, unknown>;
    stage: StageName;
    ctx: ProviderContext;
    tally: CallTally;
    then: (answer: ContractAnswer<T>, signal: AbortSignal) => Promise<R>;
  }): Promise<{ answer: ContractAnswer<T>; value: R }> {
    const policy = this.resilience.policy({ provider: 'http', stage: opts.stage });
    const url = `${opts.baseUrl}${opts.path}`;
    return policy.execute(opts.tally, opts.ctx.signal, async (signal) => {
      const res = await requestJson<ContractEnvelope<T>>({ method: 'POST', url, body: opts.body, signal, stage: opts.stage, service: `http ${opts.path}` });
      const problems = envelopeProblems(res.body);
      if (problems.length > 0) throw new ProviderError('invalid_output', opts.stage, `http ${opts.path} broke the contract: ${problems.join('; ')}`);
      const body = res.body;
      // A service may have spent money before failing; the contract's envelope reports it either way.
      opts.tally.bill(body.cost ?? 0);
      if (!body.success) {
        throw new ProviderError('remote_failed', opts.stage, `http ${opts.path} failed: ${failureMessageOf(body)}`, { details: { service_url: url } });
      }
      const answer: ContractAnswer<T> = {
        result: body.result as T,
        costUsd: body.cost ?? 0,
        processingTimeSeconds: body.processing_time ?? 0,
        metadata: body.metadata ?? {},
      };
      opts.ctx.heartbeat();
      return { answer, value: await opts.then(answer, signal) };
    });
  }
}

/** An absolute URL of a result file (services may answer paths relative to themselves). */
export function resolveResultUrl(url: unknown, baseUrl: string, stage: StageName, field: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new ProviderError('invalid_output', stage, `result has no ${field}`);
  try {
    return new URL(url, `${baseUrl}/`).href;
  } catch {
    throw new ProviderError('invalid_output', stage, `result ${field} is not a URL`);
  }
}
