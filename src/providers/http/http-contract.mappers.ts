import {
  FRAMEWORK_ROLES,
  FRAMEWORKS,
  MOTIONS,
  SCENE_ROLES,
  TRANSITIONS,
  acceptAdPlan,
  type AdPlan,
  type CompositionInput,
  type Framework,
  type ImageGenerationInput,
  type PromptParsingInput,
  type VideoGenerationInput,
} from '@app/contracts';
import { referenceImagePrompt } from '../ad-prompts';

/**
 * Pure mappers of the team-service HTTP contract (docs/providers.md, "Stage services (HTTP contract)").
 * Requests carry the contract's fields first, then the extra fields our pipeline needs (aspect ratio,
 * durations, scene data) that a service may ignore. Times are seconds.
 */

/** The contract's standard answer: `{success, result, cost (USD), processing_time (s), metadata}`. */
export interface ContractEnvelope<T> {
  success: boolean;
  result?: T;
  cost?: number;
  processing_time?: number;
  metadata?: Record<string, unknown>;
  /** Not in the contract's envelope, but what services put on `success: false`: a string or `{code, message}`. */
  error?: unknown;
  message?: unknown;
}

/** Checks the envelope shape. @returns problems (empty when usable). */
export function envelopeProblems(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['answer is not a JSON object'];
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b.success !== 'boolean') problems.push('"success" is not a boolean');
  if (b.success === true && (typeof b.result !== 'object' || b.result === null)) problems.push('"result" is missing');
  if (b.cost !== undefined && (typeof b.cost !== 'number' || !Number.isFinite(b.cost) || b.cost < 0)) problems.push('"cost" is not a number >= 0');
  return problems;
}

/** The service's own message on `success: false`. */
export function failureMessageOf(body: ContractEnvelope<unknown>): string {
  const e = body.error;
  const text = typeof e === 'string' ? e : typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : body.message;
  return typeof text === 'string' && text.trim() !== '' ? text.trim().slice(0, 300) : 'service reported success: false';
}

/** `POST /parse` body (contract: `{prompt, duration, aspect_ratio, brand_guidelines}`). */
export function toParseRequest(input: PromptParsingInput): Record<string, unknown> {
  return { prompt: input.prompt, duration: input.duration, aspect_ratio: input.aspect_ratio, brand_guidelines: input.brand_guidelines ?? null };
}

/** The first of a lenient answer's candidate text fields that is text (a string, or a number as text). Pure. */
function textOf(...values: unknown[]): string | undefined {
  const v = values.find((x) => typeof x === 'string' || typeof x === 'number');
  return v === undefined ? undefined : String(v);
}

/**
 * The parse result as an {@link AdPlan}. A service may answer the full plan, or only the contract's
 * `{scenes, visual_direction, audio, text_overlays}`: missing plan fields are filled from the request and the
 * scenes (framework from the roles, hook from scene 1, call to action from the last scene), then the result is
 * checked with `validateAdPlan`.
 * @returns the plan, or the problems that make it unusable
 */
