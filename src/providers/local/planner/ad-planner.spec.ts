import {
  MAX_PROMPT_CHARS,
  MIN_PROMPT_CHARS,
  validateAdPlan,
  type AdPlan,
  type AdRequest,
  type Framework,
} from '@app/contracts';
import { AppError, CancelledError } from '../../../common/app-error';
import type { ProviderContext } from '../../ports';
import { LocalPromptPlanner } from '../local-prompt.planner';
import { planAd } from './ad-planner';
import { VOICE_PROFILES } from './prompt-lexicon';
import { countScenes } from './structure';

/** The four sample requests of assets/samples/prompts.json, inlined so the spec runs without reading files. */
const SAMPLES: ReadonlyArray<{ name: string; request: AdRequest }> = [
  {
    name: 'luxury-watch',
    request: {
      prompt: 'Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics',
      duration: 30,
      aspect_ratio: '9:16',
      brand_guidelines: { primary_color: '#D4AF37', secondary_color: '#000000', style: 'luxury minimalist' },
    },
  },
  {
    name: 'sneaker-launch',
    request: {
      prompt:
        'Launch video for a sustainable sneaker line made from recycled ocean plastic, for young urban runners',
      duration: 15,
      aspect_ratio: '9:16',
    },
  },
  {
    name: 'saas-youtube',
    request: {
      prompt: 'A 60 second YouTube ad for a project management app that saves teams 5 hours every week',
      duration: 60,
      aspect_ratio: '16:9',
      brand_guidelines: {
        primary_color: '#2563EB',
        secondary_color: '#F9FAFB',
        style: 'modern, clean, confident',
      },
    },
  },
  {
    name: 'coffee-square',
    request: {
      prompt: "Square Facebook ad for a cozy neighborhood coffee shop's new pumpkin spice latte",
      duration: 15,
      aspect_ratio: '1:1',
      brand_guidelines: { primary_color: '#B45309', secondary_color: '#FFF7ED', style: 'warm and rustic' },
    },
  },
];

function makeRequest(overrides: Partial<AdRequest> = {}): AdRequest {
  return {
    prompt: 'Create a 30 second ad for handmade leather wallets',
    duration: 30,
    aspect_ratio: '9:16',
    ...overrides,
  };
}

/** Prompts that have broken text pipelines before: quoting, escaping, emoji, other scripts, extremes of length. */
const EDGE_PROMPTS: readonly string[] = [
  'Buy now!!!',
  'x'.repeat(MIN_PROMPT_CHARS),
  'Ad for "Zen" tea: 50% OFF — today only!',
  "Promote O'Reilly's new book: 'Learning \\ Escaping' 100% free",
  'Ad for C:\\Program Files\\App; 20% off %{pts} %% \\n newline',
  'TikTok ad for 🍕 pizza 🔥🔥 with extra cheese 😋 — free delivery',
  '为我们的新茶饮料制作一个三十秒的广告，突出清新口感',
  'コーヒーの広告を作ってください',
  'Ad for スマートウォッチ smartwatches — save 30%',
  'Anuncio para zapatillas de correr ñandú, ¡50% de descuento!',
  "Video for an app that fixes teams' chaos: no more 'wasted' hours, saves 10 hours a week",
  '    lots   of\twhitespace\n\nand a new sofa for families   ',
  'Ad for ' + 'very '.repeat(60) + 'long product names that go on and on',
  (
    'Create a luxury ad for premium handcrafted Swiss chronograph watches with sapphire crystal, ' +
    'made for collectors who value heritage, precision and timeless elegance. '
  )
    .repeat(4)
    .slice(0, MAX_PROMPT_CHARS),
  'Ad for <script>alert(1)</script> and ${process.env.SECRET} {{template}}',
  'Ad for the best best best product ever!!! Shop now',
];

function allTexts(plan: AdPlan): string[] {
  return [
    plan.hook,
    plan.call_to_action,
    ...plan.scenes.map((s) => s.on_screen_text),
    ...plan.text_overlays.map((o) => o.text),
  ];
}

function lightness(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return (Math.max(r, g, b) + Math.min(r, g, b)) / 2 / 255;
}

