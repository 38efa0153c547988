import { isNonNegativeUsd } from '../../common/money';

/** OpenAI price of one model, USD per 1 000 000 tokens (https://openai.com/api/pricing). */
export interface OpenAiPrice {
  inputPer1M: number;
  outputPer1M: number;
}

/**
 * Default OpenAI prices, USD per 1M tokens (https://openai.com/api/pricing, standard tier, 2025):
 * gpt-4o-mini $0.15 in / $0.60 out; gpt-4o $2.50 in / $10.00 out.
 */
export const DEFAULT_OPENAI_PRICES: Readonly<Record<string, OpenAiPrice>> = {
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
};

/** USD of one chat completion: tokens × price per 1M tokens (https://openai.com/api/pricing). */
export function openAiCostUsd(price: OpenAiPrice, usage: { promptTokens: number; completionTokens: number }): number {
  return (usage.promptTokens * price.inputPer1M + usage.completionTokens * price.outputPer1M) / 1_000_000;
}

/**
 * Shape check of an OpenAI price table as configured (`OPENAI_PRICES_JSON` merged over the defaults). Pure.
 * @returns one problem per model without numeric `inputPer1M` and `outputPer1M` >= 0
 */
export function checkOpenAiPrices(table: object): string[] {
  const problems: string[] = [];
  for (const [model, p] of Object.entries(table)) {
    const price = p as Partial<OpenAiPrice> | null;
    if (!price || !isNonNegativeUsd(price.inputPer1M) || !isNonNegativeUsd(price.outputPer1M)) {
      problems.push(`OPENAI_PRICES_JSON: "${model}" needs numeric inputPer1M and outputPer1M >= 0`);
    }
  }
  return problems;
}
