import type {
  CompositionInput,
  CompositionOutput,
  ImageGenerationInput,
  ImageGenerationOutput,
  PromptParsingInput,
  PromptParsingOutput,
  StoryboardInput,
  StageAsset,
  StoryboardOutput,
  VideoGenerationInput,
  VideoGenerationOutput,
} from '@app/contracts';

/**
 * What a stage gives a provider for one call. Providers know nothing of NATS, the database or jobs beyond
 * these fields (docs/conventions.md, "Boundaries").
 */
export interface ProviderContext {
  jobId: string;
  /** Identifies this try of this stage or scene; use it as the provider's idempotency key. */
  attemptId: string;
  /** Fires when the job is cancelled or the worker shuts down: stop work, kill child processes, throw. */
  signal: AbortSignal;
  /** Absolute directory for this job's artifacts (exists; shared by the job's stages). */
  workDir: string;
  /** Call during long work so the stage runner extends its lease and the NATS ack deadline. */
  heartbeat: () => void;
  /**
   * A token a previous try of the same attempt saved (for example a Replicate prediction id), or null.
   * Lets a retried attempt resume paid work instead of paying again (docs/design/saga.md, "At-least-once stage
   * execution, paid once").
   */
  resumeToken: string | null;
  /** Persist a resume token before waiting on a remote job. */
  saveResumeToken(token: string): Promise<void>;
  /**
   * Report the fraction (0..1) of this call's work done, as often as convenient: the stage runner throttles
   * it to at most one progress event a second per job (docs/events.md, "Progress"). Optional for callers
   * outside the runner.
   */
  reportProgress?(fraction: number): void;
  /**
   * Local path of a job asset's bytes, copied from the artifact store into `workDir` (docs/design/artifacts.md).
   * Stage handlers provide it; a provider that needs an asset and finds it absent fails.
   */
  assetFile?(asset: StageAsset): Promise<string>;
  /**
   * An http(s) URL a remote service can GET, for a `file://` artifact of this job: a presigned store URL or
   * the app's signed artifact route, valid for `ARTIFACT_URL_SECONDS` (docs/design/artifacts.md, "Stage
   * artifacts"). Other URIs come back unchanged. Set by the stage runner; absent when a provider is called
   * outside it, and then files are sent as they are.
   */
  shareUrl?: (uri: string) => Promise<string>;
}

/**
 * Result of one provider call (docs/providers.md, "Stage services (HTTP contract)": `cost` in USD, `processing_time`
 * in seconds).
 */
export interface ProviderResult<T> {
  output: T;
  costUsd: number;
  processingTimeSeconds: number;
  /** Provider name for logs and metrics labels: `local`, `openai`, `replicate`, `http`. */
  provider: string;
  /** Provider calls made, retries included. */
  attempts?: number;
  metadata?: Record<string, unknown>;
  /**
   * False when the output is complete enough to deliver but must not be reused for another job: a
   * composition whose exports partly failed (docs/design/cache.md, "What is not cached"). Default true.
   */
  cacheable?: boolean;
}

/**
 * Turns a prompt into an ad plan (stage prompt_parsing).
 * @throws AppError `PROMPT_PARSING_FAILED` (permanent) or a retryable AppError for transient faults.
 */
export abstract class PromptPlanner {
  abstract readonly name: string;
  abstract plan(input: PromptParsingInput, ctx: ProviderContext): Promise<ProviderResult<PromptParsingOutput>>;
}

/**
 * Renders the reference image every clip derives from (stage image_generation).
 * @throws AppError `IMAGE_GENERATION_FAILED` or a retryable AppError.
 */
export abstract class ImageGenerator {
  abstract readonly name: string;
  abstract generate(input: ImageGenerationInput, ctx: ProviderContext): Promise<ProviderResult<ImageGenerationOutput>>;
}

/**
 * Renders one scene's storyboard still, derived from the reference design so the scenes look like one ad
 * (stage storyboard, one call per scene). A new `input.seed` (with `input.variant` > 0) must give a different
 * picture; the same input gives the same picture.
 * @throws AppError `IMAGE_GENERATION_FAILED` or a retryable AppError.
 */
export abstract class SceneStillGenerator {
  abstract readonly name: string;
  abstract generate(input: StoryboardInput, ctx: ProviderContext): Promise<ProviderResult<StoryboardOutput>>;
}

/**
 * Makes one scene's clip from its approved storyboard still (stage video_generation, one call per scene).
 * @throws AppError `VIDEO_GENERATION_FAILED` or a retryable AppError.
 */
export abstract class ClipGenerator {
  abstract readonly name: string;
  abstract generate(input: VideoGenerationInput, ctx: ProviderContext): Promise<ProviderResult<VideoGenerationOutput>>;
}

/**
 * Composes the clips into the finished ad and its thumbnail (stage composition).
 * @throws AppError `COMPOSITION_FAILED` or a retryable AppError.
 */
export abstract class Compositor {
  abstract readonly name: string;
  abstract compose(input: CompositionInput, ctx: ProviderContext): Promise<ProviderResult<CompositionOutput>>;
}
