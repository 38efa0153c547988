import { FRAMEWORK_ROLES, MAX_SCENES, MIN_SCENES, type Framework, type SceneRole } from '@app/contracts';
import { AppError } from '../../../common/app-error';
import { FRAMEWORK_CUES } from './prompt-lexicon';
import { normalizeText } from './text';

/**
 * The ad's structure: framework, scene count, scene roles and whole-second durations
 * (docs/design/offline-planner.md, "Frameworks" and "Scene count"). Pure.
 */

/** Shortest scene in whole seconds: a still needs ~3 s to read its overlay (and the closing CTA must last ≥ 3 s). */
export const MIN_SCENE_SECONDS = 3;
/** Longest scene: the contract's schema maximum (`AD_PLAN_JSON_SCHEMA`, scene duration ≤ 20 s). */
export const MAX_SCENE_SECONDS = 20;

/**
 * Picks the advertising framework from the prompt (docs/design/offline-planner.md, "Frameworks": PAS, BAB or AIDA).
 *
 * Rule: each cue in {@link FRAMEWORK_CUES} found in the lower-cased prompt is one vote.
 * - PAS (problem-agitate-solution) when PAS votes > 0 and PAS votes ≥ BAB votes: the prompt speaks of a problem,
 *   pain, struggle or time saved. Ties go to PAS because a stated pain is the stronger hook.
 * - BAB (before-after-bridge) when BAB votes > PAS votes: transformation, before/after, upgrade, sustainable change.
 * - AIDA otherwise: launches, luxury and plain product showcases.
 */
export function chooseFramework(prompt: string): Framework {
  const lower = normalizeText(prompt).toLowerCase();
  const pas = FRAMEWORK_CUES.PAS.filter((re) => re.test(lower)).length;
  const bab = FRAMEWORK_CUES.BAB.filter((re) => re.test(lower)).length;
  if (pas > 0 && pas >= bab) return 'PAS';
  if (bab > pas) return 'BAB';
  return 'AIDA';
}

/**
 * Number of scenes for an ad length (docs/design/offline-planner.md, "Scene count": 3-5 scenes, one per ~6 s
 * capped so each scene keeps 4-12 s): ≤ 15 s → 3, 16-35 s → 4, ≥ 36 s → 5.
 */
export function countScenes(durationSeconds: number): number {
  if (durationSeconds <= 15) return MIN_SCENES;
  if (durationSeconds <= 35) return 4;
  return MAX_SCENES;
}

/** A scene slot: its role and, when a role is split over two scenes, which half (0 or 1). */
export interface SceneSlot {
  role: SceneRole;
  variant: number;
}

/**
 * Roles of the scenes, in order, for a framework and a scene count (3-5). The last scene is always the call to
 * action: `action` for AIDA, a closing `cta` card otherwise.
 *
 * | scenes | AIDA                                  | PAS                                   | BAB                               |
 * |--------|---------------------------------------|---------------------------------------|-----------------------------------|
 * | 3      | attention, desire (+interest), action | problem (+agitate), solution, cta     | before, after, cta (+bridge)      |
 * | 4      | attention, interest, desire, action   | problem, agitate, solution, cta       | before, after, bridge, cta        |
 * | 5      | … desire split in two …, action       | … solution split in two …, cta        | … bridge split in two …, cta      |
 *
 * With 5 scenes the product-payoff role (desire / solution / bridge) is split: the first half shows the product,
 * the second shows it in use.
 */
export function planSceneRoles(framework: Framework, sceneCount: number): SceneSlot[] {
  const count = Math.min(MAX_SCENES, Math.max(MIN_SCENES, sceneCount));
  const one = (role: SceneRole): SceneSlot => ({ role, variant: 0 });
  const roles = FRAMEWORK_ROLES[framework] as readonly SceneRole[];
  if (framework === 'AIDA') {
    if (count === 3) return [one('attention'), one('desire'), one('action')];
    if (count === 4) return roles.map(one);
    return [one('attention'), one('interest'), one('desire'), { role: 'desire', variant: 1 }, one('action')];
  }
  const [first, middle, payoff] = roles as readonly [SceneRole, SceneRole, SceneRole];
  if (count === 3)
    return framework === 'PAS'
      ? [one(first), one(payoff), one('cta')]
      : [one(first), one(middle), one('cta')];
  if (count === 4) return [one(first), one(middle), one(payoff), one('cta')];
  return [one(first), one(middle), one(payoff), { role: payoff, variant: 1 }, one('cta')];
}

/**
 * Relative screen time per role: the hook is short (it must land in the first 2 s and hand over quickly), the
 * product payoff (desire / solution / bridge) is longest, the closing CTA is mid-length.
 */
export const ROLE_WEIGHTS: Readonly<Record<SceneRole, number>> = {
  attention: 0.8,
  interest: 1.0,
  desire: 1.3,
  action: 1.0,
  problem: 0.9,
  agitate: 1.0,
  solution: 1.3,
  before: 1.0,
  after: 1.1,
  bridge: 1.3,
  cta: 1.0,
};

/**
 * Splits `totalSeconds` into whole-second scene durations that sum exactly to the total, each in
 * [{@link MIN_SCENE_SECONDS}, {@link MAX_SCENE_SECONDS}], proportional to `weights`.
 *
 * Every scene starts at the minimum; the remaining seconds go one at a time to the scene with the highest
 * `weight / (extra + 1)` (the D'Hondt apportionment, integer and deterministic; ties go to the heavier, then the
 * earlier scene).
 *
 * @throws AppError `PROMPT_PARSING_FAILED` when the total cannot be split within the bounds
 */
export function allocateSceneDurations(weights: readonly number[], totalSeconds: number): number[] {
  const n = weights.length;
  if (
    !Number.isInteger(totalSeconds) ||
    n === 0 ||
    totalSeconds < n * MIN_SCENE_SECONDS ||
    totalSeconds > n * MAX_SCENE_SECONDS
  ) {
    throw new AppError('PROMPT_PARSING_FAILED', `cannot split ${totalSeconds} s into ${n} scenes`, {
      details: { durationSeconds: totalSeconds, scenes: n },
    });
  }
  const durations = weights.map(() => MIN_SCENE_SECONDS);
  for (let left = totalSeconds - n * MIN_SCENE_SECONDS; left > 0; left--) {
    let best = -1;
    let bestScore = -Infinity;
    durations.forEach((d, i) => {
      if (d >= MAX_SCENE_SECONDS) return;
      const score = (weights[i] ?? 1) / (d - MIN_SCENE_SECONDS + 1);
      if (score > bestScore || (score === bestScore && (weights[i] ?? 1) > (weights[best] ?? 1))) {
        best = i;
        bestScore = score;
      }
    });
    durations[best] = (durations[best] ?? 0) + 1;
  }
  return durations;
}
