import { ASPECT_RATIOS, type AspectRatio } from './ad-request';

/**
 * Export formats a v2 job may ask for in `exportFormats` (docs/api.md, "Exports"): `mp4` is the ad itself
 * (always made), `gif` and `webm` are transcodes of it, `mp4:<aspect>` re-composes the same clips for another
 * placement with the text laid out in that aspect's safe zone.
 */
export const EXPORT_FORMATS = ['mp4', 'gif', 'webm', 'mp4:16:9', 'mp4:1:1', 'mp4:9:16'] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export that costs work: everything but the main `mp4` (docs/api.md, "Exports"). */
export type ExtraExportFormat = Exclude<ExportFormat, 'mp4'>;

/** The key an export is served under: `gif`, `webm` or an aspect ratio (`results.exports`, `/exports/{key}`). */
export type ExportKey = 'gif' | 'webm' | AspectRatio;

/** The order exports run and are listed in: cheapest first, so a slow re-composition delays no transcode. */
const EXPORT_ORDER: readonly ExtraExportFormat[] = ['gif', 'webm', 'mp4:16:9', 'mp4:1:1', 'mp4:9:16'];

/** Content type of each export key's file. */
export const EXPORT_MIME_TYPES: Readonly<Record<ExportKey, string>> = {
  gif: 'image/gif',
  webm: 'video/webm',
  '16:9': 'video/mp4',
  '1:1': 'video/mp4',
  '9:16': 'video/mp4',
};

/** True when `value` is one of {@link EXPORT_FORMATS}. Pure. */
export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** The aspect ratio of an `mp4:<aspect>` export, else null. Pure. */
export function exportAspectOf(format: ExportFormat): AspectRatio | null {
  const aspect = format.startsWith('mp4:') ? format.slice(4) : null;
  return aspect && (ASPECT_RATIOS as readonly string[]).includes(aspect) ? (aspect as AspectRatio) : null;
}

/** The key an export is served under (`mp4:16:9` → `16:9`; `gif` → `gif`). Pure. @throws Error for `mp4` (the ad itself) */
export function exportKeyOf(format: ExtraExportFormat): ExportKey {
  const aspect = exportAspectOf(format);
  if (aspect) return aspect;
  if (format === 'gif' || format === 'webm') return format;
  throw new Error(`export format ${format as string} has no export key`);
}

/** True when `value` names an export key (`gif`, `webm`, `16:9`, `1:1`, `9:16`). Pure. */
export function isExportKey(value: unknown): value is ExportKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EXPORT_MIME_TYPES, value);
}

/**
 * The exports a job's composition must make beyond the ad itself (docs/api.md, "Exports"). Pure.
 * `mp4` and an `mp4:<aspect>` equal to the job's own aspect are the ad itself and need no work; unknown
 * strings (validation rejects them at the API) and duplicates are dropped; the order is fixed
 * (GIF, WebM, then other aspects) so the same request always gives the same composition input and cache key.
 * @param requested the job's `options.exportFormats` (undefined for v1 jobs and v2 jobs without exports)
 * @param aspect the job's aspect ratio
 * @returns the formats to make, possibly empty
 */
export function planExports(requested: readonly string[] | null | undefined, aspect: AspectRatio): ExtraExportFormat[] {
  if (!requested?.length) return [];
  const wanted = new Set(requested.filter(isExportFormat));
  return EXPORT_ORDER.filter((f) => wanted.has(f) && exportAspectOf(f) !== aspect);
}
