import { Inject, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { setBrandFontFile } from '../media/text-card.renderer';
import { MetricsService } from '../metrics/metrics.service';
import { HttpClipGenerator } from './http/http-clip.generator';
import { HttpContractClient } from './http/http-contract.client';
import { HttpImageGenerator } from './http/http-image.generator';
import { HttpSceneStillGenerator } from './http/http-scene-still.generator';
import { HttpPromptPlanner } from './http/http-prompt.planner';
import { HttpCompositor } from './http/http.compositor';
import { LocalClipGenerator } from './local/local-clip.generator';
import { LocalImageGenerator } from './local/local-image.generator';
import { LocalSceneStillGenerator } from './local/local-scene-still.generator';
import { LocalPromptPlanner } from './local/local-prompt.planner';
import { LocalCompositor } from './local/local.compositor';
import { OpenAiPromptPlanner } from './openai/openai.planner';
import { ClipGenerator, Compositor, ImageGenerator, PromptPlanner, SceneStillGenerator } from './ports';
import { ReplicateClipGenerator } from './replicate/replicate-clip.generator';
import { ReplicateImageGenerator } from './replicate/replicate-image.generator';
import { ReplicateSceneStillGenerator } from './replicate/replicate-scene-still.generator';
import { ReplicateClient } from './replicate/replicate.client';
import { ProviderResilience } from './resilience';
import { SimClipGenerator, SimCompositor, SimEngine, SimImageGenerator, SimPromptPlanner, SimSceneStillGenerator } from './sim/sim.providers';

/**
 * Binds each stage's port to the provider configured for it (config/providers.config.ts): local (offline, no
 * key; the default), OpenAI, Replicate or the team's HTTP services. Every non-local adapter runs its calls
 * under the one resilience policy registry (src/providers/resilience.ts): per-stage timeouts, retries on
 * transient faults, a circuit breaker per provider and stage. Local providers are built by Nest as before, so
 * their own constructor dependencies keep resolving; the unused ones cost only their construction.
 */
@Module({
  providers: [
    LocalPromptPlanner,
    LocalImageGenerator,
    LocalSceneStillGenerator,
    LocalClipGenerator,
    {
      provide: LocalCompositor,
      // A job's requested exports take their limit and the test hook from config/ (docs/design/composition.md, "Exports").
      useFactory: (config: AppConfig) =>
        new LocalCompositor(undefined, {
          exportGif: config.providers.local.exportGif,
          exportWebm: config.providers.local.exportWebm,
          exportTimeoutMs: config.exports.timeoutSeconds * 1000,
          exportFaultFormats: config.exports.faultFormats,
        }),
      inject: [APP_CONFIG],
    },
    {
      provide: ProviderResilience,
      useFactory: (config: AppConfig, logger: Logger, metrics: MetricsService) => new ProviderResilience(config.providers.resilience, logger, metrics),
      inject: [APP_CONFIG, ROOT_LOGGER, MetricsService],
    },
    { provide: ReplicateClient, useFactory: (config: AppConfig) => new ReplicateClient(config.providers.replicate), inject: [APP_CONFIG] },
    { provide: SimEngine, useFactory: (config: AppConfig) => new SimEngine(config.providers.sim), inject: [APP_CONFIG] },
    { provide: HttpContractClient, useFactory: (resilience: ProviderResilience) => new HttpContractClient(resilience), inject: [ProviderResilience] },
    {
      provide: PromptPlanner,
      useFactory: (config: AppConfig, local: LocalPromptPlanner, resilience: ProviderResilience, http: HttpContractClient, sim: SimEngine): PromptPlanner => {
        const p = config.providers;
        switch (p.promptParser) {
          case 'openai':
            return new OpenAiPromptPlanner(p.openai, p.prices.openai[p.openai.model], resilience);
          case 'http':
            return new HttpPromptPlanner(http, p.http);
          case 'sim':
            return new SimPromptPlanner(sim);
          case 'local':
            return local;
        }
      },
      inject: [APP_CONFIG, LocalPromptPlanner, ProviderResilience, HttpContractClient, SimEngine],
    },
    {
      provide: ImageGenerator,
      useFactory: (
        config: AppConfig,
        local: LocalImageGenerator,
        resilience: ProviderResilience,
        http: HttpContractClient,
        replicate: ReplicateClient,
        sim: SimEngine,
      ): ImageGenerator => {
        const p = config.providers;
        switch (p.image) {
          case 'replicate':
            return new ReplicateImageGenerator(replicate, p.replicate, p.prices.replicate, resilience);
          case 'http':
            return new HttpImageGenerator(http, p.http);
          case 'sim':
            return new SimImageGenerator(sim);
          case 'local':
            return local;
        }
      },
      inject: [APP_CONFIG, LocalImageGenerator, ProviderResilience, HttpContractClient, ReplicateClient, SimEngine],
    },
    {
      provide: SceneStillGenerator,
      useFactory: (
        config: AppConfig,
        local: LocalSceneStillGenerator,
        resilience: ProviderResilience,
        http: HttpContractClient,
        replicate: ReplicateClient,
        sim: SimEngine,
      ): SceneStillGenerator => {
        const p = config.providers;
        switch (p.storyboard) {
          case 'replicate':
            return new ReplicateSceneStillGenerator(replicate, p.replicate, p.prices.replicate, resilience);
          case 'http':
            return new HttpSceneStillGenerator(http, p.http);
          case 'sim':
            return new SimSceneStillGenerator(sim);
          case 'local':
            return local;
        }
      },
      inject: [APP_CONFIG, LocalSceneStillGenerator, ProviderResilience, HttpContractClient, ReplicateClient, SimEngine],
    },
    {
      provide: ClipGenerator,
      useFactory: (
        config: AppConfig,
        local: LocalClipGenerator,
        resilience: ProviderResilience,
        http: HttpContractClient,
        replicate: ReplicateClient,
        sim: SimEngine,
      ): ClipGenerator => {
        const p = config.providers;
        switch (p.video) {
          case 'replicate':
            return new ReplicateClipGenerator(replicate, p.replicate, p.prices.replicate, resilience);
          case 'http':
            return new HttpClipGenerator(http, p.http);
          case 'sim':
            return new SimClipGenerator(sim);
          case 'local':
            return local;
        }
      },
      inject: [APP_CONFIG, LocalClipGenerator, ProviderResilience, HttpContractClient, ReplicateClient, SimEngine],
    },
    {
      provide: Compositor,
      useFactory: (config: AppConfig, local: LocalCompositor, http: HttpContractClient, sim: SimEngine): Compositor =>
        config.providers.composition === 'http'
          ? new HttpCompositor(http, config.providers.http)
          : config.providers.composition === 'sim'
            ? new SimCompositor(sim)
            : local,
      inject: [APP_CONFIG, LocalCompositor, HttpContractClient, SimEngine],
    },
  ],
  exports: [PromptPlanner, ImageGenerator, SceneStillGenerator, ClipGenerator, Compositor],
})
export class ProvidersModule {
  // Every local renderer draws text (reference designs, stills, text cards), so the brand font is set for the
  // process before any of them runs, not by one of their constructors.
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    setBrandFontFile(config.providers.local.brandFontFile);
  }
}
