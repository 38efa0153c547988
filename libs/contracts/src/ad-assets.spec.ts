import type { AdScene } from './ad-plan';
import { footageScenes, inferAssetRole, resolvedAssetsOf, toStageAsset, type ResolvedAdAsset } from './ad-assets';

describe('inferAssetRole', () => {
  it.each([
    ['a small transparent PNG', { type: 'image', width: 600, height: 600, hasAlpha: true }, 'logo'],
    ['a large wide transparent wordmark', { type: 'image', width: 3000, height: 800, hasAlpha: true }, 'logo'],
    ['a large square transparent cut-out', { type: 'image', width: 2400, height: 2400, hasAlpha: true }, 'product'],
    ['a small opaque JPEG', { type: 'image', width: 400, height: 400, hasAlpha: false }, 'product'],
    ['a wide opaque banner', { type: 'image', width: 3000, height: 600 }, 'product'],
    ['an mp4', { type: 'video', width: 1920, height: 1080 }, 'footage'],
  ] as const)('should call %s a %s', (_what, asset, role) => {
    expect(inferAssetRole(asset)).toBe(role);
  });

  it('should treat the size and shape limits as inclusive', () => {
    expect(inferAssetRole({ type: 'image', width: 1200, height: 1100, hasAlpha: true })).toBe('logo');
    expect(inferAssetRole({ type: 'image', width: 1201, height: 1100, hasAlpha: true })).toBe('product');
    expect(inferAssetRole({ type: 'image', width: 4000, height: 2000, hasAlpha: true })).toBe('logo');
  });
});

const scenes = (...roles: string[]): Array<Pick<AdScene, 'role'>> => roles.map((role) => ({ role: role as AdScene['role'] }));

describe('footageScenes', () => {
  it('should put footage without a scene number in the desire scene of an AIDA plan', () => {
    expect([...footageScenes(scenes('attention', 'interest', 'desire', 'cta'), [{ role: 'logo' }, { role: 'footage' }])]).toEqual([[2, 1]]);
  });

  it('should honour a scene number and give the next footage the next product scene', () => {
    const got = footageScenes(scenes('problem', 'agitate', 'solution', 'cta'), [{ role: 'footage' }, { role: 'footage', sceneNumber: 1 }]);
    expect(Object.fromEntries(got)).toEqual({ 0: 1, 2: 0 });
  });

  it('should never give two footage assets one scene, and drop footage beyond the scenes', () => {
    const got = footageScenes(scenes('attention', 'cta'), [{ role: 'footage', sceneNumber: 2 }, { role: 'footage', sceneNumber: 2 }, { role: 'footage' }]);
    expect(Object.fromEntries(got)).toEqual({ 1: 0, 0: 1 });
    expect(new Set(got.keys()).size).toBe(got.size);
  });

  it('should place nothing without footage', () => {
    expect(footageScenes(scenes('attention', 'desire'), [{ role: 'product' }]).size).toBe(0);
  });
});

describe('resolvedAssetsOf / toStageAsset', () => {
  const resolved: ResolvedAdAsset = { id: 'a1', role: 'logo', storageKey: 'uploads/c/a1.png', type: 'image', mimeType: 'image/png', sizeBytes: 10, sha256: 'ab', width: 4, height: 2 };

  it('should skip the bare {id, role} entries of older jobs', () => {
    expect(resolvedAssetsOf({ assets: [{ id: 'x', role: 'logo' }, resolved, { id: 'y', role: 'hero', storageKey: 'k' }] })).toEqual([resolved]);
    expect(resolvedAssetsOf(null)).toEqual([]);
  });

  it('should carry the store key, type, size and sha256 into the stage input', () => {
    expect(toStageAsset(resolved)).toEqual({ asset_id: 'a1', role: 'logo', key: 'uploads/c/a1.png', type: 'image', mime_type: 'image/png', size_bytes: 10, sha256: 'ab', width: 4, height: 2 });
  });
});
