import { Injectable } from '@nestjs/common';
import type { StoryboardInput } from '@app/contracts';
import { SceneStillGenerator, type ProviderContext } from '../../providers/ports';
import type { StageHandler } from '../stage-handler';

/**
 * Stage storyboard: one still for one scene, derived from the reference design (docs/api.md, "Storyboard").
 * The saga fans out one request per scene that needs a still, at most MAX_PARALLEL_VIDEO_GENERATIONS at a
 * time per job, and fans the results in; clips later animate these stills once the storyboard is approved.
 */
@Injectable()
export class StoryboardStage implements StageHandler<'storyboard'> {
  readonly stage = 'storyboard' as const;
  constructor(private readonly stills: SceneStillGenerator) {}
  get providerName(): string {
    return this.stills.name;
  }
  run(input: StoryboardInput, ctx: ProviderContext) {
    return this.stills.generate(input, ctx);
  }
}
