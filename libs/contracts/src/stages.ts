/**
 * The pipeline stages, in the order the saga runs them (docs/api.md, "Pipeline"): the plan, the reference
 * design, one storyboard still per scene, one clip per scene animating its approved still, the composition.
 * These strings are part of the public contract: they appear in REST responses, subjects and metrics labels.
 */
export const STAGES = ['prompt_parsing', 'image_generation', 'storyboard', 'video_generation', 'composition'] as const;

/** The stages v1 clients know (v1 reports the storyboard as part of image_generation: docs/api.md, "v1"). */
export const V1_STAGES = ['prompt_parsing', 'image_generation', 'video_generation', 'composition'] as const;

/** One of {@link STAGES}. */
export type StageName = (typeof STAGES)[number];

/**
 * Progress percentage reached when each stage completes (docs/design/saga.md, "Progress": 20 / 35 / 85 / 100), as
 * v1 reports it. Video generation advances incrementally from 35 to 85 as clips finish; the storyboard keeps
 * 35 (v1 counts it inside the images). The v2 body computes its own percentage (docs/api.md).
 */
export const STAGE_PROGRESS_PERCENT: Readonly<Record<StageName, number>> = {
  prompt_parsing: 20,
  image_generation: 35,
  storyboard: 35,
  video_generation: 85,
  composition: 100,
};

/**
 * Default per-call timeouts in seconds (docs/providers.md, "Timeouts": 10 / 15 / 120 / 90 / 30).
 * Local providers are bounded by their own ffmpeg timeouts, which are longer (see media/).
 */
export const STAGE_TIMEOUT_SECONDS: Readonly<Record<StageName, number>> = {
  prompt_parsing: 10,
  image_generation: 15,
  storyboard: 120,
  video_generation: 90,
  composition: 30,
};

/** Error code a failed stage reports by default (docs/providers.md, "Error codes"). */
export const STAGE_FAILURE_CODE: Readonly<Record<StageName, string>> = {
  prompt_parsing: 'PROMPT_PARSING_FAILED',
  image_generation: 'IMAGE_GENERATION_FAILED',
  storyboard: 'IMAGE_GENERATION_FAILED',
  video_generation: 'VIDEO_GENERATION_FAILED',
  composition: 'COMPOSITION_FAILED',
};
