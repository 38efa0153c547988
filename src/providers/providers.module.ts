import { Module } from '@nestjs/common';
import { ClipGenerator, Compositor, ImageGenerator, PromptPlanner } from './ports';
import { LocalPromptPlanner } from './local/local-prompt.planner';
import { LocalImageGenerator } from './local/local-image.generator';
import { LocalClipGenerator } from './local/local-clip.generator';
import { LocalCompositor } from './local/local.compositor';

/**
 * Binds each stage's port to the configured provider. Local providers (offline, no key) are the default;
 * hosted and remote ones are chosen per stage by configuration (config/providers.config.ts).
 */
@Module({
  providers: [
    { provide: PromptPlanner, useClass: LocalPromptPlanner },
    { provide: ImageGenerator, useClass: LocalImageGenerator },
    { provide: ClipGenerator, useClass: LocalClipGenerator },
    { provide: Compositor, useClass: LocalCompositor },
  ],
  exports: [PromptPlanner, ImageGenerator, ClipGenerator, Compositor],
})
export class ProvidersModule {}
