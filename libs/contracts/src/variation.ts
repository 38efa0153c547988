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
