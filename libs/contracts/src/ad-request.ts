/** Aspect ratios the API accepts (docs/api.md, "POST /api/v1/generate-ad"). */
export const ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;

/** One of {@link ASPECT_RATIOS}. */
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

/** Output frame size in pixels per aspect ratio: 1080 px on the short side (docs/design/composition.md, "Delivery settings"). */
export const OUTPUT_SIZE_PX: Readonly<Record<AspectRatio, { widthPx: number; heightPx: number }>> = {
  '9:16': { widthPx: 1080, heightPx: 1920 },
  '16:9': { widthPx: 1920, heightPx: 1080 },
  '1:1': { widthPx: 1080, heightPx: 1080 },
};

/** Ad length bounds in seconds (docs/api.md, "POST /api/v1/generate-ad": 15-60). */
export const MIN_DURATION_SECONDS = 15;
export const MAX_DURATION_SECONDS = 60;

/** Prompt length bounds in characters (docs/api.md, "POST /api/v1/generate-ad": 10-500). */
export const MIN_PROMPT_CHARS = 10;
export const MAX_PROMPT_CHARS = 500;

/** Brand guidelines (docs/api.md, "POST /api/v1/generate-ad": hex colours, style of at most 100 characters). All optional. */
export interface BrandGuidelines {
  /** `#RRGGBB` or `#RGB`. */
  primary_color?: string;
  /** `#RRGGBB` or `#RGB`. */
  secondary_color?: string;
  /** Free text such as "luxury minimalist", at most 100 characters. */
  style?: string;
}

/**
 * The body of `POST /api/v1/generate-ad` (docs/api.md, "POST /api/v1/generate-ad"), after validation.
 * `duration` is in whole seconds.
 */
export interface AdRequest {
  prompt: string;
  duration: number;
  aspect_ratio: AspectRatio;
  brand_guidelines?: BrandGuidelines | null;
}

/** Platforms of the v2 request; each gives a default aspect ratio (docs/api.md, "POST /api/v2/generate"). */
export const PLATFORMS = ['tiktok', 'meta', 'youtube', 'custom'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Default aspect ratio per platform (tiktok and meta vertical, youtube wide); `custom` has none: give aspectRatio. */
export const PLATFORM_ASPECT_RATIO: Readonly<Partial<Record<Platform, AspectRatio>>> = {
  tiktok: '9:16',
  meta: '9:16',
  youtube: '16:9',
};

/** An asset the client uploaded for a job (`{id, role?}`): accepted and stored, not yet used (docs/api.md, "POST /api/v2/generate"). */
export interface AdAssetRef {
  id: string;
  role?: string;
}

/**
 * What a v2 request adds to {@link AdRequest} (docs/api.md, "POST /api/v2/generate"), stored with the job as
 * received (camelCase). `stylePresets` containing `hd` selects the high-definition storyboard image model.
 */
export interface AdRequestOptions {
  videoName?: string;
  campaignId?: string;
  clientId?: string;
  platform?: Platform;
  keywords?: string[];
  stylePresets?: string[];
  audioControls?: { musicStyle?: string; musicVolume?: number; mute?: boolean };
  exportFormats?: string[];
  numberOfVariations?: number;
  assets?: AdAssetRef[];
}

/** `"WxH"` resolution string for an aspect ratio, as the job result reports it (docs/api.md, "GET /api/v1/jobs/{job_id}": "1080x1920"). */
export function resolutionOf(aspectRatio: AspectRatio): string {
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[aspectRatio];
  return `${widthPx}x${heightPx}`;
}
