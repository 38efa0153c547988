/**
 * Text utilities of the local planner: normalising prompts, fitting copy into the contract's character limits
 * (docs/design/offline-planner.md, "Copy": a line holds at most 80 characters) and matching keyword tables. Pure.
 */

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
export function tokenize(text: string): string[] {
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

/** Upper-cases the first code point only ("e-bike" → "E-bike"), so an emoji or surrogate pair is never split. */
export function capitalize(text: string): string {
  const [first = '', ...rest] = Array.from(text);
  return first.toUpperCase() + rest.join('');
}

/** Fills `{key}` placeholders; unknown keys stay empty. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
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

/** How many of `keywords` occur in the text, each counted once (see {@link hasKeyword} for what a match is). */
export function countKeywords(
  words: readonly string[],
  lowerText: string,
  keywords: readonly string[],
): number {
  return keywords.reduce((n, k) => n + (hasKeyword(words, lowerText, k) ? 1 : 0), 0);
}

/** The text without quotes, emoji, or apostrophes that are not inside a word (emoji separate words, like spaces). */
export function stripQuotes(text: string): string {
  return text
    .replace(/["“”«»„`]|\p{Extended_Pictographic}|[\u{FE0F}\u{200D}]/gu, ' ')
    .replace(/(?<!\p{L})['‘’]|['‘’](?!\p{L})/gu, ' ');
}
