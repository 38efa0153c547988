import { join } from 'node:path';
import { resolutionOf, type VideoGenerationInput, type VideoGenerationOutput } from '@app/contracts';
import type { ReplicateSettings } from '../../../config/providers/replicate.config';
import { replicateCostUsd, type ReplicatePrice } from './replicate.pricing';
import { CancelledError } from '../../common/app-error';
import { fileUri, imageInputOf, probeOutput } from '../downloaded-media';
import { ClipGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { downloadTo } from '../remote-http';
import { CallTally, type ProviderResilience } from '../resilience';
import { outputUrls, parsePredictionToken, type ReplicateClient } from './replicate.client';
import { clipInputFor } from './replicate.mappers';

/**
 * One scene's clip on Replicate: image-to-video from the scene's approved storyboard still (the reference image
 * for requests without one; sent inline as a data URI), models
 * tried in order (docs/providers.md, "Clip models": MiniMax Video-01 primary, Kling as fallback). A model that fails
 * for any reason but cancellation (permanent error, retries exhausted, breaker open) hands over to the next;
 * each model has its own breaker. The clip is downloaded into `<workDir>/clip-<n>.mp4` and probed; cost is
 * the model's price × probed seconds (or × predict_time, per the price table).
 */
export class ReplicateClipGenerator extends ClipGenerator {
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
   * @returns `file://` URI of the clip, its probed duration (seconds) and `"WxH"`
   * @throws the last model's error (`VIDEO_GENERATION_FAILED`, `TIMEOUT`, `RATE_LIMIT_EXCEEDED`,
   *   `SERVICE_UNAVAILABLE`) with attempts and partial cost of all models; CancelledError
   */
  async generate(input: VideoGenerationInput, ctx: ProviderContext): Promise<ProviderResult<VideoGenerationOutput>> {
    const started = Date.now();
    const tally = new CallTally();
    const image = await imageInputOf(input.still_uri ?? input.reference_image_uri);
    const n = input.scene.scene_number;
    // A stored token names the model that was paid for: resume the chain there.
    const resumeModel = parsePredictionToken(ctx.resumeToken)?.model;
    const from = Math.max(0, this.settings.videoModels.indexOf(resumeModel ?? ''));
    const models = this.settings.videoModels.slice(from);
    const tried: Array<{ model: string; code: string; error: string }> = [];
    let lastError: unknown;
    for (const model of models) {
      let billed = false;
      try {
        const { result, predictionId, resumed } = await this.client.run({
          model,
          input: clipInputFor(model, input, image),
          stage: 'video_generation',
          ctx,
          tally,
          policy: this.resilience.policy({ provider: this.name, stage: 'video_generation', target: model }),
          finish: async (prediction, signal) => {
            const url = outputUrls(prediction.output)[0];
            if (!url) throw new ProviderError('invalid_output', 'video_generation', `replicate ${model} succeeded without an output URL`);
            const path = join(ctx.workDir, `clip-${n}.mp4`);
            await downloadTo(url, path, { signal, stage: 'video_generation', service: `replicate ${model}` });
            const probed = await probeOutput(path, 'video_generation', `replicate ${model}`);
            if (!billed) {
              billed = true;
              tally.bill(replicateCostUsd(this.prices[model], { images: 1, videoSeconds: probed.durationSeconds, predictSeconds: prediction.metrics?.predict_time }));
            }
            return { path, probed, predictTime: prediction.metrics?.predict_time };
          },
        });
        return {
          output: { clip_uri: fileUri(result.path), duration: result.probed.durationSeconds, resolution: `${result.probed.widthPx}x${result.probed.heightPx}` },
          costUsd: tally.costUsd,
          processingTimeSeconds: (Date.now() - started) / 1000,
          provider: this.name,
          attempts: tally.attempts,
          metadata: { model, prediction_id: predictionId, resumed, predict_time: result.predictTime, fallbacks: tried, target_resolution: resolutionOf(input.aspect_ratio) },
        };
      } catch (err) {
        if (err instanceof CancelledError) throw err;
        lastError = err;
        tried.push({ model, code: (err as { code?: string }).code ?? 'UNKNOWN', error: (err as Error).message });
      }
    }
    if (lastError instanceof ProviderError && tried.length > 1) Object.assign(lastError.details, { models_tried: tried });
    throw lastError;
  }
}
