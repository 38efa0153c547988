import type { StageName } from '@app/contracts';
import { checkHttpContractPrices, type HttpContractPrices } from '../src/providers/http/http-contract.pricing';
import { checkOpenAiPrices, type OpenAiPrice } from '../src/providers/openai/openai.pricing';
import { checkReplicatePrices, type ReplicatePrice } from '../src/providers/replicate/replicate.pricing';
import { loadSimLatencies } from '../src/providers/sim/sim-latency';
import type { SimSettings } from '../src/providers/sim/sim.providers';
import { loadHttpContractPrices, loadHttpContractSettings, type HttpContractSettings } from './providers/http-contract.config';
import { localCompositionSettings, type LocalCompositionSettings } from './providers/local.config';
import { loadOpenAiPrices, loadOpenAiSettings, type OpenAiSettings } from './providers/openai.config';
import { loadReplicatePrices, loadReplicateSettings, type ReplicateSettings } from './providers/replicate.config';
import { loadResilienceSettings, type ResilienceSettings } from './providers/resilience.config';

/**
 * Provider choice per stage (docs/providers.md), composed with each vendor's settings (config/providers/*.config.ts)
 * and price table (beside its adapter, src/providers/<vendor>/*.pricing.ts), and the checks that span them.
 * `local` is the default on every stage so a fresh machine makes a real ad offline with no API key. Every
 * variable is documented in `config/.env.example`.
 */

/** Prompt parsing providers: the offline planner, OpenAI chat completions, or the team's `/parse` service. */
export const PROMPT_PARSER_PROVIDERS = ['local', 'openai', 'http'] as const;
/** Reference image providers. */
export const IMAGE_PROVIDERS = ['local', 'replicate', 'http'] as const;
/** Clip providers. */
export const VIDEO_PROVIDERS = ['local', 'replicate', 'http'] as const;
/** Composition providers (Replicate has no compositor: composition is ffmpeg, local or the team's service). */
export const COMPOSITION_PROVIDERS = ['local', 'http'] as const;

/**
 * Every stage also accepts `sim`: waits only, for benchmarks and tests (src/providers/sim,
 * docs/design/performance.md). Not listed with the production providers in messages.
 */
export const SIM_PROVIDER = 'sim';

export type PromptParserProvider = (typeof PROMPT_PARSER_PROVIDERS)[number] | typeof SIM_PROVIDER;
export type ImageProvider = (typeof IMAGE_PROVIDERS)[number] | typeof SIM_PROVIDER;
export type VideoProvider = (typeof VIDEO_PROVIDERS)[number] | typeof SIM_PROVIDER;
export type CompositionProvider = (typeof COMPOSITION_PROVIDERS)[number] | typeof SIM_PROVIDER;

/** Stage names as the price and timeout tables use them: the pipeline's own (`@app/contracts` STAGES). */
export type ProviderStage = StageName;

/** All price tables. */
export interface PriceTables {
  openai: Record<string, OpenAiPrice>;
  replicate: Record<string, ReplicatePrice>;
  http: HttpContractPrices;
}

/** Provider settings, parsed once at startup. */
export interface ProvidersConfig {
  promptParser: PromptParserProvider;
  image: ImageProvider;
  /**
   * Provider of the storyboard stills (STORYBOARD_PROVIDER). Default `local`: stills drawn offline from the
   * reference image, whichever provider made it, so a v1 job costs what it did before the storyboard stage
   * (docs/api.md, "Storyboard"); `sim` when IMAGE_PROVIDER is `sim`.
   */
  storyboard: ImageProvider;
  video: VideoProvider;
  composition: CompositionProvider;
  openai: OpenAiSettings;
  replicate: ReplicateSettings;
  http: HttpContractSettings;
  resilience: ResilienceSettings;
  prices: PriceTables;
  /** Latencies of the `sim` providers (`SIM_LATENCY_<STAGE>`, docs/design/performance.md). */
  sim: SimSettings;
  /** Exports and brand font of the local compositor and text renderer (`EXPORT_GIF`, `EXPORT_WEBM`, `BRAND_FONT_FILE`). */
  local: LocalCompositionSettings;
}

/**
 * Reads the provider of each stage and the settings and prices of every vendor from the environment.
 * @returns the settings and a list of problems (empty when valid); the caller refuses to start on problems.
 */
