import { isNonNegativeUsd } from '../../common/money';

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

/** Default team-service estimates (upper ends of the per-30-second targets; docs/providers.md, "Cost model"). */
export const DEFAULT_HTTP_PRICES: Readonly<HttpContractPrices> = { parseUsd: 0.05, imageUsd: 0.3, videoPerSecondUsd: 0.0534, composeUsd: 0.1 };

/**
 * Shape check of the team-service estimates as configured (`HTTP_PRICES_JSON` merged over the defaults). Pure.
 * @returns one problem per key that is not a number >= 0
 */
export function checkHttpContractPrices(table: object): string[] {
  const problems: string[] = [];
  for (const [key, v] of Object.entries(table)) if (!isNonNegativeUsd(v)) problems.push(`HTTP_PRICES_JSON: "${key}" must be a number >= 0`);
  return problems;
}
