import { join } from 'node:path';
import type { ImageGenerationInput, ImageGenerationOutput } from '@app/contracts';
import { replicateCostUsd, type ReplicateSettings, type ReplicatePrice } from '../../../config/providers.config';
import { extensionOf, fileUri, probeOutput } from '../downloaded-media';
import { ImageGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { downloadTo } from '../remote-http';
import { CallTally, type ProviderResilience } from '../resilience';
import { outputUrls, type ReplicateClient } from './replicate.client';
import { imageInputFor, seedFor } from './replicate.mappers';

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
    const { result, predictionId, resumed } = await this.client.run({
      model,
      input: imageInputFor(input, seed),
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
      metadata: { model, prediction_id: predictionId, resumed, predict_time: result.predictTime },
    };
  }
}
