import { loadSimLatencies, meanLatencyMs, parseLatencySpec, sampleLatencyMs } from './sim-latency';

describe('sim latencies', () => {
  it.each([
    ['2000', { kind: 'fixed', ms: 2000 }],
    ['20000-40000', { kind: 'uniform', minMs: 20000, maxMs: 40000 }],
    [' 5 - 5 ', { kind: 'uniform', minMs: 5, maxMs: 5 }],
    ['exp:300', { kind: 'exp', meanMs: 300 }],
  ])('should parse %p', (raw, spec) => {
    expect(parseLatencySpec(raw)).toEqual(spec);
  });

  it.each(['', 'fast', '40000-20000', '-5', 'exp:'])('should refuse %p', (raw) => {
    expect(typeof parseLatencySpec(raw)).toBe('string');
  });

  it('should draw within a range and at its ends for random 0 and almost 1', () => {
    const spec = { kind: 'uniform' as const, minMs: 100, maxMs: 300 };
    expect(sampleLatencyMs(spec, () => 0)).toBe(100);
    expect(sampleLatencyMs(spec, () => 0.5)).toBe(200);
    expect(sampleLatencyMs(spec, () => 0.999999)).toBeCloseTo(300, 2);
    expect(meanLatencyMs(spec)).toBe(200);
    expect(sampleLatencyMs({ kind: 'exp', meanMs: 100 }, () => 1 - Math.exp(-1))).toBeCloseTo(100, 6);
  });

  it('should read one variable per stage, any stage name, and report bad values', () => {
    const r = loadSimLatencies({ SIM_LATENCY_PROMPT_PARSING: '2000', SIM_LATENCY_STORYBOARD: '10-20', SIM_LATENCY_DEFAULT: '5', SIM_LATENCY_COMPOSITION: 'soon' });
    expect(r.latency).toEqual({ prompt_parsing: { kind: 'fixed', ms: 2000 }, storyboard: { kind: 'uniform', minMs: 10, maxMs: 20 } });
    expect(r.defaultLatency).toEqual({ kind: 'fixed', ms: 5 });
    expect(r.problems).toEqual([expect.stringMatching(/^SIM_LATENCY_COMPOSITION: expected/)]);
  });
});
