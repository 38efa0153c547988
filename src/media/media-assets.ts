import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Font files bundled in `assets/fonts` (DejaVu, Bitstream Vera licence in `assets/fonts/LICENSE`). */
export const FONT_FILES = {
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
  serif: 'DejaVuSerif.ttf',
} as const;

/** Family names the fonts are registered under in @napi-rs/canvas. */
export type FontRole = keyof typeof FONT_FILES;

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
