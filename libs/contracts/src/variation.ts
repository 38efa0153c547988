import type { JobError } from './errors';
import type { CompositionOutput } from './stage-io';

/**
 * Variations and batches of the v1 API (docs/api.md, "Batches and variations"): several jobs made from one
 * call, sharing a `batch_id`.
 */

/** Most variations one `POST /api/v1/generate-ad` may ask for (`variations`, 1–3). */
export const MAX_V1_VARIATIONS = 3;

/** Most jobs one batch may make (`POST /api/v1/batch`: requests × their variations). */
export const MAX_BATCH_JOBS = 10;

/**
 * The text a seed is hashed from, for variation `variation` of a request: the JSON of `parts`, with the
 * variation index appended only when it is above 0. Variation 0 therefore seeds exactly like a single job of
 * the same request, so the stage cache still serves it (docs/design/cache.md), while every later variation
 * draws its own pictures. Pure.
 * @param parts what decides the seed of a single job (request fields, plan parts, a scene's prompt)
 * @param variation 0-based variation index of the job in its batch (0 for a job made alone)
 */
export function variationSeedBasis(parts: readonly unknown[], variation = 0): string {
  return JSON.stringify(variation > 0 ? [...parts, { variation }] : parts);
}

/**
 * The outcome of one cut of a v2 job's `numberOfVariations` (docs/api.md, "Variations"): its composition
 * output or its error, and what its composition cost (USD; the clips are shared and paid once).
 */
export interface VariationOutcome {
  /** 0-based cut index (the composition attempt's `scene_index`). */
  index: number;
  /** How the cut differs from the plan (`as_planned`, `product_first`, `bold_line`). */
  cut: string;
  status: 'completed' | 'failed';
  output: CompositionOutput | null;
  error: JobError | null;
  /** USD. */
  cost_usd: number;
}

/** The saga's record of a job's cuts while and after their compositions run (docs/design/saga.md, "Fan-out and fan-in"). */
export interface VariationCuts {
  /** Cuts to render (2–3). */
  total: number;
  /** Cut compositions requested so far (indices 0..dispatched-1). */
  dispatched: number;
  /** Outcome per cut index, null until its composition reports. */
  outcomes: Array<VariationOutcome | null>;
}

/** One cut as job events carry it (docs/events.md): served URLs, its composition cost in USD, its error. */
export interface JobVariationResult {
  index: number;
  cut: string;
  status: 'completed' | 'failed';
  video_url: string | null;
  thumbnail_url: string | null;
  cost: number;
  error: JobError | null;
}
