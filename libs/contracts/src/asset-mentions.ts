import { footageScenes, type AssetRole } from './ad-assets';
import type { AdPlan } from './ad-plan';

/** Sentences added to the visual prompts per asset role (docs/api.md, "Assets in the ad"). */
export const ASSET_MENTIONS = {
  logo: "The brand's logo appears on the end card.",
  product: "Feature the product exactly as in the brand's product photo, as the hero of the shot.",
  footage: "This scene plays the brand's own footage.",
} as const satisfies Record<AssetRole, string>;

/**
 * The plan with its visual prompts mentioning the job's assets, whatever planner wrote it (docs/api.md,
 * "Assets in the ad"): the closing scene mentions the logo on the end card; every scene that is not footage
 * mentions the product photo; the scene each footage asset plays in (the rule of `footageScenes`) says so.
 * A prompt that already carries a mention is left as is, so applying it twice changes nothing. Pure.
 */
export function withAssetMentions(plan: AdPlan, assets: ReadonlyArray<{ role: AssetRole; scene_number?: number }>): AdPlan {
  if (assets.length === 0) return plan;
  const has = (role: AssetRole): boolean => assets.some((a) => a.role === role);
  const footage = footageScenes(plan.scenes, assets.map((a) => ({ role: a.role, sceneNumber: a.scene_number })));
  const last = plan.scenes.length - 1;
  const scenes = plan.scenes.map((scene, i) => {
    const add: string[] = [];
    if (footage.has(i)) add.push(ASSET_MENTIONS.footage);
    else if (has('product')) add.push(ASSET_MENTIONS.product);
    if (i === last && has('logo')) add.push(ASSET_MENTIONS.logo);
    const fresh = add.filter((m) => !scene.visual_prompt.includes(m));
    if (fresh.length === 0) return scene;
    const base = scene.visual_prompt.trim().replace(/[.\s]*$/, '.');
    return { ...scene, visual_prompt: `${base} ${fresh.join(' ')}` };
  });
  return { ...plan, scenes };
}
