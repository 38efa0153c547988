import { makeAdPlan } from '../../../test/fixtures/plans';
import { ASSET_MENTIONS, withAssetMentions } from './asset-mentions';

describe('withAssetMentions', () => {
  const plan = makeAdPlan({ durationSeconds: 30, aspectRatio: '9:16' });

  it('should mention the logo on the end card, the product photo and the footage scene', () => {
    const out = withAssetMentions(plan, [{ role: 'logo' }, { role: 'product' }, { role: 'footage', scene_number: 2 }]);
    const last = out.scenes.length - 1;
    expect(out.scenes[last].visual_prompt).toContain(ASSET_MENTIONS.logo);
    expect(out.scenes[1].visual_prompt).toContain(ASSET_MENTIONS.footage);
    expect(out.scenes[1].visual_prompt).not.toContain(ASSET_MENTIONS.product);
    expect(out.scenes[0].visual_prompt).toContain(ASSET_MENTIONS.product);
    expect(out.scenes[0].visual_prompt.startsWith(plan.scenes[0].visual_prompt.trim().replace(/[.\s]*$/, ''))).toBe(true);
  });

  it('should change nothing without assets and nothing more when applied twice', () => {
    expect(withAssetMentions(plan, [])).toBe(plan);
    const once = withAssetMentions(plan, [{ role: 'logo' }]);
    expect(withAssetMentions(once, [{ role: 'logo' }])).toEqual(once);
    expect(once.scenes.slice(0, -1)).toEqual(plan.scenes.slice(0, -1));
  });
});
