import { estimateStageCostUsd } from './cost-estimate';
import { loadProvidersConfig } from './providers.config';

describe('estimateStageCostUsd', () => {
  it('should estimate zero for local and the price tables otherwise', () => {
    const job = { sceneSeconds: [5, 5, 5], durationSeconds: 15 };
    const local = loadProvidersConfig({}).config;
    expect(estimateStageCostUsd(local, 'video_generation', job)).toBe(0);
    const remote = loadProvidersConfig({ IMAGE_PROVIDER: 'replicate', VIDEO_PROVIDER: 'replicate', REPLICATE_API_TOKEN: 't', COMPOSITION_PROVIDER: 'http', COMPOSITION_URL: 'http://c' }).config;
    expect(estimateStageCostUsd(remote, 'image_generation', job)).toBeCloseTo(0.003, 10);
    // Three clips billed at >= 6 s each at $0.05/s.
    expect(estimateStageCostUsd(remote, 'video_generation', job)).toBeCloseTo(0.9, 10);
    expect(estimateStageCostUsd(remote, 'composition', job)).toBe(0.1);
  });
});
