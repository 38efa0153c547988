import type { StageName } from '@app/contracts';
import { openAiCostUsd } from '../src/providers/openai/openai.pricing';
import { replicateCostUsd } from '../src/providers/replicate/replicate.pricing';
import type { ProvidersConfig } from './providers.config';

/*
 * Here rather than beside the adapters because the saga (src/jobs) prices a stage before it starts it, and jobs
 * never imports providers (docs/conventions.md, "Boundaries"); the price arithmetic it applies stays beside
 * each adapter.
 */

/**
 * Prompt + completion tokens a plan typically takes, for the estimate only: a ~900-token system prompt and
 * schema, a ~150-token request, a ~1 200-token plan; doubled for the one repair attempt.
 */
const PLAN_TOKENS_ESTIMATE = { promptTokens: 2 * 1100, completionTokens: 2 * 1200 };

/**
 * USD estimate of one stage for a job, from the configured provider's price table (local: 0). The saga
 * compares it with the cost cap before starting the stage (docs/providers.md, "Cost model": fail past
 * MAX_COST_PER_VIDEO). It errs high: the repair call, and the longest clip model of the fallback chain. Pure.
 * @param job scene durations and ad duration, seconds
 */
export function estimateStageCostUsd(
  providers: ProvidersConfig,
  stage: StageName,
  job: { sceneSeconds: number[]; durationSeconds: number; hd?: boolean; stillsToGenerate?: number },
): number {
  const clipSeconds = job.sceneSeconds.length > 0 ? job.sceneSeconds : [job.durationSeconds];
  switch (stage) {
    case 'prompt_parsing': {
      if (providers.promptParser === 'openai') {
        const price = providers.prices.openai[providers.openai.model];
        return price ? openAiCostUsd(price, PLAN_TOKENS_ESTIMATE) : 0;
      }
      return providers.promptParser === 'http' ? providers.prices.http.parseUsd : 0;
    }
    case 'image_generation': {
      if (providers.image === 'replicate') {
        const price = providers.prices.replicate[providers.replicate.imageModel];
        // predict_second models: assume 10 s of hardware (flux-schnell runs in ~2 s; estimates err high, docs/providers.md "Cost model").
        return price ? replicateCostUsd(price, { images: 1, videoSeconds: 0, predictSeconds: 10 }) : 0;
      }
      return providers.image === 'http' ? providers.prices.http.imageUsd : 0;
    }
    case 'storyboard': {
      // One still per scene still to make (all scenes unless a refine keeps some); before the plan, a scene per
      // 6 s of ad, at least 3 (docs/providers.md, "Cost model").
      const stills = job.stillsToGenerate ?? (job.sceneSeconds.length > 0 ? job.sceneSeconds.length : Math.max(3, Math.floor(job.durationSeconds / 6)));
      if (providers.storyboard === 'replicate') {
        const price = providers.prices.replicate[job.hd ? providers.replicate.storyboardHdModel : providers.replicate.storyboardModel];
        return price ? stills * replicateCostUsd(price, { images: 1, videoSeconds: 0, predictSeconds: 10 }) : 0;
      }
      return providers.storyboard === 'http' ? stills * providers.prices.http.imageUsd : 0;
    }
    case 'video_generation': {
      if (providers.video === 'replicate') {
        const perModel = providers.replicate.videoModels.map((m) => {
          const price = providers.prices.replicate[m];
          if (!price) return 0;
          // Video models bill whole clips: MiniMax video-01 makes 6 s, Kling 5 or 10 s; assume >= 6 s per scene.
          return clipSeconds.reduce((sum, s) => sum + replicateCostUsd(price, { images: 1, videoSeconds: Math.max(6, Math.ceil(s)), predictSeconds: 180 }), 0);
        });
        return Math.max(0, ...perModel);
      }
      return providers.video === 'http' ? clipSeconds.reduce((sum, s) => sum + s, 0) * providers.prices.http.videoPerSecondUsd : 0;
    }
    case 'composition':
      return providers.composition === 'http' ? providers.prices.http.composeUsd : 0;
  }
}
