import { replicateCostUsd } from './replicate.pricing';

describe('cost arithmetic', () => {
  it('should price Replicate per unit', () => {
    expect(replicateCostUsd({ unit: 'image', usd: 0.003 }, { images: 2 })).toBeCloseTo(0.006, 10);
    expect(replicateCostUsd({ unit: 'video_second', usd: 0.05 }, { videoSeconds: 6 })).toBeCloseTo(0.3, 10);
    expect(replicateCostUsd({ unit: 'predict_second', usd: 0.001 }, { predictSeconds: 42 })).toBeCloseTo(0.042, 10);
  });
});
