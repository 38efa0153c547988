import { createCanvas, loadImage } from '@napi-rs/canvas';
import { inferAssetRole, type AdAssetRef, type AssetRole, type ResolvedAdAsset } from '@app/contracts';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { AppError } from '../common/app-error';
import type { AssetRecord } from './assets.repository';

/** PNG signature and the colour types with an alpha channel (greyscale+alpha 4, RGBA 6; PNG spec §11.2.2). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ALPHA_COLOR_TYPES = new Set([4, 6]);
/** Bytes read to find IHDR and a tRNS chunk (both come before the first IDAT). */
const PNG_HEADER_BYTES = 64 * 1024;
/** PNGs up to this size (bytes) are decoded to see whether a declared alpha channel is actually used. */
const DECODE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * What a PNG's chunks before the image data declare: an alpha channel (colour type 4 or 6) or a `tRNS`
 * transparency chunk. Pure.
 * @returns false for anything that is not a PNG header
 */
export function pngDeclaresAlpha(head: Buffer): boolean {
  if (head.length < 33 || !head.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  if (ALPHA_COLOR_TYPES.has(head[25])) return true;
  let at = 8;
  while (at + 8 <= head.length) {
    const len = head.readUInt32BE(at);
    const type = head.toString('latin1', at + 4, at + 8);
    if (type === 'tRNS') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    at += 12 + len;
  }
  return false;
}

/** True when some pixel of the RGBA buffer is less than opaque (sampled on a grid of at most ~64k pixels). Pure. */
export function anyTransparent(rgba: Uint8ClampedArray | Buffer, widthPx: number, heightPx: number): boolean {
  const step = Math.max(1, Math.floor(Math.sqrt((widthPx * heightPx) / 65536)));
  for (let y = 0; y < heightPx; y += step) for (let x = 0; x < widthPx; x += step) if (rgba[(y * widthPx + x) * 4 + 3] < 250) return true;
  return false;
}

async function readAll(store: ArtifactStore, key: string, end?: number): Promise<Buffer> {
  const opened = await store.open(key, end !== undefined ? { start: 0, end } : undefined);
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Whether an image asset has transparency: a JPEG never; a PNG when its header declares alpha and, for PNGs up
 * to {@link DECODE_MAX_BYTES}, some pixel is actually transparent (an RGBA export of an opaque product photo is
 * not a logo). Reads the bytes through the artifact store.
 */
export async function imageHasAlpha(store: ArtifactStore, asset: Pick<AssetRecord, 'storageKey' | 'mimeType' | 'sizeBytes'>): Promise<boolean> {
  if (asset.mimeType !== 'image/png') return false;
  const head = await readAll(store, asset.storageKey, Math.min(asset.sizeBytes, PNG_HEADER_BYTES) - 1);
  if (!pngDeclaresAlpha(head)) return false;
  if (asset.sizeBytes > DECODE_MAX_BYTES) return true;
  const img = await loadImage(await readAll(store, asset.storageKey));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return anyTransparent(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height);
}

/**
 * Resolves a job's asset references at generate time (docs/api.md, "Assets in the ad"): the role given or
 * inferred ({@link inferAssetRole}), with what the stages need to read the bytes from the store.
 * @param records the visible assets by lowercase id (every ref already checked to be among them)
 * @throws AppError INVALID_INPUT naming `assets.N.role` (a video as logo/product, an image as footage),
 *   `assets.N.sceneNumber` (on an asset that is not footage) or `brandGuidelines.logoWatermark` (no logo)
 */
export async function resolveAdAssets(
  refs: readonly AdAssetRef[],
  records: ReadonlyMap<string, AssetRecord>,
  store: ArtifactStore,
  wantsWatermark: boolean,
): Promise<ResolvedAdAsset[]> {
  const fields: Record<string, string[]> = {};
  const out: ResolvedAdAsset[] = [];
  for (const [i, ref] of refs.entries()) {
    const rec = records.get(ref.id.toLowerCase());
    if (!rec) continue;
    const hasAlpha = rec.type === 'image' ? await imageHasAlpha(store, rec) : undefined;
    const role: AssetRole = (ref.role as AssetRole | undefined) ?? inferAssetRole({ type: rec.type, width: rec.width, height: rec.height, hasAlpha });
    if (rec.type === 'video' && role !== 'footage') fields[`assets.${i}.role`] = [`a video asset can only be footage, not ${role}`];
    if (rec.type === 'image' && role === 'footage') fields[`assets.${i}.role`] = ['footage must be an mp4 or mov video asset'];
    if (ref.sceneNumber !== undefined && role !== 'footage') fields[`assets.${i}.sceneNumber`] = ['sceneNumber applies to footage only'];
    out.push({
      id: rec.id,
      role,
      ...(ref.role ? {} : { roleInferred: true }),
      ...(ref.sceneNumber !== undefined ? { sceneNumber: ref.sceneNumber } : {}),
      storageKey: rec.storageKey,
      type: rec.type,
      mimeType: rec.mimeType,
      sizeBytes: rec.sizeBytes,
      sha256: rec.sha256,
      width: rec.width,
      height: rec.height,
      ...(rec.durationSeconds !== null ? { durationSeconds: rec.durationSeconds } : {}),
      ...(hasAlpha !== undefined ? { hasAlpha } : {}),
    });
  }
  if (wantsWatermark && !out.some((a) => a.role === 'logo')) fields['brandGuidelines.logoWatermark'] = ['a watermark needs an asset with role logo (given or inferred)'];
  if (Object.keys(fields).length > 0) throw new AppError('INVALID_INPUT', `invalid request: ${Object.keys(fields).join(', ')}`, { details: { fields } });
  return out;
}
