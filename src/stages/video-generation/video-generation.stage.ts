import { Injectable } from '@nestjs/common';
import type { VideoGenerationInput } from '@app/contracts';
import { ClipGenerator, type ProviderContext } from '../../providers/ports';
import type { StageHandler } from '../stage-handler';

/**
 * Stage video_generation: one clip for one scene (seed 001, "Video Generation Service"). The saga fans out one
 * request per scene, at most MAX_PARALLEL_VIDEO_GENERATIONS at a time per job, and fans the results in.
 */
@Injectable()
export class VideoGenerationStage implements StageHandler<'video_generation'> {
  readonly stage = 'video_generation' as const;
  constructor(private readonly clips: ClipGenerator) {}
  get providerName(): string {
    return this.clips.name;
  }
  run(input: VideoGenerationInput, ctx: ProviderContext) {
    return this.clips.generate(input, ctx);
  }
}
