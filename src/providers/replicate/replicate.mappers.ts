import { createHash } from 'node:crypto';
import type { ImageGenerationInput, VideoGenerationInput } from '@app/contracts';
import { referenceImagePrompt } from '../ad-prompts';

/**
 * Pure mappers from stage inputs to Replicate model inputs. Input names per model page:
 * - black-forest-labs/flux-schnell: `prompt`, `aspect_ratio`, `output_format`, `num_outputs`, `seed`
 *   (https://replicate.com/black-forest-labs/flux-schnell/api/schema);
 * - minimax/video-01: `prompt`, `first_frame_image`, `prompt_optimizer` (https://replicate.com/minimax/video-01/api/schema);
 *   it always renders ~6 s at 720p 25 fps;
 * - kwaivgi/kling-*: `prompt`, `start_image`, `duration` (5 or 10 s), `negative_prompt`
 *   (https://replicate.com/kwaivgi/kling-v1.6-standard/api/schema).
 * Clips shorter than the scene are held on their last frame by the compositor (tpad), longer ones trimmed.
 */

/** A stable 32-bit seed for a job, so a retried image is reproducible (flux `seed`). */
export function seedFor(jobId: string): number {
  return createHash('sha256').update(jobId).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * The input name under which an image model takes a reference image, for the product photo (docs/providers.md,
 * "Product image"), or null when the model has none (flux-schnell: text only, the prompt then describes the
 * photo). Per model page: flux-kontext-pro/-max/-dev `input_image` (edits the photo into the scene),
 * flux-1.1-pro / flux-pro / flux-1.1-pro-ultra `image_prompt` (Redux composition guide), flux-dev `image`
 * (image-to-image, with `prompt_strength`). Pure.
 */
export function productImageInputName(model: string): 'input_image' | 'image_prompt' | 'image' | null {
  const name = model.split(':')[0].toLowerCase();
  if (/flux-kontext/.test(name)) return 'input_image';
  if (/flux-1\.1-pro|flux-pro/.test(name)) return 'image_prompt';
  if (/\/flux-dev$/.test(name)) return 'image';
  return null;
}

/** How much flux-dev image-to-image may change the product photo: 0.8 keeps its shapes and colours, redraws the scene. */
const PRODUCT_PROMPT_STRENGTH = 0.8;

/**
 * flux-schnell (and flux-family) input; with a product photo (`productImage`: URL or data URI) and a model that
 * takes an image, the photo goes in under the model's input name ({@link productImageInputName}).
 */
export function imageInputFor(input: ImageGenerationInput, seed: number, model = '', productImage?: string): Record<string, unknown> {
  const field = productImage ? productImageInputName(model) : null;
  return {
    prompt: field ? `${referenceImagePrompt(input.plan)}. The product exactly as in the supplied product photo` : referenceImagePrompt(input.plan),
    aspect_ratio: input.aspect_ratio,
    output_format: 'png',
    num_outputs: 1,
    seed,
    ...(field && productImage ? { [field]: productImage, ...(field === 'image' ? { prompt_strength: PRODUCT_PROMPT_STRENGTH } : {}) } : {}),
  };
}

/** Prompt of one scene's clip: the scene's visual prompt, camera move and the plan's style. */
export function clipPrompt(input: VideoGenerationInput): string {
  const camera = input.scene.motion.replace('_', ' ');
  return `${input.scene.visual_prompt}. Camera: slow ${camera}. ${input.plan.visual_direction.style}, ${input.plan.visual_direction.lighting}. No text on screen.`;
}

/** Kling accepts 5 or 10 second clips; the shortest that covers the scene. */
export function klingDurationFor(clipSeconds: number): 5 | 10 {
  return clipSeconds <= 5 ? 5 : 10;
}

/** Image-to-video input of `model` for one scene; `image` is a URL or data URI of the reference image. */
export function clipInputFor(model: string, input: VideoGenerationInput, image: string): Record<string, unknown> {
  const prompt = clipPrompt(input);
  if (model.includes('kling')) {
    return { prompt, start_image: image, duration: klingDurationFor(input.clip_duration), aspect_ratio: input.aspect_ratio, negative_prompt: 'text, watermark, distorted product' };
  }
  // MiniMax video-01 schema (also the shape of most image-to-video models on Replicate).
  return { prompt, first_frame_image: image, prompt_optimizer: true };
}
