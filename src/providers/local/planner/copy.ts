import {
  MIN_SCENES,
  type AspectRatio,
  type ColorGrade,
  type Framework,
  type SceneRole,
} from '@app/contracts';
import { nameColor } from '../design/palette';
import {
  EXPLICIT_CTA_PATTERN,
  PHRASE_STOP_WORDS,
  ROLE_COPY,
  ROLE_SHOTS,
  type CategoryProfile,
  type CopyTable,
  type Voice,
  type VoiceProfile,
} from './prompt-lexicon';
import type { OfferInfo, ProductInfo } from './prompt-reading';
import type { SceneSlot } from './structure';
import { capitalize, fillTemplate, fitText, stripQuotes } from './text';

/**
 * The ad's words: each scene's on-screen line, its image prompt and the call to action, from the brief read out
 * of the prompt (docs/design/offline-planner.md, "Copy"; no offer or claim the prompt did not give). Pure.
 */

/** Hard limit of `on_screen_text` and `hook` (contract schema); copy aims at {@link IDEAL_TEXT_CHARS}. */
export const MAX_TEXT_CHARS = 80;
export const IDEAL_TEXT_CHARS = 40;
/** Contract schema limit of `call_to_action`; kept shorter so "offer — CTA" still fits in {@link MAX_TEXT_CHARS}. */
const MAX_CTA_CHARS = 36;

function pickCopy(table: CopyTable, voice: Voice, variant: number): string {
  const lines = table[voice] ?? table.default;
  return lines[variant % lines.length] ?? table.default[0] ?? '';
}

