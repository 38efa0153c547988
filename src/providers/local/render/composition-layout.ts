import type { AdPlan, AspectRatio, SceneRole } from '@app/contracts';
import { fmt } from '../../../media/clip.args';
import { contrastRatio, withLightness, type Rgb } from '../../../media/color';
import type { CompositionText } from '../../../media/composition.args';
import { safeAreaFor, type BoxPx } from '../../../media/safe-area';
import type { CtaCardStyle, TextCardStyle } from '../../../media/text-card.renderer';
import { round3, type SceneSlot } from '../../../media/timeline';
import { readableOn, type BrandLook } from '../design/brand-look';

/**
 * The local compositor's layout policy: how each card looks (style by brand look and scene role), where it
 * sits in the safe area, when it shows and hides against the scene slots and their transitions, how it enters,
 * and which instants the thumbnail and the GIF preview take. Pure: no canvas, no ffmpeg, no files, so every
 * rule is tested by value (docs/design/composition.md, "Delivery settings", "Text" and "Exports").
 */

/** Fade from / to black at the ad's ends, seconds (docs/design/composition.md, "Delivery settings"). */
export const AD_FADE_SECONDS = 0.3;
/** Text card fade, seconds: gentle, so the card never reads as a scene change. */
export const TEXT_FADE_SECONDS = 0.4;
/** Longest GIF preview excerpt, seconds (docs/design/composition.md, "Exports"). */
export const GIF_MAX_SECONDS = 6;

const even = (x: number): number => Math.max(2, 2 * Math.round(x / 2));

/** A frame size times `scale`, in even pixels. Pure. */
export function scaledSize(size: { widthPx: number; heightPx: number }, scale: number): { widthPx: number; heightPx: number } {
  return scale === 1 ? size : { widthPx: even(size.widthPx * scale), heightPx: even(size.heightPx * scale) };
}

/** A box times `scale`, in even pixels (the identity at 1). Pure. */
export function scaleBox(box: BoxPx, scale: number): BoxPx {
  if (scale === 1) return box;
  return { xPx: even(box.xPx * scale), yPx: even(box.yPx * scale), widthPx: even(box.widthPx * scale), heightPx: even(box.heightPx * scale) };
}

/** A scene card's type sizes and tracking times `scale`, no size under 6 px. Pure. */
export function scaleTextStyle(style: TextCardStyle, scale: number): TextCardStyle {
  if (scale === 1) return style;
  const px = (x: number): number => Math.max(6, Math.round(x * scale));
  return { ...style, maxFontPx: px(style.maxFontPx), minFontPx: Math.min(px(style.minFontPx), px(style.maxFontPx)), letterSpacingPx: Math.round(style.letterSpacingPx * scale) };
}

/** The closing card's name sizes and tracking times `scale`, no size under 6 px. Pure. */
export function scaleCtaStyle(style: CtaCardStyle, scale: number): CtaCardStyle {
  if (scale === 1) return style;
  const px = (x: number): number => Math.max(6, Math.round(x * scale));
  return { ...style, maxNamePx: px(style.maxNamePx), minNamePx: Math.min(px(style.minNamePx), px(style.maxNamePx)), letterSpacingPx: Math.round(style.letterSpacingPx * scale) };
}

/** Distance a slide-up card travels, pixels: 3 % of the safe area's height, even (chroma rows come in pairs). Pure. */
export function slideUpDistancePx(safe: BoxPx): number {
  return 2 * Math.round((safe.heightPx * 0.03) / 2);
}

/** How a card enters. */
export type TextMotion = 'fade' | 'slide_up';

const SLIDING_ROLES: ReadonlySet<SceneRole> = new Set<SceneRole>(['attention', 'problem', 'before', 'solution', 'after', 'action', 'cta']);

/**
 * A card's entrance by role and tone (pure): the closing CTA card always rises into place; calm looks (luxury,
 * warm) fade every other card, since motion reads as urgency; other looks slide the hook and the payoff roles
 * up and fade the explanatory middle.
 */
