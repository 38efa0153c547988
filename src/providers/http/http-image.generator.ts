import { join } from 'node:path';
import type { ImageGenerationInput, ImageGenerationOutput } from '@app/contracts';
import type { HttpContractSettings } from '../../../config/providers/http-contract.config';
import { extensionOf, fileUri, probeOutput } from '../downloaded-media';
import { ImageGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { downloadTo } from '../remote-http';
import { CallTally } from '../resilience';
import { resolveResultUrl, type HttpContractClient } from './http-contract.client';
import { toImageRequest } from './http-contract.mappers';

/**
 * Reference image on the team's service: `POST {IMAGE_GEN_URL}/generate-image` answering `{image_url, seed}`
 * (docs/providers.md, "Stage services (HTTP contract)"). The image is downloaded into `<workDir>/reference.<ext>` and probed.
 */
export class HttpImageGenerator extends ImageGenerator {
  readonly name = 'http';
  constructor(private readonly client: HttpContractClient, private readonly settings: HttpContractSettings) {
    super();
  }

  /** @throws ProviderError `IMAGE_GENERATION_FAILED`, `TIMEOUT`, `RATE_LIMIT_EXCEEDED`, `SERVICE_UNAVAILABLE`; CancelledError */
  async generate(input: ImageGenerationInput, ctx: ProviderContext): Promise<ProviderResult<ImageGenerationOutput>> {
    const tally = new CallTally();
    const base = this.settings.imageGenUrl;
    const { answer, value } = await this.client.call({
      baseUrl: base,
      path: '/generate-image',
      body: toImageRequest(input),
      stage: 'image_generation',
      ctx,
      tally,
      then: async (a: { result: { image_url?: unknown; seed?: unknown } }, signal) => {
        const url = resolveResultUrl(a.result.image_url, base, 'image_generation', 'image_url');
        const path = join(ctx.workDir, `reference${extensionOf(url, '.png')}`);
        await downloadTo(url, path, { signal, stage: 'image_generation', service: 'http /generate-image' });
        const probed = await probeOutput(path, 'image_generation', 'http /generate-image');
        return { path, probed, seed: typeof a.result.seed === 'number' ? a.result.seed : 0 };
      },
    });
    return {
      output: { image_uri: fileUri(value.path), seed: value.seed, width: value.probed.widthPx, height: value.probed.heightPx },
      costUsd: tally.costUsd,
      processingTimeSeconds: answer.processingTimeSeconds,
      provider: this.name,
      attempts: tally.attempts,
      metadata: answer.metadata,
    };
  }
}
