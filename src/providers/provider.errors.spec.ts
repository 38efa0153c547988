import { codeForFault, faultOfStatus, parseRetryAfterMs, ProviderError, scrubSecrets } from './provider.errors';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('provider error classification', () => {
  it.each([
    [200, null],
    [400, 'client'],
    [401, 'client'],
    [404, 'model_unavailable'],
    [408, 'server'],
    [422, 'model_unavailable'],
    [429, 'rate_limited'],
    [500, 'server'],
    [503, 'server'],
  ])('should classify HTTP %i as %s', (status, fault) => {
    expect(faultOfStatus(status)).toBe(fault);
  });

  it.each([
    ['timeout', 'TIMEOUT'],
    ['rate_limited', 'RATE_LIMIT_EXCEEDED'],
    ['server', 'SERVICE_UNAVAILABLE'],
    ['circuit_open', 'SERVICE_UNAVAILABLE'],
    ['content_policy', 'VIDEO_GENERATION_FAILED'],
    ['invalid_output', 'VIDEO_GENERATION_FAILED'],
  ] as const)('should give %s the code %s on video_generation', (fault, code) => {
    expect(codeForFault(fault, 'video_generation')).toBe(code);
  });

  it('should mark only transient faults retryable', () => {
    expect(new ProviderError('server', 'composition', 'x').retryable).toBe(true);
    expect(new ProviderError('content_policy', 'composition', 'x').retryable).toBe(false);
    expect(new ProviderError('circuit_open', 'composition', 'x').retryable).toBe(false);
  });

  it('should parse Retry-After as seconds, as an HTTP date, and OpenAI retry-after-ms', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfterMs(headers({ 'retry-after': '0.5' }))).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), now)).toBe(10_000);
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfterMs(headers({}))).toBeUndefined();
  });
});

describe('scrubSecrets', () => {
  it('should remove keys providers echo back', () => {
    expect(scrubSecrets('Incorrect API key provided: sk-proj-abc123XYZ789. See docs')).toBe('Incorrect API key provided: sk-[redacted]. See docs');
    expect(scrubSecrets('token r8_AbCdEf123456 invalid')).toBe('token r8_[redacted] invalid');
    expect(new ProviderError('client', 'prompt_parsing', 'Authorization: Bearer abcdefgh12345').message).toBe('Authorization: Bearer [redacted]');
  });
});
