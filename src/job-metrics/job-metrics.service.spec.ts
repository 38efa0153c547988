import { bucketMidMs, bucketQuantileMs } from './job-metrics.service';

describe('bucketQuantileMs', () => {
  const bucketOf = (ms: number) => Math.floor(8 * Math.log2(ms));

  it('should land within a bucket (about 4.4 %) of the exact quantile', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 + i * 37);
    const counts = new Map<number, number>();
    for (const s of samples) counts.set(bucketOf(s), (counts.get(bucketOf(s)) ?? 0) + 1);
    const rows = [...counts.entries()].map(([bucket, n]) => ({ bucket, n })).reverse();
    for (const q of [0.5, 0.95]) {
      const exact = samples[Math.ceil(q * samples.length) - 1];
      expect(Math.abs(bucketQuantileMs(rows, q)! - exact) / exact).toBeLessThan(0.045);
    }
  });

  it('should be null without samples and map a bucket to its geometric middle', () => {
    expect(bucketQuantileMs([], 0.5)).toBeNull();
    expect(bucketMidMs(80)).toBeCloseTo(2 ** 10.0625);
  });
});
