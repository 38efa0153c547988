/**
 * Rounds a USD amount to 1e-6, the scale of the cost columns (numeric(12,6), migrations/...initial.ts), so
 * sums computed in memory equal what PostgreSQL stores.
 */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
