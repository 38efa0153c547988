import { footageScenes, resolvedAssetsOf, toStageAsset, type AdPlan, type AdRequestOptions, type StageAsset, type StageInputs } from '@app/contracts';

/**
 * The optional stage-input members a job's assets add (docs/design/composition.md, "Brand assets"). Each returns
 * `{}` for a job without the asset, so the inputs (and stage cache keys) of jobs without assets are unchanged.
 * Pure: the saga calls them while building stage requests.
 */

/** prompt_parsing: the roles of the job's assets, so the plan's visual prompts can mention them. */
export function promptAssetsInput(options: AdRequestOptions | null): Pick<StageInputs['prompt_parsing'], 'assets'> {
  const assets = resolvedAssetsOf(options);
  if (assets.length === 0) return {};
  return { assets: assets.map((a) => ({ role: a.role, ...(a.sceneNumber !== undefined ? { scene_number: a.sceneNumber } : {}) })) };
}

/** image_generation: the first product photo, the reference design's hero. */
export function productImageInput(options: AdRequestOptions | null): { product_image?: StageAsset } {
  const product = resolvedAssetsOf(options).find((a) => a.role === 'product' && a.type === 'image');
  return product ? { product_image: toStageAsset(product) } : {};
}

/** video_generation of scene `sceneIndex`: the footage that plays in it, by the rule of `footageScenes`. */
export function footageInput(options: AdRequestOptions | null, plan: Pick<AdPlan, 'scenes'>, sceneIndex: number): { footage?: StageAsset } {
  const assets = resolvedAssetsOf(options);
  if (!assets.some((a) => a.role === 'footage')) return {};
  const at = footageScenes(plan.scenes, assets).get(sceneIndex);
  return at === undefined ? {} : { footage: toStageAsset(assets[at]) };
}

/** composition: the first logo, and the watermark flag when the request asked for it. */
export function logoInput(options: AdRequestOptions | null): { logo?: StageAsset; logo_watermark?: boolean } {
  const logo = resolvedAssetsOf(options).find((a) => a.role === 'logo' && a.type === 'image');
  if (!logo) return {};
  return { logo: toStageAsset(logo), ...(options?.logoWatermark ? { logo_watermark: true } : {}) };
}
