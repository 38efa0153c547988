import Ajv, { type ValidateFunction } from 'ajv';
import type { PlanAdjustment } from './plan-repair';

/**
 * Advertising frameworks a plan follows (docs/providers.md, "Planning rules": PAS, BAB or AIDA).
 * Each framework fixes the roles its scenes play, in order.
 */
export const FRAMEWORKS = ['AIDA', 'PAS', 'BAB'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** Scene roles per framework: Attention-Interest-Desire-Action, Problem-Agitate-Solution, Before-After-Bridge. */
export const FRAMEWORK_ROLES: Readonly<Record<Framework, readonly string[]>> = {
  AIDA: ['attention', 'interest', 'desire', 'action'],
  PAS: ['problem', 'agitate', 'solution'],
  BAB: ['before', 'after', 'bridge'],
};

/** Every role a scene may carry: the framework roles plus a closing call-to-action card. */
export const SCENE_ROLES = ['attention', 'interest', 'desire', 'action', 'problem', 'agitate', 'solution', 'before', 'after', 'bridge', 'cta'] as const;
export type SceneRole = (typeof SCENE_ROLES)[number];

/** Transition *into the next* scene. The last scene's transition is ignored (the ad fades out). */
export const TRANSITIONS = ['crossfade', 'dissolve', 'slide', 'wipe'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/**
 * Seconds each transition overlaps the two scenes it joins (docs/design/composition.md, "Delivery settings": 0.5 s). Clips are made this
 * much longer than their scene so the finished ad lasts exactly the sum of the scene durations.
 */
export const TRANSITION_SECONDS: Readonly<Record<Transition, number>> = {
  crossfade: 0.5,
  dissolve: 0.5,
  slide: 0.5,
  wipe: 0.5,
};

/** Seconds of clip scene `index` needs: its duration plus the overlap of the transition into the next scene. */
export function clipSecondsFor(plan: Pick<AdPlan, 'scenes'>, index: number): number {
  const scene = plan.scenes[index];
  return scene.duration + (index < plan.scenes.length - 1 ? TRANSITION_SECONDS[scene.transition] : 0);
}

/** Camera motion of a clip made from a still (Ken Burns). */
export const MOTIONS = ['zoom_in', 'zoom_out', 'pan_left', 'pan_right', 'pan_up', 'pan_down'] as const;
export type Motion = (typeof MOTIONS)[number];

/** Colour grading presets the compositor knows. */
export const COLOR_GRADES = ['neutral', 'warm', 'cool', 'luxury'] as const;
export type ColorGrade = (typeof COLOR_GRADES)[number];

/** Minimum and maximum scene counts (docs/providers.md, "Planning rules": 3-5 scenes). */
export const MIN_SCENES = 3;
export const MAX_SCENES = 5;

/** One scene of the storyboard. Durations are in seconds. */
export interface AdScene {
  /** 1-based. */
  scene_number: number;
  role: SceneRole;
  /** Seconds on screen in the finished ad; the scenes' durations sum to the requested ad duration. */
  duration: number;
  /** Prompt for the image / clip model: subject, setting, lighting, camera. */
  visual_prompt: string;
  /** The line shown on screen, at most 80 characters. */
  on_screen_text: string;
  transition: Transition;
  motion: Motion;
}

/**
 * The prompt parser's result: the ad plan. Holds the parse result of the stage services' contract,
 * `{scenes, visual_direction, audio, text_overlays}` (docs/providers.md, "Stage services (HTTP contract)"),
 * plus what the pipeline needs beyond it: the product and the framework.
 */
export interface AdPlan {
  framework: Framework;
  product: {
    name: string;
    description: string;
    category: string;
    audience: string;
    /** An offer found in the prompt ("20% off", "free shipping"), or null. */
    offer: string | null;
  };
  tone: string;
  /** Platform cue from the prompt ("instagram", "youtube", ...), or null. */
  platform: string | null;
  /** The opening line shown in the first 2 seconds. */
  hook: string;
  call_to_action: string;
  scenes: AdScene[];
  visual_direction: {
    style: string;
    /** `#RRGGBB` colours, brand colours first. */
    palette: string[];
    lighting: string;
    color_grade: ColorGrade;
  };
  audio: {
    mood: string;
    /** Beats per minute of the music bed. */
    tempo_bpm: number;
    /** Music bed gain relative to full scale, 0-1 (docs/providers.md, "Planning rules": about 30 %). */
    music_volume: number;
  };
  /** One overlay per scene, times in seconds from the start of the ad. */
  text_overlays: Array<{ scene_number: number; text: string; start_time: number; end_time: number }>;
  /**
   * What the planner's arithmetic repair changed in the model's answer (`repairAdPlan`); absent when nothing
   * was. Not part of {@link AD_PLAN_JSON_SCHEMA}: the model never writes it. Shown as the job's `plan_adjustments`.
   */
  adjustments?: PlanAdjustment[];
}

const str = { type: 'string' } as const;
const hex = { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' } as const;

/**
 * JSON Schema of {@link AdPlan}, in the strict subset OpenAI structured outputs accept (every property
 * required, no additional properties; https://platform.openai.com/docs/guides/structured-outputs).
 * The sum of durations and scene numbering are checked by {@link validateAdPlan}, not by the schema.
 */
export const AD_PLAN_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['framework', 'product', 'tone', 'platform', 'hook', 'call_to_action', 'scenes', 'visual_direction', 'audio', 'text_overlays'],
  properties: {
    framework: { type: 'string', enum: [...FRAMEWORKS] },
    product: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'description', 'category', 'audience', 'offer'],
      properties: { name: str, description: str, category: str, audience: str, offer: { type: ['string', 'null'] } },
    },
    tone: str,
    platform: { type: ['string', 'null'] },
    hook: { type: 'string', minLength: 1, maxLength: 80 },
    call_to_action: { type: 'string', minLength: 1, maxLength: 60 },
    scenes: {
      type: 'array',
      minItems: MIN_SCENES,
      maxItems: MAX_SCENES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['scene_number', 'role', 'duration', 'visual_prompt', 'on_screen_text', 'transition', 'motion'],
        properties: {
          scene_number: { type: 'integer', minimum: 1 },
          role: { type: 'string', enum: [...SCENE_ROLES] },
          duration: { type: 'number', minimum: 2, maximum: 20 },
          visual_prompt: { type: 'string', minLength: 1 },
          on_screen_text: { type: 'string', minLength: 1, maxLength: 80 },
          transition: { type: 'string', enum: [...TRANSITIONS] },
          motion: { type: 'string', enum: [...MOTIONS] },
        },
      },
    },
    visual_direction: {
      type: 'object',
      additionalProperties: false,
      required: ['style', 'palette', 'lighting', 'color_grade'],
      properties: {
        style: str,
        palette: { type: 'array', minItems: 2, maxItems: 6, items: hex },
        lighting: str,
        color_grade: { type: 'string', enum: [...COLOR_GRADES] },
      },
    },
    audio: {
      type: 'object',
      additionalProperties: false,
      required: ['mood', 'tempo_bpm', 'music_volume'],
      properties: {
        mood: str,
        tempo_bpm: { type: 'number', minimum: 50, maximum: 180 },
        music_volume: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    text_overlays: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['scene_number', 'text', 'start_time', 'end_time'],
        properties: {
          scene_number: { type: 'integer', minimum: 1 },
          text: str,
          start_time: { type: 'number', minimum: 0 },
          end_time: { type: 'number', minimum: 0 },
        },
      },
    },
  },
} as const;

