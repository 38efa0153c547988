import { loadImage, type Image } from '@napi-rs/canvas';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImageGenerationInput, ImageGenerationOutput, StageAsset } from '@app/contracts';
import { OUTPUT_SIZE_PX, variationSeedBasis } from '@app/contracts';
import { AppError, throwIfAborted } from '../../common/app-error';
import { ImageGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { brandLookFor, seedFrom } from './design/brand-look';
import { drawReferenceDesign } from './design/reference-design.renderer';

/** File name of the reference image inside the job's work dir. */
export const REFERENCE_IMAGE_FILE = 'reference.png';

/**
 * Seed of the offline reference design: a hash of what the picture shows (product, visual direction, aspect,
 * brand), so a retried attempt and an identical request draw the same picture; a variation above 0 of a
 * batch adds its index, so each variation draws its own (docs/api.md, "Batches and variations"). Pure.
 */
export function referenceSeedFor(input: ImageGenerationInput): number {
  return seedFrom(variationSeedBasis([input.plan.product, input.plan.visual_direction, input.aspect_ratio, input.brand_guidelines], input.variation ?? 0));
}

/**
 * Offline reference image: a designed poster at the output resolution (OUTPUT_SIZE_PX by aspect ratio) drawn
 * with @napi-rs/canvas from the plan (product, category, style, palette) and the brand guidelines. Deterministic:
 * the seed is a hash of the input, so a retried attempt draws the same picture. Cost 0 USD.
 */
export class LocalImageGenerator extends ImageGenerator {
  readonly name = 'local';

  /**
   * @returns `file://` URI of `<workDir>/reference.png`, the seed and the size in pixels
   * @throws CancelledError when ctx.signal fired; AppError `IMAGE_GENERATION_FAILED` when drawing or writing fails
   */
  async generate(input: ImageGenerationInput, ctx: ProviderContext): Promise<ProviderResult<ImageGenerationOutput>> {
    const started = Date.now();
    throwIfAborted(ctx.signal);
    const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
    const seed = referenceSeedFor(input);
    const path = join(ctx.workDir, REFERENCE_IMAGE_FILE);
    const tmp = join(ctx.workDir, `.reference-${ctx.attemptId}.png`);
    try {
      const look = brandLookFor(input.plan, input.brand_guidelines);
      // The client's product photo, when the job has one, is the design's hero (docs/design/composition.md, "Brand assets").
      const product = input.product_image ? await loadProductImage(input.product_image, ctx) : undefined;
      const canvas = drawReferenceDesign(input.plan, input.aspect_ratio, look, seed, product);
      const png = await canvas.encode('png');
      throwIfAborted(ctx.signal);
      await writeFile(tmp, png);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof AppError) throw err;
      throw new AppError('IMAGE_GENERATION_FAILED', `local reference image failed: ${(err as Error).message}`, { cause: err });
    }
    return {
      output: { image_uri: pathToFileURL(path).href, seed, width: widthPx, height: heightPx },
      costUsd: 0,
      processingTimeSeconds: (Date.now() - started) / 1000,
      provider: this.name,
      attempts: 1,
      metadata: { look: brandLookFor(input.plan, input.brand_guidelines).kind, ...(input.product_image ? { product_asset_id: input.product_image.asset_id } : {}) },
    };
  }
}

/** Decodes the product photo read through the artifact store. @throws AppError IMAGE_GENERATION_FAILED */
async function loadProductImage(asset: StageAsset, ctx: ProviderContext): Promise<Image> {
  if (!ctx.assetFile) throw new AppError('IMAGE_GENERATION_FAILED', 'this worker cannot read job assets (no artifact store)');
  const path = await ctx.assetFile(asset);
  try {
    return await loadImage(await readFile(path));
  } catch (err) {
    throw new AppError('IMAGE_GENERATION_FAILED', `product image ${asset.asset_id} cannot be decoded`, { cause: err, details: { asset_id: asset.asset_id } });
  }
}
