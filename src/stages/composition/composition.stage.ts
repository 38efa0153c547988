import { Injectable } from '@nestjs/common';
import type { CompositionInput } from '@app/contracts';
import { Compositor, type ProviderContext } from '../../providers/ports';
import type { StageHandler } from '../stage-handler';

/** Stage composition: clips, text, music and loudness into one MP4 and a thumbnail (seed 001, "Composition Service"). */
@Injectable()
export class CompositionStage implements StageHandler<'composition'> {
  readonly stage = 'composition' as const;
  constructor(private readonly compositor: Compositor) {}
  get providerName(): string {
    return this.compositor.name;
  }
  run(input: CompositionInput, ctx: ProviderContext) {
    return this.compositor.compose(input, ctx);
  }
}
