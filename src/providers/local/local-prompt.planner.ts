import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import type { PromptParsingInput, PromptParsingOutput } from '@app/contracts';
import { throwIfAborted } from '../../common/app-error';
import { PromptPlanner, type ProviderContext, type ProviderResult } from '../ports';
import { planAd } from './planner/ad-planner';

/**
 * {@link PromptPlanner} that plans offline with the deterministic {@link planAd}: no API key, no network, cost 0
 * (the $0.02-0.05 prompt-parsing target of docs/providers.md, "Cost model", is an LLM's price; this provider has none).
 *
 * @throws CancelledError when `ctx.signal` has fired before the call
 * @throws AppError `PROMPT_PARSING_FAILED` (permanent) from {@link planAd}
 */
@Injectable()
export class LocalPromptPlanner extends PromptPlanner {
  readonly name = 'local';

  plan(input: PromptParsingInput, ctx: ProviderContext): Promise<ProviderResult<PromptParsingOutput>> {
    // A throw inside the executor rejects the promise, so callers always get a rejection, never a sync throw.
    return new Promise((resolve) => {
      // Planning is synchronous and takes about a millisecond: one cancellation check before it is enough.
      throwIfAborted(ctx.signal);
      const startedMs = performance.now();
      const output = planAd(input);
      resolve({
        output,
        costUsd: 0,
        processingTimeSeconds: (performance.now() - startedMs) / 1000,
        provider: this.name,
        attempts: 1,
        metadata: { framework: output.framework, scenes: output.scenes.length },
      });
    });
  }
}
