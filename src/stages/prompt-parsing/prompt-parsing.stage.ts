import { Inject, Injectable } from '@nestjs/common';
import { withAssetMentions, type PromptParsingInput, type PromptParsingOutput } from '@app/contracts';
import { PromptPlanner, type ProviderContext, type ProviderResult } from '../../providers/ports';
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
  /**
   * Plans the request; a job with assets gets its visual prompts mentioning them here, after whichever planner
   * ran, so every provider's plan does (docs/api.md, "Assets in the ad"). The planner never sees the asset list.
   */
  async run(input: PromptParsingInput, ctx: ProviderContext): Promise<ProviderResult<PromptParsingOutput>> {
    const { assets, ...request } = input;
    const result = await this.planner.plan(request, ctx);
    return assets?.length ? { ...result, output: withAssetMentions(result.output, assets) } : result;
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: PromptParsingInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
