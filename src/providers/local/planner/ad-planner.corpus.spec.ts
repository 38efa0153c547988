import type { AdPlan, AdRequest, AspectRatio } from '@app/contracts';
import { seededRandom } from '../design/brand-look';
import { planAd } from './ad-planner';

/**
 * The offline planner states only what the prompt says (docs/design/offline-planner.md): over a corpus of 200
 * generated prompts, every number and every offer word on screen must appear in the prompt.
 */

/** A deterministic PRNG, so the corpus is the same on every run. */
const rng = seededRandom;

const PRODUCTS = [
  'coffee beans', 'luxury watches', 'running sneakers', 'a project management app', 'organic tea', 'a skincare serum',
  'wireless headphones', 'a yoga studio', 'a boutique hotel', 'a budgeting app', 'handmade candles', 'pizza', 'a CRM',
  'leather wallets', 'an e-bike', 'dog food', 'a language course', 'sparkling water', 'a gaming chair', 'a bakery',
];
/** Facts with numbers that are not offers: the planner may repeat them, never turn them into one. */
const FACTS = [
  '100% arabica', '100% recycled ocean plastic', 'since 1998', 'with 24 hours of battery life', '3 flavours', 'in 12 colours',
  'rated 4.8 stars by our customers', 'roasted in small 5 kg batches', 'for 2 people', 'that saves teams 5 hours every week',
  'with a 2-year warranty', 'made in Portugal', 'QR code 100% traceable', 'served at 60 degrees', 'grown at 1,800 m',
  'open 7 days a week', 'with 30 lessons', 'zip code 94107 only', 'ready in 10 minutes', '',
];
const OFFERS = [
  '', '', '', '20% off', 'save 15%', 'up to 30% off', '$10 off', 'free shipping', 'a 14-day free trial', 'half price today',
  'BOGO this weekend', 'use code FRESH10', 'promo code: SPRING', 'first month free', 'save $25', '15 % discount',
  'get 20% more in every bag', 'up to 40% faster', '',
];
const OPENERS = ['Create a {d} second Instagram ad for', 'Vertical TikTok ad for', 'YouTube ad for', 'Square ad for', 'Ad for', 'Launch video for'];
const STYLES = ['elegant gold and black', 'energetic urban', 'warm and cozy', 'clean modern', 'playful pastel', 'calm minimal', ''];
const ASPECTS: AspectRatio[] = ['9:16', '16:9', '1:1'];
const DURATIONS = [15, 20, 30, 45, 60];

function corpus(n: number): AdRequest[] {
  const r = rng(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => {
    const duration = pick(DURATIONS);
    const parts = [pick(OPENERS).replace('{d}', String(duration)), pick(PRODUCTS), pick(FACTS), pick(OFFERS), pick(STYLES)].filter(Boolean);
    const prompt = parts.join(r() < 0.5 ? ' ' : ', ').replace(/\s+,/g, ',');
    return { prompt, duration, aspect_ratio: pick(ASPECTS), brand_guidelines: r() < 0.3 ? { primary_color: '#0EA5E9', style: pick(STYLES) || 'bold' } : undefined };
  });
}

/** Every string the finished ad shows: scene lines, hook, overlays, and the closing card (name, offer, CTA). */
function onScreen(plan: AdPlan): string[] {
  return [
    ...plan.scenes.map((s) => s.on_screen_text),
    plan.hook,
    plan.call_to_action,
    ...plan.text_overlays.map((o) => o.text),
    plan.product.name,
    plan.product.offer ?? '',
  ].filter(Boolean);
}

/** Offer and claim words, each with the stem the prompt must then contain. */
const OFFER_WORDS: ReadonlyArray<[RegExp, RegExp]> = [
  [/%/, /%/],
  [/[$€£]/, /[$€£]/],
  [/\bfree\b/i, /\bfree\b/i],
  [/\boff\b/i, /\boff\b/i],
  [/\bcode\b/i, /\bcode\b/i],
  [/\bsav(?:e|es|ing)\b/i, /\bsav(?:e|es|ing)\b/i],
  [/\bdiscount\b/i, /\bdiscount\b/i],
  [/\btrial\b/i, /\btrial\b/i],
  [/\bguarantee/i, /\bguarantee/i],
  [/\bsale\b/i, /\bsale\b/i],
  [/\bbogo\b/i, /\bbogo\b/i],
  [/\bhalf\b/i, /\bhalf\b/i],
  [/\btrusted\b|\bloved by\b|\bbest[- ]selling\b|#1\b|\baward/i, /\btrusted\b|\bloved by\b|\bbest[- ]selling\b|#1\b|\baward/i],
];

describe('offline planner: nothing on screen the prompt did not say', () => {
  const requests = corpus(200);

  it('should generate a varied corpus of 200 prompts', () => {
    expect(new Set(requests.map((r) => r.prompt)).size).toBeGreaterThan(190);
  });

  it.each(requests.map((r, i) => [i, r] as const))('should state only numbers and offers of prompt %d', (_i, request) => {
    const plan = planAd(request);
    const source = `${request.prompt} ${request.brand_guidelines?.style ?? ''}`;
    const digits = source.replace(/[\s,]/g, '');
    const problems: string[] = [];
    for (const text of onScreen(plan)) {
      for (const num of text.match(/\d+(?:[.,]\d+)*/g) ?? []) {
        if (!digits.includes(num.replace(/,/g, ''))) problems.push(`number ${num} in "${text}"`);
      }
      for (const [shown, needed] of OFFER_WORDS) {
        if (shown.test(text) && !needed.test(source)) problems.push(`"${shown.source}" in "${text}"`);
      }
    }
    expect({ prompt: request.prompt, problems }).toEqual({ prompt: request.prompt, problems: [] });
  });

  it('should keep the offers a prompt does state, verbatim but for case', () => {
    const cases: Array<[string, string]> = [
      ['Ad for coffee beans, 100% arabica, use code FRESH10', 'Code FRESH10'],
      ['Ad for sneakers, 20% off this week', '20% OFF'],
      ['Ad for a CRM with a 14-day free trial', '14-day free trial'],
    ];
    for (const [prompt, badge] of cases) {
      const plan = planAd({ prompt, duration: 15, aspect_ratio: '9:16' });
      expect(plan.scenes[plan.scenes.length - 1].on_screen_text).toContain(badge);
    }
  });

  it('should never show a promo code for "100% arabica" coffee', () => {
    const plan = planAd({ prompt: 'Square ad for our QR code 100% arabica coffee, rich and smooth', duration: 15, aspect_ratio: '1:1' });
    expect(plan.product.offer).toBeNull();
    expect(onScreen(plan).join(' ')).not.toMatch(/\bcode 100\b/i);
  });
});
