import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { acceptAdPlan, AD_PLAN_JSON_SCHEMA, type AdPlan, type PromptParsingInput } from '@app/contracts';
import type { OpenAiSettings } from '../../../config/providers/openai.config';
import { openAiCostUsd, type OpenAiPrice } from './openai.pricing';
import { PromptPlanner, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError, faultOfStatus, parseRetryAfterMs } from '../provider.errors';
import { CallTally, type ProviderResilience } from '../resilience';
import { plannerSystemPrompt, plannerUserMessage, repairMessage, toStrictSchema } from './openai.mappers';

const STAGE = 'prompt_parsing' as const;

/**
 * Maps what the openai SDK throws to a {@link ProviderError} by class and status
 * (https://github.com/openai/openai-node#handling-errors). Aborts pass through for the policy to read.
 */
export function classifyOpenAiError(err: unknown): unknown {
  if (err instanceof APIUserAbortError) return err;
  if (err instanceof APIConnectionTimeoutError) return new ProviderError('timeout', STAGE, 'openai request timed out', { cause: err });
  if (err instanceof APIConnectionError) return new ProviderError('connection', STAGE, 'openai unreachable', { cause: err });
  if (err instanceof APIError && typeof err.status === 'number') {
    // `code` is the API's typed error code (https://platform.openai.com/docs/guides/error-codes).
    const fault = err.code === 'content_policy_violation' ? 'content_policy' : (faultOfStatus(err.status) ?? 'invalid_output');
    return new ProviderError(fault, STAGE, `openai answered ${err.status}: ${err.message.slice(0, 300)}`, {
      status: err.status,
      retryAfterMs: fault === 'rate_limited' && err.headers ? parseRetryAfterMs(err.headers as Headers) : undefined, // instanceof leaves the type arguments any
      cause: err,
    });
  }
  // The SDK parses a 2xx JSON body itself: a SyntaxError means the body was not JSON.
  if (err instanceof SyntaxError) return new ProviderError('invalid_output', STAGE, `openai answered with a body that is not JSON: ${err.message.slice(0, 120)}`, { cause: err });
  return err;
}

/** Outcome of one completion: the parsed plan candidate or why it is unusable. */
type Candidate = { kind: 'json'; value: unknown; raw: string } | { kind: 'unparsable'; raw: string };

/**
 * Ad planning with OpenAI chat completions and a strict JSON-schema structured output of the ad plan
 * (https://platform.openai.com/docs/guides/structured-outputs). The answer is checked with the same
 * `validateAdPlan` the local planner satisfies, after `repairAdPlan` has fixed what arithmetic can (durations,
 * overlay times, numbering, colours; recorded in `plan.adjustments`); on remaining problems ONE repair call sends them back, then the stage
 * fails with `PROMPT_PARSING_FAILED`. The SDK's own retries are off (`maxRetries: 0`): the resilience policy
 * retries. Cost: `usage` tokens × the model's price per 1M tokens, billed per call (repairs included).
 */
export class OpenAiPromptPlanner extends PromptPlanner {
  readonly name = 'openai';
  private readonly client: OpenAI;
  private readonly schema = toStrictSchema(AD_PLAN_JSON_SCHEMA);

  constructor(
    private readonly settings: OpenAiSettings,
    private readonly price: OpenAiPrice,
    private readonly resilience: ProviderResilience,
  ) {
    super();
    this.client = new OpenAI({ apiKey: settings.apiKey.reveal(), baseURL: settings.baseUrl, maxRetries: 0 });
  }

  /**
   * @returns a plan satisfying `validateAdPlan(plan, input.duration)`; cost in USD; attempts (calls made)
   * @throws ProviderError `PROMPT_PARSING_FAILED` (refusal, invalid plan after the repair, 4xx), `TIMEOUT`,
   *   `RATE_LIMIT_EXCEEDED`, `SERVICE_UNAVAILABLE`, with attempts and partial cost; CancelledError
   */
  async plan(input: PromptParsingInput, ctx: ProviderContext): Promise<ProviderResult<AdPlan>> {
    const started = Date.now();
    const tally = new CallTally();
    const policy = this.resilience.policy({ provider: this.name, stage: STAGE });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: plannerSystemPrompt() },
      { role: 'user', content: plannerUserMessage(input) },
    ];
    let problems: string[] = [];
    for (let round = 0; round < 2; round++) {
      const candidate = await policy.execute(tally, ctx.signal, (signal) => this.complete(messages, signal, tally));
      ctx.heartbeat();
      // Arithmetic first (docs/design/plan-repair.md): only what it cannot fix goes back to the model.
      const accepted = candidate.kind === 'json' ? acceptAdPlan(candidate.value, input.duration) : null;
      problems = accepted ? accepted.problems : ['the answer is not valid JSON'];
      if (accepted?.plan) {
        return {
          output: accepted.plan,
          costUsd: tally.costUsd,
          processingTimeSeconds: (Date.now() - started) / 1000,
          provider: this.name,
          attempts: tally.attempts,
          metadata: { model: this.settings.model, repaired: round > 0, adjusted: accepted.adjustments.length },
        };
      }
      messages.push({ role: 'assistant', content: candidate.raw }, { role: 'user', content: repairMessage(problems, input.duration) });
    }
    throw Object.assign(
      new ProviderError('invalid_output', STAGE, `openai plan still invalid after one repair: ${problems.slice(0, 5).join('; ')}`, {
        details: { service: this.name, attempts: tally.attempts, last_error: problems.slice(0, 5).join('; '), problems: problems.slice(0, 20) },
      }),
      { attempts: tally.attempts, costUsd: tally.costUsd },
    );
  }

  /** One chat completion; bills its usage as soon as it arrives. */
  private async complete(messages: ChatCompletionMessageParam[], signal: AbortSignal, tally: CallTally): Promise<Candidate> {
    let completion: ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(
        {
          model: this.settings.model,
          messages,
          temperature: 0.7,
          response_format: { type: 'json_schema', json_schema: { name: 'ad_plan', strict: true, schema: this.schema } },
        },
        { signal },
      );
    } catch (err) {
      throw classifyOpenAiError(err);
    }
    if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices)) {
      throw new ProviderError('invalid_output', STAGE, 'openai answered without choices');
    }
    if (completion.usage) {
      tally.bill(openAiCostUsd(this.price, { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens }));
    }
    const choice = completion.choices[0];
    if (!choice) throw new ProviderError('invalid_output', STAGE, 'openai answered with no choice');
    if (choice.message.refusal || choice.finish_reason === 'content_filter') {
      throw new ProviderError('content_policy', STAGE, `openai refused the request: ${(choice.message.refusal ?? 'content filter').slice(0, 200)}`);
    }
    const raw = choice.message.content ?? '';
    try {
      return { kind: 'json', value: JSON.parse(raw) as unknown, raw };
    } catch {
      return { kind: 'unparsable', raw };
    }
  }
}
