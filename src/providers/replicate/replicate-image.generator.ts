import { join } from 'node:path';
import type { ImageGenerationInput, ImageGenerationOutput, StageAsset } from '@app/contracts';
import { AppError } from '../../common/app-error';
import type { ReplicateSettings } from '../../../config/providers/replicate.config';
import { replicateCostUsd, type ReplicatePrice } from './replicate.pricing';
import { extensionOf, fileUri, imageInputOf, probeOutput } from '../downloaded-media';
import { ImageGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { downloadTo } from '../remote-http';
import { CallTally, type ProviderResilience } from '../resilience';
import { outputUrls, type ReplicateClient } from './replicate.client';
import { imageInputFor, productImageInputName, seedFor } from './replicate.mappers';

/**
 * Reference image on Replicate (default black-forest-labs/flux-schnell; docs/providers.md, "Prices").
 * The output is downloaded at once into `<workDir>/reference.<ext>` (Replicate deletes outputs after an hour)
 * and probed. Cost: the model's price table entry (flux-schnell $0.003 per image).
 */
export class ReplicateImageGenerator extends ImageGenerator {
  readonly name = 'replicate';

  constructor(
    private readonly client: ReplicateClient,
    private readonly settings: ReplicateSettings,
    private readonly prices: Record<string, ReplicatePrice>,
    private readonly resilience: ProviderResilience,
  ) {
    super();
  }

  /**
   * @returns `file://` URI of the image, the seed sent to the model, its size in pixels
   * @throws ProviderError `IMAGE_GENERATION_FAILED` (permanent), `TIMEOUT`, `RATE_LIMIT_EXCEEDED`,
   *   `SERVICE_UNAVAILABLE`, with attempts and partial cost; CancelledError
   */
  async generate(input: ImageGenerationInput, ctx: ProviderContext): Promise<ProviderResult<ImageGenerationOutput>> {
    const started = Date.now();
    const model = this.settings.imageModel;
    const seed = seedFor(ctx.jobId);
    const tally = new CallTally();
    let billed = false;
    // The product photo goes to models that take an image (docs/providers.md, "Product image"), inline as a data URI.
    const productField = input.product_image ? productImageInputName(model) : null;
    const productImage = input.product_image && productField ? await imageInputOf(await requireAssetFile(ctx, input.product_image)) : undefined;
    const { result, predictionId, resumed } = await this.client.run({
      model,
      input: imageInputFor(input, seed, model, productImage),
      stage: 'image_generation',
      ctx,
      tally,
      policy: this.resilience.policy({ provider: this.name, stage: 'image_generation' }),
      finish: async (prediction, signal) => {
        const urls = outputUrls(prediction.output);
        if (urls.length === 0) throw new ProviderError('invalid_output', 'image_generation', `replicate ${model} succeeded without an output URL`);
        if (!billed) {
          billed = true;
          tally.bill(replicateCostUsd(this.prices[model], { images: urls.length, predictSeconds: prediction.metrics?.predict_time }));
        }
        const path = join(ctx.workDir, `reference${extensionOf(urls[0], '.png')}`);
        await downloadTo(urls[0], path, { signal, stage: 'image_generation', service: `replicate ${model}` });
        const probed = await probeOutput(path, 'image_generation', `replicate ${model}`);
        return { path, probed, predictTime: prediction.metrics?.predict_time };
      },
    });
    return {
      output: { image_uri: fileUri(result.path), seed, width: result.probed.widthPx, height: result.probed.heightPx },
      costUsd: tally.costUsd,
      processingTimeSeconds: (Date.now() - started) / 1000,
      provider: this.name,
      attempts: tally.attempts,
      metadata: {
        model,
        prediction_id: predictionId,
        resumed,
        predict_time: result.predictTime,
        ...(input.product_image ? { product_image: productField ?? 'not supported by this model (prompt only)' } : {}),
      },
    };
  }
}

/** Local path of a job asset (read through the artifact store by the stage). @throws AppError IMAGE_GENERATION_FAILED without a store */
async function requireAssetFile(ctx: ProviderContext, asset: StageAsset): Promise<string> {
  if (!ctx.assetFile) throw new AppError('IMAGE_GENERATION_FAILED', 'this worker cannot read job assets (no artifact store)');
  return ctx.assetFile(asset);
}
