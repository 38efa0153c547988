/** Number and time formatting used across the dashboard (one locale-aware place). */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdFine = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** `$1.23`; sub-cent amounts keep up to 4 decimals (`$0.0035`). */
export function formatUsd(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n !== 0 && Math.abs(n) < 0.01 ? usdFine.format(n) : usd.format(n);
}

/** `42 s`, `1 min 05 s`, `2 h 03 min`. */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || Number.isNaN(s)) return '—';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** `3.4 MB` (10^6 bytes, as the API reports sizes). */
export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '—';
  return `${mb < 10 ? mb.toFixed(2) : mb.toFixed(1)} MB`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(0)} kB`;
  return formatMb(bytes / 1_000_000);
}

export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)} %`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const dtf = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** `2 minutes ago`; dates older than a day are written out. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return dtf.format(new Date(t));
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dtf.format(new Date(iso)) : '—';
}

/** Status words as people read them. */
export const STATUS_LABEL: Record<string, string> = {
  queued: 'Queued',
  processing: 'Generating',
  generating_storyboard: 'Storyboarding',
  storyboard_complete: 'Needs review',
  generating_video: 'Rendering',
  completed: 'Ready',
  partially_completed: 'Partly ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const STAGE_LABEL: Record<string, string> = {
  queued: 'Waiting for a slot',
  prompt_parsing: 'Writing the plan',
  parsing_brief: 'Writing the plan',
  image_generation: 'Designing the look',
  storyboard: 'Drawing the storyboard',
  storyboard_generation: 'Drawing the storyboard',
  storyboard_complete: 'Storyboard ready for review',
  video_generation: 'Animating scenes',
  rendering_video: 'Rendering the video',
  composition: 'Editing and mixing',
  exporting_formats: 'Exporting formats',
  exports: 'Exports',
  video: 'Video',
  total: 'Total',
  completed: 'Finished',
};

export function stageLabel(stage: string | null | undefined): string {
  if (!stage) return '—';
  const scene = /^generating_scene_(\d+)$/.exec(stage);
  if (scene) return `Drawing scene ${scene[1]}`;
  return STAGE_LABEL[stage] ?? stage.replace(/_/g, ' ');
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
