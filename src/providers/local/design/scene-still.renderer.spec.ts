import { ASPECT_RATIOS, type AspectRatio, type SceneRole } from '@app/contracts';
import { makeAdPlan, sampleBrand, SAMPLE_REQUESTS } from '../../../../test/fixtures/plans';
import { histogramDistance } from '../../../media/color';
import { brandLookFor, seedFrom } from './brand-look';
import { designLayoutFor, drawReferenceDesign, nameBoxOf } from './reference-design.renderer';
import { cropRectFor, drawSceneStill, MIN_SCENE_DISTANCE, planSceneTones, toneForRegeneratedStill } from './scene-still.renderer';

const ROLES: SceneRole[] = ['attention', 'interest', 'desire', 'action', 'problem', 'solution', 'cta'];

describe('cropRectFor', () => {
  it.each(ASPECT_RATIOS.flatMap((a) => ROLES.map((r) => [a, r] as [AspectRatio, SceneRole])))(
    'should keep the %s crop for %s inside the reference and the product name wholly in or out',
    (aspect, role) => {
      const L = designLayoutFor(aspect);
      const [x, y, w, h] = cropRectFor(role, L);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(L.widthPx + 1e-6);
      expect(y + h).toBeLessThanOrEqual(L.heightPx + 1e-6);
      const [bl, bt, br, bb] = nameBoxOf(L);
      const inside = bl >= x && br <= x + w && bt >= y && bb <= y + h;
      const outside = br <= x || bl >= x + w || bb <= y || bt >= y + h;
      expect(inside || outside).toBe(true);
    },
  );
});

describe('planSceneTones', () => {
  it.each(SAMPLE_REQUESTS.map((r) => [r.name, r] as const))('should make neighbouring scenes of %s differ in colour', (_name, req) => {
    const plan = makeAdPlan({ durationSeconds: req.durationSeconds, aspectRatio: req.aspectRatio, sample: req.name });
    const look = brandLookFor(plan, sampleBrand(req.name));
    const L = designLayoutFor(req.aspectRatio);
    const ref = drawReferenceDesign(plan, req.aspectRatio, look, seedFrom(req.name));
    const tones = planSceneTones(ref, plan.scenes, look, L);
    expect(tones).toHaveLength(plan.scenes.length);
    const thumbs = plan.scenes.map((s, i) => drawSceneStill(ref, s, tones[i], look, L, 36, Math.round((36 * L.heightPx) / L.widthPx)));
    for (let i = 1; i < thumbs.length; i++) {
      const a = thumbs[i - 1].getContext('2d').getImageData(0, 0, thumbs[i - 1].width, thumbs[i - 1].height).data;
      const b = thumbs[i].getContext('2d').getImageData(0, 0, thumbs[i].width, thumbs[i].height).data;
      expect(histogramDistance(a, b)).toBeGreaterThanOrEqual(MIN_SCENE_DISTANCE);
      expect(tones[i]).not.toBe(tones[i - 1]);
    }
  });
});

describe('toneForRegeneratedStill', () => {
  // A refined still must change and keep its cuts visible: a gold-on-black watch once refined its 'light' middle
  // scene into 'deep', and the whole ad read as one scene.
  it.each(SAMPLE_REQUESTS.map((r) => [r.name, r] as const))('should give every refined scene of %s a new tone apart from its neighbours', (_name, req) => {
    const plan = makeAdPlan({ durationSeconds: req.durationSeconds, aspectRatio: req.aspectRatio, sample: req.name });
    const look = brandLookFor(plan, sampleBrand(req.name));
    const L = designLayoutFor(req.aspectRatio);
    const ref = drawReferenceDesign(plan, req.aspectRatio, look, seedFrom(req.name));
    const tones = planSceneTones(ref, plan.scenes, look, L);
    const w = 36;
    const h = Math.round((36 * L.heightPx) / L.widthPx);
    const px = (i: number, tone: (typeof tones)[number]): Uint8ClampedArray => drawSceneStill(ref, plan.scenes[i], tone, look, L, w, h).getContext('2d').getImageData(0, 0, w, h).data;
    for (let i = 0; i < plan.scenes.length; i++) {
      expect(toneForRegeneratedStill(ref, plan.scenes, tones, i, 0, look, L)).toBe(tones[i]);
      const neighbours = [i - 1, i + 1].filter((k) => k >= 0 && k < plan.scenes.length);
      const apart = (tone: (typeof tones)[number]): number => Math.min(...neighbours.map((j) => histogramDistance(px(j, tones[j]), px(i, tone))));
      const reachable = Math.max(...(['original', 'deep', 'vivid', 'light'] as const).filter((t) => t !== tones[i]).map(apart));
      for (const variant of [1, 2, 3]) {
        const tone = toneForRegeneratedStill(ref, plan.scenes, tones, i, variant, look, L);
        expect(tone).not.toBe(tones[i]);
        // As far apart as the margin asks when some tone gets there, else the farthest there is.
        if (reachable >= MIN_SCENE_DISTANCE) expect(apart(tone)).toBeGreaterThanOrEqual(MIN_SCENE_DISTANCE);
        else expect(apart(tone)).toBe(reachable);
      }
    }
  });
});
