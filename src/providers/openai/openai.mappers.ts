import { FRAMEWORK_ROLES, MAX_SCENES, MIN_SCENES, type PromptParsingInput } from '@app/contracts';

/**
 * Pure pieces of the OpenAI planner: the prompts, and the schema in the subset strict structured outputs
 * accept (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas).
 */

/** Keywords strict mode rejects; the same limits are enforced afterwards by `validateAdPlan`. */
const UNSUPPORTED_KEYWORDS = new Set(['minLength', 'maxLength']);

/** A deep copy of `schema` without keywords strict structured outputs reject. Pure. */
export function toStrictSchema(schema: unknown): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Record<string, unknown>)
        .filter(([k]) => !UNSUPPORTED_KEYWORDS.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  return strip(schema) as Record<string, unknown>;
}

/**
 * The system prompt: the frameworks (docs/providers.md, "Planning rules": PAS, BAB, AIDA), the scene rules of the
 * schema, and how to use brand colours.
 */
export function plannerSystemPrompt(): string {
  const roles = Object.entries(FRAMEWORK_ROLES)
    .map(([f, r]) => `${f}: ${r.join(' → ')}`)
    .join('; ');
  return [
    'You are a senior performance-marketing creative director. Turn the user request into a storyboard for a short vertical, horizontal or square video ad.',
    `Pick the advertising framework that fits the product best. Scene roles per framework, in order: ${roles}. A closing "cta" scene may follow.`,
    `Write ${MIN_SCENES} to ${MAX_SCENES} scenes numbered from 1. Scene durations are seconds (2 to 20 each) and MUST sum exactly to duration_seconds.`,
    'The first scene opens with the hook (at most 80 characters). on_screen_text is at most 80 characters; call_to_action at most 60.',
    'visual_prompt describes subject, setting, lighting and camera for an image-to-video model; never ask for text in the picture.',
    'text_overlays: one per scene with start_time and end_time in seconds inside that scene, times from the start of the ad.',
    'visual_direction.palette: #RRGGBB colours, the brand colours first when given. tempo_bpm 50-180; music_volume 0.3 unless the request says otherwise.',
    'Answer with the JSON object only.',
  ].join('\n');
}

/** The user message: the request as JSON, so the model reads exact numbers. */
export function plannerUserMessage(input: PromptParsingInput): string {
  return JSON.stringify({
    prompt: input.prompt,
    duration_seconds: input.duration,
    aspect_ratio: input.aspect_ratio,
    brand_guidelines: input.brand_guidelines ?? null,
  });
}

/** The repair message: what was wrong with the previous answer (docs/providers.md, "Planning rules": one repair attempt). */
export function repairMessage(problems: string[], durationSeconds: number): string {
  return [
    'Your plan is invalid:',
    ...problems.slice(0, 20).map((p) => `- ${p}`),
    `Return the whole corrected plan. Scene durations must sum to exactly ${durationSeconds} seconds.`,
  ].join('\n');
}
