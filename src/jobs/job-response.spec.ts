import { toCacheView, toV1CacheView } from './job-response';

describe('toCacheView', () => {
  it.each<[string, Record<string, boolean>, number, ReturnType<typeof toCacheView>]>([
    ['nothing for a job with no finished stage', {}, 0, {}],
    [
      'one flag per single stage and one per scene, null for scenes not finished',
      { prompt_parsing: true, image_generation: true, 'video_generation.0': false, 'video_generation.2': true },
      4,
      { prompt_parsing: true, image_generation: true, video_generation: [false, null, true, null] },
    ],
    [
      'every stage of a fully cached job',
      { prompt_parsing: true, image_generation: true, 'video_generation.0': true, 'video_generation.1': true, composition: true },
      2,
      { prompt_parsing: true, image_generation: true, video_generation: [true, true], composition: true },
    ],
    ['scenes past a stale total', { 'video_generation.3': true }, 0, { video_generation: [null, null, null, true] }],
  ])('should show %s', (_name, hits, scenes, expected) => {
    expect(toCacheView(hits, scenes)).toEqual(expected);
  });
});

describe('toV1CacheView', () => {
  it.each([
    ['no storyboard entry', { prompt_parsing: true, image_generation: true }, { prompt_parsing: true, image_generation: true }],
    ['every still reused', { image_generation: true, storyboard: [true, true] }, { image_generation: true }],
    ['one still computed', { image_generation: true, storyboard: [true, false] }, { image_generation: false }],
    ['a still not finished yet', { image_generation: true, storyboard: [true, null] }, { image_generation: true }],
    ['a computed reference image', { image_generation: false, storyboard: [true, true] }, { image_generation: false }],
  ])('should fold the storyboard into image_generation: %s', (_name, view, expected) => {
    expect(toV1CacheView(view)).toEqual(expected);
  });
});
