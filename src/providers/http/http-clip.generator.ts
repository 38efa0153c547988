import { join } from 'node:path';
import type { VideoGenerationInput, VideoGenerationOutput } from '@app/contracts';
import type { HttpContractSettings } from '../../../config/providers/http-contract.config';
import { fileUri, probeOutput } from '../downloaded-media';
import { ClipGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { downloadTo } from '../remote-http';
import { CallTally } from '../resilience';
import { resolveResultUrl, type HttpContractClient } from './http-contract.client';
import { toVideoRequest } from './http-contract.mappers';
import { withSharedUrls } from './shared-urls';

/**
 * One scene's clip on the team's service: `POST {VIDEO_GEN_URL}/generate-video` answering
 * `{video_url, duration, resolution}` (docs/providers.md, "Stage services (HTTP contract)"). The clip is downloaded into
 * `<workDir>/clip-<n>.mp4`; duration and resolution are probed from the file, not trusted from the answer.
 */
export class HttpClipGenerator extends ClipGenerator {
  readonly name = 'http';
  constructor(private readonly client: HttpContractClient, private readonly settings: HttpContractSettings) {
    super();
  }

  /** @throws ProviderError `VIDEO_GENERATION_FAILED`, `TIMEOUT`, `RATE_LIMIT_EXCEEDED`, `SERVICE_UNAVAILABLE`; CancelledError */
  async generate(input: VideoGenerationInput, ctx: ProviderContext): Promise<ProviderResult<VideoGenerationOutput>> {
    const tally = new CallTally();
    const base = this.settings.videoGenUrl;
    const { answer, value } = await this.client.call({
      baseUrl: base,
      path: '/generate-video',
      body: await withSharedUrls(toVideoRequest(input), ctx),
      stage: 'video_generation',
      ctx,
      tally,
      then: async (a: { result: { video_url?: unknown } }, signal) => {
        const url = resolveResultUrl(a.result.video_url, base, 'video_generation', 'video_url');
        const path = join(ctx.workDir, `clip-${input.scene.scene_number}.mp4`);
        await downloadTo(url, path, { signal, stage: 'video_generation', service: 'http /generate-video' });
        return { path, probed: await probeOutput(path, 'video_generation', 'http /generate-video') };
      },
    });
    return {
      output: { clip_uri: fileUri(value.path), duration: value.probed.durationSeconds, resolution: `${value.probed.widthPx}x${value.probed.heightPx}` },
      costUsd: tally.costUsd,
      processingTimeSeconds: answer.processingTimeSeconds,
      provider: this.name,
      attempts: tally.attempts,
      metadata: answer.metadata,
    };
  }
}
