/**
 * Rounds a USD amount to 1e-6, the scale of the cost columns (numeric(12,6), migrations/...initial.ts), so
 * sums computed in memory equal what PostgreSQL stores.
 */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Whether a configured price is a finite number of USD >= 0: the one rule every price table shares. */
export function isNonNegativeUsd(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
