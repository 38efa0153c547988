import { inspect } from 'node:util';
import { STAGE_TIMEOUT_SECONDS, type StageName } from '@app/contracts';
import { envReader } from './env-reader';
import { loadSimLatencies } from '../src/providers/sim/sim-latency';
import type { SimSettings } from '../src/providers/sim/sim.providers';

/**
 * Provider choice per stage and everything the hosted / remote providers need (docs/providers.md): keys, URLs, models,
 * per-stage timeouts, the retry and circuit-breaker settings, and the price tables the cost estimate and the
 * adapters' cost accounting use. `local` is the default on every stage so a fresh machine makes a real ad
 * offline with no API key. Every variable is documented in `config/.env.example`.
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

/**
 * A secret from the environment. It prints as `[redacted]` through `JSON.stringify`, `String()`, template
 * strings and `util.inspect` (pino, Nest and Jest all use one of these), so a config object logged by
 * mistake never leaks it; only {@link Secret.reveal} returns the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The raw value, for the one place that sends it (an Authorization header or an SDK constructor). */
  reveal(): string {
    return this.#value;
  }
  get isSet(): boolean {
    return this.#value.length > 0;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** OpenAI price of one model, USD per 1 000 000 tokens (https://openai.com/api/pricing). */
export interface OpenAiPrice {
  inputPer1M: number;
  outputPer1M: number;
}

/**
 * Replicate price of one model (https://replicate.com/pricing and each model page). Exactly one unit applies:
 * - `image`: USD per output image (flux-schnell $0.003; docs/providers.md, "Prices");
 * - `video_second`: USD per second of output video (the clip models: ~$0.05 per second; docs/providers.md, "Prices");
 * - `predict_second`: USD per second of `metrics.predict_time` (hardware-billed models).
 */
export interface ReplicatePrice {
  unit: 'image' | 'video_second' | 'predict_second';
  usd: number;
}

/**
 * Prices of the team services of the HTTP contract, used only for the *estimate* before a stage runs (the
 * services report their actual `cost` in each answer; docs/providers.md, "Cost model": target costs per 30-second ad).
 */
export interface HttpContractPrices {
  /** USD per parse call (target $0.02-0.05). */
  parseUsd: number;
  /** USD per reference image (target $0.10-0.30). */
  imageUsd: number;
  /** USD per second of clip (target: 4 clips $0.80-1.60 for 30 s, ~$0.04/s). */
  videoPerSecondUsd: number;
  /** USD per composition (target $0.05-0.10). */
  composeUsd: number;
}

/** All price tables. */
export interface PriceTables {
  openai: Record<string, OpenAiPrice>;
  replicate: Record<string, ReplicatePrice>;
  http: HttpContractPrices;
}

/**
 * Retry, timeout and breaker settings (docs/providers.md, "Timeouts", "Retry policy" and "Circuit breaker").
 * All policies built from these live in `src/providers/resilience.ts`.
 */
export interface ResilienceSettings {
  /** Per-attempt timeout per stage, seconds (docs/providers.md, "Timeouts": 10 / 15 / 120 / 90 / 30). */
  timeoutSeconds: Record<ProviderStage, number>;
  /** Retries after the first try on transient errors (default 3). */
  maxRetries: number;
  /** First backoff delay, milliseconds; doubles per retry (default 2 s, 4 s, 8 s). */
  retryBaseMs: number;
  /** Upper bound of one backoff delay including a server's Retry-After, milliseconds. */
  retryMaxDelayMs: number;
  /** Random extra delay, as a fraction of the backoff (0.2 = up to +20 %), so retries of many jobs spread out. */
  retryJitterRatio: number;
  /** Consecutive failed calls that open a breaker (default 5). */
  breakerThreshold: number;
  /** How long an open breaker fails fast before letting one trial call through, milliseconds (default 60 s). */
  breakerHalfOpenAfterMs: number;
}

/** OpenAI settings (https://platform.openai.com/docs/api-reference/chat). */
export interface OpenAiSettings {
  apiKey: Secret;
  /** SDK base URL, including `/v1`. */
  baseUrl: string;
  model: string;
}

/** Replicate settings (https://replicate.com/docs/reference/http). */
export interface ReplicateSettings {
  apiToken: Secret;
  /** API root, including `/v1`. */
  baseUrl: string;
  /** `owner/name` of the reference image model. */
  imageModel: string;
  /** `owner/name` of the storyboard still model (docs/api.md, "Storyboard providers and prices": flux-schnell by default). */
  storyboardModel: string;
  /** `owner/name` of the storyboard model for the `hd` style preset (flux-pro). */
  storyboardHdModel: string;
  /** `owner/name` of the clip models, tried in order (docs/providers.md, "Clip models": MiniMax first, Kling as fallback). */
  videoModels: string[];
  /** First poll delay, milliseconds; grows ×1.5 per poll up to {@link pollMaxMs}. */
  pollInitialMs: number;
  pollMaxMs: number;
}

/** Base URLs of the team services (docs/providers.md, "Stage services (HTTP contract)"). */
export interface HttpContractSettings {
  promptParserUrl: string;
  imageGenUrl: string;
  videoGenUrl: string;
  compositionUrl: string;
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
}

/**
 * Default OpenAI prices, USD per 1M tokens (https://openai.com/api/pricing, standard tier, 2025):
 * gpt-4o-mini $0.15 in / $0.60 out; gpt-4o $2.50 in / $10.00 out.
 */
export const DEFAULT_OPENAI_PRICES: Readonly<Record<string, OpenAiPrice>> = {
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
};

/**
 * Default Replicate prices (docs/providers.md, "Prices"). flux-schnell $0.003/image and flux-pro $0.055/image
 * (https://replicate.com/black-forest-labs/flux-pro lists $0.055 per image); MiniMax video-01 and Kling v1.6
 * standard ~$0.05 per second of video.
 */
export const DEFAULT_REPLICATE_PRICES: Readonly<Record<string, ReplicatePrice>> = {
  'black-forest-labs/flux-schnell': { unit: 'image', usd: 0.003 },
  'black-forest-labs/flux-pro': { unit: 'image', usd: 0.055 },
  'minimax/video-01': { unit: 'video_second', usd: 0.05 },
  'kwaivgi/kling-v1.6-standard': { unit: 'video_second', usd: 0.05 },
};

/** Default team-service estimates (upper ends of the per-30-second targets; docs/providers.md, "Cost model"). */
export const DEFAULT_HTTP_PRICES: Readonly<HttpContractPrices> = { parseUsd: 0.05, imageUsd: 0.3, videoPerSecondUsd: 0.0534, composeUsd: 0.1 };

/** MiniMax Video-01 primary, Kling as fallback (docs/providers.md, "Clip models"). */
export const DEFAULT_REPLICATE_VIDEO_MODELS = ['minimax/video-01', 'kwaivgi/kling-v1.6-standard'];

/**
 * Reads provider settings from the environment.
 * Price tables: `OPENAI_PRICES_JSON` (`{"model": {"inputPer1M": n, "outputPer1M": n}}`),
 * `REPLICATE_PRICES_JSON` (`{"owner/name": {"unit": "image"|"video_second"|"predict_second", "usd": n}}`)
 * and `HTTP_PRICES_JSON` (partial {@link HttpContractPrices}) are merged over the defaults;
 * `OPENAI_PRICE_INPUT_PER_1M` / `OPENAI_PRICE_OUTPUT_PER_1M` set the configured model's price.
 * @returns the settings and a list of problems (empty when valid); the caller refuses to start on problems.
 */
export function loadProvidersConfig(env: NodeJS.ProcessEnv): { config: ProvidersConfig; problems: string[] } {
  const problems: string[] = [];
  const { num, url, json } = envReader(env, problems);
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

  const openai: OpenAiSettings = {
    apiKey: new Secret((env.OPENAI_API_KEY ?? '').trim()),
    baseUrl: url('OPENAI_BASE_URL', 'https://api.openai.com/v1'),
    model: (env.OPENAI_MODEL ?? 'gpt-4o-mini').trim(),
  };
  const replicate: ReplicateSettings = {
    apiToken: new Secret((env.REPLICATE_API_TOKEN ?? '').trim()),
    baseUrl: url('REPLICATE_BASE_URL', 'https://api.replicate.com/v1'),
    imageModel: (env.REPLICATE_IMAGE_MODEL ?? 'black-forest-labs/flux-schnell').trim(),
    storyboardModel: (env.REPLICATE_STORYBOARD_MODEL ?? 'black-forest-labs/flux-schnell').trim(),
    storyboardHdModel: (env.REPLICATE_STORYBOARD_HD_MODEL ?? 'black-forest-labs/flux-pro').trim(),
    videoModels: (env.REPLICATE_VIDEO_MODELS ?? DEFAULT_REPLICATE_VIDEO_MODELS.join(','))
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    pollInitialMs: num('REPLICATE_POLL_INITIAL_MS', 1000, 10, 60_000),
    pollMaxMs: num('REPLICATE_POLL_MAX_MS', 5000, 10, 120_000),
  };
  const modelRef = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;
  for (const [name, models] of [
    ['REPLICATE_IMAGE_MODEL', [replicate.imageModel]],
    ['REPLICATE_STORYBOARD_MODEL', [replicate.storyboardModel]],
    ['REPLICATE_STORYBOARD_HD_MODEL', [replicate.storyboardHdModel]],
    ['REPLICATE_VIDEO_MODELS', replicate.videoModels],
  ] as const) {
    if (models.length === 0) problems.push(`${name}: at least one model is required`);
    for (const m of models) if (!modelRef.test(m)) problems.push(`${name}: expected owner/name, got "${m}"`);
  }
  const http: HttpContractSettings = {
    promptParserUrl: url('PROMPT_PARSER_URL'),
    imageGenUrl: url('IMAGE_GEN_URL'),
    videoGenUrl: url('VIDEO_GEN_URL'),
    compositionUrl: url('COMPOSITION_URL'),
  };

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

  const resilience: ResilienceSettings = {
    timeoutSeconds: {
      // Defaults: STAGE_TIMEOUT_SECONDS (docs/providers.md, "Timeouts").
      prompt_parsing: num('PROMPT_PARSER_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.prompt_parsing, 0.05, 3600),
      image_generation: num('IMAGE_GEN_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.image_generation, 0.05, 3600),
      storyboard: num('STORYBOARD_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.storyboard, 0.05, 3600),
      video_generation: num('VIDEO_GEN_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.video_generation, 0.05, 3600),
      composition: num('COMPOSITION_TIMEOUT_SECONDS', STAGE_TIMEOUT_SECONDS.composition, 0.05, 3600),
    },
    maxRetries: num('PROVIDER_MAX_RETRIES', 3, 0, 10),
    retryBaseMs: num('PROVIDER_RETRY_BASE_MS', 2000, 0, 60_000),
    retryMaxDelayMs: num('PROVIDER_RETRY_MAX_DELAY_MS', 30_000, 0, 600_000),
    retryJitterRatio: num('PROVIDER_RETRY_JITTER', 0.2, 0, 1),
    breakerThreshold: num('PROVIDER_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerHalfOpenAfterMs: num('PROVIDER_BREAKER_OPEN_SECONDS', 60, 0.01, 3600) * 1000,
  };

  const openaiPrices: Record<string, OpenAiPrice> = { ...DEFAULT_OPENAI_PRICES, ...(json<Record<string, OpenAiPrice>>('OPENAI_PRICES_JSON') ?? {}) };
  if (env.OPENAI_PRICE_INPUT_PER_1M || env.OPENAI_PRICE_OUTPUT_PER_1M) {
    const current = openaiPrices[openai.model] ?? { inputPer1M: 0, outputPer1M: 0 };
    openaiPrices[openai.model] = {
      inputPer1M: num('OPENAI_PRICE_INPUT_PER_1M', current.inputPer1M, 0),
      outputPer1M: num('OPENAI_PRICE_OUTPUT_PER_1M', current.outputPer1M, 0),
    };
  }
  const replicatePrices: Record<string, ReplicatePrice> = { ...DEFAULT_REPLICATE_PRICES, ...(json<Record<string, ReplicatePrice>>('REPLICATE_PRICES_JSON') ?? {}) };
  const httpPrices: HttpContractPrices = { ...DEFAULT_HTTP_PRICES, ...(json<Partial<HttpContractPrices>>('HTTP_PRICES_JSON') ?? {}) };
  problems.push(...checkPrices(openaiPrices, replicatePrices, httpPrices));
  if (promptParser === 'openai' && !openaiPrices[openai.model]) problems.push(`OPENAI_PRICES_JSON: no price for model "${openai.model}"`);
  if (image === 'replicate' && !replicatePrices[replicate.imageModel]) problems.push(`REPLICATE_PRICES_JSON: no price for model "${replicate.imageModel}"`);
  if (storyboard === 'replicate') {
    for (const m of [replicate.storyboardModel, replicate.storyboardHdModel]) if (!replicatePrices[m]) problems.push(`REPLICATE_PRICES_JSON: no price for model "${m}"`);
  }
  if (video === 'replicate') {
    for (const m of replicate.videoModels) if (!replicatePrices[m]) problems.push(`REPLICATE_PRICES_JSON: no price for model "${m}"`);
  }

  const sim = loadSimLatencies(env);
  problems.push(...sim.problems);

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
      prices: { openai: openaiPrices, replicate: replicatePrices, http: httpPrices },
      sim: { latency: sim.latency, defaultLatency: sim.defaultLatency },
    },
    problems,
  };
}

/** Shape checks of the price tables (pure). */
export function checkPrices(openai: object, replicate: object, http: object): string[] {
  const problems: string[] = [];
  const nonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  for (const [model, p] of Object.entries(openai)) {
    const price = p as Partial<OpenAiPrice> | null;
    if (!price || !nonNegative(price.inputPer1M) || !nonNegative(price.outputPer1M)) {
      problems.push(`OPENAI_PRICES_JSON: "${model}" needs numeric inputPer1M and outputPer1M >= 0`);
    }
  }
  for (const [model, p] of Object.entries(replicate)) {
    const price = p as Partial<ReplicatePrice> | null;
    if (!price || !['image', 'video_second', 'predict_second'].includes(String(price.unit)) || !nonNegative(price.usd)) {
      problems.push(`REPLICATE_PRICES_JSON: "${model}" needs unit image|video_second|predict_second and usd >= 0`);
    }
  }
  for (const [key, v] of Object.entries(http)) if (!nonNegative(v)) problems.push(`HTTP_PRICES_JSON: "${key}" must be a number >= 0`);
  return problems;
}

/** USD of one chat completion: tokens × price per 1M tokens (https://openai.com/api/pricing). */
export function openAiCostUsd(price: OpenAiPrice, usage: { promptTokens: number; completionTokens: number }): number {
  return (usage.promptTokens * price.inputPer1M + usage.completionTokens * price.outputPer1M) / 1_000_000;
}

/**
 * USD of one succeeded Replicate prediction from its price unit.
 * @param outcome output images, seconds of output video, and `metrics.predict_time` in seconds
 */
export function replicateCostUsd(price: ReplicatePrice, outcome: { images?: number; videoSeconds?: number; predictSeconds?: number }): number {
  switch (price.unit) {
    case 'image':
      return price.usd * (outcome.images ?? 1);
    case 'video_second':
      return price.usd * (outcome.videoSeconds ?? 0);
    case 'predict_second':
      return price.usd * (outcome.predictSeconds ?? 0);
  }
}

/**
 * Prompt + completion tokens a plan typically takes, for the estimate only: a ~900-token system prompt and
 * schema, a ~150-token request, a ~1 200-token plan; doubled for the one repair attempt.
 */
const PLAN_TOKENS_ESTIMATE = { promptTokens: 2 * 1100, completionTokens: 2 * 1200 };

/**
 * USD estimate of one stage for a job, from the configured provider's price table (local: 0). The saga
 * compares it with the cost cap before starting the stage (docs/providers.md, "Cost model": fail past
 * MAX_COST_PER_VIDEO). It errs high: the repair call, and the longest clip model of the fallback chain.
 * @param job scene durations and ad duration, seconds
 */
export function estimateStageCostUsd(
  providers: ProvidersConfig,
  stage: ProviderStage,
  job: { sceneSeconds: number[]; durationSeconds: number; hd?: boolean; stillsToGenerate?: number },
): number {
  const clipSeconds = job.sceneSeconds.length > 0 ? job.sceneSeconds : [job.durationSeconds];
  switch (stage) {
    case 'prompt_parsing': {
      if (providers.promptParser === 'openai') {
        const price = providers.prices.openai[providers.openai.model];
        return price ? openAiCostUsd(price, PLAN_TOKENS_ESTIMATE) : 0;
      }
      return providers.promptParser === 'http' ? providers.prices.http.parseUsd : 0;
    }
    case 'image_generation': {
      if (providers.image === 'replicate') {
        const price = providers.prices.replicate[providers.replicate.imageModel];
        // predict_second models: assume 10 s of hardware (flux-schnell runs in ~2 s; estimates err high, docs/providers.md "Cost model").
        return price ? replicateCostUsd(price, { images: 1, videoSeconds: 0, predictSeconds: 10 }) : 0;
      }
      return providers.image === 'http' ? providers.prices.http.imageUsd : 0;
    }
    case 'storyboard': {
      // One still per scene still to make (all scenes unless a refine keeps some); before the plan, a scene per
      // 6 s of ad, at least 3 (docs/providers.md, "Cost model").
      const stills = job.stillsToGenerate ?? (job.sceneSeconds.length > 0 ? job.sceneSeconds.length : Math.max(3, Math.floor(job.durationSeconds / 6)));
      if (providers.storyboard === 'replicate') {
        const price = providers.prices.replicate[job.hd ? providers.replicate.storyboardHdModel : providers.replicate.storyboardModel];
        return price ? stills * replicateCostUsd(price, { images: 1, videoSeconds: 0, predictSeconds: 10 }) : 0;
      }
      return providers.storyboard === 'http' ? stills * providers.prices.http.imageUsd : 0;
    }
    case 'video_generation': {
      if (providers.video === 'replicate') {
        const perModel = providers.replicate.videoModels.map((m) => {
          const price = providers.prices.replicate[m];
          if (!price) return 0;
          // Video models bill whole clips: MiniMax video-01 makes 6 s, Kling 5 or 10 s; assume >= 6 s per scene.
          return clipSeconds.reduce((sum, s) => sum + replicateCostUsd(price, { images: 1, videoSeconds: Math.max(6, Math.ceil(s)), predictSeconds: 180 }), 0);
        });
        return Math.max(0, ...perModel);
      }
      return providers.video === 'http' ? clipSeconds.reduce((sum, s) => sum + s, 0) * providers.prices.http.videoPerSecondUsd : 0;
    }
    case 'composition':
      return providers.composition === 'http' ? providers.prices.http.composeUsd : 0;
  }
}
