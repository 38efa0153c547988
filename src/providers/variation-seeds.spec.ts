import type { AdPlan, ImageGenerationInput } from '@app/contracts';
import { toImageRequest } from './http/http-contract.mappers';
import { seedFrom } from './local/design/brand-look';
import { referenceSeedFor } from './local/local-image.generator';

const plan: AdPlan = {
  framework: 'AIDA',
  product: { name: 'Roast', description: 'fresh coffee', category: 'coffee', audience: 'locals', offer: null },
  tone: 'warm',
  platform: 'instagram',
  hook: 'Fresh every morning',
  call_to_action: 'Visit us',
  scenes: [],
  visual_direction: { style: 'warm', palette: ['#6B3E26', '#F5E6D3'], lighting: 'soft', color_grade: 'warm' },
  audio: { mood: 'warm', tempo_bpm: 90, music_volume: 0.3 },
  text_overlays: [],
};

describe('referenceSeedFor', () => {
  const input: ImageGenerationInput = { plan, aspect_ratio: '1:1', brand_guidelines: { primary_color: '#6B3E26' } };

  it("should keep a single job's seed (the hash of product, direction, aspect and brand) for a job without a variation", () => {
    const single = seedFrom(JSON.stringify([plan.product, plan.visual_direction, '1:1', { primary_color: '#6B3E26' }]));
    expect(referenceSeedFor(input)).toBe(single);
    expect(referenceSeedFor({ ...input, variation: 0 })).toBe(single);
  });

  it('should give every variation above 0 its own seed, the same on every attempt', () => {
    const seeds = [0, 1, 2].map((variation) => referenceSeedFor({ ...input, variation }));
    expect(new Set(seeds).size).toBe(3);
    expect(referenceSeedFor({ ...input, variation: 2 })).toBe(seeds[2]);
  });
});

describe('toImageRequest', () => {
  const input: ImageGenerationInput = { plan, aspect_ratio: '9:16', brand_guidelines: null };

  it("should send a team image service a single job's body for variation 0 and name a later variation", () => {
    const single = toImageRequest(input);
    expect(Object.keys(single).sort()).toEqual(['aspect_ratio', 'prompt', 'style', 'visual_direction']);
    expect(toImageRequest({ ...input, variation: 0 })).toEqual(single);
    expect(toImageRequest({ ...input, variation: 2 })).toEqual({ ...single, variation: 2 });
  });
});
