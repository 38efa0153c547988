import { Inject, Injectable } from '@nestjs/common';
import type { CompositionInput } from '@app/contracts';
import { Compositor, type ProviderContext } from '../../providers/ports';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { providerIdentity } from '../provider-identity';
import type { CacheKeyParts } from '../stage-cache-key';
import type { StageHandler } from '../stage-handler';

/** Stage composition: clips, text, music and loudness into one MP4 and a thumbnail (docs/api.md, "Pipeline"). */
@Injectable()
export class CompositionStage implements StageHandler<'composition'> {
  readonly stage = 'composition' as const;
  constructor(
    private readonly compositor: Compositor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}
  get providerName(): string {
    return this.compositor.name;
  }
  run(input: CompositionInput, ctx: ProviderContext) {
    return this.compositor.compose(input, ctx);
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: CompositionInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
