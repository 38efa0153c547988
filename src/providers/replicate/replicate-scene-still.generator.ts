import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoryboardInput, StoryboardOutput } from '@app/contracts';
import type { ReplicateSettings } from '../../../config/providers/replicate.config';
import { replicateCostUsd, type ReplicatePrice } from './replicate.pricing';
import { sceneStillPrompt } from '../ad-prompts';
import { extensionOf, fileUri, probeOutput } from '../downloaded-media';
import { SceneStillGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { downloadTo } from '../remote-http';
import { CallTally, type ProviderResilience } from '../resilience';
import { outputUrls, type ReplicateClient } from './replicate.client';

/** flux-family input of one storyboard still (https://replicate.com/black-forest-labs/flux-schnell/api/schema). Pure. */
export function sceneStillInputFor(input: StoryboardInput): Record<string, unknown> {
  return { prompt: sceneStillPrompt(input.plan, input.scene), aspect_ratio: input.aspect_ratio, output_format: 'png', num_outputs: 1, seed: input.seed };
}

/**
 * Storyboard stills on Replicate: flux-schnell per scene, flux-pro when the job has the `hd` style preset
 * (docs/api.md, "Storyboard providers and prices"; REPLICATE_STORYBOARD_MODEL / REPLICATE_STORYBOARD_HD_MODEL). The
 * scene's seed is sent, so a regenerated scene (new seed) gets a new picture. The output is downloaded at once
 * into `<workDir>/storyboard/scene-<n>-v<variant>.<ext>` and probed. Cost: the model's price per image
 * ($0.003 flux-schnell, $0.055 flux-pro by default).
 */
export class ReplicateSceneStillGenerator extends SceneStillGenerator {
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
   * @throws ProviderError `IMAGE_GENERATION_FAILED` (permanent), `TIMEOUT`, `RATE_LIMIT_EXCEEDED`,
   *   `SERVICE_UNAVAILABLE`, with attempts and partial cost; CancelledError
   */
  async generate(input: StoryboardInput, ctx: ProviderContext): Promise<ProviderResult<StoryboardOutput>> {
    const started = Date.now();
    const model = input.hd ? this.settings.storyboardHdModel : this.settings.storyboardModel;
    const tally = new CallTally();
    let billed = false;
    const n = input.scene.scene_number;
    await mkdir(join(ctx.workDir, 'storyboard'), { recursive: true });
    const { result, predictionId, resumed } = await this.client.run({
      model,
      input: sceneStillInputFor(input),
      stage: 'storyboard',
      ctx,
      tally,
      policy: this.resilience.policy({ provider: this.name, stage: 'storyboard', target: model }),
      finish: async (prediction, signal) => {
        const urls = outputUrls(prediction.output);
        if (urls.length === 0) throw new ProviderError('invalid_output', 'storyboard', `replicate ${model} succeeded without an output URL`);
        if (!billed) {
          billed = true;
          tally.bill(replicateCostUsd(this.prices[model], { images: urls.length, predictSeconds: prediction.metrics?.predict_time }));
        }
        const path = join(ctx.workDir, 'storyboard', `scene-${n}-v${input.variant}${extensionOf(urls[0], '.png')}`);
        await downloadTo(urls[0], path, { signal, stage: 'storyboard', service: `replicate ${model}` });
        const probed = await probeOutput(path, 'storyboard', `replicate ${model}`);
        return { path, probed };
      },
    });
    return {
      output: { image_uri: fileUri(result.path), seed: input.seed, width: result.probed.widthPx, height: result.probed.heightPx },
      costUsd: tally.costUsd,
      processingTimeSeconds: (Date.now() - started) / 1000,
      provider: this.name,
      attempts: tally.attempts,
      metadata: { model, prediction_id: predictionId, resumed },
    };
  }
}
