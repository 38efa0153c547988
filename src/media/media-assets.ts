import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Font files bundled in `assets/fonts` (DejaVu, Bitstream Vera licence in `assets/fonts/LICENSE`). */
export const FONT_FILES = {
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
  serif: 'DejaVuSerif.ttf',
} as const;

/** Family names the fonts are registered under in @napi-rs/canvas. */
export type FontRole = keyof typeof FONT_FILES;

/**
 * Fallback fonts bundled in `assets/fonts`, consulted per character after the role's font (DejaVu has no CJK
 * and no emoji glyphs): Droid Sans Fallback Full (CJK, Apache-2.0, `LICENSE-DroidSansFallback`) and Noto Color
 * Emoji (CBDT colour bitmaps, which @napi-rs/canvas draws; SIL OFL 1.1, `LICENSE-NotoColorEmoji`). Together
 * about 15 MB, from Debian's `fonts-droid-fallback` and `fonts-noto-color-emoji`.
 */
export const FALLBACK_FONT_FILES = {
  cjk: 'DroidSansFallbackFull.ttf',
  emoji: 'NotoColorEmoji.ttf',
} as const;

export type FallbackFontRole = keyof typeof FALLBACK_FONT_FILES;

/** Environment variable naming an optional brand font file (TTF/OTF path, absolute or relative to the cwd). */
export const BRAND_FONT_ENV = 'BRAND_FONT_FILE';

let cachedAssetDir: string | undefined;

/**
 * Absolute path of the project's `assets/` folder. Walks up from this file until a folder holding
 * `assets/fonts` is found, so it works from `src/media` (ts-jest), `dist/src/media` (nest build copies
 * assets to `dist/assets`) and from a clone without Debian's font package.
 *
 * @throws Error when no `assets/fonts` folder exists above this file (a broken install: fail at startup).
 */
export function resolveAssetDir(startDir: string = __dirname): string {
  if (cachedAssetDir && startDir === __dirname) return cachedAssetDir;
  let dir = startDir;
  for (;;) {
    const candidate = join(dir, 'assets');
    if (existsSync(join(candidate, 'fonts', FONT_FILES.sans))) {
      if (startDir === __dirname) cachedAssetDir = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`assets/fonts not found above ${startDir}`);
    dir = parent;
  }
}

/** Absolute path of a bundled font file. */
export function fontPath(role: FontRole): string {
  return join(resolveAssetDir(), 'fonts', FONT_FILES[role]);
}

/** Absolute path of a bundled fallback font file. */
export function fallbackFontPath(role: FallbackFontRole): string {
  return join(resolveAssetDir(), 'fonts', FALLBACK_FONT_FILES[role]);
}

/**
 * The optional brand font, as configured by `BRAND_FONT_FILE` (config/providers/local.config.ts: the media
 * layer does not read the environment, docs/conventions.md "One place per decision"): null when unset or
 * blank, else its absolute path.
 *
 * @throws Error naming the variable when the file does not exist or is not a regular file, so a typo fails
 *   the first render loudly instead of silently falling back to DejaVu.
 */
export function brandFontPath(file: string | null | undefined): string | null {
  const raw = file?.trim();
  if (!raw) return null;
  const path = isAbsolute(raw) ? raw : resolve(raw);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) throw new Error(`${BRAND_FONT_ENV}=${raw}: no such font file (${path}); unset it to use the bundled fonts`);
  return path;
}
