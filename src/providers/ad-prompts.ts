import type { AdPlan } from '@app/contracts';

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
