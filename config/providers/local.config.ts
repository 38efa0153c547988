import { envFlag } from '../env-reader';

/**
 * Output settings of the local compositor and the canvas text renderer (config/.env.example, "Local
 * compositor"). A change of any of them changes the finished files, so they are also part of a local
 * composition's identity in the stage cache (docs/design/cache.md, "The key").
 */
export interface LocalCompositionSettings {
  /** `EXPORT_GIF`: also write `preview.gif`. */
  exportGif: boolean;
  /** `EXPORT_WEBM`: also write `final.webm`. */
  exportWebm: boolean;
  /**
   * `BRAND_FONT_FILE` as given (trimmed), or null. Resolved and checked by the renderer at its first text
   * (src/media/media-assets.ts), which names the variable when the file is missing.
   */
  brandFontFile: string | null;
}

/**
 * Reads {@link LocalCompositionSettings}.
 * @throws Error naming the variable when `EXPORT_GIF` or `EXPORT_WEBM` is not true or false ({@link envFlag})
 */
export function localCompositionSettings(env: NodeJS.ProcessEnv): LocalCompositionSettings {
  return { exportGif: envFlag(env, 'EXPORT_GIF'), exportWebm: envFlag(env, 'EXPORT_WEBM'), brandFontFile: env.BRAND_FONT_FILE?.trim() || null };
}
