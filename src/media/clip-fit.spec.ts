import { buildClipPrefilters, buildFitChains, clipFitFor, displayAspectOf } from './clip-fit';

describe('clip fit policy', () => {
  it.each([
    [{ widthPx: 1080, heightPx: 1920 }, 1080, 1920, 'cover'],
    [{ widthPx: 640, heightPx: 480 }, 1080, 1080, 'cover'],
    [{ widthPx: 1920, heightPx: 1080 }, 1080, 1920, 'fit_blur'],
    [{ widthPx: 1280, heightPx: 720, rotationDegrees: 90 }, 1080, 1920, 'cover'],
    [{ widthPx: 1280, heightPx: 720, rotationDegrees: -90 }, 1920, 1080, 'fit_blur'],
    [{ widthPx: 512, heightPx: 512 }, 1920, 1080, 'fit_blur'],
    [{ widthPx: 720, heightPx: 576, sampleAspectRatio: 16 / 11 }, 1080, 1080, 'fit_blur'],
    [{ widthPx: 2560, heightPx: 1080 }, 1920, 1080, 'cover'],
  ] as const)('should fit %j into %dx%d by %s', (shape, w, h, fit) => {
    expect(clipFitFor(shape, w, h)).toBe(fit);
  });

  it('should read the displayed aspect through rotation and pixel shape', () => {
    expect(displayAspectOf({ widthPx: 1280, heightPx: 720, rotationDegrees: 270 })).toBeCloseTo(720 / 1280, 9);
    expect(displayAspectOf({ widthPx: 720, heightPx: 576, sampleAspectRatio: 16 / 11 })).toBeCloseTo((720 * 16) / 11 / 576, 9);
  });

  it('should cover-crop in one chain and fit over a blurred copy in four', () => {
    expect(buildFitChains('[0:v]', 'cover', 1080, 1920, '', '0', '')).toEqual(['[0:v]scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920']);
    expect(buildFitChains('[1:v]', 'fit_blur', 1080, 1920, 'setpts=(PTS-STARTPTS)*2,', '1', '[f1]')).toEqual([
      '[1:v]setpts=(PTS-STARTPTS)*2,format=yuv420p,split=2[bg1][fg1]',
      '[bg1]scale=136:240:force_original_aspect_ratio=increase,crop=136:240,boxblur=4:2,scale=1080:1920,setsar=1[bgs1]',
      '[fg1]scale=1080:1920:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[fgs1]',
      '[bgs1][fgs1]overlay=x=(W-w)/2:y=(H-h)/2[f1]',
    ]);
  });

  it('should slow a clip shorter than its slot by more than a frame, and square anamorphic pixels', () => {
    expect(buildClipPrefilters({}, 2, 5, 1 / 30)).toBe('setpts=(PTS-STARTPTS)*2.5,');
    expect(buildClipPrefilters({}, 4.99, 5, 1 / 30)).toBe('');
    expect(buildClipPrefilters({}, undefined, 5, 1 / 30)).toBe('');
    expect(buildClipPrefilters({ sampleAspectRatio: 4 / 3 }, 8, 5, 1 / 30)).toBe('scale=trunc(iw*sar/2)*2:ih,setsar=1,');
  });
});
