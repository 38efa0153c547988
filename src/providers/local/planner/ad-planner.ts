import {
  FRAMEWORK_ROLES,
  MAX_SCENES,
  MIN_SCENES,
  validateAdPlan,
  type AdPlan,
  type AdRequest,
  type AdScene,
  type AspectRatio,
  type BrandGuidelines,
  type ColorGrade,
  type Framework,
  type SceneRole,
} from '@app/contracts';
import { AppError } from '../../../common/app-error';
import { fromHsl, parseHex, toHex, toHsl, type Hsl, type Rgb } from '../../../media/color';
import {
  AUDIENCE_NOUNS,
  BENEFIT_PATTERN,
  CATEGORY_PROFILES,
  DEFAULT_CATEGORY,
  EXPLICIT_CTA_PATTERN,
  FRAMEWORK_CUES,
  GRADE_KEYWORDS,
  NAME_FILLER,
  NAME_TRAILING_GENERIC,
  PHRASE_STOP_WORDS,
  PLATFORM_CUES,
  PLURAL_ONLY,
  ROLE_COPY,
  ROLE_SHOTS,
  VOICES,
  VOICE_PROFILES,
  type CategoryProfile,
  type CopyTable,
  type Voice,
  type VoiceProfile,
} from './prompt-lexicon';

/**
 * The local, deterministic ad planner (stage prompt_parsing without an LLM). Everything here is a pure function
 * of the request: no I/O, no clock, no randomness, so the same request always yields the same plan and the
 * stage can be retried or cached freely (docs/design/offline-planner.md, "Determinism").
 */

/** Shortest scene in whole seconds: a still needs ~3 s to read its overlay (and the closing CTA must last ≥ 3 s). */
export const MIN_SCENE_SECONDS = 3;
/** Longest scene: the contract's schema maximum (`AD_PLAN_JSON_SCHEMA`, scene duration ≤ 20 s). */
export const MAX_SCENE_SECONDS = 20;
/** Music bed gain (docs/design/offline-planner.md, "Voice and tempo": background music at 30 % volume). */
export const MUSIC_VOLUME = 0.3;
/** Overlay inset from each scene edge in seconds, so text never straddles a transition. */
export const OVERLAY_INSET_SECONDS = 0.3;
/** Hard limit of `on_screen_text` and `hook` (contract schema); copy aims at {@link IDEAL_TEXT_CHARS}. */
export const MAX_TEXT_CHARS = 80;
export const IDEAL_TEXT_CHARS = 40;
/** Contract schema limit of `call_to_action`; kept shorter so "offer — CTA" still fits in {@link MAX_TEXT_CHARS}. */
const MAX_CTA_CHARS = 36;
const MAX_OFFER_BADGE_CHARS = 40;
const MAX_NAME_CHARS = 28;
const MAX_NAME_WORDS = 4;

// ---------------------------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------------------------

/** Collapses whitespace and removes control characters (prompts arrive from a JSON body and may hold tabs, NULs). */
export function normalizeText(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Lower-cased words of `text` (letters/digits, inner apostrophes and hyphens kept: "eco-friendly", "shop's"), plus
 * the parts of hyphenated words so "ocean-inspired" also counts as "ocean".
 */
function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
  return words.flatMap((w) => (w.includes('-') ? [w, ...w.split('-')] : [w]));
}

/**
 * Shortens `text` to at most `maxChars` UTF-16 units (the unit JSON Schema validators may count), cutting at a
 * word boundary when there is one and marking the cut with "…". Never splits a surrogate pair (emoji).
 */
export function fitText(text: string, maxChars: number): string {
  const clean = normalizeText(text);
  if (clean.length <= maxChars) return clean;
  const chars = Array.from(clean);
  let cut = '';
  for (const ch of chars) {
    if (cut.length + ch.length > maxChars - 1) break;
    cut += ch;
  }
  const lastSpace = cut.lastIndexOf(' ');
  // Cut at a word boundary only if that keeps most of the text (CJK has no spaces).
  if (lastSpace > maxChars / 2) cut = cut.slice(0, lastSpace);
  return `${cut.replace(/[\s,;:.–—-]+$/u, '')}…`;
}

function capitalize(text: string): string {
  const [first = '', ...rest] = Array.from(text);
  return first.toUpperCase() + rest.join('');
}

/** Fills `{key}` placeholders; unknown keys stay empty. */
function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return normalizeText(template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? ''));
}

/**
 * True when `keyword` occurs in the text: whole word, prefix (`run*`), or multi-word phrase.
 * @param words lower-cased tokens of the text
 * @param lowerText the lower-cased text, for multi-word phrases
 */
function hasKeyword(words: readonly string[], lowerText: string, keyword: string): boolean {
  if (keyword.includes(' ')) return new RegExp(`\\b${keyword}\\b`, 'u').test(lowerText);
  if (keyword.endsWith('*')) {
    const stem = keyword.slice(0, -1);
    return words.some((w) => w.startsWith(stem));
  }
  return words.includes(keyword);
}

