import { Inject, Injectable } from '@nestjs/common';
import type { StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { estimateStageCostUsd } from '../../config/providers.config';
import { wantsHd, type JobState } from './job-saga';

/**
 * Estimates what a stage will cost before the saga starts it, from the configured provider of that stage
 * and its price table (issue #4, "Cost cap"; seed 000 "Cost Model"). Local providers cost nothing.
 */
@Injectable()
export class CostEstimator {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** USD estimate of running `stage` for the job (all scenes for video_generation). */
  estimate(stage: StageName, state: JobState): number {
    const sceneSeconds = state.plan?.scenes.map((s) => s.duration) ?? [];
    const stillsToGenerate = state.plan ? state.plan.scenes.filter((_, i) => !state.stills[i]).length : undefined;
    return estimateStageCostUsd(this.config.providers, stage, { sceneSeconds, durationSeconds: state.request.duration, hd: wantsHd(state), stillsToGenerate });
  }
}