/** "Tired of X?" when the prompt names its pain itself ("tired of slow checkouts"), else null. */
function extractPain(prompt: string): string | null {
  const m =
    /\b(?:tired of|sick of|struggling with|struggle with|frustrated (?:by|with)|fed up with)\s+([\p{L}\s'’-]+)/iu.exec(
      stripQuotes(prompt),
    );
  if (!m?.[1]) return null;
  const words = m[1].split(/\s+/).filter(Boolean);
  const stop = words.findIndex((w, i) => i > 0 && PHRASE_STOP_WORDS.has(w.toLowerCase()));
  const pain = words
    .slice(0, stop > 0 ? Math.min(stop, 4) : 4)
    .join(' ')
    .toLowerCase();
  return pain ? `Tired of ${pain}?` : null;
}

const SUSTAINABLE_CUE = /\b(?:sustainab\w*|recycl\w*|upcycl\w*|eco[- ]?friendly|planet|carbon)\b/i;

/** True when the prompt is about ocean plastic: the BAB "before" then shows the ocean, matching its copy. */
function mentionsOceanPlastic(prompt: string): boolean {
  return /\bocean\b/i.test(prompt) && /\bplastic\b/i.test(prompt);
}

/** The BAB "before" image of a sustainability story shows the waste, not unhappy customers (its copy says so too). */
function sustainableBeforeShot(prompt: string): readonly string[] | null {
  if (mentionsOceanPlastic(prompt))
    return ['Plastic bottles and waste drifting in a murky ocean, gritty documentary close-up, slow drift'];
  if (SUSTAINABLE_CUE.test(prompt))
    return ['Overflowing pile of discarded products in a grey landfill, gritty documentary wide shot'];
  return null;
}

/** Everything the copy and image prompts need, read once from the request. */
export interface Brief {
  framework: Framework;
  product: ProductInfo;
  category: CategoryProfile;
  audience: string;
  offer: OfferInfo;
  voice: Voice;
  profile: VoiceProfile;
  platform: string | null;
  callToAction: string;
  prompt: string;
}

/** The product detail as an on-screen line ("Made from recycled ocean plastic"), when it reads as one. */
function detailLine(detail: string | null): string | null {
  if (
    !detail ||
    !/^(?:made|with|crafted|built|featuring|that|which|designed|using|handmade|brewed|infused)\b/i.test(
      detail,
    )
  )
    return null;
  const line = capitalize(detail.replace(/^(?:that|which)\s+/i, ''));
  return line.length <= IDEAL_TEXT_CHARS ? line : null;
}

/** On-screen text of one scene (scene 1 is the hook; the last scene carries the CTA and the offer). */
export function writeSceneText(brief: Brief, slots: readonly SceneSlot[], index: number): string {
  const { product, category, audience, offer, voice, framework } = brief;
  const slot = slots[index] ?? { role: 'cta', variant: 0 };
  const isFirst = index === 0;
  const isLast = index === slots.length - 1;
  const mergedInterest = framework === 'AIDA' && slots.length === MIN_SCENES;
  const values = { name: product.name, audience };
  if (isLast) {
    const closing = offer.badge
      ? `${offer.badge} — ${brief.callToAction}`
      : `${product.name} — ${brief.callToAction}`;
    // Without an offer the name is a bonus: drop it rather than exceed the hard limit.
    return closing.length <= MAX_TEXT_CHARS
      ? closing
      : offer.badge
        ? fitText(closing, MAX_TEXT_CHARS)
        : brief.callToAction;
  }
  const sustainable = SUSTAINABLE_CUE.test(brief.prompt);
  const oceanPlastic = mentionsOceanPlastic(brief.prompt);
  switch (slot.role) {
    case 'attention':
      return brief.platform === 'tiktok' && isFirst
        ? `POV: you just found ${product.name}`
        : fillTemplate(pickCopy(ROLE_COPY.attention, voice, 0), values);
    case 'interest':
      return detailLine(product.detail) ?? fillTemplate(pickCopy(ROLE_COPY.interest, voice, 0), values);
    case 'desire':
      if (slot.variant === 0 && offer.benefit) return `Save ${offer.benefit}`;
      // With 3 AIDA scenes this scene also carries "interest": lead with the product detail when there is one.
      if (mergedInterest)
        return detailLine(product.detail) ?? fillTemplate(pickCopy(ROLE_COPY.desire, voice, 0), values);
      return fillTemplate(pickCopy(ROLE_COPY.desire, voice, slot.variant), values);
    case 'problem':
      return extractPain(brief.prompt) ?? (offer.benefit ? `Losing ${offer.benefit}?` : category.pain);
    case 'agitate':
      return category.agitate;
    case 'solution':
      if (slot.variant === 1 && offer.benefit) return `Save ${offer.benefit}`;
      return fillTemplate(pickCopy(ROLE_COPY.solution, voice, slot.variant), values);
    case 'before':
      if (oceanPlastic) return 'Before: plastic choking our oceans';
      return sustainable ? 'Before: waste that costs the planet' : category.before;
    case 'after':
      return sustainable ? 'After: style that gives back' : category.after;
    case 'bridge':
      return fillTemplate(pickCopy(ROLE_COPY.bridge, voice, slot.variant), values);
    case 'action':
    case 'cta':
      return brief.callToAction;
  }
}

const ASPECT_HINTS: Readonly<Record<AspectRatio, string>> = {
  '9:16': 'vertical 9:16 framing',
  '16:9': 'cinematic widescreen 16:9 framing',
  '1:1': 'centered square 1:1 framing',
};

const GRADE_HINTS: Readonly<Record<ColorGrade, string>> = {
  luxury: 'rich luxurious colour grade with deep blacks',
  warm: 'warm amber colour grade',
  cool: 'cool crisp colour grade',
  neutral: 'natural true-to-life colour grade',
};

/** Roles shown before the product arrives: lit flat and muted so the payoff scenes feel brighter. */
const DOWNBEAT_ROLES: ReadonlySet<SceneRole> = new Set(['problem', 'agitate', 'before']);

/**
 * Image prompt of one scene: role-specific shot (from {@link ROLE_SHOTS}) + one shared tail (subject, style,
 * lighting, palette, grade, framing) so every scene shows the same product in the same look.
 */
export function writeVisualPrompt(
  brief: Brief,
  slot: SceneSlot,
  look: { style: string; palette: readonly string[]; grade: ColorGrade; aspect: AspectRatio },
): string {
  const { product, category, audience, profile } = brief;
  const visualDetail =
    product.detail &&
    /^(?:made|with|crafted|built|featuring|designed|handmade|infused)\b/i.test(product.detail)
      ? ` ${product.detail}`
      : '';
  const subject = `the ${product.subject}${visualDetail}`;
  const shots = (slot.role === 'before' ? sustainableBeforeShot(brief.prompt) : null) ??
    ROLE_SHOTS[slot.role] ??
    ROLE_SHOTS.action ?? ['{subject}'];
  const shot = capitalize(
    fillTemplate(shots[slot.variant % shots.length] ?? '{subject}', {
      subject,
      audience,
      setting: category.setting,
      problemSetting: category.problemSetting,
    }),
  );
  const colors = [...new Set(look.palette.slice(0, 4).map(nameColor))].join(', ');
  const lighting = DOWNBEAT_ROLES.has(slot.role) ? 'flat muted lighting' : profile.lighting;
  return [
    shot,
    `${look.style} style`,
    profile.styleKeywords,
    lighting,
    `${colors} colour palette`,
    GRADE_HINTS[look.grade],
    ASPECT_HINTS[look.aspect],
    `consistent ${product.subject} design in every scene`,
    'no text, no watermark',
  ].join(', ');
}

/** The CTA the prompt spells out ("Shop now"), else the category's; short enough to sit next to an offer. */
export function chooseCallToAction(prompt: string, category: CategoryProfile): string {
  const explicit = EXPLICIT_CTA_PATTERN.exec(prompt)?.[1];
  return fitText(capitalize((explicit ?? category.cta).toLowerCase()), MAX_CTA_CHARS);
}
