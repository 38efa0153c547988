import { Inject, Injectable } from '@nestjs/common';
import type { VideoGenerationInput } from '@app/contracts';
import { ClipGenerator, type ProviderContext } from '../../providers/ports';
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
  constructor(
    private readonly clips: ClipGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}
  get providerName(): string {
    return this.clips.name;
  }
  run(input: VideoGenerationInput, ctx: ProviderContext) {
    return this.clips.generate(input, ctx);
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: VideoGenerationInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
