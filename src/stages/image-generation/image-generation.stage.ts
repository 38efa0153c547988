import { Injectable } from '@nestjs/common';
import type { ImageGenerationInput } from '@app/contracts';
import { ImageGenerator, type ProviderContext } from '../../providers/ports';
import type { StageHandler } from '../stage-handler';

/** Stage image_generation: one reference image for visual consistency (seed 001, "Image Generation Service"). */
@Injectable()
export class ImageGenerationStage implements StageHandler<'image_generation'> {
  readonly stage = 'image_generation' as const;
  constructor(private readonly images: ImageGenerator) {}
  get providerName(): string {
    return this.images.name;
  }
  run(input: ImageGenerationInput, ctx: ProviderContext) {
    return this.images.generate(input, ctx);
  }
}
