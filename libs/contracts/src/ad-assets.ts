import type { AdScene } from './ad-plan';

/**
 * What an uploaded asset does in the ad (docs/api.md, "Assets in the ad"): `logo` on the closing card (and as
 * a watermark on request), `product` as the reference design's hero, `footage` as one scene's clip.
 */
export const ASSET_ROLES = ['logo', 'product', 'footage'] as const;
export type AssetRole = (typeof ASSET_ROLES)[number];

/**
 * An asset of a job as resolved at generate time and stored in the job's options: the client's `{id, role?,
 * sceneNumber?}` plus what the `assets` table knows, and the role (given, or inferred when `roleInferred`).
 * Sizes in pixels and bytes, duration in seconds.
 */
export interface ResolvedAdAsset {
  id: string;
  role: AssetRole;
  /** True when the client gave no role and it was inferred from the asset (docs/api.md, "Assets in the ad"). */
  roleInferred?: boolean;
  /** 1-based scene a footage asset should play in (footage only). */
  sceneNumber?: number;
  /** Artifact store key of the bytes. */
  storageKey: string;
  type: 'image' | 'video';
  mimeType: string;
  sizeBytes: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
  width: number;
  height: number;
  durationSeconds?: number;
  /** Images: the picture has transparent pixels (decides logo inference). */
  hasAlpha?: boolean;
}

/**
 * An asset as a stage receives it (docs/design/composition.md, "Brand assets"): the store key to read the bytes
 * from (never a path: the worker may be on another machine), its type and size, and its SHA-256 so the stage
 * cache key changes with the bytes.
 */
export interface StageAsset {
  asset_id: string;
  role: AssetRole;
  key: string;
  type: 'image' | 'video';
  mime_type: string;
  size_bytes: number;
  sha256: string;
  /** Pixels. */
  width: number;
  height: number;
  /** Seconds; videos only. */
  duration_seconds?: number;
}

/** The asset as a stage input carries it. Pure. */
export function toStageAsset(a: ResolvedAdAsset): StageAsset {
  return {
    asset_id: a.id,
    role: a.role,
    key: a.storageKey,
    type: a.type,
    mime_type: a.mimeType,
    size_bytes: a.sizeBytes,
    sha256: a.sha256,
    width: a.width,
    height: a.height,
    ...(a.durationSeconds !== undefined ? { duration_seconds: a.durationSeconds } : {}),
  };
}

/** Longest side (pixels) at or under which a transparent image reads as a logo whatever its shape. */
export const LOGO_MAX_SIDE_PX = 1200;
/** Width / height at or above which a transparent image has a logo's wide, short shape (a wordmark). */
export const LOGO_MIN_WIDE_ASPECT = 2;

/**
 * The role of an asset the client gave none (docs/api.md, "Assets in the ad"): videos are `footage`; an image
 * with transparency that is small (longest side ≤ {@link LOGO_MAX_SIDE_PX}) or wide and short (width/height ≥
 * {@link LOGO_MIN_WIDE_ASPECT}) is a `logo`; any other image is a `product`. Pure.
 */
export function inferAssetRole(a: { type: 'image' | 'video'; width: number; height: number; hasAlpha?: boolean }): AssetRole {
  if (a.type === 'video') return 'footage';
  if (!a.hasAlpha) return 'product';
  const small = Math.max(a.width, a.height) <= LOGO_MAX_SIDE_PX;
  const wide = a.height > 0 && a.width / a.height >= LOGO_MIN_WIDE_ASPECT;
  return small || wide ? 'logo' : 'product';
}

/** Roles in which a scene shows the product itself: footage without a `sceneNumber` goes to the first of these. */
const PRODUCT_SCENE_ROLES: readonly string[] = ['desire', 'solution', 'after', 'interest', 'bridge', 'action'];

/**
 * Which scene (0-based index) each footage asset plays in (docs/design/composition.md, "Brand assets"): an
 * asset with a `sceneNumber` inside the plan takes that scene; the others take, in order, the first free scene
 * of a product role ({@link PRODUCT_SCENE_ROLES} order: desire, solution, after, ...), then any free scene but
 * the hook and the closing card, then any free scene. Two footage assets never share a scene; footage beyond
 * the scene count is not used. Pure.
 * @returns scene index → the footage asset (by its position in `assets`)
 */
export function footageScenes(scenes: ReadonlyArray<Pick<AdScene, 'role'>>, assets: ReadonlyArray<Pick<ResolvedAdAsset, 'role' | 'sceneNumber'>>): Map<number, number> {
  const taken = new Map<number, number>();
  const footage = assets.map((a, i) => ({ a, i })).filter(({ a }) => a.role === 'footage');
  for (const { a, i } of footage) {
    const s = a.sceneNumber;
    if (s !== undefined && Number.isInteger(s) && s >= 1 && s <= scenes.length && !taken.has(s - 1)) taken.set(s - 1, i);
  }
  const byRole = PRODUCT_SCENE_ROLES.flatMap((role) => scenes.map((sc, k) => (sc.role === role ? k : -1)).filter((k) => k >= 0));
  const middle = scenes.map((_, k) => k).filter((k) => k !== 0 && k !== scenes.length - 1);
  const order = [...new Set([...byRole, ...middle, ...scenes.map((_, k) => k)])];
  for (const { i } of footage) {
    // An asset placed by its sceneNumber is done; one whose scene another asset took falls back to the order.
    if ([...taken.values()].includes(i)) continue;
    const k = order.find((x) => !taken.has(x));
    if (k === undefined) break;
    taken.set(k, i);
  }
  return taken;
}

/**
 * The resolved assets of a job's options; the bare `{id, role?}` entries of jobs created before assets were
 * used in the ad are skipped (those jobs render as they always did). Pure.
 */
export function resolvedAssetsOf(options: { assets?: ReadonlyArray<object> } | null | undefined): ResolvedAdAsset[] {
  return (options?.assets ?? []).filter(
    (a): a is ResolvedAdAsset => typeof (a as ResolvedAdAsset).storageKey === 'string' && (ASSET_ROLES as readonly string[]).includes((a as ResolvedAdAsset).role),
  );
}
