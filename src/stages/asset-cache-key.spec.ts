import { toStageAsset, type ResolvedAdAsset } from '@app/contracts';
import { makeAdPlan } from '../../test/fixtures/plans';
import { stageCacheKey } from './stage-cache-key';

describe('stage cache key of an input with an asset', () => {
  const plan = makeAdPlan({ durationSeconds: 15, aspectRatio: '9:16' });
  const logo = (sha256: string): ResolvedAdAsset => ({ id: 'a', role: 'logo', storageKey: 'uploads/c/a.png', type: 'image', mimeType: 'image/png', sizeBytes: 100, sha256, width: 400, height: 100 });
  const key = (input: object): string => stageCacheKey('composition', { provider: { name: 'local' }, input }, new Map());

  it('should change with the logo bytes (sha256) even under the same store key', () => {
    expect(key({ plan, logo: toStageAsset(logo('1'.repeat(64))) })).not.toBe(key({ plan, logo: toStageAsset(logo('2'.repeat(64))) }));
  });

  it('should be what it was without an asset when none is given', () => {
    expect(key({ plan, logo: undefined })).toBe(key({ plan }));
  });
});
