import { variationSeedBasis, type AdPlan, type AdRequest } from '@app/contracts';
import { jobState } from '../../test/fixtures/saga';
import { stageInput, stillSeed, stillSeedBasis, type JobState } from './job-saga';

const request: AdRequest = { prompt: 'A 15 second ad for a neighbourhood coffee roaster', duration: 15, aspect_ratio: '1:1', brand_guidelines: { primary_color: '#6B3E26' } };

const plan: AdPlan = {
  framework: 'AIDA',
  product: { name: 'Roast', description: 'fresh coffee', category: 'coffee', audience: 'locals', offer: null },
  tone: 'warm',
  platform: 'instagram',
  hook: 'Fresh every morning',
  call_to_action: 'Visit us',
  scenes: [1, 2].map((n) => ({
    scene_number: n,
    role: 'attention',
    duration: 7.5,
    visual_prompt: `beans ${n}`,
    on_screen_text: `line ${n}`,
    transition: 'crossfade',
    motion: 'zoom_in',
  })),
  visual_direction: { style: 'warm', palette: ['#6B3E26', '#F5E6D3'], lighting: 'soft', color_grade: 'warm' },
  audio: { mood: 'warm', tempo_bpm: 90, music_volume: 0.3 },
  text_overlays: [],
};

function state(variation?: number): JobState {
  return jobState({
    status: 'processing',
    ...(variation !== undefined ? { variation } : {}),
    request,
    currentStage: 'storyboard',
    stagesCompleted: ['prompt_parsing', 'image_generation'],
    progressPercentage: 35,
    plan,
    referenceImageUri: 'file:///tmp/reference.png',
    scenesTotal: 2,
    version: 3,
  });
}

describe('variation seeds', () => {
  it('should give variation 0 the basis a single job has, and every other variation its own', () => {
    const parts = ['a', 1, { b: null }];
    expect(variationSeedBasis(parts)).toBe(JSON.stringify(parts));
    expect(variationSeedBasis(parts, 0)).toBe(JSON.stringify(parts));
    const bases = [0, 1, 2].map((v) => variationSeedBasis(parts, v));
    expect(new Set(bases).size).toBe(3);
  });

  it("should keep a single job's still seeds for variation 0 (the stage cache still applies) and change them above 0", () => {
    // The basis a single job used before batches existed, written out.
    const single = JSON.stringify([request.prompt, request.duration, request.aspect_ratio, request.brand_guidelines, 'beans 1']);
    expect(stillSeedBasis(request, 'beans 1')).toBe(single);
    expect(stillSeedBasis(request, 'beans 1', 0)).toBe(single);
    const seeds = [0, 1, 2].map((v) => stillSeed(stillSeedBasis(request, 'beans 1', v), 0, 0));
    expect(new Set(seeds).size).toBe(3);
    for (const s of seeds) expect(s).toBeLessThan(2_147_483_647);
  });

  it('should put the variation into the stage inputs only above 0, so variation 0 asks for exactly what a single job asks for', () => {
    const single = stageInput(state(), 'image_generation', null);
    expect(stageInput(state(0), 'image_generation', null)).toEqual(single);
    expect(single).not.toHaveProperty('variation');
    expect(stageInput(state(2), 'image_generation', null)).toEqual({ ...single, variation: 2 });

    const still = (s: JobState) => stageInput(s, 'storyboard', 1);
    expect(still(state(0))).toEqual(still(state()));
    expect(still(state(1)).seed).not.toBe(still(state()).seed);
    expect({ ...still(state(1)), seed: 0 }).toEqual({ ...still(state()), seed: 0 });
  });
});
