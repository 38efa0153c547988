import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdPlan, AspectRatio, CompositionInput } from '@app/contracts';
import { AppError } from '../../../common/app-error';
import type { CompositionText } from '../../../media/composition.args';
import { ctaLogoBox, watermarkBox } from '../../../media/logo-layout';
import type { BoxPx } from '../../../media/safe-area';
import { renderCtaCard, renderTextCard } from '../../../media/text-card.renderer';
import type { SceneSlot } from '../../../media/timeline';
import type { ProviderContext } from '../../ports';
import type { BrandLook } from '../design/brand-look';
import {
  cardFrameFor,
  ctaCardStyle,
  placeCard,
  scaleCtaStyle,
  scaleTextStyle,
  TEXT_FADE_SECONDS,
  textCardStyle,
  textMotionFor,
  textWindows,
} from './composition-layout';

/** The job's decoded logo and whether it is also a watermark (docs/design/composition.md, "Brand assets"). */
export interface BrandLogo {
  image: Image;
  watermark: boolean;
  assetId: string;
}

/** Each overlay (text cards, then logos) with its box in output pixels and seconds; `logo` as used. */
export type RenderedCards = Array<{ text: CompositionText; box: BoxPx & { startSeconds: number; endSeconds: number }; logo?: true }> & { logo?: BrandLogo | null };

/**
 * Renders one card per scene as a PNG in `dir`, timed inside its scene: the scene's line for every scene but the
 * last, and the closing call-to-action card (product name, offer, CTA button) for the last; styled, placed and
 * timed by the layout policy (composition-layout.ts). With a logo, the logo overlays follow the cards.
 * Returns each overlay with its final box (output pixels) for callers that check the layout.
 */
export async function renderCards(
  plan: AdPlan,
  slots: SceneSlot[],
  aspect: AspectRatio,
  durationSeconds: number,
  look: BrandLook,
  dir: string,
  scale = 1,
  logo: BrandLogo | null = null,
): Promise<RenderedCards> {
  const frame = cardFrameFor(aspect, scale);
  const windows = textWindows(plan, slots, durationSeconds);
  const last = plan.scenes.length - 1;
  const cards: RenderedCards = await Promise.all(
    plan.scenes.map(async (scene, i) => {
      const path = join(dir, `text-${i + 1}.png`);
      const card =
        i === last
          ? await renderCtaCard({ productName: plan.product.name, offer: plan.product.offer, callToAction: plan.call_to_action }, frame.ctaWidthPx, scaleCtaStyle(ctaCardStyle(look), scale), path)
          : await renderTextCard(scene.on_screen_text, frame.textWidthPx, scaleTextStyle(textCardStyle(look, i === 0), scale), path);
      return placeCard(frame, card, windows[i], textMotionFor(scene.role, look, i === last), i === last);
    }),
  );
  // Logos come after the cards, so the first card still decides the thumbnail and the GIF excerpt.
  if (logo) cards.push(...(await logoOverlays(logo, frame.safe, cards[last], durationSeconds, dir, TEXT_FADE_SECONDS)));
  cards.logo = logo;
  return cards;
}

/** The job's logo read through the artifact store and decoded, or null without one. @throws AppError COMPOSITION_FAILED */
export async function loadBrandLogo(input: CompositionInput, ctx: ProviderContext): Promise<BrandLogo | null> {
  if (!input.logo) return null;
  if (!ctx.assetFile) throw new AppError('COMPOSITION_FAILED', 'this worker cannot read job assets (no artifact store)');
  const path = await ctx.assetFile(input.logo);
  try {
    return { image: await loadImage(await readFile(path)), watermark: input.logo_watermark === true, assetId: input.logo.asset_id };
  } catch (err) {
    throw new AppError('COMPOSITION_FAILED', `logo ${input.logo.asset_id} cannot be decoded`, { cause: err, details: { asset_id: input.logo.asset_id } });
  }
}

/**
 * The logo overlays of one layout: the logo above the closing card during the card's window (box by
 * `ctaLogoBox`), and with the watermark on, a small copy in the safe area's top-right corner for the whole ad
 * (`watermarkBox`). Each is the logo scaled into its box with its alpha kept, written as a PNG into `dir`.
 */
async function logoOverlays(
  logo: BrandLogo,
  safe: BoxPx,
  closing: RenderedCards[number],
  durationSeconds: number,
  dir: string,
  fadeSeconds: number,
): Promise<RenderedCards> {
  const size = { widthPx: logo.image.width, heightPx: logo.image.height };
  const out: RenderedCards = [];
  const place = async (box: BoxPx, name: string, start: number, end: number): Promise<void> => {
    const canvas = createCanvas(box.widthPx, box.heightPx);
    const c = canvas.getContext('2d');
    c.imageSmoothingQuality = 'high';
    c.drawImage(logo.image, 0, 0, box.widthPx, box.heightPx);
    const path = join(dir, name);
    await writeFile(path, await canvas.encode('png'));
    out.push({ text: { path, xPx: box.xPx, yPx: box.yPx, startSeconds: start, endSeconds: end, fadeSeconds }, box: { ...box, startSeconds: start, endSeconds: end }, logo: true });
  };
  const cta = ctaLogoBox(size, safe, closing.box.yPx);
  if (cta) await place(cta, 'logo-cta.png', closing.box.startSeconds, closing.box.endSeconds);
  if (logo.watermark) await place(watermarkBox(size, safe), 'logo-watermark.png', 0, durationSeconds);
  return out;
}
