import type { AdPlan, PromptParsingInput } from '@app/contracts';
import type { HttpContractSettings } from '../../../config/providers/http-contract.config';
import { PromptPlanner, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { CallTally } from '../resilience';
import type { HttpContractClient } from './http-contract.client';
import { toAdPlan, toParseRequest } from './http-contract.mappers';

/** Prompt parsing on the team's service: `POST {PROMPT_PARSER_URL}/parse` (docs/providers.md, "Stage services (HTTP contract)"). */
export class HttpPromptPlanner extends PromptPlanner {
  readonly name = 'http';
  constructor(private readonly client: HttpContractClient, private readonly settings: HttpContractSettings) {
    super();
  }

  /**
   * @returns the service's plan, mapped and checked with `validateAdPlan`; the service's cost (USD)
   * @throws ProviderError `PROMPT_PARSING_FAILED` (success false, invalid plan), `TIMEOUT`, `RATE_LIMIT_EXCEEDED`,
   *   `SERVICE_UNAVAILABLE`; CancelledError
   */
  async plan(input: PromptParsingInput, ctx: ProviderContext): Promise<ProviderResult<AdPlan>> {
    const tally = new CallTally();
    const { answer, value } = await this.client.call({
      baseUrl: this.settings.promptParserUrl,
      path: '/parse',
      body: toParseRequest(input),
      stage: 'prompt_parsing',
      ctx,
      tally,
      then: async (a: { result: unknown }) => {
        const mapped = toAdPlan(a.result, input);
        if (!mapped.plan) throw new ProviderError('invalid_output', 'prompt_parsing', `http /parse returned an invalid plan: ${mapped.problems.slice(0, 5).join('; ')}`);
        return mapped.plan;
      },
    });
    return { output: value, costUsd: tally.costUsd, processingTimeSeconds: answer.processingTimeSeconds, provider: this.name, attempts: tally.attempts, metadata: answer.metadata };
  }
}
