import { DEFAULT_OPENAI_PRICES, type OpenAiPrice } from '../../src/providers/openai/openai.pricing';
import { envReader } from '../env-reader';
import { Secret } from '../secret';

/** OpenAI settings (https://platform.openai.com/docs/api-reference/chat). */
export interface OpenAiSettings {
  apiKey: Secret;
  /** SDK base URL, including `/v1`. */
  baseUrl: string;
  model: string;
}

/**
 * Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `OPENAI_MODEL` (config/.env.example). Problems are pushed onto
 * `problems`; whether a key is needed depends on the provider choice, so config/providers.config.ts checks that.
 */
export function loadOpenAiSettings(env: NodeJS.ProcessEnv, problems: string[]): OpenAiSettings {
  const { url } = envReader(env, problems);
  return {
    apiKey: new Secret((env.OPENAI_API_KEY ?? '').trim()),
    baseUrl: url('OPENAI_BASE_URL', 'https://api.openai.com/v1'),
    model: (env.OPENAI_MODEL ?? 'gpt-4o-mini').trim(),
  };
}

/**
 * The OpenAI price table: `OPENAI_PRICES_JSON` (`{"model": {"inputPer1M": n, "outputPer1M": n}}`) merged over
 * {@link DEFAULT_OPENAI_PRICES}, then `OPENAI_PRICE_INPUT_PER_1M` / `OPENAI_PRICE_OUTPUT_PER_1M` set the price
 * of `model` (the configured one). Its shape is checked by `checkOpenAiPrices`, after every table is read.
 */
export function loadOpenAiPrices(env: NodeJS.ProcessEnv, problems: string[], model: string): Record<string, OpenAiPrice> {
  const { num, json } = envReader(env, problems);
  const prices: Record<string, OpenAiPrice> = { ...DEFAULT_OPENAI_PRICES, ...(json<Record<string, OpenAiPrice>>('OPENAI_PRICES_JSON') ?? {}) };
  if (env.OPENAI_PRICE_INPUT_PER_1M || env.OPENAI_PRICE_OUTPUT_PER_1M) {
    const current = prices[model] ?? { inputPer1M: 0, outputPer1M: 0 };
    prices[model] = {
      inputPer1M: num('OPENAI_PRICE_INPUT_PER_1M', current.inputPer1M, 0),
      outputPer1M: num('OPENAI_PRICE_OUTPUT_PER_1M', current.outputPer1M, 0),
    };
  }
  return prices;
}
