import { Inject, Injectable } from '@nestjs/common';
import type { VideoGenerationInput } from '@app/contracts';
import { ArtifactStore } from '../../artifacts/artifact-store';
import { withAssetFiles } from '../../assets/asset-files';
import { FfmpegRunner } from '../../media/ffmpeg.runner';
import { ClipGenerator, type ProviderContext } from '../../providers/ports';
import { footageClip } from './footage-clip';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { providerIdentity } from '../provider-identity';
import type { CacheKeyParts } from '../stage-cache-key';
import type { StageHandler } from '../stage-handler';

/**
 * Stage video_generation: one clip for one scene (docs/api.md, "Pipeline"). The saga fans out one
 * request per scene, at most MAX_PARALLEL_VIDEO_GENERATIONS at a time per job, and fans the results in.
 */
@Injectable()
export class VideoGenerationStage implements StageHandler<'video_generation'> {
  readonly stage = 'video_generation' as const;
  private readonly runner = new FfmpegRunner();
  constructor(
    private readonly clips: ClipGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: ArtifactStore,
  ) {}
  get providerName(): string {
    return this.clips.name;
  }
  /** A scene that plays the client's footage is made from it, whatever the clip provider (cost 0, docs/design/composition.md "Brand assets"). */
  run(input: VideoGenerationInput, ctx: ProviderContext) {
    const withAssets = withAssetFiles(ctx, this.store, 'VIDEO_GENERATION_FAILED');
    if (input.footage) return footageClip({ ...input, footage: input.footage }, withAssets, this.runner);
    return this.clips.generate(input, withAssets);
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: VideoGenerationInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
