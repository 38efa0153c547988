import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { ProvidersModule } from '../providers/providers.module';
import { CompositionStage } from './composition/composition.stage';
import { ImageGenerationStage } from './image-generation/image-generation.stage';
import { PromptParsingStage } from './prompt-parsing/prompt-parsing.stage';
import { STAGE_HANDLERS } from './stage-handler';
import { StageArtifacts } from './stage-artifacts';
import { StageCache } from './stage-cache';
import { StageCacheRepository } from './stage-cache.repository';
import { StageRunner } from './stage-runner';
import { StoryboardStage } from './storyboard/storyboard.stage';
import { VideoGenerationStage } from './video-generation/video-generation.stage';

/** The stages role: stage handlers (one per stage) and the runner that feeds them from JetStream. */
@Module({
  imports: [MessagingModule, ProvidersModule],
  providers: [
    PromptParsingStage,
    ImageGenerationStage,
    StoryboardStage,
    VideoGenerationStage,
    CompositionStage,
    {
      provide: STAGE_HANDLERS,
      useFactory: (...handlers: unknown[]) => handlers,
      inject: [PromptParsingStage, ImageGenerationStage, StoryboardStage, VideoGenerationStage, CompositionStage],
    },
    StageCacheRepository,
    StageCache,
    StageArtifacts,
    StageRunner,
  ],
  exports: [StageRunner],
})
export class StagesModule {}
