import { TRANSITION_SECONDS, type AdPlan, type Transition } from '@app/contracts';

/** Transition length per kind, seconds: defined once in the contracts, where the saga sizes clips with it. */
export { TRANSITION_SECONDS };

/**
 * ffmpeg `xfade` transition implementing each plan transition. xfade's own `dissolve` is a random-pixel
 * dissolve that reads as noise on a phone, so the plan's dissolve is a blurred blend (`hblur`); the wipe is
 * soft-edged (`smoothleft`); the slide pushes the old scene out (`slideleft`).
 */
export const XFADE_TRANSITION: Readonly<Record<Transition, string>> = {
  crossfade: 'fade',
  dissolve: 'hblur',
  slide: 'slideleft',
  wipe: 'smoothleft',
};

/** Where one scene sits in the finished ad. Seconds from the start of the ad. */
export interface SceneSlot {
  /** The scene is the only picture from `startSeconds` (after the incoming transition) ... */
  startSeconds: number;
  /** ... for `durationSeconds` (the plan's duration), the last `transitionOutSeconds` of which blend into the next scene. */
  durationSeconds: number;
  /** Transition into the next scene, seconds; 0 for the last scene. */
  transitionOutSeconds: number;
  /** Transition from the previous scene, seconds; 0 for the first scene. */
  transitionInSeconds: number;
  /** Length the scene's clip must have: its duration plus the outgoing transition's overlap. */
  clipSeconds: number;
  /** Seconds during which the scene is fully visible: from start + incoming transition to start + duration. */
  clearFromSeconds: number;
  clearToSeconds: number;
}

/**
 * Lays the plan's scenes on the ad's timeline. Scene k starts at S_k = D_0 + … + D_(k-1); its clip lasts
 * D_k + X_k, where X_k is the transition into scene k+1, so the xfade from scene k to k+1 starts exactly at
 * S_(k+1) (offset_k = D_0 + … + D_k) and the output lasts ΣD_k, the requested duration. Pure.
 *
 * The saga uses {@link SceneSlot.clipSeconds} as `VideoGenerationInput.clip_duration`.
 */
export function planTimeline(plan: Pick<AdPlan, 'scenes'>): SceneSlot[] {
  let start = 0;
  return plan.scenes.map((scene, i) => {
    const next = plan.scenes[i + 1];
    const out = next ? TRANSITION_SECONDS[scene.transition] : 0;
    const prev = i > 0 ? plan.scenes[i - 1] : undefined;
    const inSeconds = prev ? TRANSITION_SECONDS[prev.transition] : 0;
    const slot: SceneSlot = {
      startSeconds: round3(start),
      durationSeconds: scene.duration,
      transitionOutSeconds: out,
      transitionInSeconds: inSeconds,
      clipSeconds: round3(scene.duration + out),
      clearFromSeconds: round3(start + inSeconds),
      clearToSeconds: round3(start + scene.duration),
    };
    start += scene.duration;
    return slot;
  });
}

/** Rounds to milliseconds so sums of decimal durations print cleanly (0.1 + 0.2). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
