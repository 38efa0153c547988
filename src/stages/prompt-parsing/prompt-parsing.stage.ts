import { Inject, Injectable } from '@nestjs/common';
import type { PromptParsingInput } from '@app/contracts';
import { PromptPlanner, type ProviderContext } from '../../providers/ports';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { providerIdentity } from '../provider-identity';
import type { CacheKeyParts } from '../stage-cache-key';
import type { StageHandler } from '../stage-handler';

/** Stage prompt_parsing: the request becomes an ad plan (docs/api.md, "Pipeline"). */
@Injectable()
export class PromptParsingStage implements StageHandler<'prompt_parsing'> {
  readonly stage = 'prompt_parsing' as const;
  constructor(
    private readonly planner: PromptPlanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}
  get providerName(): string {
    return this.planner.name;
  }
  run(input: PromptParsingInput, ctx: ProviderContext) {
    return this.planner.plan(input, ctx);
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: PromptParsingInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