function saturation(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => v / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  return max === min ? 0 : (max - min) / (1 - Math.abs(2 * l - 1));
}

/** Checks every invariant the rest of the pipeline relies on. */
function expectWellFormed(plan: AdPlan, request: AdRequest): void {
  expect(validateAdPlan(plan, request.duration)).toEqual([]);
  const durations = plan.scenes.map((s) => s.duration);
  expect(durations.reduce((a, b) => a + b, 0)).toBe(request.duration);
  for (const d of durations) {
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBeGreaterThanOrEqual(3);
  }
  expect(plan.scenes.length).toBeGreaterThanOrEqual(3);
  expect(plan.scenes.length).toBeLessThanOrEqual(5);
  for (const text of allTexts(plan)) {
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThanOrEqual(80);
  }
  // Hook in scene 1, shown within the first 2 s.
  expect(plan.scenes[0]?.on_screen_text).toBe(plan.hook);
  expect(plan.text_overlays[0]?.start_time).toBeLessThanOrEqual(0.5);
  // Last scene is the call to action and says it (with the offer when there is one).
  const last = plan.scenes[plan.scenes.length - 1];
  expect(last?.role).toBe(plan.framework === 'AIDA' ? 'action' : 'cta');
  expect(last?.on_screen_text).toContain(plan.call_to_action);
  // Motions vary: never the same twice in a row.
  plan.scenes.slice(1).forEach((s, i) => expect(s.motion).not.toBe(plan.scenes[i]?.motion));
  // One overlay per scene, inset 0.3 s from the scene's edges.
  let start = 0;
  plan.text_overlays.forEach((o, i) => {
    const scene = plan.scenes[i];
    expect(o.scene_number).toBe(scene?.scene_number);
    expect(o.text).toBe(scene?.on_screen_text);
    expect(o.start_time).toBeCloseTo(start + 0.3, 5);
    expect(o.end_time).toBeCloseTo(start + (scene?.duration ?? 0) - 0.3, 5);
    start += scene?.duration ?? 0;
  });
  // Palette gives scenes clearly different colour distributions.
  const palette = plan.visual_direction.palette;
  expect(palette.some((c) => lightness(c) >= 0.85)).toBe(true);
  expect(palette.some((c) => lightness(c) <= 0.15)).toBe(true);
  expect(palette.some((c) => saturation(c) >= 0.5 && lightness(c) >= 0.3 && lightness(c) <= 0.7)).toBe(true);
  expect(plan.audio.music_volume).toBe(0.3);
  for (const scene of plan.scenes) expect(scene.visual_prompt.length).toBeGreaterThan(80);
}

