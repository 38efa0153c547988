import type { ColorGrade } from '@app/contracts';
import {
  AUDIENCE_NOUNS,
  BENEFIT_PATTERN,
  CATEGORY_PROFILES,
  DEFAULT_CATEGORY,
  GRADE_KEYWORDS,
  NAME_FILLER,
  NAME_TRAILING_GENERIC,
  PHRASE_STOP_WORDS,
  PLATFORM_CUES,
  PLURAL_ONLY,
  VOICES,
  VOICE_PROFILES,
  type CategoryProfile,
  type Voice,
} from './prompt-lexicon';
import { capitalize, countKeywords, fitText, normalizeText, stripQuotes, tokenize } from './text';

/**
 * Reading the prompt: platform, offer, product, category, audience, voice and colour grade, each in the
 * prompt's own words (docs/design/offline-planner.md: an ad states only what the prompt says). Pure.
 */

const MAX_OFFER_BADGE_CHARS = 40;
const MAX_NAME_CHARS = 28;
const MAX_NAME_WORDS = 4;

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
