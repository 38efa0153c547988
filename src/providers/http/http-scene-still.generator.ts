import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoryboardInput, StoryboardOutput } from '@app/contracts';
import type { HttpContractSettings } from '../../../config/providers/http-contract.config';
import { sceneStillPrompt } from '../ad-prompts';
import { extensionOf, fileUri, probeOutput } from '../downloaded-media';
import { SceneStillGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { downloadTo } from '../remote-http';
import { CallTally } from '../resilience';
import { resolveResultUrl, type HttpContractClient } from './http-contract.client';
import { withSharedUrls } from './shared-urls';

/**
 * `POST /generate-image` body of one storyboard still: the contract's `{prompt, style, visual_direction}` for the
 * scene, plus the reference design to derive from, the scene number and the seed. Pure.
 */
export function toSceneStillRequest(input: StoryboardInput): Record<string, unknown> {
  return {
    prompt: sceneStillPrompt(input.plan, input.scene),
    style: input.brand_guidelines?.style ?? input.plan.visual_direction.style,
    visual_direction: input.plan.visual_direction,
    aspect_ratio: input.aspect_ratio,
    reference_image_url: input.reference_image_uri,
    scene_number: input.scene.scene_number,
    seed: input.seed,
  };
}

/**
 * Storyboard stills on the team's image service, one call per scene: `POST {IMAGE_GEN_URL}/generate-image`
 * answering `{image_url, seed}` (docs/providers.md, "Stage services (HTTP contract)"; docs/api.md, "Storyboard
 * providers and prices"). The still is downloaded into
 * `<workDir>/storyboard/scene-<n>-v<variant>.<ext>` and probed; the service reports its own cost.
 */
export class HttpSceneStillGenerator extends SceneStillGenerator {
  readonly name = 'http';
  constructor(private readonly client: HttpContractClient, private readonly settings: HttpContractSettings) {
    super();
  }

  /** @throws ProviderError `IMAGE_GENERATION_FAILED`, `TIMEOUT`, `RATE_LIMIT_EXCEEDED`, `SERVICE_UNAVAILABLE`; CancelledError */
  async generate(input: StoryboardInput, ctx: ProviderContext): Promise<ProviderResult<StoryboardOutput>> {
    const tally = new CallTally();
    const base = this.settings.imageGenUrl;
    const n = input.scene.scene_number;
    await mkdir(join(ctx.workDir, 'storyboard'), { recursive: true });
    const { answer, value } = await this.client.call({
      baseUrl: base,
      path: '/generate-image',
      body: await withSharedUrls(toSceneStillRequest(input), ctx),
      stage: 'storyboard',
      ctx,
      tally,
      then: async (a: { result: { image_url?: unknown } }, signal) => {
        const url = resolveResultUrl(a.result.image_url, base, 'storyboard', 'image_url');
        const path = join(ctx.workDir, 'storyboard', `scene-${n}-v${input.variant}${extensionOf(url, '.png')}`);
        await downloadTo(url, path, { signal, stage: 'storyboard', service: 'http /generate-image' });
        return { path, probed: await probeOutput(path, 'storyboard', 'http /generate-image') };
      },
    });
    return {
      output: { image_uri: fileUri(value.path), seed: input.seed, width: value.probed.widthPx, height: value.probed.heightPx },
      costUsd: tally.costUsd,
      processingTimeSeconds: answer.processingTimeSeconds,
      provider: this.name,
      attempts: tally.attempts,
      metadata: answer.metadata,
    };
  }
}