export function toAdPlan(result: unknown, input: PromptParsingInput): { plan: AdPlan; problems: [] } | { plan: null; problems: string[] } {
  // Arithmetic repair first (docs/design/plan-repair.md); the record travels in plan.adjustments.
  const direct = acceptAdPlan(result, input.duration);
  if (direct.plan) return { plan: direct.plan, problems: [] };
  if (typeof result !== 'object' || result === null) return { plan: null, problems: ['result is not an object'] };
  const r = result as Omit<Partial<AdPlan>, 'scenes'> & { scenes?: Array<Record<string, unknown>> };
  if (!Array.isArray(r.scenes)) return { plan: null, problems: ['result has no scenes'] };
  const scenes = r.scenes.map((s, i) => {
    const text = (textOf(s.on_screen_text, s.text, s.description) ?? '').slice(0, 80) || `Scene ${i + 1}`;
    return {
      scene_number: i + 1,
      role: (SCENE_ROLES as readonly unknown[]).includes(s.role) ? s.role : i === r.scenes!.length - 1 ? 'cta' : 'interest',
      duration: Number(s.duration),
      visual_prompt: textOf(s.visual_prompt, s.prompt, s.description) ?? text,
      on_screen_text: text,
      transition: (TRANSITIONS as readonly unknown[]).includes(s.transition) ? s.transition : 'crossfade',
      motion: (MOTIONS as readonly unknown[]).includes(s.motion) ? s.motion : MOTIONS[i % MOTIONS.length],
    };
  }) as AdPlan['scenes'];
  const roles = scenes.map((s) => s.role as string);
  const framework: Framework = (FRAMEWORKS as readonly unknown[]).includes(r.framework)
    ? (r.framework as Framework)
    : (FRAMEWORKS.find((f) => FRAMEWORK_ROLES[f].every((role) => roles.includes(role))) ?? 'AIDA');
  let t = 0;
  const overlays =
    Array.isArray(r.text_overlays) && r.text_overlays.length > 0
      ? r.text_overlays
      : scenes.map((s) => {
          const o = { scene_number: s.scene_number, text: s.on_screen_text, start_time: t, end_time: t + s.duration };
          t += s.duration;
          return o;
        });
  const plan: AdPlan = {
    framework,
    product: r.product ?? { name: input.prompt.slice(0, 60), description: input.prompt, category: 'general', audience: 'general', offer: null },
    tone: r.tone ?? 'confident',
    platform: r.platform ?? null,
    hook: r.hook ?? scenes[0]?.on_screen_text ?? 'New',
    call_to_action: r.call_to_action ?? (scenes[scenes.length - 1]?.on_screen_text ?? 'Learn more').slice(0, 60),
    scenes,
    visual_direction: r.visual_direction as AdPlan['visual_direction'],
    audio: r.audio as AdPlan['audio'],
    text_overlays: overlays,
  };
  const filled = acceptAdPlan(plan, input.duration);
  return filled.plan ? { plan: filled.plan, problems: [] } : { plan: null, problems: filled.problems };
}

/**
 * `POST /generate-image` body (contract: `{prompt, style, visual_direction}`), plus `variation` for a variation
 * above 0 of a batch, so the service can draw it apart (docs/api.md, "Batches and variations").
 */
export function toImageRequest(input: ImageGenerationInput): Record<string, unknown> {
  return {
    prompt: referenceImagePrompt(input.plan),
    style: input.brand_guidelines?.style ?? input.plan.visual_direction.style,
    visual_direction: input.plan.visual_direction,
    aspect_ratio: input.aspect_ratio,
    ...(input.variation ? { variation: input.variation } : {}),
  };
}

/**
 * `POST /generate-video` body (contract: `{scene_prompt, reference_image_url, duration, aspect_ratio}`). The image
 * the clip starts from is the scene's approved storyboard still when there is one (also sent as `still_url`).
 */
export function toVideoRequest(input: VideoGenerationInput): Record<string, unknown> {
  return {
    scene_prompt: input.scene.visual_prompt,
    reference_image_url: input.still_uri ?? input.reference_image_uri,
    ...(input.still_uri ? { still_url: input.still_uri } : {}),
    duration: input.clip_duration,
    aspect_ratio: input.aspect_ratio,
    scene_number: input.scene.scene_number,
    motion: input.scene.motion,
  };
}

/**
 * `POST /compose` body (contract: `{scenes: [{video_url, start_time, end_time, transition}], audio, text_overlays}`),
 * scene times from the plan's durations, plus duration, aspect ratio and the look. A scene whose clip already
 * carries the grade says so in `color_grade_applied`, so a remote compositor does not grade it twice.
 */
export function toComposeRequest(input: CompositionInput): Record<string, unknown> {
  let t = 0;
  const scenes = input.plan.scenes.map((s, i) => {
    const start = t;
    t += s.duration;
    const graded = input.clips[i]?.color_grade;
    return { video_url: input.clips[i]?.clip_uri ?? null, start_time: start, end_time: t, transition: s.transition, ...(graded ? { color_grade_applied: graded } : {}) };
  });
  return {
    scenes,
    audio: input.plan.audio,
    text_overlays: input.plan.text_overlays,
    duration: input.duration,
    aspect_ratio: input.aspect_ratio,
    visual_direction: input.plan.visual_direction,
    brand_guidelines: input.brand_guidelines ?? null,
  };
}
