import type { AssetRole, StageAsset } from './ad-assets';
import type { AdPlan, AdScene, ColorGrade } from './ad-plan';
import type { AdRequest, AspectRatio, BrandGuidelines } from './ad-request';
import type { ExportKey, ExtraExportFormat } from './exports';

/**
 * Inputs and outputs of each stage, as they travel in stage request and stage completed events.
 * Artifacts are referenced by URI: `artifact://<key>` for the artifact store (what events carry with the `s3`
 * store), `file:///abs/path` for a file of the shared `ARTIFACT_DIR` (the `local` store; and what providers
 * see inside a stage either way), `https://...` for remote results a stage has not downloaded. See
 * docs/design/artifacts.md, "Stage artifacts".
 */

/**
 * prompt_parsing input: the user's request (docs/providers.md, "Stage services (HTTP contract)"), plus the roles of the
 * job's assets when it has any (absent otherwise, so v1 inputs and cache keys are unchanged): the plan's visual
 * prompts then mention them (docs/api.md, "Assets in the ad").
 */
export type PromptParsingInput = AdRequest & { assets?: Array<{ role: AssetRole; scene_number?: number }> };

/** prompt_parsing output: the ad plan. */
export type PromptParsingOutput = AdPlan;

/** image_generation input (HTTP contract: `{prompt, style, visual_direction}`; docs/providers.md, "Stage services (HTTP contract)"), plus what a local renderer needs. */
export interface ImageGenerationInput {
  plan: AdPlan;
  aspect_ratio: AspectRatio;
  brand_guidelines: BrandGuidelines | null;
  /**
   * 0-based variation index of the job in its batch, present only above 0: it changes the reference design's
   * seed (and the stage-cache key) so variations of one request differ (docs/api.md, "Batches and variations").
   */
  variation?: number;
  /** The job's product photo, the reference design's hero (docs/design/composition.md, "Brand assets"); absent without one. */
  product_image?: StageAsset;
}

/** image_generation output (HTTP contract: `{image_url, seed}`). Sizes in pixels. */
export interface ImageGenerationOutput {
  image_uri: string;
  seed: number;
  width: number;
  height: number;
}

/**
 * storyboard input, one per scene: the scene's still derived from the reference design so every scene looks
 * like one ad (docs/api.md, "Storyboard"). `seed` changes when a scene is regenerated (`variant` counts the
 * regenerations, 0 for the first still); `hd` asks for the high-definition image model (style preset `hd`).
 */
export interface StoryboardInput {
  scene: AdScene;
  scene_index: number;
  scene_count: number;
  plan: AdPlan;
  reference_image_uri: string;
  aspect_ratio: AspectRatio;
  brand_guidelines: BrandGuidelines | null;
  seed: number;
  variant: number;
  hd: boolean;
  /**
   * The client's footage that plays in this scene: its still is a frame of the footage, fitted to the output,
   * so the storyboard shows what will play (docs/design/composition.md, "Brand assets"). Absent otherwise.
   */
  footage?: StageAsset;
}

/** storyboard output: one still (PNG or JPEG) at the output size. Sizes in pixels. */
export interface StoryboardOutput {
  image_uri: string;
  seed: number;
  width: number;
  height: number;
  /** True when the still was reused from the stage cache instead of generated (cost 0). */
  cached?: boolean;
}

/**
 * video_generation input, one per scene (HTTP contract: `{scene_prompt, reference_image_url, duration, aspect_ratio}`).
 * `clip_duration` (seconds) includes the overlap the following transition consumes, so it may exceed
 * `scene.duration`.
 */
export interface VideoGenerationInput {
  scene: AdScene;
  scene_index: number;
  scene_count: number;
  plan: AdPlan;
  reference_image_uri: string;
  /**
   * The scene's approved storyboard still, which the clip animates (absent only for requests written before
   * the storyboard stage existed: the local provider then derives the still itself).
   */
  still_uri?: string;
  clip_duration: number;
  aspect_ratio: AspectRatio;
  brand_guidelines: BrandGuidelines | null;
  /**
   * The client's footage that is this scene's clip (docs/design/composition.md, "Brand assets"): trimmed to
   * `clip_duration` and fitted to the output instead of a generated clip, cost 0. Absent for generated scenes.
   */
  footage?: StageAsset;
}

