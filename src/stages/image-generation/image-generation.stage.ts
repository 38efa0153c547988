import { Inject, Injectable } from '@nestjs/common';
import type { ImageGenerationInput } from '@app/contracts';
import { ImageGenerator, type ProviderContext } from '../../providers/ports';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { providerIdentity } from '../provider-identity';
import type { CacheKeyParts } from '../stage-cache-key';
import type { StageHandler } from '../stage-handler';

/** Stage image_generation: one reference image for visual consistency (docs/api.md, "Pipeline"). */
@Injectable()
export class ImageGenerationStage implements StageHandler<'image_generation'> {
  readonly stage = 'image_generation' as const;
  constructor(
    private readonly images: ImageGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}
  get providerName(): string {
    return this.images.name;
  }
  run(input: ImageGenerationInput, ctx: ProviderContext) {
    return this.images.generate(input, ctx);
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: ImageGenerationInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