export function textMotionFor(role: SceneRole, look: Pick<BrandLook, 'kind'>, closing: boolean): TextMotion {
  if (closing) return 'slide_up';
  if (look.kind === 'luxury' || look.kind === 'warm') return 'fade';
  return SLIDING_ROLES.has(role) ? 'slide_up' : 'fade';
}

/**
 * When each scene's text shows (pure): from just after the incoming transition (the first scene's after the
 * fade-in) to the start of the outgoing one (the last scene's to the fade-out), narrowed to the plan's
 * text_overlays times when those leave at least 1.5 s.
 */
export function textWindows(plan: Pick<AdPlan, 'scenes' | 'text_overlays'>, slots: SceneSlot[], durationSeconds: number): Array<{ start: number; end: number }> {
  return slots.map((slot, i) => {
    const start = round3(slot.clearFromSeconds + (i === 0 ? AD_FADE_SECONDS + 0.05 : 0.2));
    const end = round3(i === slots.length - 1 ? durationSeconds - AD_FADE_SECONDS : slot.clearToSeconds);
    const overlay = plan.text_overlays.find((o) => o.scene_number === plan.scenes[i].scene_number);
    if (overlay) {
      // The hook always enters right after the fade-in (docs/design/composition.md, "Delivery settings": on screen within the first 2 s).
      const s = i === 0 ? start : Math.max(start, overlay.start_time);
      const e = Math.min(end, overlay.end_time);
      if (e - s >= 1.5) return { start: round3(s), end: round3(e) };
    }
    return { start, end };
  });
}

/**
 * The thumbnail's instant, seconds (pure): the mid-point of the first card's fully visible time, never black,
 * never mid-fade; without cards the middle of the first scene's clear time.
 */
export function thumbnailTime(texts: CompositionText[], slots: SceneSlot[]): number {
  const t = texts[0];
  if (!t) return round3((slots[0].clearFromSeconds + slots[0].clearToSeconds) / 2);
  return Number(fmt((t.startSeconds + t.fadeSeconds + t.endSeconds - t.fadeSeconds) / 2));
}

/** Card look: a translucent deep-tone plate, text in the brand primary when it reads (WCAG 4.5), else a light tint. */
export function textCardStyle(look: BrandLook, hook: boolean): TextCardStyle {
  const plate: Rgb = withLightness(look.tones.deep, 0.09, 0, 0.6);
  const white = { r: 255, g: 255, b: 255 };
  // Luxury and warm looks set text in the brand colour (gold on near-black reads as the brand); bolder looks
  // read faster in near-white, with the brand colour in the rule above the text.
  const brandText = look.kind === 'luxury' || look.kind === 'warm';
  const textColor = readableOn(plate, brandText ? [look.primary, look.tones.light, white] : [look.tones.light, white]);
  const accent = readableOn(plate, [look.primary, look.accent, look.tones.light].filter((c) => c !== textColor));
  return {
    font: look.textFont,
    textColor,
    plateColor: plate,
    plateAlpha: 0.7,
    accentColor: accent,
    maxFontPx: hook ? 82 : 66,
    minFontPx: 34,
    maxLines: 3,
    uppercase: look.uppercase && hook,
    letterSpacingPx: Math.round((hook ? 82 : 66) * look.trackingEm * 0.5),
  };
}

/**
 * Closing card look (pure): the hook card's plate and text colours, the name in the display face, the offer in
 * the accent (or brand colour) that reads on the plate, and a button filled with the brand primary unless it
 * would vanish into the plate (contrast < 1.8), with a label colour that reads on the button.
 */
export function ctaCardStyle(look: BrandLook): CtaCardStyle {
  const base = textCardStyle(look, true);
  const white = { r: 255, g: 255, b: 255 };
  const black = { r: 0, g: 0, b: 0 };
  const buttonColor = contrastRatio(look.primary, base.plateColor) >= 1.8 ? look.primary : look.tones.light;
  return {
    nameFont: look.displayFont,
    buttonFont: 'sansBold',
    textColor: base.textColor,
    plateColor: base.plateColor,
    plateAlpha: 0.8,
    accentColor: base.accentColor,
    offerColor: readableOn(base.plateColor, [look.accent, look.primary, look.tones.light, white]),
    buttonColor,
    buttonTextColor: readableOn(buttonColor, [white, look.tones.deep, black]),
    maxNamePx: 92,
    minNamePx: 40,
    uppercase: look.uppercase,
    letterSpacingPx: Math.round(92 * look.trackingEm * 0.5),
  };
}