describe('planAd', () => {
  describe('samples', () => {
    it.each(SAMPLES)('should produce a valid plan for $name', ({ request }) => {
      expectWellFormed(planAd(request), request);
    });

    it.each<{
      name: string;
      framework: Framework;
      product: string;
      audience: string;
      offer: string | null;
      platform: string | null;
      tone: string;
      tempo: number;
      grade: string;
      scenes: number;
    }>([
      {
        name: 'luxury-watch',
        framework: 'AIDA',
        product: 'Luxury Watch',
        audience: 'discerning collectors',
        offer: null,
        platform: 'instagram',
        tone: 'elegant',
        tempo: 80,
        grade: 'luxury',
        scenes: 4,
      },
      {
        name: 'sneaker-launch',
        framework: 'BAB',
        product: 'Sustainable Sneaker',
        audience: 'young urban runners',
        offer: null,
        platform: null,
        tone: 'energetic',
        tempo: 124,
        grade: 'cool',
        scenes: 3,
      },
      {
        name: 'saas-youtube',
        framework: 'PAS',
        product: 'Project Management App',
        audience: 'teams',
        offer: 'saves teams 5 hours every week',
        platform: 'youtube',
        tone: 'confident',
        tempo: 110,
        grade: 'cool',
        scenes: 5,
      },
      {
        name: 'coffee-square',
        framework: 'AIDA',
        product: 'Pumpkin Spice Latte',
        audience: 'coffee and tea lovers',
        offer: null,
        platform: 'facebook',
        tone: 'warm',
        tempo: 90,
        grade: 'warm',
        scenes: 3,
      },
    ])('should read $name as $framework for "$product"', (expected) => {
      const request = SAMPLES.find((s) => s.name === expected.name)?.request ?? makeRequest();
      const plan = planAd(request);
      expect(plan.framework).toBe(expected.framework);
      expect(plan.product.name).toBe(expected.product);
      expect(plan.product.audience).toBe(expected.audience);
      expect(plan.product.offer).toBe(expected.offer);
      expect(plan.platform).toBe(expected.platform);
      expect(plan.tone).toBe(expected.tone);
      expect(plan.audio.tempo_bpm).toBe(expected.tempo);
      expect(plan.visual_direction.color_grade).toBe(expected.grade);
      expect(plan.scenes).toHaveLength(expected.scenes);
    });

    it('should use the brand colours first and the brand style', () => {
      const plan = planAd(SAMPLES[0]?.request ?? makeRequest());
      expect(plan.visual_direction.palette.slice(0, 2)).toEqual(['#D4AF37', '#000000']);
      expect(plan.visual_direction.style).toBe('luxury minimalist');
      expect(plan.scenes.map((s) => s.transition)).toContain('dissolve');
    });

    it('should put the time saving in the hook and the closing card of the SaaS ad', () => {
      const plan = planAd(SAMPLES[2]?.request ?? makeRequest());
      expect(plan.hook).toBe('Losing 5 hours every week?');
      expect(plan.scenes.map((s) => s.role)).toEqual(['problem', 'agitate', 'solution', 'solution', 'cta']);
      expect(plan.scenes[4]?.on_screen_text).toContain('Save 5 hours every week');
      expect(plan.scenes.map((s) => s.transition)).toContain('slide');
    });

    it('should describe the same product in every visual prompt', () => {
      for (const { request } of SAMPLES) {
        const plan = planAd(request);
        const subject = plan.product.name.toLowerCase();
        for (const scene of plan.scenes) expect(scene.visual_prompt.toLowerCase()).toContain(subject);
        expect(new Set(plan.scenes.map((s) => s.visual_prompt)).size).toBe(plan.scenes.length);
      }
    });
  });

  describe('durations', () => {
    const frameworks: ReadonlyArray<{ framework: Framework; prompt: string }> = [
      { framework: 'AIDA', prompt: 'Ad for a new luxury perfume' },
      { framework: 'PAS', prompt: 'Ad for an app that solves the struggle of wasted meetings' },
      { framework: 'BAB', prompt: 'Ad for a home makeover service that transforms your living room' },
    ];
    const durations = Array.from({ length: 46 }, (_, i) => 15 + i);

    it.each(frameworks)(
      'should split every duration 15..60 exactly for $framework',
      ({ framework, prompt }) => {
        for (const duration of durations) {
          const request = makeRequest({ prompt, duration });
          const plan = planAd(request);
          expect(plan.framework).toBe(framework);
          expect(plan.scenes).toHaveLength(countScenes(duration));
          expectWellFormed(plan, request);
        }
      },
    );

    it('should keep the hook short and the payoff long', () => {
      const plan = planAd(makeRequest({ prompt: 'Ad for a new luxury perfume', duration: 30 }));
      const [attention, , desire] = plan.scenes;
      expect(attention?.duration).toBeLessThan(desire?.duration ?? 0);
    });

    it('should fail with PROMPT_PARSING_FAILED for a duration outside what 3-5 scenes can hold', () => {
      expect.assertions(2);
      try {
        planAd(makeRequest({ duration: 7 }));
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('PROMPT_PARSING_FAILED');
      }
    });
  });

  describe('voices', () => {
    it.each(Object.entries(VOICE_PROFILES))(
      'should never repeat a motion in consecutive scenes for %s',
      (_voice, profile) => {
        profile.motions.slice(1).forEach((m, i) => expect(m).not.toBe(profile.motions[i]));
        expect(profile.motions.length).toBeGreaterThanOrEqual(5);
      },
    );
  });

  describe('edge prompts', () => {
    it.each(EDGE_PROMPTS.map((prompt) => [prompt.slice(0, 40), prompt]))(
      'should plan %j safely',
      (_label, prompt) => {
        for (const duration of [15, 30, 60]) {
          for (const aspect_ratio of ['9:16', '16:9', '1:1'] as const) {
            const request = makeRequest({ prompt, duration, aspect_ratio });
            expectWellFormed(planAd(request), request);
          }
        }
      },
    );

    it('should accept prompts at both length limits', () => {
      const short = 'Ad: shoes';
      expect(short.length + 1).toBe(MIN_PROMPT_CHARS);
      for (const prompt of [`${short}!`, 'Ad for running shoes '.repeat(30).slice(0, MAX_PROMPT_CHARS)]) {
        const request = makeRequest({ prompt });
        expectWellFormed(planAd(request), request);
      }
    });

    it('should keep non-Latin product names', () => {
      expect(planAd(makeRequest({ prompt: '为我们的新茶饮料制作一个三十秒的广告' })).product.name).toMatch(
        /\p{Script=Han}/u,
      );
    });

    it('should never leak quotes or backslashes of the prompt into the product name', () => {
      const plan = planAd(makeRequest({ prompt: 'Ad for "Zen\\" tea\'s `matcha` — 50% OFF' }));
      expect(plan.product.name).not.toMatch(/["\\`]/);
      expect(plan.product.offer).toBe('50% off');
    });

    it('should use the fallback name when the prompt names nothing', () => {
      expect(planAd(makeRequest({ prompt: 'Buy now!!!' })).product.name).toBe('Something New');
    });
  });

  describe('determinism', () => {
    it('should return equal plans for equal requests', () => {
      for (const prompt of [...SAMPLES.map((s) => s.request.prompt), ...EDGE_PROMPTS]) {
        const a = planAd(makeRequest({ prompt }));
        const b = planAd(makeRequest({ prompt }));
        expect(b).toEqual(a);
        expect(b).not.toBe(a);
      }
    });

    it('should not mutate the request', () => {
      const request = makeRequest({ brand_guidelines: { primary_color: '#abc', style: 'bold' } });
      const copy = structuredClone(request);
      planAd(request);
      expect(request).toEqual(copy);
    });
  });

  describe('offers and calls to action', () => {
    it('should show the offer with the CTA in the last scene', () => {
      const plan = planAd(makeRequest({ prompt: 'Instagram ad for running shoes, 50% OFF this week' }));
      const last = plan.scenes[plan.scenes.length - 1]?.on_screen_text ?? '';
      expect(plan.product.offer).toBe('50% off');
      expect(last).toContain('50% OFF');
      expect(last).toContain(plan.call_to_action);
    });

    it('should use a CTA the prompt spells out', () => {
      expect(
        planAd(makeRequest({ prompt: 'Ad for a yoga studio, book now for summer' })).call_to_action,
      ).toBe('Book now');
    });
  });

  describe('palette', () => {
    it.each([
      [{ primary_color: '#000', secondary_color: '#FFF' }],
      [{ primary_color: '#808080', secondary_color: '#777777' }],
      [{ primary_color: '#FFFF00' }],
      [{ primary_color: '#0A0A0A' }],
      [null],
    ])('should include a light, a dark and a saturated colour for %j', (brand) => {
      const request = makeRequest({ brand_guidelines: brand });
      expectWellFormed(planAd(request), request);
    });
  });
});

describe('LocalPromptPlanner', () => {
  function makeContext(signal: AbortSignal): ProviderContext {
    return {
      jobId: 'job-1',
      attemptId: 'attempt-1',
      signal,
      workDir: '/tmp',
      heartbeat: () => undefined,
      resumeToken: null,
      saveResumeToken: () => Promise.resolve(),
    };
  }

  it('should plan offline at no cost', async () => {
    const request = SAMPLES[0]?.request ?? makeRequest();
    const result = await new LocalPromptPlanner().plan(request, makeContext(new AbortController().signal));
    expect(result.provider).toBe('local');
    expect(result.costUsd).toBe(0);
    expect(result.processingTimeSeconds).toBeGreaterThanOrEqual(0);
    expect(result.output).toEqual(planAd(request));
  });

  it('should reject with CancelledError when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort('job cancelled');
    await expect(
      new LocalPromptPlanner().plan(makeRequest(), makeContext(controller.signal)),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