/** video_generation output (HTTP contract: `{video_url, duration, resolution}`). */
export interface VideoGenerationOutput {
  clip_uri: string;
  /** Seconds. */
  duration: number;
  /** `"WxH"`. */
  resolution: string;
  /**
   * The plan's colour grade when the provider already applied it to the clip's pixels (the local provider
   * grades its still once rather than have the compositor grade every frame). Absent: ungraded footage, which
   * the compositor grades.
   */
  color_grade?: ColorGrade;
}

/** composition input (HTTP contract: `{scenes: [{video_url, start_time, end_time, transition}], audio, text_overlays}`). */
export interface CompositionInput {
  plan: AdPlan;
  clips: VideoGenerationOutput[];
  /** Requested ad duration, seconds. */
  duration: number;
  aspect_ratio: AspectRatio;
  brand_guidelines: BrandGuidelines | null;
  /**
   * Exports to make after the ad (docs/api.md, "Exports"; `planExports` of the job's `exportFormats`). Absent,
   * never empty, when the job asks for none, so such a job's input and stage cache key stay what they were.
   */
  exports?: ExtraExportFormat[];
  /**
   * 0-based cut of a job with `numberOfVariations`, present only above 0 (docs/design/composition.md,
   * "Variations"): the plan and clips are already that cut's; the index keeps each cut's attempt, work
   * directory and stage-cache key its own. Absent for the planned cut, whose input is a single job's.
   */
  variation?: number;
  /** The brand's logo, drawn above the closing call-to-action card (docs/design/composition.md, "Brand assets"). */
  logo?: StageAsset;
  /** Also a small corner watermark of the logo inside the safe zone on every scene (present only when true). */
  logo_watermark?: boolean;
}

/** One export made by the composition stage (docs/design/composition.md, "Exports"). Sizes in pixels. */
export interface ExportArtifact {
  format: ExtraExportFormat;
  /** Where it is served: `gif`, `webm` or its aspect ratio. */
  key: ExportKey;
  uri: string;
  mime_type: string;
  file_size_bytes: number;
  /** Seconds, as probed from the file. */
  duration: number;
  width: number;
  height: number;
  /** Text card boxes of a re-composed aspect, output pixels and seconds (absent for transcodes). */
  text_boxes?: Array<{ xPx: number; yPx: number; widthPx: number; heightPx: number; startSeconds: number; endSeconds: number }>;
}

/** An export that failed twice and was skipped; the job still completes (docs/api.md, "Exports"). */
export interface ExportFailure {
  format: ExtraExportFormat;
  /** The last attempt's error code (`TIMEOUT`, `COMPOSITION_FAILED`, ...). */
  code: string;
  message: string;
}

/** composition output (HTTP contract: `{video_url, thumbnail_url, duration, file_size}`). */
export interface CompositionOutput {
  video_uri: string;
  thumbnail_uri: string;
  /** Seconds, as probed from the file. */
  duration: number;
  /** `"WxH"`. */
  resolution: string;
  file_size_bytes: number;
  scenes: number;
  /** `preview.gif` (≤ 6 s excerpt, 360 px), when the job's compositor has the GIF export on. */
  gif_uri?: string;
  /** `final.webm` (VP9 + Opus), when the job's compositor has the WebM export on. */
  webm_uri?: string;
  /** The job's requested exports that were made (present only when the input asked for exports). */
  exports?: ExportArtifact[];
  /** The job's requested exports that failed and were skipped (present only when the input asked for exports). */
  export_failures?: ExportFailure[];
}

/** Input type per stage. */
export interface StageInputs {
  prompt_parsing: PromptParsingInput;
  image_generation: ImageGenerationInput;
  storyboard: StoryboardInput;
  video_generation: VideoGenerationInput;
  composition: CompositionInput;
}

/** Output type per stage. */
export interface StageOutputs {
  prompt_parsing: PromptParsingOutput;
  image_generation: ImageGenerationOutput;
  storyboard: StoryboardOutput;
  video_generation: VideoGenerationOutput;
  composition: CompositionOutput;
}