/** Where one layout's cards go: the safe area (output pixels), the card widths and the slide-up travel. */
export interface CardFrame {
  /** The aspect's safe area, scaled to the output frame. */
  safe: BoxPx;
  /** 16:9 sets scene lines left-aligned in a narrower column; the other aspects centre every card. */
  landscape: boolean;
  /** Widest a scene line's card may be, pixels. */
  textWidthPx: number;
  /** Widest the closing call-to-action card may be, pixels. */
  ctaWidthPx: number;
  /** {@link slideUpDistancePx} of the safe area. */
  slideUpPx: number;
}

/**
 * The card frame of an aspect at a frame scale (pure): a landscape frame gives scene lines 58 % and the
 * closing card 62 % of the safe width so the picture keeps its centre; portrait and square use the whole width.
 */
export function cardFrameFor(aspect: AspectRatio, scale: number): CardFrame {
  const safe = scaleBox(safeAreaFor(aspect), scale);
  const landscape = aspect === '16:9';
  return {
    safe,
    landscape,
    textWidthPx: landscape ? Math.round(safe.widthPx * 0.58) : safe.widthPx,
    ctaWidthPx: landscape ? Math.round(safe.widthPx * 0.62) : safe.widthPx,
    slideUpPx: slideUpDistancePx(safe),
  };
}

/** A rendered card's overlay: what the filtergraph draws, and the box it covers (output pixels, seconds). */
export interface PlacedCard {
  text: CompositionText;
  box: BoxPx & { startSeconds: number; endSeconds: number };
}

/**
 * Places a rendered card (pure): at the bottom of the safe area, raised by the slide-up distance so a sliding
 * card never leaves it; centred on even pixels (chroma columns come in pairs), except a landscape scene line,
 * which sits at the safe area's left edge. A sliding card's box includes its travel.
 *
 * @param card the rendered PNG and its size, pixels
 * @param window when the card shows, seconds ({@link textWindows})
 * @param closing true for the last scene's call-to-action card
 */
export function placeCard(
  frame: CardFrame,
  card: { path: string; widthPx: number; heightPx: number },
  window: { start: number; end: number },
  motion: TextMotion,
  closing: boolean,
): PlacedCard {
  const { safe, slideUpPx } = frame;
  const centred = safe.xPx + Math.round((safe.widthPx - card.widthPx) / 4) * 2;
  const x = frame.landscape && !closing ? safe.xPx : centred;
  const y = safe.yPx + safe.heightPx - card.heightPx - slideUpPx;
  const { start, end } = window;
  return {
    text: { path: card.path, xPx: x, yPx: y, startSeconds: start, endSeconds: end, fadeSeconds: TEXT_FADE_SECONDS, slideUpPx: motion === 'slide_up' ? slideUpPx : 0 },
    box: { xPx: x, yPx: y, widthPx: card.widthPx, heightPx: card.heightPx + (motion === 'slide_up' ? slideUpPx : 0), startSeconds: start, endSeconds: end },
  };
}

/**
 * The GIF preview's excerpt (pure): from the hook's entrance (never the black fade-in; the fade-in's end when
 * the ad has no text), at most {@link GIF_MAX_SECONDS}, ending before the fade-out. Seconds.
 */
export function gifExcerpt(texts: readonly CompositionText[], durationSeconds: number): { startSeconds: number; seconds: number } {
  const start = texts[0]?.startSeconds ?? AD_FADE_SECONDS;
  return { startSeconds: start, seconds: Math.min(GIF_MAX_SECONDS, durationSeconds - AD_FADE_SECONDS - start) };
}