function countKeywords(words: readonly string[], lowerText: string, keywords: readonly string[]): number {
  return keywords.reduce((n, k) => n + (hasKeyword(words, lowerText, k) ? 1 : 0), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Framework and structure
// ---------------------------------------------------------------------------------------------------------------

/**
 * Picks the advertising framework from the prompt (docs/design/offline-planner.md, "Frameworks": PAS, BAB or AIDA).
 *
 * Rule: each cue in {@link FRAMEWORK_CUES} found in the lower-cased prompt is one vote.
 * - PAS (problem-agitate-solution) when PAS votes > 0 and PAS votes ≥ BAB votes: the prompt speaks of a problem,
 *   pain, struggle or time saved. Ties go to PAS because a stated pain is the stronger hook.
 * - BAB (before-after-bridge) when BAB votes > PAS votes: transformation, before/after, upgrade, sustainable change.
 * - AIDA otherwise: launches, luxury and plain product showcases.
 */
export function chooseFramework(prompt: string): Framework {
  const lower = normalizeText(prompt).toLowerCase();
  const pas = FRAMEWORK_CUES.PAS.filter((re) => re.test(lower)).length;
  const bab = FRAMEWORK_CUES.BAB.filter((re) => re.test(lower)).length;
  if (pas > 0 && pas >= bab) return 'PAS';
  if (bab > pas) return 'BAB';
  return 'AIDA';
}

/**
 * Number of scenes for an ad length (docs/design/offline-planner.md, "Scene count": 3-5 scenes, one per ~6 s
 * capped so each scene keeps 4-12 s): ≤ 15 s → 3, 16-35 s → 4, ≥ 36 s → 5.
 */
export function countScenes(durationSeconds: number): number {
  if (durationSeconds <= 15) return MIN_SCENES;
  if (durationSeconds <= 35) return 4;
  return MAX_SCENES;
}

/** A scene slot: its role and, when a role is split over two scenes, which half (0 or 1). */
export interface SceneSlot {
  role: SceneRole;
  variant: number;
}

/**
 * Roles of the scenes, in order, for a framework and a scene count (3-5). The last scene is always the call to
 * action: `action` for AIDA, a closing `cta` card otherwise.
 *
 * | scenes | AIDA                                  | PAS                                   | BAB                               |
 * |--------|---------------------------------------|---------------------------------------|-----------------------------------|
 * | 3      | attention, desire (+interest), action | problem (+agitate), solution, cta     | before, after, cta (+bridge)      |
 * | 4      | attention, interest, desire, action   | problem, agitate, solution, cta       | before, after, bridge, cta        |
 * | 5      | … desire split in two …, action       | … solution split in two …, cta        | … bridge split in two …, cta      |
 *
 * With 5 scenes the product-payoff role (desire / solution / bridge) is split: the first half shows the product,
 * the second shows it in use.
 */
export function planSceneRoles(framework: Framework, sceneCount: number): SceneSlot[] {
  const count = Math.min(MAX_SCENES, Math.max(MIN_SCENES, sceneCount));
  const one = (role: SceneRole): SceneSlot => ({ role, variant: 0 });
  const roles = FRAMEWORK_ROLES[framework] as readonly SceneRole[];
  if (framework === 'AIDA') {
    if (count === 3) return [one('attention'), one('desire'), one('action')];
    if (count === 4) return roles.map(one);
    return [one('attention'), one('interest'), one('desire'), { role: 'desire', variant: 1 }, one('action')];
  }
  const [first, middle, payoff] = roles as readonly [SceneRole, SceneRole, SceneRole];
  if (count === 3)
    return framework === 'PAS'
      ? [one(first), one(payoff), one('cta')]
      : [one(first), one(middle), one('cta')];
  if (count === 4) return [one(first), one(middle), one(payoff), one('cta')];
  return [one(first), one(middle), one(payoff), { role: payoff, variant: 1 }, one('cta')];
}

/**
 * Relative screen time per role: the hook is short (it must land in the first 2 s and hand over quickly), the
 * product payoff (desire / solution / bridge) is longest, the closing CTA is mid-length.
 */
const ROLE_WEIGHTS: Readonly<Record<SceneRole, number>> = {
  attention: 0.8,
  interest: 1.0,
  desire: 1.3,
  action: 1.0,
  problem: 0.9,
  agitate: 1.0,
  solution: 1.3,
  before: 1.0,
  after: 1.1,
  bridge: 1.3,
  cta: 1.0,
};

/**
 * Splits `totalSeconds` into whole-second scene durations that sum exactly to the total, each in
 * [{@link MIN_SCENE_SECONDS}, {@link MAX_SCENE_SECONDS}], proportional to `weights`.
 *
 * Every scene starts at the minimum; the remaining seconds go one at a time to the scene with the highest
 * `weight / (extra + 1)` (the D'Hondt apportionment, integer and deterministic; ties go to the heavier, then the
 * earlier scene).
 *
 * @throws AppError `PROMPT_PARSING_FAILED` when the total cannot be split within the bounds
 */
export function allocateSceneDurations(weights: readonly number[], totalSeconds: number): number[] {
  const n = weights.length;
  if (
    !Number.isInteger(totalSeconds) ||
    n === 0 ||
    totalSeconds < n * MIN_SCENE_SECONDS ||
    totalSeconds > n * MAX_SCENE_SECONDS
  ) {
    throw new AppError('PROMPT_PARSING_FAILED', `cannot split ${totalSeconds} s into ${n} scenes`, {
      details: { durationSeconds: totalSeconds, scenes: n },
    });
  }
  const durations = weights.map(() => MIN_SCENE_SECONDS);
  for (let left = totalSeconds - n * MIN_SCENE_SECONDS; left > 0; left--) {
    let best = -1;
    let bestScore = -Infinity;
    durations.forEach((d, i) => {
      if (d >= MAX_SCENE_SECONDS) return;
      const score = (weights[i] ?? 1) / (d - MIN_SCENE_SECONDS + 1);
      if (score > bestScore || (score === bestScore && (weights[i] ?? 1) > (weights[best] ?? 1))) {
        best = i;
        bestScore = score;
      }
    });
    durations[best] = (durations[best] ?? 0) + 1;
  }
  return durations;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the prompt
// ---------------------------------------------------------------------------------------------------------------

/** The platform the prompt names ("instagram", "tiktok", "youtube", ...), earliest in the prompt first; or null. */
export function detectPlatform(prompt: string): string | null {
  let found: { platform: string; index: number } | null = null;
  for (const { platform, pattern } of PLATFORM_CUES) {
    const m = pattern.exec(prompt);
    if (m && (found === null || m.index < found.index)) found = { platform, index: m.index };
  }
  return found?.platform ?? null;
}

/** An offer found in the prompt: `offer` as stated (plan field), `badge` as shown on screen. */
export interface OfferInfo {
  offer: string | null;
  badge: string | null;
  /** The time saving alone ("5 hours every week"), for PAS copy; null when the prompt promises none. */
  benefit: string | null;
}

/**
 * Finds the offer in a prompt, in the prompt's own words (docs/design/offline-planner.md: an ad states no offer,
 * code, price or claim the prompt did not give). Recognised, in priority order: discounts ("50% OFF", "save 20%",
 * "up to 30% off", "15% discount", "$10 off", "save $20", "half price", "BOGO"), freebies ("free shipping",
 * "14-day free trial"), promo codes ("code SAVE20": a token with a letter, never a number such as "code 100%"),
 * and time-saving claims ("saves teams 5 hours every week"). A bare percentage such as "100% recycled" is not an
 * offer. The badge is the matched words with their case changed, nothing added. At most two offers are combined
 * with " + ".
 */
export function extractOffer(prompt: string): OfferInfo {
  const text = normalizeText(prompt);
  const found: Array<{ offer: string; badge: string }> = [];
  const add = (offer: string, badge: string): void => {
    if (!found.some((f) => f.offer === offer)) found.push({ offer, badge });
  };

  for (const m of text.matchAll(/(\bup to\s+)?(\d{1,3}(?:\.\d+)?)\s?%(\s*(?:off|discount|sale)\b)?/giu)) {
    const before = text.slice(Math.max(0, m.index - 16), m.index);
    const save = /\bsave\s*$/i.exec(before);
    // "up to 30% faster" or "get 20% more" state no discount: only "off", "discount", "sale" or "save" make one.
    if (!m[3] && !save) continue;
    const upTo = m[1] ? 'up to ' : '';
    const word = m[3] ? m[3].trim().toLowerCase() : '';
    if (word) add(`${upTo}${m[2]}% ${word}`, `${capitalize(upTo)}${m[2]}% ${word.toUpperCase()}`);
    else add(`save ${upTo}${m[2]}%`, `Save ${upTo}${m[2]}%`);
  }
  for (const m of text.matchAll(/([$€£]\s?\d+(?:[.,]\d{1,2})?)\s*off\b/giu))
    add(`${m[1]} off`, `${m[1]} OFF`);
  for (const m of text.matchAll(/\bsave\s+(up to\s+)?([$€£]\s?\d+(?:[.,]\d{1,2})?)/giu)) {
    add(`save ${m[1] ?? ''}${m[2]}`.replace(/\s+/g, ' '), `Save ${m[1] ?? ''}${m[2]}`.replace(/\s+/g, ' '));
  }
  const half = /\bhalf[- ](?:price|off)\b/i.exec(text);
  if (half) add(half[0].toLowerCase(), capitalize(half[0].toLowerCase()));
  const bogo = /\b(?:bogo|buy one,? get one(?: free)?)\b/i.exec(text);
  if (bogo) add(bogo[0].toLowerCase(), /^bogo$/i.test(bogo[0]) ? 'BOGO' : capitalize(bogo[0].toLowerCase()));

  const trial = /\b(?:\d{1,3}[- ]day free trial|free \d{1,3}[- ]day trial)\b/i.exec(text);
  if (trial) add(trial[0].toLowerCase(), trial[0].toLowerCase());
  for (const m of text.matchAll(
    /\bfree\s+(shipping|delivery|returns?|trial|gifts?|samples?|consultation|installation|upgrades?)\b/giu,
  )) {
    if (trial && (m[1] ?? '').toLowerCase() === 'trial') continue;
    const offer = `free ${(m[1] ?? '').toLowerCase()}`;
    add(offer, capitalize(offer));
  }
  if (/\bfirst month free\b/i.test(text)) add('first month free', 'First month free');

  // "QR code", "dress code", "zip code" name no promo code; a code is a token with a letter ("SAVE20", "FRESH").
  for (const m of text.matchAll(/(?<!\b(?:qr|dress|zip|post|area|source|country|colou?r)\s+)\b(?:promo code|discount code|coupon code|voucher code|coupon|code)\s*:?\s*([A-Z0-9][A-Z0-9-]{2,14})\b(?!\s?%)/giu)) {
    const token = m[1] ?? '';
    if (!/[A-Z]/.test(token) || token !== token.toUpperCase()) continue;
    add(`code ${token}`, `Code ${token}`);
    break;
  }

  const benefitMatch = BENEFIT_PATTERN.exec(text);
  const benefit = benefitMatch?.[1] ? normalizeText(benefitMatch[1]).toLowerCase() : null;
  if (benefitMatch && benefit) add(normalizeText(benefitMatch[0]).toLowerCase(), `Save ${benefit}`);

  if (found.length === 0) return { offer: null, badge: null, benefit };
  const [first, second] = found as [
    { offer: string; badge: string },
    ...Array<{ offer: string; badge: string }>,
  ];
  const both = second ? `${first.badge} + ${second.badge}` : first.badge;
  const badge = both.length <= MAX_OFFER_BADGE_CHARS ? both : fitText(first.badge, MAX_OFFER_BADGE_CHARS);
  return {
    offer: second && both === badge ? `${first.offer} + ${second.offer}` : first.offer,
    badge,
    benefit,
  };
}

/** What the prompt says about the product. */
export interface ProductInfo {
  /** Title-cased, singular product name for copy ("Luxury Watch"). */
  name: string;
  /** Lower-case product noun for image prompts ("luxury watch"). */
  subject: string;
  /** The clause describing the product ("made from recycled ocean plastic"), or null. */
  detail: string | null;
  /** The seller named by a possessive ("cozy neighborhood coffee shop" in "... coffee shop's new latte"), or null. */
  seller: string | null;
}

/** Used when the prompt names no product at all ("Buy now!!!"): reads well in every template ("Meet Something New"). */
const FALLBACK_PRODUCT: ProductInfo = {
  name: 'Something New',
  subject: 'featured product',
  detail: null,
  seller: null,
};

/** Where a product phrase starts: after "ad for", after a promotion verb, or after any "for". */
const PRODUCT_INTROS: readonly RegExp[] = [
  /\b(?:ads?|advert|advertisement|commercial|video|promo|spot|campaign|teaser|reel|clip|post|story)\s+(?:for|about|of|promoting|showcasing|featuring|introducing)\s+(.+)/iu,
  /\b(?:promote|promoting|advertise|advertising|showcase|showcasing|introduce|introducing|launch|launching|announce|announcing|sell|selling)\s+(.+)/iu,
  /\b(?:for|para|pour|für)\s+(.+)/iu,
  // "Upgrade your commute with an e-bike": an article after "with" introduces a noun phrase.
  /\bwith\s+(?:an?|the|our)\s+(.+)/iu,
];

/** Words the no-intro fallback skips: framework cues and verbs that start a prompt but never name a product. */
const FALLBACK_SKIP =
  /^(?:buy|shop|order|sale|off|free|ad|before|after|upgrade|switch|tired|sick|stop|struggling|transformation|try|get|discover|meet)$/i;

/** "watches" → "watch", "lattes" → "latte", "jeans" stays. Lower-case ASCII words only (brand names keep their form). */
function singularize(word: string): string {
  if (!/^[a-z]+$/.test(word) || word.length < 4 || PLURAL_ONLY.has(word) || /(?:ss|us|is)$/.test(word))
    return word;
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(?:ch|sh|x|zz)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Title case that keeps words already holding capitals ("iPhone", "ACME") and small joining words. */
function titleCase(words: readonly string[]): string {
  const small = new Set(['of', 'and', 'the', 'for', 'with', 'in', 'on', '&']);
  return words.map((w, i) => (/\p{Lu}/u.test(w) ? w : i > 0 && small.has(w) ? w : capitalize(w))).join(' ');
}

/** The text without quotes, emoji, or apostrophes that are not inside a word (emoji separate words, like spaces). */
function stripQuotes(text: string): string {
  return text
    .replace(/["“”«»„`]|\p{Extended_Pictographic}|[\u{FE0F}\u{200D}]/gu, ' ')
    .replace(/(?<!\p{L})['‘’]|['‘’](?!\p{L})/gu, ' ');
}

/** Reads the product phrase that follows one intro match, or null when it is only filler. */
function readProductPhrase(remainder: string): ProductInfo | null {
  // The product clause ends at a spaced dash or any punctuation/symbol (emoji, %, :, \ ...).
  const head = stripQuotes(remainder).split(/\s[-–—]+\s/u)[0] ?? '';
  let clause = head.match(/^[\p{L}\p{N}\s'’&+-]*/u)?.[0] ?? '';
  // A number cut from its "%" ("QR code 100% arabica") would state another number: drop it with its sign.
  if (/^\s?%/u.test(head.slice(clause.length))) clause = clause.replace(/\s*\p{N}+\s*$/u, '');
  const raw = clause.split(/\s+/).filter(Boolean);
  let stop = raw.findIndex((w, i) => i > 0 && PHRASE_STOP_WORDS.has(w.toLowerCase()));
  if (stop < 0) stop = raw.length;
  if (raw[0] !== undefined && PHRASE_STOP_WORDS.has(raw[0].toLowerCase())) return null;

  let words = raw.slice(0, stop);
  let seller: string | null = null;
  let brandPrefix: string | null = null;
  const possessive = words.findLastIndex((w) => /['’]s$/iu.test(w));
  if (possessive >= 0 && possessive < words.length - 1) {
    const sellerWords = [
      ...words.slice(0, possessive),
      (words[possessive] ?? '').replace(/['’]s$/iu, ''),
    ].filter((w) => !NAME_FILLER.has(w.toLowerCase()));
    seller = words
      .slice(0, possessive + 1)
      .join(' ')
      .replace(/['’]s$/iu, '')
      .toLowerCase();
    // A proper-noun seller is the brand ("O'Reilly's book" → "O'Reilly's Book"); a described one is not ("a cozy shop's latte").
    const proper = sellerWords.filter((w) => /^\p{Lu}/u.test(w));
    if (proper.length > 0 && proper.length === sellerWords.length) brandPrefix = `${proper.join(' ')}'s`;
    words = words.slice(possessive + 1);
  }
  while (words.length > 0 && NAME_FILLER.has((words[0] ?? '').toLowerCase())) words = words.slice(1);
  while (words.length > 0 && NAME_FILLER.has((words[words.length - 1] ?? '').toLowerCase()))
    words = words.slice(0, -1);
  if (words.length > 1 && NAME_TRAILING_GENERIC.has((words[words.length - 1] ?? '').toLowerCase()))
    words = words.slice(0, -1);
  words = words.slice(brandPrefix ? -(MAX_NAME_WORDS - 1) : -MAX_NAME_WORDS);
  if (words.length === 0 || words.every((w) => /^\p{N}+$/u.test(w))) return null;

  const last = words.length - 1;
  const forms = words.map((w, i) => (i === last ? singularize(w) : w));
  const detailWords = raw.slice(stop, stop + 8);
  const firstDetail = (detailWords[0] ?? '').toLowerCase();
  const detail =
    detailWords.length > 1 &&
    !['for', 'and', 'or', 'but', 'so', 'now', 'is', 'are', 'will'].includes(firstDetail)
      ? detailWords.join(' ')
      : null;
  return {
    name: fitText(titleCase(brandPrefix ? [brandPrefix, ...forms] : forms), MAX_NAME_CHARS),
    subject: forms.map((w) => (/\p{Lu}/u.test(w.slice(1)) ? w : w.toLowerCase())).join(' '),
    detail,
    seller,
  };
}

/**
 * Reads the product from a prompt: the noun phrase after "ad for" (or a promotion verb, or any "for"), cut at the
 * first clause word ("with", "that", "made" ...), stripped of articles and filler, its head noun singular.
 * Prompts with no such phrase (other scripts, slogans) fall back to their first words, then to "Something New".
 *
 * @example "Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics"
 *          → { name: "Luxury Watch", subject: "luxury watch", detail: "with elegant gold aesthetics" }
 */
export function extractProduct(prompt: string): ProductInfo {
  const text = normalizeText(prompt);
  for (const intro of PRODUCT_INTROS) {
    const remainder = intro.exec(text)?.[1];
    const product = remainder ? readProductPhrase(remainder) : null;
    if (product) return product;
  }
  // No intro: take the first meaningful words (this also covers CJK prompts, one "word" per run of letters).
  const words = (stripQuotes(text).match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).filter(
    (w) =>
      !NAME_FILLER.has(w.toLowerCase()) &&
      !PHRASE_STOP_WORDS.has(w.toLowerCase()) &&
      !/^\p{N}+$/u.test(w) &&
      !FALLBACK_SKIP.test(w),
  );
  if (words.length === 0) return FALLBACK_PRODUCT;
  // Scripts without spaces (Chinese, Japanese) give one long "word" per clause: keep a short opening of the first.
  const first = words[0] ?? '';
  if (!/[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]/u.test(first) && Array.from(first).length > 8) {
    const head = Array.from(first).slice(0, 8).join('');
    return { name: head, subject: head, detail: null, seller: null };
  }
  const picked = words.slice(0, 3);
  return {
    name: fitText(titleCase(picked), MAX_NAME_CHARS),
    subject: fitText(picked.join(' ').toLowerCase(), MAX_NAME_CHARS),
    detail: null,
    seller: null,
  };
}

/** The category whose keywords the product phrase (weight 3) and the whole prompt (weight 1) match most; ties keep table order. */
export function detectCategory(prompt: string, productSubject: string): CategoryProfile {
  const promptLower = normalizeText(prompt).toLowerCase();
  const promptWords = tokenize(promptLower);
  const subjectWords = tokenize(productSubject);
  let best = DEFAULT_CATEGORY;
  let bestScore = 0;
  for (const profile of CATEGORY_PROFILES) {
    const score =
      3 * countKeywords(subjectWords, productSubject.toLowerCase(), profile.keywords) +
      countKeywords(promptWords, promptLower, profile.keywords);
    if (score > bestScore) {
      best = profile;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The audience: the first phrase after "for", "helps", "saves", "targeting", "aimed at" ... whose head is an
 * audience noun ("for young urban runners", "saves teams 5 hours"), else the category's default audience.
 */
export function extractAudience(prompt: string, category: CategoryProfile): string {
  const text = stripQuotes(normalizeText(prompt));
  const trigger = /\b(?:for|helps?|saves?|lets?|gives?|empowers?|targeting|aimed at|loved by)\s+/giu;
  for (const m of text.matchAll(trigger)) {
    const rest = text.slice(m.index + m[0].length).match(/^[\p{L}\s'’-]*/u)?.[0] ?? '';
    let words = rest.split(/\s+/).filter(Boolean).slice(0, 6);
    const stop = words.findIndex((w, i) => i > 0 && PHRASE_STOP_WORDS.has(w.toLowerCase()));
    if (stop > 0) words = words.slice(0, stop);
    while (
      words.length > 0 &&
      ['a', 'an', 'the', 'your', 'our', 'all', 'their'].includes((words[0] ?? '').toLowerCase())
    )
      words = words.slice(1);
    const head = words.findLastIndex((w) => AUDIENCE_NOUNS.has(w.toLowerCase()));
    // Acronyms keep their capitals ("HR managers"); other words are lower-cased.
    if (head >= 0 && head < 5)
      return words
        .slice(0, head + 1)
        .map((w) => (/^\p{Lu}{2,}$/u.test(w) ? w : w.toLowerCase()))
        .join(' ');
  }
  return category.defaultAudience;
}

/**
 * The voice of the ad: the voice whose keywords the prompt (weight 1) and the brand style (weight 2: the brand's
 * own words are deliberate) match most; the category's default voice adds 0.5 so product type breaks ties and
 * fills silence. Table order breaks remaining ties; no match at all gives "uplifting".
 */
export function detectVoice(prompt: string, brandStyle: string, category: CategoryProfile): Voice {
  const promptLower = normalizeText(prompt).toLowerCase();
  const styleLower = normalizeText(brandStyle).toLowerCase();
  const promptWords = tokenize(promptLower);
  const styleWords = tokenize(styleLower);
  let best: Voice = 'uplifting';
  let bestScore = 0;
  for (const voice of VOICES) {
    const { keywords } = VOICE_PROFILES[voice];
    const score =
      countKeywords(promptWords, promptLower, keywords) +
      2 * countKeywords(styleWords, styleLower, keywords) +
      (category.defaultVoice === voice ? 0.5 : 0);
    if (score > bestScore) {
      best = voice;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Colour grade (docs/design/offline-planner.md, "Colour grade"): luxury for luxury/elegant/gold, warm for cozy/rustic/coffee, cool for
 * tech/clean/modern/ocean, neutral when none of those words occur. Most matches wins; ties follow that order.
 */
export function chooseColorGrade(prompt: string, brandStyle: string): ColorGrade {
  const lower = normalizeText(`${prompt} ${brandStyle}`).toLowerCase();
  const words = tokenize(lower);
  let best: ColorGrade = 'neutral';
  let bestScore = 0;
  for (const { grade, keywords } of GRADE_KEYWORDS) {
    const score = countKeywords(words, lower, keywords);
    if (score > bestScore) {
      best = grade;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Colour
// ---------------------------------------------------------------------------------------------------------------

/** `#RGB` / `#RRGGBB` (with or without `#`, any case) → `#RRGGBB` upper case; anything else → null. */
export function normalizeHexColor(value: string | null | undefined): string | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value ?? '').trim());
  if (!m?.[1]) return null;
  const hex = m[1].length === 3 ? Array.from(m[1], (c) => c + c).join('') : m[1];
  return `#${hex.toUpperCase()}`;
}

/** A normalized `#RRGGBB` colour (normalizeHexColor's output) as RGB. */
function rgbOf(hex: string): Rgb {
  return parseHex(hex) ?? { r: 0, g: 0, b: 0 };
}

/** `#RRGGBB` (upper case, as plans carry colours) of an HSL colour whose hue may lie outside 0–360. */
function hslToHex({ h, s, l }: Hsl): string {
  return toHex(fromHsl({ h: ((h % 360) + 360) % 360, s, l })).toUpperCase();
}

function rgbDistance(a: string, b: string): number {
  const x = rgbOf(a);
  const y = rgbOf(b);
  return Math.hypot(x.r - y.r, x.g - y.g, x.b - y.b);
}

/** Derived colours closer than this (RGB Euclidean) to a palette colour add nothing and are skipped. */
const MIN_COLOR_DISTANCE = 48;

/**
 * The plan palette: brand colours first (normalised `#RRGGBB`, duplicates dropped; the voice's base colours when
 * the brand gives none), then derived colours, up to 6: a saturated accent, a light tint, a dark shade and a
 * harmony colour (complementary for loud voices, analogous for quiet ones), all from the first chromatic brand
 * colour's hue (the voice's hue when the brand is greyscale). The light/dark/accent trio makes scene images differ
 * clearly in colour distribution; a derived colour nearly identical to one already present is skipped.
 */
export function buildPalette(brand: BrandGuidelines | null | undefined, voice: VoiceProfile): string[] {
  const brandColors = [
    normalizeHexColor(brand?.primary_color),
    normalizeHexColor(brand?.secondary_color),
  ].filter((c): c is string => c !== null);
  const core = [...new Set(brandColors.length > 0 ? brandColors : voice.basePalette)];
  const chromatic = core.map((hex) => toHsl(rgbOf(hex))).find((c) => c.s >= 0.25 && c.l >= 0.15 && c.l <= 0.85);
  const hue = chromatic?.h ?? voice.accentHue;
  const derived = [
    hslToHex({ h: hue, s: 0.85, l: 0.5 }),
    hslToHex({ h: hue, s: 0.4, l: 0.95 }),
    hslToHex({ h: hue, s: 0.35, l: 0.08 }),
    hslToHex({ h: hue + voice.harmonyOffset, s: 0.6, l: 0.42 }),
  ];
  const palette = [...core];
  for (const color of derived) {
    if (palette.length >= 6) break;
    if (palette.every((p) => rgbDistance(p, color) >= MIN_COLOR_DISTANCE)) palette.push(color);
  }
  return palette;
}

/** A plain colour word for an image prompt ("deep black", "warm gold", "bright blue"). */
export function nameColor(hex: string): string {
  const { h, s, l } = toHsl(rgbOf(hex));
  if (l <= 0.12) return s > 0.3 && l > 0.05 ? 'deep charcoal' : 'deep black';
  if (l >= 0.93) return s > 0.3 ? 'soft ivory' : 'clean white';
  if (s < 0.12) return l < 0.45 ? 'slate grey' : 'light grey';
  const hues: Array<[number, string]> = [
    [15, 'red'],
    [38, 'orange'],
    [52, 'gold'],
    [65, 'yellow'],
    [95, 'lime'],
    [150, 'green'],
    [185, 'teal'],
    [205, 'sky blue'],
    [245, 'blue'],
    [275, 'indigo'],
    [300, 'violet'],
    [335, 'magenta'],
    [360, 'red'],
  ];
  const hueName = hues.find(([limit]) => h < limit)?.[1] ?? 'red';
  if (hueName === 'orange' && l < 0.45) return s > 0.6 ? 'burnt orange' : 'bronze';
  if (l < 0.3) return `dark ${hueName}`;
  if (l > 0.75) return `pale ${hueName}`;
  return s > 0.6 ? `bright ${hueName}` : hueName;
}

// ---------------------------------------------------------------------------------------------------------------
// Copy and visuals
// ---------------------------------------------------------------------------------------------------------------

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
interface Brief {
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
function writeSceneText(brief: Brief, slots: readonly SceneSlot[], index: number): string {
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
function writeVisualPrompt(
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
function chooseCallToAction(prompt: string, category: CategoryProfile): string {
  const explicit = EXPLICIT_CTA_PATTERN.exec(prompt)?.[1];
  return fitText(capitalize((explicit ?? category.cta).toLowerCase()), MAX_CTA_CHARS);
}

function round2(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

// ---------------------------------------------------------------------------------------------------------------
// The planner
// ---------------------------------------------------------------------------------------------------------------

/**
 * Plans an ad from a request, offline and deterministically (stage prompt_parsing, local provider).
 *
 * Reads the prompt for product, category, audience, offer, tone and platform; picks the framework
 * ({@link chooseFramework}), the scene count ({@link countScenes}) and roles ({@link planSceneRoles}); splits the
 * duration into whole seconds ({@link allocateSceneDurations}); writes the hook (scene 1, overlay from 0.3 s), the
 * per-scene copy and image prompts, and the closing CTA (+ offer) in the last scene; derives the palette
 * ({@link buildPalette}), grade ({@link chooseColorGrade}) and music (tempo per voice, bed at 30 %).
 *
 * @param request a validated request: prompt of 10-500 characters, `duration` in whole seconds (15-60)
 * @returns a plan for which `validateAdPlan(plan, request.duration)` is empty
 * @throws AppError `PROMPT_PARSING_FAILED` (permanent) when the duration cannot be split into 3-5 scenes of 3-20 s
 *         or, defensively, when the plan fails {@link validateAdPlan} (`details.problems`)
 */
export function planAd(request: AdRequest): AdPlan {
  const prompt = normalizeText(request.prompt);
  const brandStyle = normalizeText(request.brand_guidelines?.style ?? '');
  const durationSeconds = request.duration;

  const product = extractProduct(prompt);
  const category = detectCategory(prompt, product.subject);
  const voice = detectVoice(prompt, brandStyle, category);
  const profile = VOICE_PROFILES[voice];
  const framework = chooseFramework(prompt);
  const brief: Brief = {
    framework,
    product,
    category,
    audience: extractAudience(prompt, category),
    offer: extractOffer(prompt),
    voice,
    profile,
    platform: detectPlatform(prompt),
    callToAction: chooseCallToAction(prompt, category),
    prompt,
  };

  const slots = planSceneRoles(framework, countScenes(durationSeconds));
  const durations = allocateSceneDurations(
    slots.map((s) => ROLE_WEIGHTS[s.role]),
    durationSeconds,
  );
  const look = {
    style: brandStyle ? fitText(brandStyle, 100) : profile.style,
    palette: buildPalette(request.brand_guidelines, profile),
    grade: chooseColorGrade(prompt, brandStyle),
    aspect: request.aspect_ratio,
  };

  const scenes: AdScene[] = slots.map((slot, i) => ({
    scene_number: i + 1,
    role: slot.role,
    duration: durations[i] ?? MIN_SCENE_SECONDS,
    visual_prompt: writeVisualPrompt(brief, slot, look),
    on_screen_text: fitText(writeSceneText(brief, slots, i), MAX_TEXT_CHARS),
    transition: profile.transitions[i % profile.transitions.length] ?? 'crossfade',
    // Each voice lists 5 distinct motions, so consecutive scenes never share one.
    motion: profile.motions[i % profile.motions.length] ?? 'zoom_in',
  }));

  let start = 0;
  const textOverlays = scenes.map((scene) => {
    const overlay = {
      scene_number: scene.scene_number,
      text: scene.on_screen_text,
      start_time: round2(start + OVERLAY_INSET_SECONDS),
      end_time: round2(start + scene.duration - OVERLAY_INSET_SECONDS),
    };
    start += scene.duration;
    return overlay;
  });

  const description = fitText(
    [capitalize(product.subject), product.detail, product.seller ? `from ${product.seller}` : null]
      .filter(Boolean)
      .join(' ') + `, for ${brief.audience}`,
    200,
  );
  const plan: AdPlan = {
    framework,
    product: {
      name: product.name,
      description,
      category: category.category,
      audience: brief.audience,
      offer: brief.offer.offer,
    },
    tone: voice,
    platform: brief.platform,
    hook: scenes[0]?.on_screen_text ?? product.name,
    call_to_action: brief.callToAction,
    scenes,
    visual_direction: {
      style: look.style,
      palette: look.palette,
      lighting: profile.lighting,
      color_grade: look.grade,
    },
    audio: { mood: profile.mood, tempo_bpm: profile.tempoBpm, music_volume: MUSIC_VOLUME },
    text_overlays: textOverlays,
  };

  const problems = validateAdPlan(plan, durationSeconds);
  if (problems.length > 0) {
    throw new AppError('PROMPT_PARSING_FAILED', 'local planner produced an invalid plan', {
      details: { problems },
    });
  }
  return plan;
}