export function loadProvidersConfig(env: NodeJS.ProcessEnv): { config: ProvidersConfig; problems: string[] } {
  const problems: string[] = [];
  const pick = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = (env[name] ?? 'local').trim().toLowerCase();
    if (value === SIM_PROVIDER) return value as T;
    if (!(allowed as readonly string[]).includes(value)) {
      problems.push(`${name}: unsupported provider "${value}" (supported: ${allowed.join(', ')})`);
      return 'local' as T;
    }
    return value as T;
  };

  const promptParser = pick('PROMPT_PARSER_PROVIDER', PROMPT_PARSER_PROVIDERS);
  const image = pick('IMAGE_PROVIDER', IMAGE_PROVIDERS);
  const storyboard: ImageProvider = env.STORYBOARD_PROVIDER
    ? pick('STORYBOARD_PROVIDER', IMAGE_PROVIDERS)
    : (image as ImageProvider) === SIM_PROVIDER
      ? SIM_PROVIDER
      : 'local';
  const video = pick('VIDEO_PROVIDER', VIDEO_PROVIDERS);
  const composition = pick('COMPOSITION_PROVIDER', COMPOSITION_PROVIDERS);

  const openai = loadOpenAiSettings(env, problems);
  const replicate = loadReplicateSettings(env, problems);
  const http = loadHttpContractSettings(env, problems);

  // A chosen provider without its key or URL is a startup error, not a 3 a.m. one (docs/conventions.md, "Fail at startup").
  if (promptParser === 'openai' && !openai.apiKey.isSet) problems.push('PROMPT_PARSER_PROVIDER=openai needs OPENAI_API_KEY');
  if ((image === 'replicate' || storyboard === 'replicate' || video === 'replicate') && !replicate.apiToken.isSet) {
    const which = image === 'replicate' ? 'IMAGE_PROVIDER' : storyboard === 'replicate' ? 'STORYBOARD_PROVIDER' : 'VIDEO_PROVIDER';
    problems.push(`${which}=replicate needs REPLICATE_API_TOKEN`);
  }
  if (promptParser === 'http' && !http.promptParserUrl) problems.push('PROMPT_PARSER_PROVIDER=http needs PROMPT_PARSER_URL');
  if (image === 'http' && !http.imageGenUrl) problems.push('IMAGE_PROVIDER=http needs IMAGE_GEN_URL');
  if (storyboard === 'http' && !http.imageGenUrl) problems.push('STORYBOARD_PROVIDER=http needs IMAGE_GEN_URL (the image service renders each scene)');
  if (video === 'http' && !http.videoGenUrl) problems.push('VIDEO_PROVIDER=http needs VIDEO_GEN_URL');
  if (composition === 'http' && !http.compositionUrl) problems.push('COMPOSITION_PROVIDER=http needs COMPOSITION_URL');

  const resilience = loadResilienceSettings(env, problems);

  // Every table is parsed before any is checked: parse problems (invalid JSON, a bad number) are listed first.
  const prices: PriceTables = {
    openai: loadOpenAiPrices(env, problems, openai.model),
    replicate: loadReplicatePrices(env, problems),
    http: loadHttpContractPrices(env, problems),
  };
  problems.push(...checkOpenAiPrices(prices.openai), ...checkReplicatePrices(prices.replicate), ...checkHttpContractPrices(prices.http));
  // A chosen model needs a price: the cost cap is checked against its estimate (docs/providers.md, "Cost model").
  const unpriced = (models: string[]): void => {
    for (const m of models) if (!prices.replicate[m]) problems.push(`REPLICATE_PRICES_JSON: no price for model "${m}"`);
  };
  if (promptParser === 'openai' && !prices.openai[openai.model]) problems.push(`OPENAI_PRICES_JSON: no price for model "${openai.model}"`);
  if (image === 'replicate') unpriced([replicate.imageModel]);
  if (storyboard === 'replicate') unpriced([replicate.storyboardModel, replicate.storyboardHdModel]);
  if (video === 'replicate') unpriced(replicate.videoModels);

  const sim = loadSimLatencies(env);
  problems.push(...sim.problems);
  let local: LocalCompositionSettings = { exportGif: false, exportWebm: false, brandFontFile: null };
  try {
    local = localCompositionSettings(env);
  } catch (err) {
    problems.push((err as Error).message);
  }

  return {
    config: {
      promptParser,
      image,
      storyboard,
      video,
      composition,
      openai,
      replicate,
      http,
      resilience,
      prices,
      sim: { latency: sim.latency, defaultLatency: sim.defaultLatency },
      local,
    },
    problems,
  };
}
