import { DEFAULT_REPLICATE_PRICES, type ReplicatePrice } from '../../src/providers/replicate/replicate.pricing';
import { envReader } from '../env-reader';
import { Secret } from '../secret';

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

/** MiniMax Video-01 primary, Kling as fallback (docs/providers.md, "Clip models"). */
export const DEFAULT_REPLICATE_VIDEO_MODELS = ['minimax/video-01', 'kwaivgi/kling-v1.6-standard'];

/** `owner/name`, the form every model variable must take. */
const MODEL_REF = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;

/**
 * Reads `REPLICATE_API_TOKEN`, `REPLICATE_BASE_URL`, the model names and the poll delays (config/.env.example).
 * Every model variable needs at least one `owner/name`; problems are pushed onto `problems`. Whether a token is
 * needed depends on the provider choice, so config/providers.config.ts checks that.
 */
export function loadReplicateSettings(env: NodeJS.ProcessEnv, problems: string[]): ReplicateSettings {
  const { num, url } = envReader(env, problems);
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
  for (const [name, models] of [
    ['REPLICATE_IMAGE_MODEL', [replicate.imageModel]],
    ['REPLICATE_STORYBOARD_MODEL', [replicate.storyboardModel]],
    ['REPLICATE_STORYBOARD_HD_MODEL', [replicate.storyboardHdModel]],
    ['REPLICATE_VIDEO_MODELS', replicate.videoModels],
  ] as const) {
    if (models.length === 0) problems.push(`${name}: at least one model is required`);
    for (const m of models) if (!MODEL_REF.test(m)) problems.push(`${name}: expected owner/name, got "${m}"`);
  }
  return replicate;
}

/**
 * The Replicate price table: `REPLICATE_PRICES_JSON` (`{"owner/name": {"unit": "image"|"video_second"|"predict_second",
 * "usd": n}}`) merged over {@link DEFAULT_REPLICATE_PRICES}. Its shape is checked by `checkReplicatePrices`,
 * after every table is read.
 */
export function loadReplicatePrices(env: NodeJS.ProcessEnv, problems: string[]): Record<string, ReplicatePrice> {
  const { json } = envReader(env, problems);
  return { ...DEFAULT_REPLICATE_PRICES, ...(json<Record<string, ReplicatePrice>>('REPLICATE_PRICES_JSON') ?? {}) };
}
