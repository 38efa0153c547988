import { Inject, Injectable } from '@nestjs/common';
import type { StoryboardInput } from '@app/contracts';
import { ArtifactStore } from '../../artifacts/artifact-store';
import { withAssetFiles } from '../../assets/asset-files';
import { FfmpegRunner } from '../../media/ffmpeg.runner';
import { SceneStillGenerator, type ProviderContext } from '../../providers/ports';
import { footageStill } from '../video-generation/footage-clip';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { providerIdentity } from '../provider-identity';
import type { CacheKeyParts } from '../stage-cache-key';
import type { StageHandler } from '../stage-handler';

/**
 * Stage storyboard: one still for one scene, derived from the reference design (docs/api.md, "Storyboard").
 * The saga fans out one request per scene that needs a still, at most MAX_PARALLEL_VIDEO_GENERATIONS at a
 * time per job, and fans the results in; clips later animate these stills once the storyboard is approved.
 */
@Injectable()
export class StoryboardStage implements StageHandler<'storyboard'> {
  readonly stage = 'storyboard' as const;
  private readonly runner = new FfmpegRunner();
  constructor(
    private readonly stills: SceneStillGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: ArtifactStore,
  ) {}
  get providerName(): string {
    return this.stills.name;
  }
  /** A scene that plays the client's footage shows a frame of it, whatever the still provider (cost 0). */
  run(input: StoryboardInput, ctx: ProviderContext) {
    const withAssets = withAssetFiles(ctx, this.store, 'IMAGE_GENERATION_FAILED');
    if (input.footage) return footageStill({ ...input, footage: input.footage }, withAssets, this.runner);
    return this.stills.generate(input, withAssets);
  }
  /**
   * The configured provider's identity and the whole input, seed and variant included, so a regenerated
   * scene (a new seed) is a new key and an unchanged one reuses its still (docs/design/cache.md, "The key").
   */
  cacheKeyParts(input: StoryboardInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
