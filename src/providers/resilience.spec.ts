import { isTransient, retryDelayMs } from './resilience';
import { ProviderError } from './provider.errors';

const seed = { retryBaseMs: 2000, retryMaxDelayMs: 30_000, retryJitterRatio: 0.2 };

describe('retryDelayMs', () => {
  it('should back off 2 s, 4 s, 8 s without jitter (docs/providers.md "Retry policy")', () => {
    expect([1, 2, 3].map((a) => retryDelayMs(a, seed, undefined, () => 0))).toEqual([2000, 4000, 8000]);
  });

  it('should add at most the jitter ratio', () => {
    expect(retryDelayMs(1, seed, undefined, () => 0.999)).toBe(Math.round(2000 * (1 + 0.2 * 0.999)));
  });

  it('should wait at least a longer Retry-After, and never past the cap', () => {
    expect(retryDelayMs(1, seed, 5000, () => 0)).toBe(5000);
    expect(retryDelayMs(3, seed, 1000, () => 0)).toBe(8000);
    expect(retryDelayMs(1, seed, 120_000, () => 0)).toBe(30_000);
  });
});

describe('isTransient', () => {
  it('should retry typed transient faults only', () => {
    expect(isTransient(new ProviderError('rate_limited', 'prompt_parsing', 'x'))).toBe(true);
    expect(isTransient(new ProviderError('client', 'prompt_parsing', 'x'))).toBe(false);
    expect(isTransient(new Error('503 Service Unavailable'))).toBe(false);
  });
});
