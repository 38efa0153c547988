import { Inject, Injectable } from '@nestjs/common';
import { footageScenes, resolvedAssetsOf, type StageName } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app.config';
import { estimateStageCostUsd } from '../../config/cost-estimate';
import { roundUsd } from '../common/money';
import { wantsHd, type JobState } from './job-saga';
import { variationCount } from './variation-cuts';

/**
 * Estimates what a stage will cost before the saga starts it, from the configured provider of that stage
 * and its price table (docs/providers.md, "Cost model" and "Prices"). Local providers cost nothing.
 */
@Injectable()
export class CostEstimator {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The v2 estimate of a whole job (docs/api.md): every storyboard still, the clips plus composition, exports
   * (local ffmpeg: 0). Before the plan exists, scenes are assumed one per 6 s of ad.
   */
  estimateJob(state: JobState): { total: number; breakdown: { storyboard: number; video: number; exports: number }; currency: 'USD' } {
    const all: JobState = { ...state, stills: [] };
    const storyboard = roundUsd(this.estimate('storyboard', all));
    const video = roundUsd(this.estimate('video_generation', all) + this.estimate('composition', all));
    return { total: roundUsd(storyboard + video), breakdown: { storyboard, video, exports: 0 }, currency: 'USD' };
  }

  /** USD estimate of running `stage` for the job (all scenes for video_generation, every cut for composition). */
  estimate(stage: StageName, state: JobState): number {
    // A scene played from the client's footage costs nothing, clip or still (docs/design/composition.md, "Brand assets").
    const footage = state.plan ? footageScenes(state.plan.scenes, resolvedAssetsOf(state.options)) : new Map<number, number>();
    const sceneSeconds = state.plan?.scenes.filter((_, i) => stage !== 'video_generation' || !footage.has(i)).map((s) => s.duration) ?? [];
    const stillsToGenerate = state.plan ? state.plan.scenes.filter((_, i) => !state.stills[i] && !footage.has(i)).length : undefined;
    const one = estimateStageCostUsd(this.config.providers, stage, { sceneSeconds, durationSeconds: state.request.duration, hd: wantsHd(state), stillsToGenerate });
    // Every cut of a job with numberOfVariations is its own composition; the clips are shared (docs/api.md, "Variations").
    return stage === 'composition' ? one * variationCount(state) : one;
  }
}
