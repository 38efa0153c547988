import type { AdPlan, AdScene } from '@app/contracts';

/** Prompt of the reference image every clip derives from: the product hero shot in the plan's look. Pure. */
export function referenceImagePrompt(plan: AdPlan): string {
  const v = plan.visual_direction;
  return [
    `${plan.product.name}: ${plan.product.description}`,
    `${v.style}, ${v.lighting}`,
    `colour palette ${v.palette.join(', ')}`,
    'advertising hero shot, product centred, clean background, no text, no watermark',
  ].join('. ');
}

/**
 * Prompt of one scene's storyboard still: the scene's visual prompt in the reference design's look (same
 * style, light and palette for every scene, so the storyboard reads as one ad). Pure.
 */
export function sceneStillPrompt(plan: AdPlan, scene: AdScene): string {
  const v = plan.visual_direction;
  return [
    `${scene.visual_prompt}`,
    `${plan.product.name}, ${v.style}, ${v.lighting}`,
    `colour palette ${v.palette.join(', ')}`,
    'advertising storyboard frame, consistent product design, no text, no watermark',
  ].join('. ');
}