let compiled: ValidateFunction | undefined;

/**
 * Checks a candidate plan against {@link AD_PLAN_JSON_SCHEMA} and the rules the schema cannot say:
 * scenes numbered 1..n, durations summing to `durationSeconds` (within 0.01 s), overlays inside the ad.
 * Used on the local planner's output and on every LLM answer, so both satisfy one definition.
 *
 * @param candidate untrusted value (for instance parsed LLM JSON)
 * @param durationSeconds the requested ad duration in seconds
 * @returns a list of human-readable problems; empty when the plan is valid
 */
export function validateAdPlan(candidate: unknown, durationSeconds: number): string[] {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(AD_PLAN_JSON_SCHEMA);
  // A stored plan may carry the repair's record; the schema (what the model writes) does not have it.
  if (typeof candidate === 'object' && candidate !== null && 'adjustments' in candidate) {
    const { adjustments: _adjustments, ...rest } = candidate as Record<string, unknown>;
    candidate = rest;
  }
  if (!compiled(candidate)) {
    return (compiled.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
  const plan = candidate as AdPlan;
  const problems: string[] = [];
  plan.scenes.forEach((s, i) => {
    if (s.scene_number !== i + 1) problems.push(`/scenes/${i}/scene_number must be ${i + 1}`);
  });
  const total = plan.scenes.reduce((sum, s) => sum + s.duration, 0);
  if (Math.abs(total - durationSeconds) > 0.01) {
    problems.push(`scene durations sum to ${total} s, expected ${durationSeconds} s`);
  }
  for (const o of plan.text_overlays) {
    if (o.end_time > durationSeconds + 0.01 || o.start_time >= o.end_time) {
      problems.push(`text overlay of scene ${o.scene_number} has an invalid time range`);
    }
  }
  return problems;
}
