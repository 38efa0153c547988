import type { AdRequestOptions, ResolvedAdAsset } from '@app/contracts';
import { makeAdPlan } from '../../test/fixtures/plans';
import { footageInput, logoInput, productImageInput, promptAssetsInput } from './ad-assets.inputs';

const asset = (over: Partial<ResolvedAdAsset>): ResolvedAdAsset => ({
  id: 'a',
  role: 'logo',
  storageKey: 'uploads/c/a.png',
  type: 'image',
  mimeType: 'image/png',
  sizeBytes: 100,
  sha256: '1'.repeat(64),
  width: 400,
  height: 100,
  ...over,
});

describe('stage inputs of a job with assets', () => {
  const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16' });

  it('should add nothing for a job without assets or with only the bare refs of older jobs', () => {
    for (const options of [null, {}, { assets: [{ id: 'x', role: 'logo' }] }] as Array<AdRequestOptions | null>) {
      expect(promptAssetsInput(options)).toEqual({});
      expect(productImageInput(options)).toEqual({});
      expect(logoInput(options)).toEqual({});
      expect(footageInput(options, plan, 2)).toEqual({});
    }
  });

  it('should give each stage its asset with store key and sha256', () => {
    const options: AdRequestOptions = {
      logoWatermark: true,
      assets: [
        asset({ id: 'logo' }),
        asset({ id: 'product', role: 'product', mimeType: 'image/jpeg', storageKey: 'uploads/c/p.jpg' }),
        asset({ id: 'clip', role: 'footage', type: 'video', mimeType: 'video/mp4', storageKey: 'uploads/c/f.mp4', durationSeconds: 4 }),
      ],
    };
    expect(logoInput(options)).toMatchObject({ logo: { asset_id: 'logo', key: 'uploads/c/a.png', sha256: '1'.repeat(64) }, logo_watermark: true });
    expect(productImageInput(options)).toMatchObject({ product_image: { asset_id: 'product', key: 'uploads/c/p.jpg', mime_type: 'image/jpeg' } });
    // AIDA: footage without a scene number plays in the desire scene (index 2), no other.
    expect(plan.scenes.map((_, i) => footageInput(options, plan, i).footage?.asset_id ?? null)).toEqual([null, null, 'clip', null]);
    expect(promptAssetsInput(options)).toEqual({ assets: [{ role: 'logo' }, { role: 'product' }, { role: 'footage' }] });
  });

});
