import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_SIZE_PX, resolutionOf, type CompositionInput, type CompositionOutput } from '@app/contracts';
import type { HttpContractSettings } from '../../../config/providers/http-contract.config';
import { verifyAd } from '../../media/ffprobe';
import { fileUri } from '../downloaded-media';
import { Compositor, type ProviderContext, type ProviderResult } from '../ports';
import { ProviderError } from '../provider.errors';
import { downloadTo } from '../remote-http';
import { CallTally } from '../resilience';
import { resolveResultUrl, type HttpContractClient } from './http-contract.client';
import { toComposeRequest } from './http-contract.mappers';
import { withSharedUrls } from './shared-urls';

/**
 * Composition on the team's service: `POST {COMPOSITION_URL}/compose` answering
 * `{video_url, thumbnail_url, duration, file_size}` (docs/providers.md, "Stage services (HTTP contract)"). Clips
 * are sent as http(s) URLs the service can fetch (presigned or the app's signed artifact route, never
 * `file://`; docs/design/artifacts.md "Stage artifacts"). The ad and thumbnail are
 * downloaded into `<workDir>/final.mp4` and `thumbnail.jpg`, and the ad must pass the project's delivery check
 * (`verifyAd`: H.264/AAC, exact size, 30 fps, faststart, duration ±0.5 s) or the stage fails `COMPOSITION_FAILED`.
 */
export class HttpCompositor extends Compositor {
  readonly name = 'http';
  constructor(private readonly client: HttpContractClient, private readonly settings: HttpContractSettings) {
    super();
  }

  /** @throws ProviderError `COMPOSITION_FAILED`, `TIMEOUT`, `RATE_LIMIT_EXCEEDED`, `SERVICE_UNAVAILABLE`; CancelledError */
  async compose(input: CompositionInput, ctx: ProviderContext): Promise<ProviderResult<CompositionOutput>> {
    const tally = new CallTally();
    const base = this.settings.compositionUrl;
    const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
    const { answer, value } = await this.client.call({
      baseUrl: base,
      path: '/compose',
      body: await withSharedUrls(toComposeRequest(input), ctx),
      stage: 'composition',
      ctx,
      tally,
      then: async (a: { result: { video_url?: unknown; thumbnail_url?: unknown } }, signal) => {
        const videoUrl = resolveResultUrl(a.result.video_url, base, 'composition', 'video_url');
        const thumbUrl = resolveResultUrl(a.result.thumbnail_url, base, 'composition', 'thumbnail_url');
        const videoPath = join(ctx.workDir, 'final.mp4');
        const thumbPath = join(ctx.workDir, 'thumbnail.jpg');
        await downloadTo(videoUrl, videoPath, { signal, stage: 'composition', service: 'http /compose' });
        await downloadTo(thumbUrl, thumbPath, { signal, stage: 'composition', service: 'http /compose' });
        const { problems, probe } = await verifyAd(videoPath, { durationSeconds: input.duration, widthPx, heightPx });
        if (problems.length > 0) throw new ProviderError('invalid_output', 'composition', `http /compose returned an undeliverable ad: ${problems.join('; ')}`);
        return { videoPath, thumbPath, probe, bytes: (await stat(videoPath)).size };
      },
    });
    return {
      output: {
        video_uri: fileUri(value.videoPath),
        thumbnail_uri: fileUri(value.thumbPath),
        duration: value.probe.durationSeconds,
        resolution: resolutionOf(input.aspect_ratio),
        file_size_bytes: value.bytes,
        scenes: input.plan.scenes.length,
      },
      costUsd: tally.costUsd,
      processingTimeSeconds: answer.processingTimeSeconds,
      provider: this.name,
      attempts: tally.attempts,
      metadata: answer.metadata,
    };
  }
}
