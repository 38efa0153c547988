import { validateAdPlan, type AdPlan, type AdRequest, type AdScene } from '@app/contracts';
import { AppError } from '../../../common/app-error';
import { buildPalette } from '../design/palette';
import { chooseCallToAction, MAX_TEXT_CHARS, writeSceneText, writeVisualPrompt, type Brief } from './copy';
import { VOICE_PROFILES } from './prompt-lexicon';
import {
  chooseColorGrade,
  detectCategory,
  detectPlatform,
  detectVoice,
  extractAudience,
  extractOffer,
  extractProduct,
} from './prompt-reading';
import {
  allocateSceneDurations,
  chooseFramework,
  countScenes,
  MIN_SCENE_SECONDS,
  planSceneRoles,
  ROLE_WEIGHTS,
} from './structure';
import { capitalize, fitText, normalizeText } from './text';

/**
 * The local, deterministic ad planner (stage prompt_parsing without an LLM). Everything here is a pure function
 * of the request: no I/O, no clock, no randomness, so the same request always yields the same plan and the
 * stage can be retried or cached freely (docs/design/offline-planner.md, "Determinism"). The rules live beside
 * it: reading the prompt (prompt-reading.ts), structure (structure.ts), copy (copy.ts), palette
 * (../design/palette.ts).
 */

/** Music bed gain (docs/design/offline-planner.md, "Voice and tempo": background music at 30 % volume). */
export const MUSIC_VOLUME = 0.3;
/** Overlay inset from each scene edge in seconds, so text never straddles a transition. */
export const OVERLAY_INSET_SECONDS = 0.3;

function round2(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

/**
 * Plans an ad from a request, offline and deterministically (stage prompt_parsing, local provider).
 *
 * Reads the prompt for product, category, audience, offer, tone and platform; picks the framework
 * ({@link chooseFramework}), the scene count ({@link countScenes}) and roles ({@link planSceneRoles}); splits the
 * duration into whole seconds ({@link allocateSceneDurations}); writes the hook (scene 1, overlay from 0.3 s), the
 * per-scene copy and image prompts, and the closing CTA (+ offer) in the last scene; derives the palette
 * ({@link buildPalette}), grade ({@link chooseColorGrade}) and music (tempo per voice, bed at 30 %).
 *
 * @param request a validated request: prompt of 10-500 characters, `duration` in whole seconds (15-60)
 * @returns a plan for which `validateAdPlan(plan, request.duration)` is empty
 * @throws AppError `PROMPT_PARSING_FAILED` (permanent) when the duration cannot be split into 3-5 scenes of 3-20 s
 *         or, defensively, when the plan fails {@link validateAdPlan} (`details.problems`)
 */
export function planAd(request: AdRequest): AdPlan {
  const prompt = normalizeText(request.prompt);
  const brandStyle = normalizeText(request.brand_guidelines?.style ?? '');
  const durationSeconds = request.duration;

  const product = extractProduct(prompt);
  const category = detectCategory(prompt, product.subject);
  const voice = detectVoice(prompt, brandStyle, category);
  const profile = VOICE_PROFILES[voice];
  const framework = chooseFramework(prompt);
  const brief: Brief = {
    framework,
    product,
    category,
    audience: extractAudience(prompt, category),
    offer: extractOffer(prompt),
    voice,
    profile,
    platform: detectPlatform(prompt),
    callToAction: chooseCallToAction(prompt, category),
    prompt,
  };

  const slots = planSceneRoles(framework, countScenes(durationSeconds));
  const durations = allocateSceneDurations(
    slots.map((s) => ROLE_WEIGHTS[s.role]),
    durationSeconds,
  );
  const look = {
    style: brandStyle ? fitText(brandStyle, 100) : profile.style,
    palette: buildPalette(request.brand_guidelines, profile),
    grade: chooseColorGrade(prompt, brandStyle),
    aspect: request.aspect_ratio,
  };

  const scenes: AdScene[] = slots.map((slot, i) => ({
    scene_number: i + 1,
    role: slot.role,
    duration: durations[i] ?? MIN_SCENE_SECONDS,
    visual_prompt: writeVisualPrompt(brief, slot, look),
    on_screen_text: fitText(writeSceneText(brief, slots, i), MAX_TEXT_CHARS),
    transition: profile.transitions[i % profile.transitions.length] ?? 'crossfade',
    // Each voice lists 5 distinct motions, so consecutive scenes never share one.
    motion: profile.motions[i % profile.motions.length] ?? 'zoom_in',
  }));

  let start = 0;
  const textOverlays = scenes.map((scene) => {
    const overlay = {
      scene_number: scene.scene_number,
      text: scene.on_screen_text,
      start_time: round2(start + OVERLAY_INSET_SECONDS),
      end_time: round2(start + scene.duration - OVERLAY_INSET_SECONDS),
    };
    start += scene.duration;
    return overlay;
  });

  const description = fitText(
    [capitalize(product.subject), product.detail, product.seller ? `from ${product.seller}` : null]
      .filter(Boolean)
      .join(' ') + `, for ${brief.audience}`,
    200,
  );
  const plan: AdPlan = {
    framework,
    product: {
      name: product.name,
      description,
      category: category.category,
      audience: brief.audience,
      offer: brief.offer.offer,
    },
    tone: voice,
    platform: brief.platform,
    hook: scenes[0]?.on_screen_text ?? product.name,
    call_to_action: brief.callToAction,
    scenes,
    visual_direction: {
      style: look.style,
      palette: look.palette,
      lighting: profile.lighting,
      color_grade: look.grade,
    },
    audio: { mood: profile.mood, tempo_bpm: profile.tempoBpm, music_volume: MUSIC_VOLUME },
    text_overlays: textOverlays,
  };

  const problems = validateAdPlan(plan, durationSeconds);
  if (problems.length > 0) {
    throw new AppError('PROMPT_PARSING_FAILED', 'local planner produced an invalid plan', {
      details: { problems },
    });
  }
  return plan;
}
