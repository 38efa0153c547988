import { Inject, Injectable } from '@nestjs/common';
import type { CompositionInput } from '@app/contracts';
import { ArtifactStore } from '../../artifacts/artifact-store';
import { withAssetFiles } from '../../assets/asset-files';
import { Compositor, type ProviderContext } from '../../providers/ports';
import { APP_CONFIG, type AppConfig } from '../../../config/app.config';
import { SERVICE_VERSION } from '../../common/version';
import { AppError } from '../../common/app-error';
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
    private readonly store: ArtifactStore,
  ) {}
  get providerName(): string {
    return this.compositor.name;
  }
  /**
   * @throws AppError `COMPOSITION_FAILED` (not retryable) for a cut listed in the test hook
   *   `VARIATION_FAULT_INDICES` (config `variationFaultIndices`); otherwise whatever the compositor throws
   */
  async run(input: CompositionInput, ctx: ProviderContext) {
    const cut = input.variation ?? 0;
    if (this.config.variationFaultIndices.includes(cut)) {
      throw new AppError('COMPOSITION_FAILED', `composition of variation ${cut} failed (test hook VARIATION_FAULT_INDICES)`, { retryable: false, details: { variation: cut } });
    }
    return this.compositor.compose(input, withAssetFiles(ctx, this.store, 'COMPOSITION_FAILED'));
  }
  /** The configured provider's identity and the whole input (docs/design/cache.md, "The key"). */
  cacheKeyParts(input: CompositionInput): CacheKeyParts {
    return { provider: providerIdentity(this.stage, this.config.providers, SERVICE_VERSION), input };
  }
}
