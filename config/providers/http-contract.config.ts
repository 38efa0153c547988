import { DEFAULT_HTTP_PRICES, type HttpContractPrices } from '../../src/providers/http/http-contract.pricing';
import { envReader } from '../env-reader';

/** Base URLs of the team services (docs/providers.md, "Stage services (HTTP contract)"). */
export interface HttpContractSettings {
  promptParserUrl: string;
  imageGenUrl: string;
  videoGenUrl: string;
  compositionUrl: string;
}

/**
 * Reads `PROMPT_PARSER_URL`, `IMAGE_GEN_URL`, `VIDEO_GEN_URL` and `COMPOSITION_URL` ('' when unset; problems
 * pushed onto `problems`). Which of them are needed depends on the provider choice, so config/providers.config.ts
 * checks that.
 */
export function loadHttpContractSettings(env: NodeJS.ProcessEnv, problems: string[]): HttpContractSettings {
  const { url } = envReader(env, problems);
  return {
    promptParserUrl: url('PROMPT_PARSER_URL'),
    imageGenUrl: url('IMAGE_GEN_URL'),
    videoGenUrl: url('VIDEO_GEN_URL'),
    compositionUrl: url('COMPOSITION_URL'),
  };
}

/**
 * The team-service estimates: `HTTP_PRICES_JSON` (partial {@link HttpContractPrices}) merged over
 * {@link DEFAULT_HTTP_PRICES}. Its shape is checked by `checkHttpContractPrices`, after every table is read.
 */
export function loadHttpContractPrices(env: NodeJS.ProcessEnv, problems: string[]): HttpContractPrices {
  const { json } = envReader(env, problems);
  return { ...DEFAULT_HTTP_PRICES, ...(json<Partial<HttpContractPrices>>('HTTP_PRICES_JSON') ?? {}) };
}
