import { isNonNegativeUsd } from '../../common/money';

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
 * Shape check of a Replicate price table as configured (`REPLICATE_PRICES_JSON` merged over the defaults). Pure.
 * @returns one problem per model without a known `unit` and `usd` >= 0
 */
export function checkReplicatePrices(table: object): string[] {
  const problems: string[] = [];
  for (const [model, p] of Object.entries(table)) {
    const price = p as Partial<ReplicatePrice> | null;
    if (!price || !['image', 'video_second', 'predict_second'].includes(String(price.unit)) || !isNonNegativeUsd(price.usd)) {
      problems.push(`REPLICATE_PRICES_JSON: "${model}" needs unit image|video_second|predict_second and usd >= 0`);
    }
  }
  return problems;
}
